import { css, html, type PropertyValues } from 'lit';
import { GAP_EM, GRID_MIN_COLUMN_EM, assignColumns, columnCount, estimateCardEm, rowsThatFit } from './layout-math.js';
import { WallLayout, type DrawnItem } from './layout-base.js';
import './toile-wall-card.js';

/**
 * The masonry wall: as many columns as fit (each at least 22 em wide), cards of their natural height.
 *
 * Each card keeps the column it was placed in: a new one goes to the column that is shortest when it
 * enters (as measured), on top of it, so that an arrival moves one column and leaves the others still for
 * the people reading them. The bottom fades out rather than cutting a card in half.
 *
 * Properties and the `toile-capacity` event: see layout-types.ts. Capacity is the columns times the
 * typical cards that fit in the height.
 */
export class ToileLayoutGrid extends WallLayout {
  static override styles = [
    WallLayout.baseStyles,
    css`
      .viewport {
        display: grid;
        grid-template-columns: repeat(var(--columns, 3), minmax(0, 1fr));
        gap: ${GAP_EM}em;
        align-items: start;
      }
      /* The bottom fades out only where a card runs past it: a short wall (an embed) keeps its cards whole. */
      :host([overflowing]) .viewport {
        -webkit-mask-image: linear-gradient(to bottom, #000 calc(100% - 4em), transparent);
        mask-image: linear-gradient(to bottom, #000 calc(100% - 4em), transparent);
      }
      .column {
        display: flex;
        flex-direction: column;
        gap: ${GAP_EM}em;
        min-width: 0;
      }
    `,
  ];

  /** The column of each item on screen, by message id. */
  private placement = new Map<number, number>();
  private columns = 0;

  protected override measureCapacity(): number {
    const { width, height } = this.box();
    const font = this.fontPx();
    const columns = columnCount(width, font);
    if (columns !== this.columns) {
      this.columns = columns;
      this.style.setProperty('--columns', String(columns));
      // A new number of columns: every card is placed again, from empty columns.
      this.placement = new Map();
      this.place(true);
      this.requestUpdate();
    }
    return columns * rowsThatFit(height, font);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('items')) this.place();
  }

  /** Places the items that have no column yet in the shortest ones, as they are now. */
  private place(fresh = false): void {
    const columns = Math.max(1, this.columns || 1);
    const font = this.fontPx();
    const columnEm = this.clientWidth > 0 ? this.clientWidth / columns / font : GRID_MIN_COLUMN_EM;
    const heights = fresh ? [] : this.columnHeights(() => true);
    const before = this.placement;
    this.placement = assignColumns(
      before,
      this.drawn.map(({ message }) => ({ id: message.id, estimate: estimateCardEm(message, columnEm) * font })),
      heights,
      columns,
    );
    // Several placed at once were placed by guessed heights: once drawn, they are placed again by their real ones.
    const placed = [...this.placement.keys()].filter((id) => !before.has(id));
    this.guessed = placed.length > 1 ? new Set(placed) : new Set();
  }

  /** Ids of the cards placed in the last pass by guessed heights. */
  private guessed = new Set<number>();

  /** The height of each column, counting the cards `counts` accepts (not those fading out, which free their room). */
  private columnHeights(counts: (id: number) => boolean): number[] {
    const font = this.fontPx();
    return [...this.renderRoot.querySelectorAll<HTMLElement>('.column')].map((column) => {
      let height = 0;
      for (const child of column.children) {
        const card = child as HTMLElementTagNameMap['toile-wall-card'];
        // A card not drawn yet has no height: counting the gap alone would make its column look taller.
        if (card.leaving || card.message === null || !counts(card.message.id) || card.offsetHeight === 0) continue;
        height += card.offsetHeight + GAP_EM * font;
      }
      return height;
    });
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    // Measured once the cards, which render after this element, have drawn.
    requestAnimationFrame(() => {
      const viewport = this.renderRoot.querySelector<HTMLElement>('.viewport');
      this.toggleAttribute('overflowing', viewport !== null && viewport.scrollHeight > viewport.clientHeight + 1);
    });
    if (this.guessed.size === 0) return;
    const guessed = this.guessed;
    this.guessed = new Set();
    // The cards draw themselves after this element: their heights are known once they have.
    const cards = [...this.renderRoot.querySelectorAll<HTMLElementTagNameMap['toile-wall-card']>('toile-wall-card')];
    void Promise.all(cards.map((card) => card.updateComplete)).then(() => {
      if (this.isConnected) this.settle(guessed);
    });
  }

  /** Places again, by their drawn heights, the cards that were placed together by guessed ones. */
  private settle(guessed: ReadonlySet<number>): void {
    const heights = new Map<number, number>();
    for (const card of this.renderRoot.querySelectorAll<HTMLElementTagNameMap['toile-wall-card']>('toile-wall-card')) {
      if (card.message !== null) heights.set(card.message.id, card.offsetHeight + GAP_EM * this.fontPx());
    }
    const kept = new Map([...this.placement].filter(([id]) => !guessed.has(id)));
    const placement = assignColumns(
      kept,
      this.drawn.map(({ message }) => ({ id: message.id, estimate: heights.get(message.id) ?? 0 })),
      this.columnHeights((id) => !guessed.has(id)),
      Math.max(1, this.columns || 1),
    );
    if ([...placement].some(([id, column]) => this.placement.get(id) !== column)) {
      this.placement = placement;
      this.requestUpdate();
    }
  }

  override render() {
    const columns = Math.max(1, this.columns || 1);
    const byColumn: DrawnItem[][] = Array.from({ length: columns }, () => []);
    for (const item of this.drawn) byColumn[Math.min(this.placement.get(item.message.id) ?? 0, columns - 1)]?.push(item);
    return html`<div class="viewport">
      ${byColumn.map(
        (column) => html`<div class="column">
          ${this.cards(column, 'card')}
        </div>`,
      )}
    </div>`;
  }
}

customElements.define('toile-layout-grid', ToileLayoutGrid);

declare global {
  interface HTMLElementTagNameMap {
    'toile-layout-grid': ToileLayoutGrid;
  }
}
