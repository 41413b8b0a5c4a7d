import { css, html, LitElement, nothing, svg, type PropertyValues } from 'lit';
import QRCode from 'qrcode';
import type { Language } from '../shared/i18n.js';
import type { PublicWall } from '../shared/types.js';
import { readableOn, tagColour } from './card-look.js';
import { cssVars } from './css-vars.js';
import { t } from './strings-wall.js';

/** Modules of white around the code: scanners need a quiet zone, and a projector's edge blurs. */
const QUIET_ZONE = 3;

/**
 * How to take part, on the wall itself: the organiser's instructions, the hashtags (each in its colour),
 * the SMS numbers and their keyword, the email addresses, and the web form's address with a QR code to it.
 *
 * Properties:
 * - `wall` (`PublicWall | null`): the wall whose ways in are listed.
 * - `lang` (`'en' | 'fr'`).
 * - `server` (string): the Toile server's origin, for an embedded wall; '' for the page's own.
 *
 * The form's address comes from `GET /api/walls/:slug/contribute-url`, because the address a phone in the
 * room can reach is not always the one the projector's browser used (a wall opened on `localhost`);
 * without an answer it falls back to this page's origin. The QR code is computed here (`qrcode`, no
 * external service: the venue may be offline) and drawn as one SVG path, black on white whatever the
 * theme, because that is what phone cameras read best. It fires no events.
 */
export class ToileContributePanel extends LitElement {
  static override properties = {
    wall: { attribute: false },
    lang: { type: String },
    server: { type: String },
    url: { state: true },
  };

  static override styles = css`
    :host {
      display: block;
      box-sizing: border-box;
      padding: 1em 1.1em;
      border-radius: var(--toile-radius, 0.75rem);
      background: var(--toile-surface, #161b26);
      color: var(--toile-text, #f4f6fb);
      border-top: 0.3em solid var(--toile-accent, #ffb020);
    }
    h2 {
      margin: 0 0 0.6em;
      font-size: 1.35em;
      font-weight: 800;
      line-height: 1.1;
    }
    .instructions {
      margin: 0 0 0.7em;
      white-space: pre-line;
      overflow-wrap: anywhere;
      line-height: 1.3;
    }
    ul {
      display: grid;
      gap: 0.55em;
      margin: 0 0 0.8em;
      padding: 0;
      list-style: none;
    }
    li {
      line-height: 1.25;
      overflow-wrap: anywhere;
    }
    .how {
      display: block;
      color: var(--toile-muted, #aab2c5);
      font-size: 0.8em;
    }
    strong {
      font-weight: 700;
    }
    .tags {
      display: flex;
      flex-wrap: wrap;
      gap: 0.3em;
    }
    .hashtag {
      padding: 0.05em 0.5em;
      border-radius: 0.4em;
      background: var(--tag-bg);
      color: var(--tag-fg);
      font-weight: 800;
    }
    figure {
      display: flex;
      flex-direction: column;
      align-items: center;
      gap: 0.4em;
      margin: 0;
    }
    .qr {
      display: block;
      width: min(100%, 9em);
      height: auto;
      border-radius: 0.3em;
      shape-rendering: crispEdges;
    }
    figcaption {
      color: var(--toile-muted, #aab2c5);
      font-size: 0.8em;
      text-align: center;
      overflow-wrap: anywhere;
    }
    figcaption strong {
      display: block;
      overflow-wrap: normal;
      color: var(--toile-text, #f4f6fb);
      font-size: 1.15em;
    }
  `;

  declare wall: PublicWall | null;
  declare lang: Language;
  declare server: string;
  declare url: string;

  /** Counts address requests, so that a late answer for another wall is ignored. */
  private request = 0;

  constructor() {
    super();
    this.wall = null;
    this.lang = 'en';
    this.server = '';
    this.url = '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const slugChanged = changed.has('wall') && changed.get('wall')?.slug !== this.wall?.slug;
    if (slugChanged || changed.has('server')) void this.fetchUrl();
  }

