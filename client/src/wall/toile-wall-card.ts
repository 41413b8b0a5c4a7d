import { css, html, LitElement, nothing, svg, type PropertyValues } from 'lit';
import { channelLabel, relativeTime } from '../shared/format.js';
import { matchWallHashtags } from '../shared/hashtags.js';
import type { Language } from '../shared/i18n.js';
import { safeImageUrl } from '../shared/safe-image-url.js';
import { DEFAULT_APPEARANCE, type PublicWall, type WallMessage } from '../shared/types.js';
import { colourForName, initialOf, readableOn, tagColour, textSize } from './card-look.js';
import { cssVars } from './css-vars.js';
import { channelGlyph, glyph } from './icons.js';
import { t } from './strings-cards.js';

/** How a card is drawn: in a grid or column, alone on the spotlight, on one line of the ticker, or in a timeline. */
export type CardVariant = 'card' | 'spotlight' | 'ticker' | 'timeline';

/** A card shows at most this many images: more would make each too small to read from a seat. */
const MAX_IMAGES = 4;
/** The ticker shows a long text cut to this many code points: a ticker is read in passing. */
const TICKER_TEXT_MAX = 220;
/** The spotlight shrinks its text by this factor until it fits, down to `MIN_FIT`. */
const FIT_STEP = 0.88;
const MIN_FIT = 0.35;

/**
 * One approved contribution on the wall: its text, who sent it, how and when, its images, the followed
 * hashtags it carries and its sender's badge.
 *
 * Properties:
 * - `message` (`WallMessage | null`): the public message to show.
 * - `wall` (`PublicWall | null`): for the followed hashtags and their colours (`appearance.tagColors`).
 * - `lang` (`'en' | 'fr'`): the language of the labels and the relative time.
 * - `now` (number, ms since the epoch): the clock of the relative time; the wall ticks it.
 * - `variant` (`'card' | 'spotlight' | 'ticker' | 'timeline'`, attribute `variant`): how it is drawn.
 * - `replay` (boolean): the item came back while the wall was quiet; it carries a discreet "Earlier" mark.
 * - `leaving` (boolean): the layout is taking it off screen; it fades out.
 *
 * DOM contract (tests rely on it): `article[data-message-id][data-channel][data-source]` holding `.text`,
 * or `.warning` instead of the text and images when the author put a content warning on the post (a
 * projector cannot ask the room before revealing it), unless a moderator chose to show it (`contentRevealed`):
 * then a `.warning-label` above the text and images keeps the warning in view; `.badge[data-badge]`; `.tag[data-tag]` per followed
 * hashtag; `.channel-icon[aria-label]`; `.avatar` (an image or an initial); `time[datetime]`; `img.media`
 * (at most four, lazy, with alt text, in a box of fixed proportions so the card does not jump as they load).
 * The `timeline` variant, a compact entry beside the spotlight, shows a three-line `.excerpt` instead of
 * `.text` and no images: the full text, large, is the spotlight's. The `ticker` variant shows the text on
 * one line. All user data goes through Lit text bindings; only image URLs that pass `safeImageUrl()` reach
 * a `src`. It fires no events.
 */
export class ToileWallCard extends LitElement {
  static override properties = {
    message: { attribute: false },
    wall: { attribute: false },
    lang: { type: String },
    now: { type: Number },
    variant: { type: String, reflect: true },
    replay: { type: Boolean, reflect: true },
    leaving: { type: Boolean, reflect: true },
    avatarFailed: { state: true },
  };

