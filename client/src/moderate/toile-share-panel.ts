import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { api } from '../shared/api.js';
import { formStyles } from '../shared/form-styles.js';
import type { Layout } from '../shared/types.js';
import { panelStyles } from './panel-styles.js';
import { s } from './strings.js';

const LAYOUTS: readonly Layout[] = ['grid', 'columns', 'spotlight', 'ticker'];

/** A height that suits each layout in an iframe: a ticker is a band, the others a page. */
const EMBED_HEIGHT: Record<Layout, number> = { grid: 720, columns: 720, spotlight: 720, ticker: 120 };

/** Free text (the wall's title) between double quotes in a snippet: it can neither close the attribute nor open a tag. */
function attribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * An address between double quotes in a snippet. Its `&` stays as typed (`?embed=1&layout=ticker` is
 * what organisers recognise, and HTML reads it right); a quote or an angle bracket, which a server's
 * address cannot hold anyway, is escaped all the same.
 */
function urlAttribute(value: string): string {
  return value.replace(/"/g, '%22').replace(/</g, '%3C').replace(/>/g, '%3E');
}

/** The addresses and snippets of one wall, given the address Toile is reached at from outside. */
export function shareLinks(base: string, slug: string, title: string, embedLayout: Layout) {
  const wall = `${base}/w/${encodeURIComponent(slug)}`;
  const embedUrl = `${wall}?embed=1&layout=${embedLayout}`;
  return {
    wall,
    layouts: LAYOUTS.map((layout) => ({ layout, url: `${wall}?layout=${layout}` })),
    a11y: `${wall}?a11y=1`,
    iframe:
      `<iframe src="${urlAttribute(embedUrl)}" title="${attribute(title)}" width="100%" ` +
      `height="${EMBED_HEIGHT[embedLayout]}" loading="lazy"></iframe>`,
    element:
      `<script type="module" src="${urlAttribute(`${base}/embed.js`)}"></script>\n` +
      `<toile-wall server="${urlAttribute(base)}" slug="${attribute(slug)}" layout="${embedLayout}"></toile-wall>`,
  };
}

/**
 * Everything an organiser shares about a wall: its address for each layout, the screen-reader mirror,
 * the web form for phones, and two ways to put the wall in the event's own website (an iframe, or the
 * `<toile-wall>` element with its script), each with a Copy button. Snippets are shown as text (they are
 * text to copy, never markup of this page).
 *
 * The addresses start from the one Toile gives for phones (`GET /api/walls/:slug/contribute-url`):
 * `TOILE_PUBLIC_URL` when set, else the machine's address on the venue's network, so that what is shared
 * works from another device rather than only from this laptop.
 *
 * Properties:
 * - `slug` (string): the wall.
 * - `wallTitle` (string): the wall's title, the iframe's accessible name.
 *
 * Fires no events. "Copied" is announced through a `role="status"` line.
 */
export class ToileSharePanel extends LitElement {
  static override properties = {
    slug: { type: String },
    wallTitle: { attribute: false },
    formUrl: { state: true },
    embedLayout: { state: true },
    announcement: { state: true },
  };

  static override styles = [
    formStyles,
    panelStyles,
    css`
      :host {
        margin-top: 1.5em;
        padding: 0;
      }
      dl {
        display: grid;
        gap: 0.8em;
        margin: 0;
      }
      dt {
        font-weight: 600;
      }
      dd {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5em 0.8em;
        margin: 0.2em 0 0;
      }
      code,
      pre {
        font-family: var(--toile-mono, monospace);
        font-size: 0.9em;
        overflow-wrap: anywhere;
      }
      pre {
        flex: 1 1 100%;
        margin: 0;
        padding: 0.7em 0.9em;
        white-space: pre-wrap;
        border-radius: 0.5em;
        background: var(--toile-bg, #0b0e14);
      }
      button.secondary {
        padding: 0.3em 0.9em;
      }
      .field {
        max-width: 20em;
        margin: 1em 0 0.6em;
      }
    `,
  ];

  declare slug: string;
  declare wallTitle: string;
  /** The web form's address as the server gives it, or null until it answers. */
  declare formUrl: string | null;
  declare embedLayout: Layout;
  declare announcement: string;

  constructor() {
    super();
    this.slug = '';
    this.wallTitle = '';
    this.formUrl = null;
    this.embedLayout = 'ticker';
    this.announcement = '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('slug')) return;
    this.formUrl = null;
    this.announcement = '';
    if (this.slug !== '') void this.load();
  }

  override render() {
    const slug = this.slug;
    if (slug === '') return nothing;
    const formUrl = this.formUrl ?? `${location.origin}/c/${encodeURIComponent(slug)}`;
    const links = shareLinks(this.base(formUrl), slug, this.wallTitle || slug, this.embedLayout);
    return html`<section aria-labelledby="share-heading">
      <h2 id="share-heading">${s('share.heading')}</h2>
      <p class="announcement" role="status">${this.announcement}</p>
      <dl>
        ${this.entry('wall', s('share.wall'), links.wall)}
        ${links.layouts.map(({ layout, url }) => this.entry(`wall-${layout}`, s('share.wallIn', { layout: s(`layout.${layout}`) }), url))}
        ${this.entry('a11y', s('share.a11y'), links.a11y)} ${this.entry('form', s('share.form'), formUrl)}
      </dl>
      <h3>${s('share.embedHeading')}</h3>
      <div class="field">
        <label for="embed-layout">${s('share.embedLayout')}</label>
        <select id="embed-layout" @change=${(event: Event) => (this.embedLayout = (event.target as HTMLSelectElement).value as Layout)}>
          ${LAYOUTS.map((layout) => html`<option value=${layout} ?selected=${layout === this.embedLayout}>${s(`layout.${layout}`)}</option>`)}
        </select>
      </div>
      <dl>
        ${this.entry('iframe', s('share.iframe'), links.iframe, true)} ${this.entry('element', s('share.element'), links.element, true)}
      </dl>
    </section>`;
  }

  /** One address or snippet: its name, its text, and a Copy button named after it. */
  private entry(id: string, name: string, text: string, block = false) {
    return html`<div data-share=${id}>
      <dt id=${`${id}-name`}>${name}</dt>
      <dd>
        ${block ? html`<pre aria-labelledby=${`${id}-name`}><code id=${id}>${text}</code></pre>` : html`<code id=${id}>${text}</code>`}
        <button type="button" class="secondary" aria-label=${s('share.copy', { what: name })} @click=${() => void this.copy(id, text, name)}>
          ${s('share.copyShort')}
        </button>
      </dd>
    </div>`;
  }

  /** The address Toile is reached at from outside: the form's address without its `/c/:slug`. */
  private base(formUrl: string): string {
    const suffix = `/c/${encodeURIComponent(this.slug)}`;
    return formUrl.endsWith(suffix) ? formUrl.slice(0, -suffix.length) : location.origin;
  }

  private async load(): Promise<void> {
    const slug = this.slug;
    try {
      const { url } = await api<{ url: string }>('GET', `/api/walls/${encodeURIComponent(slug)}/contribute-url`);
      if (slug === this.slug && typeof url === 'string') this.formUrl = url;
    } catch {
      // An older server without the route: this page's own address is the next best guess.
    }
  }

  /**
   * Copies through the Clipboard API; where the page is not a secure context (the console opened at a
   * plain-HTTP LAN address), it selects the text instead, for the person to copy with their keyboard.
   */
  private async copy(id: string, text: string, name: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      this.announcement = s('share.copied', { what: name });
    } catch {
      const element = this.renderRoot.querySelector(`#${id}`);
      const selection = getSelection();
      if (element && selection) {
        selection.selectAllChildren(element);
      }
      this.announcement = s('share.selected', { what: name });
    }
  }
}

customElements.define('toile-share-panel', ToileSharePanel);

declare global {
  interface HTMLElementTagNameMap {
    'toile-share-panel': ToileSharePanel;
  }
}