  override render() {
    const wall = this.wall;
    if (wall === null) return nothing;
    const lang = this.lang;
    const url = this.url || this.fallbackUrl(wall.slug);
    const shown = url.replace(/^https?:\/\//, '').replace(/\/$/, '');
    const colours = wall.appearance?.tagColors ?? {};
    return html`
      <h2>${t(lang, 'joinIn')}</h2>
      ${wall.instructions ? html`<p class="instructions">${wall.instructions}</p>` : nothing}
      <ul>
        ${wall.hashtags.length > 0
          ? html`<li>
              <span class="how">${t(lang, 'byHashtag')}</span>
              <span class="tags"
                >${wall.hashtags.map((tag) => {
                  const bare = tag.replace(/^#+/, '');
                  const colour = tagColour(bare, wall.hashtags, colours);
                  return html`<span class="hashtag" ${cssVars({ '--tag-bg': colour, '--tag-fg': readableOn(colour) })}>#${bare}</span>`;
                })}</span
              >
            </li>`
          : nothing}
        ${wall.smsNumbers.map(
          (number) => html`<li>
            <span class="how">${wall.smsKeyword ? t(lang, 'bySmsKeyword', { keyword: wall.smsKeyword }) : t(lang, 'bySms')}</span>
            <strong>${number}</strong>
          </li>`,
        )}
        ${wall.emailAddresses.map(
          (address) => html`<li>
            <span class="how">${t(lang, 'byEmail')}</span>
            <strong>${address}</strong>
          </li>`,
        )}
      </ul>
      <figure>
        ${qrCode(url, t(lang, 'qrLabel', { url: shown }))}
        <figcaption>
          ${t(lang, 'scan')}<strong
            >${shown.split('/').map((part, i) => html`${i > 0 ? html`/<wbr />` : nothing}${part}`)}</strong
          >
        </figcaption>
      </figure>
    `;
  }

  private fallbackUrl(slug: string): string {
    return `${this.server || location.origin}/c/${encodeURIComponent(slug)}`;
  }

  private async fetchUrl(): Promise<void> {
    const request = ++this.request;
    const slug = this.wall?.slug ?? '';
    this.url = '';
    if (slug === '') return;
    let url = '';
    try {
      const response = await fetch(`${this.server}/api/walls/${encodeURIComponent(slug)}/contribute-url`, {
        headers: { accept: 'application/json' },
      });
      const body: unknown = response.ok ? await response.json() : null;
      const candidate = (body as { url?: unknown } | null)?.url;
      // Only a web address goes into the code: a phone would open anything else as it is.
      if (typeof candidate === 'string' && /^https?:\/\//.test(candidate)) url = candidate;
    } catch {
      // An older server, or a network hiccup: the page's own address is a fair guess.
    }
    if (request === this.request) this.url = url;
  }
}

/** The QR code of `text` as an SVG: one path for every dark module, rows of modules merged into runs. */
function qrCode(text: string, label: string) {
  const { size, data } = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules;
  const side = size + QUIET_ZONE * 2;
  let d = '';
  for (let row = 0; row < size; row += 1) {
    let col = 0;
    while (col < size) {
      if (!data[row * size + col]) {
        col += 1;
        continue;
      }
      const start = col;
      while (col < size && data[row * size + col]) col += 1;
      d += `M${start + QUIET_ZONE} ${row + QUIET_ZONE}h${col - start}v1h${start - col}z`;
    }
  }
  return html`<svg class="qr" role="img" aria-label=${label} viewBox="0 0 ${side} ${side}" xmlns="http://www.w3.org/2000/svg">
    ${svg`<rect width=${side} height=${side} fill="#ffffff"></rect><path d=${d} fill="#000000"></path>`}
  </svg>`;
}

customElements.define('toile-contribute-panel', ToileContributePanel);

declare global {
  interface HTMLElementTagNameMap {
    'toile-contribute-panel': ToileContributePanel;
  }
}