  static override styles = css`
    :host {
      display: block;
      min-width: 0;
      --fit: 1;
    }
    article {
      position: relative;
      display: flex;
      flex-direction: column;
      gap: 0.65em;
      box-sizing: border-box;
      height: 100%;
      min-width: 0;
      padding: 1em 1.15em 0.9em;
      border-radius: var(--toile-radius, 0.75rem);
      background: var(--toile-surface, #161b26);
      color: var(--toile-text, #f4f6fb);
      border: 0.1em solid var(--toile-border, #323b50);
      box-shadow: 0 0.35em 1.2em rgb(0 0 0 / 0.18);
      animation: card-enter 620ms cubic-bezier(0.2, 0.75, 0.25, 1) both;
    }
    :host([leaving]) article {
      animation: card-leave 380ms ease-in both;
    }
    article.trusted {
      background: var(--toile-surface-raised, #202737);
      border-color: var(--toile-accent, #ffb020);
      border-left-width: 0.4em;
    }
    article.pinned {
      border-color: var(--toile-accent, #ffb020);
      border-width: 0.16em;
      background: linear-gradient(180deg, color-mix(in srgb, var(--toile-accent, #ffb020) 12%, transparent), transparent 8em),
        var(--toile-surface, #161b26);
    }
    article.replay {
      opacity: 0.88;
    }

    /* The line of marks: pinned, badge, "earlier", hashtags. */
    .marks {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.35em 0.45em;
      font-size: 0.72em;
      font-weight: 700;
      letter-spacing: 0.04em;
      line-height: 1.25;
    }
    .pin,
    .badge,
    .tag,
    .earlier {
      display: inline-flex;
      align-items: center;
      gap: 0.3em;
      padding: 0.18em 0.65em;
      border-radius: 1em;
      white-space: nowrap;
    }
    .pin {
      background: var(--toile-accent, #ffb020);
      color: var(--toile-accent-text, #15110a);
      text-transform: uppercase;
    }
    .badge {
      border: 0.12em solid var(--toile-accent, #ffb020);
      color: var(--toile-accent, #ffb020);
      text-transform: uppercase;
    }
    .badge svg,
    .pin svg,
    .earlier svg {
      width: 1.05em;
      height: 1.05em;
      fill: none;
      stroke: currentColor;
      stroke-width: 2.4;
      stroke-linecap: round;
      stroke-linejoin: round;
    }
    .earlier {
      padding-inline: 0.2em;
      color: var(--toile-muted, #aab2c5);
      font-weight: 600;
    }
    .tag {
      background: var(--chip, var(--toile-accent, #ffb020));
      color: var(--chip-text, #000);
      font-weight: 800;
      letter-spacing: 0.01em;
    }

    /* Images keep their box while they load, so the card does not jump. */
    .gallery {
      display: grid;
      gap: 0.35em;
      grid-template-columns: repeat(2, minmax(0, 1fr));
    }
    .gallery.one {
      grid-template-columns: minmax(0, 1fr);
    }
    .frame {
      aspect-ratio: 4 / 3;
      overflow: hidden;
      border-radius: calc(var(--toile-radius, 0.75rem) * 0.7);
      background: var(--toile-surface-raised, #202737);
    }
    .gallery.one .frame {
      aspect-ratio: 16 / 10;
    }
    img.media {
      display: block;
      width: 100%;
      height: 100%;
      object-fit: cover;
    }

    .text {
      margin: 0;
      line-height: 1.25;
      font-weight: 500;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
      text-wrap: pretty;
    }
    .size-emoji {
      font-size: 3.4em;
      line-height: 1.1;
    }
    .size-xl {
      font-size: 2.05em;
      font-weight: 650;
      line-height: 1.15;
      letter-spacing: -0.01em;
    }
    .size-l {
      font-size: 1.6em;
      font-weight: 600;
      line-height: 1.2;
    }
    .size-m {
      font-size: 1.3em;
    }
    .size-s {
      font-size: 1.1em;
    }
    .size-xs {
      font-size: 0.98em;
      line-height: 1.3;
    }
    .warning {
      margin: 0;
      padding: 0.7em 0.9em;
      border-radius: calc(var(--toile-radius, 0.75rem) * 0.7);
      border: 0.1em dashed var(--toile-muted, #aab2c5);
      background: var(--toile-surface-raised, #202737);
      font-size: 1.3em;
      font-weight: 600;
      overflow-wrap: anywhere;
    }
    /* A post a moderator chose to show: its warning stays, as a small label above it. */
    .warning-label {
      margin: 0;
      font-size: 0.72em;
      font-weight: 700;
      letter-spacing: 0.04em;
      color: var(--toile-muted, #aab2c5);
      overflow-wrap: anywhere;
    }
    .warning-label svg {
      margin-right: 0.3em;
      vertical-align: -0.12em;
    }
    .warning-label strong {
      margin-right: 0.45em;
      text-transform: uppercase;
    }
    :host([variant='ticker']) .warning-label {
      flex: none;
      white-space: nowrap;
    }
    .warning strong {
      display: flex;
      align-items: center;
      gap: 0.35em;
      margin-bottom: 0.2em;
      font-size: 0.62em;
      letter-spacing: 0.06em;
      text-transform: uppercase;
      color: var(--toile-muted, #aab2c5);
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
      box-sizing: border-box;
      width: 2.3em;
      height: 2.3em;
      border-radius: 50%;
      object-fit: cover;
      background: var(--avatar, var(--toile-surface-raised, #202737));
      color: var(--avatar-text, var(--toile-text, #f4f6fb));
      font-weight: 800;
      font-size: 1em;
      line-height: 1;
      overflow: hidden;
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
      font-size: 0.82em;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .channel-icon {
      flex: none;
      margin-left: auto;
      width: 1.6em;
      height: 1.6em;
      fill: none;
      stroke: currentColor;
      stroke-width: 1.9;
      stroke-linecap: round;
      stroke-linejoin: round;
      color: var(--toile-muted, #aab2c5);
    }
    .channel-icon .dot {
      fill: currentColor;
      stroke: none;
    }

    /* Spotlight: the card fills the stage and its text is as large as fits. */
    :host([variant='spotlight']) {
      height: 100%;
    }
    :host([variant='spotlight']) article {
      gap: 1em;
      padding: 1.6em 2em 1.4em;
      border-radius: calc(var(--toile-radius, 0.75rem) * 2);
      animation-duration: 900ms;
    }
    :host([variant='spotlight']) .body {
      flex: 1;
      min-height: 0;
      display: flex;
      flex-direction: column;
      justify-content: center;
      gap: 0.8em;
      overflow: hidden;
    }
    :host([variant='spotlight']) .marks {
      font-size: 0.95em;
    }
    /* Pictures take a fixed share of the stage; the text fits in the rest (see fitText). */
    :host([variant='spotlight']) .gallery {
      flex: none;
      height: 50%;
      grid-auto-rows: minmax(0, 1fr);
    }
    :host([variant='spotlight']) .gallery .frame,
    :host([variant='spotlight']) .gallery.one .frame {
      aspect-ratio: auto;
      min-height: 0;
      background: none;
    }
    :host([variant='spotlight']) img.media {
      object-fit: contain;
      object-position: left center;
    }
    :host([variant='spotlight']) .gallery:not(.one) img.media {
      object-position: center;
    }
    :host([variant='spotlight']) .text {
      font-size: calc(var(--spot-size, 2.4em) * var(--fit));
    }
    :host([variant='spotlight']) .size-emoji {
      --spot-size: 9em;
    }
    :host([variant='spotlight']) .size-xl {
      --spot-size: 4.6em;
    }
    :host([variant='spotlight']) .size-l {
      --spot-size: 3.5em;
    }
    :host([variant='spotlight']) .size-m {
      --spot-size: 2.7em;
    }
    :host([variant='spotlight']) .size-s {
      --spot-size: 2.15em;
    }
    :host([variant='spotlight']) .size-xs {
      --spot-size: 1.75em;
    }
    :host([variant='spotlight']) .warning {
      font-size: calc(2.4em * var(--fit));
    }
    :host([variant='spotlight']) footer {
      font-size: 1.45em;
    }

    /* Timeline: compact, three lines of text at most. */
    :host([variant='timeline']) article {
      gap: 0.35em;
      padding: 0.6em 0.8em;
      box-shadow: none;
    }
    :host([variant='timeline']) .excerpt,
    :host([variant='timeline']) .warning {
      margin: 0;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
      font-size: 0.92em;
      font-weight: 500;
      line-height: 1.3;
      letter-spacing: 0;
      padding: 0;
      border: 0;
      background: none;
      display: -webkit-box;
      -webkit-box-orient: vertical;
      -webkit-line-clamp: 3;
      overflow: hidden;
    }
    :host([variant='timeline']) .warning strong {
      display: inline;
      margin-right: 0.4em;
    }
    :host([variant='timeline']) footer {
      order: -1;
      font-size: 0.8em;
    }
    :host([variant='timeline']) .avatar {
      width: 1.8em;
      height: 1.8em;
    }
    :host([variant='timeline']) .marks {
      font-size: 0.62em;
    }

    /* Ticker: one line, read in passing. */
    :host([variant='ticker']) {
      display: inline-block;
    }
    :host([variant='ticker']) article,
    :host([variant='ticker']) article.trusted,
    :host([variant='ticker']) article.pinned {
      flex-direction: row;
      align-items: center;
      gap: 0.5em;
      height: auto;
      padding: 0;
      border: 0;
      border-radius: 0;
      background: none;
      box-shadow: none;
      white-space: nowrap;
      opacity: 1;
      animation: none;
    }
    /* A dot between one item and the next. */
    :host([variant='ticker']) article::after {
      content: '';
      flex: none;
      width: 0.32em;
      height: 0.32em;
      margin-left: 0.6em;
      border-radius: 50%;
      background: var(--toile-accent, #ffb020);
    }
    :host([variant='ticker']) .handle {
      display: none;
    }
    :host([variant='ticker']) footer {
      order: -1;
      margin: 0;
      gap: 0.45em;
    }
    :host([variant='ticker']) .avatar {
      width: 1.6em;
      height: 1.6em;
      font-size: 0.9em;
    }
    :host([variant='ticker']) .who {
      flex-direction: row;
      align-items: baseline;
      gap: 0.45em;
    }
    :host([variant='ticker']) .detail {
      font-size: 0.7em;
    }
    :host([variant='ticker']) .channel-icon {
      order: -1;
      margin: 0;
      width: 1.2em;
      height: 1.2em;
    }
    :host([variant='ticker']) .text,
    :host([variant='ticker']) .warning {
      min-width: 0;
      overflow: hidden;
      text-overflow: ellipsis;
      font-size: 1em;
      font-weight: 500;
      line-height: 1.2;
      letter-spacing: 0;
      white-space: nowrap;
      padding: 0;
      border: 0;
      background: none;
    }
    :host([variant='ticker']) .warning strong {
      display: inline-flex;
      margin: 0 0.4em 0 0;
    }
    :host([variant='ticker']) .marks {
      flex-wrap: nowrap;
      font-size: 0.6em;
    }

    @keyframes card-enter {
      from {
        opacity: 0;
        transform: translateY(0.8em) scale(0.97);
      }
      to {
        opacity: 1;
        transform: none;
      }
    }
    @keyframes card-leave {
      from {
        opacity: 1;
        transform: none;
      }
      to {
        opacity: 0;
        transform: scale(0.96);
      }
    }
    @media (prefers-reduced-motion: reduce) {
      article,
      :host([leaving]) article {
        animation: none;
      }
      :host([leaving]) article {
        opacity: 0;
      }
    }
  `;

