import { css, html, LitElement, nothing } from 'lit';
import { channelLabel, relativeTime } from '../shared/format.js';
import { safeImageUrl } from '../shared/safe-image-url.js';
import type { WallMessage } from '../shared/types.js';

/**
 * One approved contribution on the wall: its images, its text, who sent it, how and when.
 *
 * Properties:
 * - `message` (`WallMessage | null`): the public message to show.
 * - `now` (number, ms since the epoch): the clock for the relative time; the wall ticks it.
 *
 * The `<article>` carries `data-message-id`, and the text is in `.text`. A post its author put behind a
 * content warning shows only the warning (`.warning`): a projector cannot ask the room before revealing it,
 * so its text and images are not rendered at all. All user data goes through Lit
 * text bindings; only image URLs that pass `safeImageUrl()` reach a `src`. The text is sized by its
 * length, so that a short message reads large and a long one still fits on its card.
 */
export class ToileWallCard extends LitElement {
  static override properties = {
    message: { attribute: false },
    now: { type: Number },
  };

  static override styles = css`
    :host {
      display: block;
    }
    article {
      display: flex;
      flex-direction: column;
      gap: 0.7em;
      box-sizing: border-box;
      height: 100%;
      padding: 1em 1.2em 0.9em;
      border-radius: var(--toile-radius, 0.75rem);
      background: var(--toile-surface, #161b26);
      border: 0.12em solid transparent;
      animation: enter 450ms ease-out;
    }
    article.pinned {
      border-color: var(--toile-accent, #ffb020);
      background: linear-gradient(180deg, rgb(255 176 32 / 0.1), transparent 55%), var(--toile-surface, #161b26);
    }
    .pin {
      align-self: flex-start;
      padding: 0.1em 0.6em;
      border-radius: 1em;
      background: var(--toile-accent, #ffb020);
      color: var(--toile-accent-text, #15110a);
      font-size: 0.75em;
      font-weight: 700;
      letter-spacing: 0.06em;
      text-transform: uppercase;
    }
    .media {
      display: grid;
      gap: 0.4em;
      grid-template-columns: repeat(auto-fit, minmax(8em, 1fr));
    }
    .media img {
      width: 100%;
      max-height: 36vh;
      border-radius: 0.5em;
      object-fit: cover;
      background: var(--toile-surface-raised, #202737);
    }
    .warning {
      margin: 0;
      padding: 0.7em 0.9em;
      border-radius: 0.5em;
      border: 1px dashed var(--toile-border, #323b50);
      background: var(--toile-surface-raised, #202737);
      font-size: 1.3em;
      overflow-wrap: anywhere;
    }
    .warning strong {
      display: block;
      font-size: 0.7em;
      letter-spacing: 0.06em;
      text-transform: uppercase;
      color: var(--toile-muted, #aab2c5);
    }
    .text {
      margin: 0;
      line-height: 1.28;
      font-weight: 500;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
    .size-xl {
      font-size: 2em;
      font-weight: 600;
    }
    .size-l {
      font-size: 1.6em;
    }
    .size-m {
      font-size: 1.3em;
    }
    .size-s {
      font-size: 1.1em;
    }
    footer {
      display: flex;
      align-items: center;
      gap: 0.6em;
      margin-top: auto;
      min-width: 0;
      color: var(--toile-muted, #aab2c5);
    }
    .avatar {
      flex: none;
      display: grid;
      place-items: center;
      width: 2.2em;
      height: 2.2em;
      border-radius: 50%;
      object-fit: cover;
      background: var(--toile-surface-raised, #202737);
      color: var(--toile-text, #f4f6fb);
      font-weight: 700;
    }
    .who {
      display: flex;
      flex-direction: column;
      min-width: 0;
      line-height: 1.2;
    }
    .author {
      color: var(--toile-text, #f4f6fb);
      font-weight: 700;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .detail {
      font-size: 0.85em;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .channel {
      flex: none;
      margin-left: auto;
      padding: 0.15em 0.65em;
      border: 1px solid var(--toile-border, #323b50);
      border-radius: 1em;
      font-size: 0.75em;
      font-weight: 600;
      letter-spacing: 0.06em;
      text-transform: uppercase;
    }
    @keyframes enter {
      from {
        opacity: 0;
        transform: translateY(0.6em) scale(0.98);
      }
      to {
        opacity: 1;
        transform: none;
      }
    }
    @media (prefers-reduced-motion: reduce) {
      article {
        animation: none;
      }
    }
  `;

  declare message: WallMessage | null;
  declare now: number;

  constructor() {
    super();
    this.message = null;
    this.now = Date.now();
  }

  override render() {
    const m = this.message;
    if (m === null) return nothing;
    const images = m.media.flatMap((item) => {
      const src = item.kind === 'image' ? safeImageUrl(item.url) : null;
      return src === null ? [] : [{ src, alt: item.alt ?? '' }];
    });
    const avatar = safeImageUrl(m.author.avatarUrl);
    const initial = [...m.author.name.trim()][0]?.toUpperCase() ?? '?';
    return html`
      <article class=${m.pinned ? 'pinned' : ''} data-message-id=${m.id}>
        ${m.pinned ? html`<span class="pin">Pinned</span>` : nothing}
        ${m.contentWarning
          ? html`<p class="warning"><strong>Content warning</strong>${m.contentWarning}</p>`
          : html`${images.length > 0
                ? html`<div class="media">${images.map((image) => html`<img src=${image.src} alt=${image.alt} loading="lazy" />`)}</div>`
                : nothing}
              <p class="text ${sizeClass(m.text)}">${m.text}</p>`}
        <footer>
          ${avatar !== null
            ? html`<img class="avatar" src=${avatar} alt="" />`
            : html`<span class="avatar" aria-hidden="true">${initial}</span>`}
          <span class="who">
            <span class="author">${m.author.name}</span>
            <span class="detail"
              >${m.author.handle ? `${m.author.handle} · ` : nothing}<time datetime=${m.createdAt}
                >${relativeTime(m.createdAt, this.now)}</time
              ></span
            >
          </span>
          <span class="channel">${channelLabel(m.channel, m.source)}</span>
        </footer>
      </article>
    `;
  }
}

/** Grapheme-ish length buckets; code points are close enough to pick a size. */
function sizeClass(text: string): string {
  const length = [...text].length;
  if (length <= 40) return 'size-xl';
  if (length <= 120) return 'size-l';
  if (length <= 260) return 'size-m';
  return 'size-s';
}

customElements.define('toile-wall-card', ToileWallCard);

declare global {
  interface HTMLElementTagNameMap {
    'toile-wall-card': ToileWallCard;
  }
}
