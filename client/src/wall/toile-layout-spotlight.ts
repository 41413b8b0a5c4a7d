import { css, html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { WallLayout, type DrawnItem } from './layout-base.js';
import { t } from './strings-cards.js';
import './toile-wall-card.js';

/** How many of the most recent items the timeline beside the spotlight lists. */
export const TIMELINE_LENGTH = 8;

/**
 * One item at a time, as large as it fits, with a timeline of the most recent ones beside it.
 *
 * The item is `items[0]` (the pacer puts pinned items first and takes turns); capacity is 1. When it
 * changes, the old one fades out while the new one fades in, in the same place. The timeline lists the
 * first `TIMELINE_LENGTH` of `pool` (newest first, pinned ahead) as compact cards, the one on screen marked
 * `aria-current`. On a narrow screen (portrait) the timeline goes below. Properties and the
 * `toile-capacity` event: see layout-types.ts.
 */
export class ToileLayoutSpotlight extends WallLayout {
  static override styles = [
    WallLayout.baseStyles,
    css`
      .viewport {
        display: grid;
        grid-template-columns: minmax(0, 1fr) minmax(14em, 27%);
        gap: 1.4em;
      }
      .stage {
        position: relative;
        min-width: 0;
        min-height: 0;
      }
      .stage > toile-wall-card {
        position: absolute;
        inset: 0;
      }
      aside {
        display: flex;
        flex-direction: column;
        min-height: 0;
        min-width: 0;
      }
      h2 {
        margin: 0 0 0.6em;
        color: var(--toile-muted, #aab2c5);
        font-size: 0.8em;
        font-weight: 700;
        letter-spacing: 0.08em;
        text-transform: uppercase;
      }
      ol {
        flex: 1;
        display: flex;
        flex-direction: column;
        gap: 0.55em;
        min-height: 0;
        margin: 0;
        padding: 0.3em;
        list-style: none;
        overflow: hidden;
        -webkit-mask-image: linear-gradient(to bottom, #000 calc(100% - 2.5em), transparent);
        mask-image: linear-gradient(to bottom, #000 calc(100% - 2.5em), transparent);
      }
      li {
        position: relative;
        flex: none;
        border-radius: var(--toile-radius, 0.75rem);
        transition: opacity 400ms ease;
        opacity: 0.72;
      }
      li[aria-current='true'] {
        opacity: 1;
        outline: 0.16em solid var(--toile-accent, #ffb020);
        outline-offset: 0.1em;
      }
      li[aria-current='true']::before {
        content: '';
        position: absolute;
        left: -0.75em;
        top: 50%;
        width: 0.4em;
        height: 0.4em;
        margin-top: -0.2em;
        border-radius: 50%;
        background: var(--toile-accent, #ffb020);
      }
      @media (max-aspect-ratio: 1/1) {
        .viewport {
          grid-template-columns: minmax(0, 1fr);
          grid-template-rows: minmax(0, 1fr) minmax(0, 30%);
        }
      }
      @media (prefers-reduced-motion: reduce) {
        li {
          transition: none;
        }
      }
    `,
  ];

  protected override measureCapacity(): number {
    return 1;
  }

  override render() {
    // What is on the stage: the current item, and the one it replaced while it fades out.
    const current = this.items[0]?.message.id ?? null;
    const stage: DrawnItem[] = this.drawn.filter((item) => item.leaving || item.message.id === current);
    const recent = this.pool.slice(0, TIMELINE_LENGTH);
    return html`<div class="viewport">
      <div class="stage">
        ${this.cards(stage, 'spotlight')}
      </div>
      ${recent.length === 0
        ? nothing
        : html`<aside aria-label=${t(this.lang, 'recent')}>
            <h2>${t(this.lang, 'recent')}</h2>
            <ol>
              ${repeat(
                recent,
                (message) => message.id,
                (message) => html`<li aria-current=${message.id === current ? 'true' : 'false'}>
                  <toile-wall-card .message=${message} .wall=${this.wall} .lang=${this.lang} .now=${this.now} variant="timeline"></toile-wall-card>
                </li>`,
              )}
            </ol>
          </aside>`}
    </div>`;
  }
}

customElements.define('toile-layout-spotlight', ToileLayoutSpotlight);

declare global {
  interface HTMLElementTagNameMap {
    'toile-layout-spotlight': ToileLayoutSpotlight;
  }
}