  declare message: WallMessage | null;
  declare wall: PublicWall | null;
  declare lang: Language;
  declare now: number;
  declare variant: CardVariant;
  declare replay: boolean;
  declare leaving: boolean;
  declare avatarFailed: boolean;

  private resizeObserver: ResizeObserver | null = null;

  constructor() {
    super();
    this.message = null;
    this.wall = null;
    this.lang = 'en';
    this.now = Date.now();
    this.variant = 'card';
    this.replay = false;
    this.leaving = false;
    this.avatarFailed = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // A card moved in the page (a layout reordering) is disconnected and connected again.
    if (this.hasUpdated) this.watchSize();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.resizeObserver = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('message')) {
      const before = changed.get('message') as WallMessage | null | undefined;
      if (before?.author.avatarUrl !== this.message?.author.avatarUrl) this.avatarFailed = false;
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (this.variant !== 'spotlight') return;
    this.watchSize();
    if (changed.has('message') || changed.has('variant') || changed.has('lang')) this.fitText();
  }

  /** Only the spotlight fits its text to its box, and so only it watches its size. */
  private watchSize(): void {
    if (this.variant !== 'spotlight' || this.resizeObserver !== null || typeof ResizeObserver !== 'function') return;
    this.resizeObserver = new ResizeObserver(() => this.fitText());
    this.resizeObserver.observe(this);
  }

