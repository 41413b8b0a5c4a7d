import { css, html, LitElement, nothing } from 'lit';
import { panelStyles } from './panel-styles.js';
import { s } from './strings.js';

const FORMATS = ['html', 'csv', 'json'] as const;
type Format = (typeof FORMATS)[number];

/** The address of a wall's archive (`GET /api/walls/:slug/export`), which the browser downloads with the session cookie. */
export function exportUrl(slug: string, format: Format, complete: boolean): string {
  return `/api/walls/${encodeURIComponent(slug)}/export?format=${format}${complete ? '&all=1' : ''}`;
}

/**
 * The downloads of a wall's archive: a web page of the approved messages to put on the event's website,
 * and the same as CSV and JSON. With `complete`, it offers instead every message with its moderation
 * decision (an admin's `all=1`), for the Audit view.
 *
 * Properties:
 * - `slug` (string): the wall.
 * - `complete` (boolean, default false): every message with its decision rather than the approved ones.
 *
 * Fires no events: each link is a plain download.
 */
export class ToileExportPanel extends LitElement {
  static override properties = {
    slug: { type: String },
    complete: { type: Boolean },
  };

  static override styles = [
    panelStyles,
    css`
      :host {
        margin-top: 1.5em;
        padding: 0;
      }
      ul {
        display: flex;
        flex-wrap: wrap;
        gap: 0.6em 1.2em;
        margin: 0.6em 0 0;
        padding: 0;
        list-style: none;
      }
    `,
  ];

  declare slug: string;
  declare complete: boolean;

  constructor() {
    super();
    this.slug = '';
    this.complete = false;
  }

  override render() {
    if (this.slug === '') return nothing;
    const kind = this.complete ? 'complete' : 'approved';
    return html`<section aria-labelledby="export-heading">
      <h2 id="export-heading">${s(`export.${kind}.heading`)}</h2>
      <p class="hint">${s(`export.${kind}.lead`)}</p>
      <ul>
        ${FORMATS.map(
          (format) => html`<li><a href=${exportUrl(this.slug, format, this.complete)} download data-format=${format}>${s(`export.${format}`)}</a></li>`,
        )}
      </ul>
    </section>`;
  }
}

customElements.define('toile-export-panel', ToileExportPanel);

declare global {
  interface HTMLElementTagNameMap {
    'toile-export-panel': ToileExportPanel;
  }
}
