import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { Language } from '../shared/i18n.js';
import type { PublicWall, WallMessage } from '../shared/types.js';
import { t } from './strings-wall.js';

/** At most this many announcements are kept in the live region; older ones have been read already. */
const MAX_ANNOUNCEMENTS = 3;

/**
 * The wall for screen readers (`/w/:slug?a11y=1`): every item the wall holds as a plain list, newest
 * first, with no animation and no pacing, in the page's system colours (so a forced-colours or high-
 * contrast setting applies). Each `li[data-message-id]` says who, through which channel, when, and the
 * text with the descriptions of its images, or only the content warning of a post that has one (the warning
 * then the text, when a moderator chose to show the post).
 *
 * A visually hidden polite live region announces each newly approved item once (the author and the text,
 * or the warning), so that a listener follows the wall without re-reading the list; what was already
 * there when the page loaded is not announced.
 *
 * Properties: `wall` (`PublicWall | null`), `items` (`WallMessage[]`, pinned first then newest first, as
 * the reducer's `shownItems` gives them), `lang` (`'en' | 'fr'`). It fires no events.
 */
export class ToileWallA11y extends LitElement {
  static override properties = {
    wall: { attribute: false },
    items: { attribute: false },
    lang: { type: String },
    announcements: { state: true },
  };

  static override styles = css`
    :host {
      display: block;
      box-sizing: border-box;
      min-height: 100vh;
      padding: 1.5rem;
      background: Canvas;
      color: CanvasText;
      font-family: var(--toile-font, system-ui, sans-serif);
      font-size: 1.25rem;
      line-height: 1.5;
    }
    h1 {
      margin: 0 0 0.25em;
      font-size: 1.6em;
    }
    ol {
      margin: 1em 0 0;
      padding: 0;
      list-style: none;
    }
    li {
      padding: 0.8em 0;
      border-top: 2px solid CanvasText;
    }
    p {
      margin: 0.2em 0;
      overflow-wrap: anywhere;
    }
    .text {
      white-space: pre-wrap;
    }
    .meta {
      font-size: 0.9em;
    }
    .visually-hidden {
      position: absolute;
      width: 1px;
      height: 1px;
      margin: -1px;
      padding: 0;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
      border: 0;
    }
  `;

  declare wall: PublicWall | null;
  declare items: readonly WallMessage[];
  declare lang: Language;
  declare announcements: readonly { id: number; text: string }[];

  /** Ids already on the list (or announced): null until the first list, which is not announced. */
  private known: Set<number> | null = null;

  constructor() {
    super();
    this.wall = null;
    this.items = [];
    this.lang = 'en';
    this.announcements = [];
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('items') || this.wall === null) return;
    const ids = new Set(this.items.map((m) => m.id));
    if (this.known === null) {
      this.known = ids;
      return;
    }
    // The list is newest first: announce the new ones oldest first, as they happened.
    const fresh = this.items.filter((m) => !this.known!.has(m.id)).reverse();
    this.known = ids;
    if (fresh.length === 0) return;
    const next = [...this.announcements, ...fresh.map((m) => ({ id: m.id, text: this.announcement(m) }))];
    this.announcements = next.slice(-MAX_ANNOUNCEMENTS);
  }

  override render() {
    const wall = this.wall;
    if (wall === null) return nothing;
    const lang = this.lang;
    return html`
      <main>
        <h1>${t(lang, 'mirrorHeading', { title: wall.title })}</h1>
        <p>${this.items.length === 0 ? t(lang, 'mirrorEmpty') : t(lang, 'mirrorCount', { count: this.items.length })}</p>
        <div class="visually-hidden" aria-live="polite">
          ${repeat(
            this.announcements,
            (a) => a.id,
            (a) => html`<p>${a.text}</p>`,
          )}
        </div>
        <ol>
          ${repeat(
            this.items,
            (m) => m.id,
            (m) => this.renderItem(m),
          )}
        </ol>
      </main>
    `;
  }

  private renderItem(m: WallMessage) {
    const lang = this.lang;
    const time = new Date(m.createdAt);
    const clock = Number.isNaN(time.getTime())
      ? ''
      : time.toLocaleTimeString(lang === 'fr' ? 'fr-FR' : 'en-GB', { hour: '2-digit', minute: '2-digit' });
    return html`<li data-message-id=${m.id}>
      <p class="meta">
        ${m.pinned ? html`<strong>${t(lang, 'pinned')}</strong> · ` : nothing}<strong>${t(lang, 'by', { author: this.author(m) })}</strong>
        ${m.badge ? html`(${t(lang, m.badge)})` : nothing} · ${t(lang, 'via', { channel: channelName(m, lang) })} ·
        <time datetime=${m.createdAt}>${clock}</time>
      </p>
      ${m.contentWarning ? html`<p>${t(lang, 'contentWarning', { warning: m.contentWarning })}</p>` : nothing}
      ${m.contentWarning && !m.contentRevealed
        ? nothing
        : html`<p class="text">${m.text}</p>
            ${m.media.map(
              (item) => html`<p>${item.alt ? t(lang, 'image', { alt: item.alt }) : t(lang, 'imageWithoutDescription')}</p>`,
            )}`}
    </li>`;
  }

  private author(m: WallMessage): string {
    return m.author.handle ? `${m.author.name} (${m.author.handle})` : m.author.name;
  }

  private announcement(m: WallMessage): string {
    const author = this.author(m);
    return m.contentWarning && !m.contentRevealed
      ? t(this.lang, 'announceWarning', { author, warning: m.contentWarning })
      : t(this.lang, 'announce', { author, text: m.text });
  }
}

const NETWORKS: Record<string, string> = { mastodon: 'Mastodon', bluesky: 'Bluesky', x: 'X' };

function channelName(m: WallMessage, lang: Language): string {
  switch (m.channel) {
    case 'sms':
      return t(lang, 'channelSms');
    case 'email':
      return t(lang, 'channelEmail');
    case 'web':
      return t(lang, 'channelWeb');
    case 'api':
      return t(lang, 'channelApi');
    default:
      return NETWORKS[m.source] ?? t(lang, 'channelSocial');
  }
}

customElements.define('toile-wall-a11y', ToileWallA11y);

declare global {
  interface HTMLElementTagNameMap {
    'toile-wall-a11y': ToileWallA11y;
  }
}