  override render() {
    const m = this.message;
    if (m === null) return nothing;
    const lang = this.lang;
    const classes = ['card', m.pinned ? 'pinned' : '', m.badge ? 'trusted' : '', this.replay ? 'replay' : ''].filter(Boolean).join(' ');
    return html`
      <article class=${classes} data-message-id=${m.id} data-channel=${m.channel} data-source=${m.source}>
        ${this.renderMarks(m)}
        ${this.variant === 'spotlight' ? html`<div class="body">${this.renderContent(m)}</div>` : this.renderContent(m)}
        <footer>
          ${this.renderAvatar(m)}
          <span class="who">
            <span class="author">${m.author.name}</span>
            <span class="detail"
              ><time datetime=${m.createdAt}>${relativeTime(m.createdAt, this.now, lang)}</time
              ><span class="handle">${m.author.handle && m.author.handle !== m.author.name ? ` · ${m.author.handle}` : nothing}</span></span
            >
          </span>
          <svg class="channel-icon" viewBox="0 0 24 24" role="img" aria-label=${channelLabel(m.channel, m.source, lang)}>
            ${glyph(channelGlyph(m.channel, m.source))}
          </svg>
        </footer>
      </article>
    `;
  }

  /** Pinned, the sender's badge, "earlier", and the followed hashtags, in one line above the text. */
  private renderMarks(m: WallMessage) {
    const hashtags = this.wall?.hashtags ?? [];
    const tags = behindWarning(m) ? [] : matchWallHashtags(m.text, hashtags);
    if (!m.pinned && !m.badge && !this.replay && tags.length === 0) return nothing;
    const tagColors = this.wall?.appearance?.tagColors ?? DEFAULT_APPEARANCE.tagColors;
    return html`<div class="marks">
      ${m.pinned ? html`<span class="pin">${pinGlyph}${t(this.lang, 'pinned')}</span>` : nothing}
      ${m.badge
        ? html`<span class="badge" data-badge=${m.badge}>${starGlyph}${t(this.lang, m.badge === 'speaker' ? 'speaker' : 'organiser')}</span>`
        : nothing}
      ${tags.map((tag) => {
        const colour = tagColour(tag, hashtags, tagColors);
        return html`<span class="tag" data-tag=${tag} ${cssVars({ '--chip': colour, '--chip-text': readableOn(colour) })}>#${tag}</span>`;
      })}
      ${this.replay ? html`<span class="earlier">${earlierGlyph}${t(this.lang, 'earlier')}</span>` : nothing}
    </div>`;
  }

  /** The warning alone, or the images and the text (under the warning as a label, if a moderator showed them). */
  private renderContent(m: WallMessage) {
    if (behindWarning(m)) {
      return html`<p class="warning"><strong>${warningGlyph}${t(this.lang, 'contentWarning')}</strong>${m.contentWarning}</p>`;
    }
    const label = m.contentWarning
      ? html`<p class="warning-label">${warningGlyph}<strong>${t(this.lang, 'contentWarning')}</strong><span>${m.contentWarning}</span></p>`
      : nothing;
    return html`${label}${this.renderPost(m)}`;
  }

  private renderPost(m: WallMessage) {
    if (this.variant === 'ticker') {
      const flat = m.text.replace(/\s+/g, ' ').trim();
      const cut = [...flat];
      return html`<span class="text">${cut.length > TICKER_TEXT_MAX ? `${cut.slice(0, TICKER_TEXT_MAX).join('')}…` : flat}</span>`;
    }
    // The timeline beside the spotlight shows an excerpt: the full text, large, is the spotlight's.
    if (this.variant === 'timeline') return html`<p class="excerpt">${m.text}</p>`;
    return html`${this.renderImages(m)}
      <p class="text size-${textSize(m.text)}">${m.text}</p>`;
  }

  private renderImages(m: WallMessage) {
    const images = m.media
      .flatMap((item) => {
        const src = item.kind === 'image' ? safeImageUrl(item.url) : null;
        return src === null ? [] : [{ src, alt: item.alt?.trim() || t(this.lang, 'imageWithoutAlt') }];
      })
      .slice(0, MAX_IMAGES);
    if (images.length === 0) return nothing;
    return html`<div class="gallery ${images.length === 1 ? 'one' : ''}">
      ${images.map(
        (image) =>
          html`<div class="frame">
            <img class="media" src=${image.src} alt=${image.alt} loading="lazy" decoding="async" width="800" height="600" referrerpolicy="no-referrer" />
          </div>`,
      )}
    </div>`;
  }

  /** The author's picture when it is safe and loads; else their initial on a colour of their own. */
  private renderAvatar(m: WallMessage) {
    const src = this.avatarFailed ? null : safeImageUrl(m.author.avatarUrl);
    if (src !== null) {
      return html`<img
        class="avatar"
        src=${src}
        alt=""
        loading="lazy"
        decoding="async"
        width="64"
        height="64"
        referrerpolicy="no-referrer"
        @error=${() => (this.avatarFailed = true)}
      />`;
    }
    const colour = colourForName(m.author.name);
    return html`<span class="avatar initial" aria-hidden="true" ${cssVars({ '--avatar': colour, '--avatar-text': readableOn(colour) })}
      >${initialOf(m.author.name)}</span
    >`;
  }

  /**
   * Shrinks the spotlight's text until the card's body holds it: sizes by length get close, and this takes
   * care of the rest (long words, many lines, images next to the text).
   */
  private fitText(): void {
    const body = this.renderRoot.querySelector<HTMLElement>('.body');
    if (body === null) return;
    let fit = 1;
    this.style.setProperty('--fit', '1');
    while (body.scrollHeight > body.clientHeight + 1 && fit > MIN_FIT) {
      fit *= FIT_STEP;
      this.style.setProperty('--fit', fit.toFixed(3));
    }
  }
}

/** A post the wall keeps behind its content warning: it has one, and no moderator chose to show it. */
function behindWarning(m: WallMessage): boolean {
  return Boolean(m.contentWarning) && m.contentRevealed !== true;
}

const pinGlyph = html`<svg viewBox="0 0 24 24" aria-hidden="true">${svg`<path d="M9 3.5h6M10 3.5v6l-3.5 4h11L14 9.5v-6M12 13.5V21" />`}</svg>`;
const starGlyph = html`<svg viewBox="0 0 24 24" aria-hidden="true">${svg`<path d="M12 3.5l2.6 5.4 5.9.8-4.3 4.1 1 5.8L12 16.9l-5.2 2.7 1-5.8-4.3-4.1 5.9-.8z" />`}</svg>`;
const earlierGlyph = html`<svg viewBox="0 0 24 24" aria-hidden="true">${svg`<path d="M4.5 12a7.5 7.5 0 1 0 2.2-5.3M4.5 4v3.5H8M12 8v4.5l3 2" />`}</svg>`;
const warningGlyph = html`<svg viewBox="0 0 24 24" aria-hidden="true" width="1em" height="1em">${svg`<path d="M12 4l9 16H3zM12 10v4.5M12 17.5v.01" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round" />`}</svg>`;

customElements.define('toile-wall-card', ToileWallCard);

declare global {
  interface HTMLElementTagNameMap {
    'toile-wall-card': ToileWallCard;
  }
}
