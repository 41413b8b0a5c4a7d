import { css, html, LitElement, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { Language } from '../shared/i18n.js';
import type { PublicWall, WallMessage } from '../shared/types.js';
import type { ShownItem } from './layout-types.js';
import type { CardVariant } from './toile-wall-card.js';

/** How long a card that left stays on screen, fading out, before it is removed from the DOM. */
export const LEAVE_MS = 400;
/** However few items a layout shows, this many leaving cards may still fade out together. */
const MIN_FADING = 4;

/** An item as a layout draws it: on screen, or on its way out. */
export interface DrawnItem extends ShownItem {
  leaving: boolean;
}

/**
 * What every wall layout shares (see layout-types.ts for the contract): the properties the shell hands
 * over, the `toile-capacity` event, a definite height to lay out in, and cards that fade out before they
 * are removed. Subclasses say how many items fit (`measureCapacity`) and draw `drawn`.
 */
export abstract class WallLayout extends LitElement {
  static override properties = {
    items: { attribute: false },
    pool: { attribute: false },
    wall: { attribute: false },
    lang: { type: String },
    now: { type: Number },
  };

  /**
   * Type scales with the screen: at least the shell's size, and about 2.35 % of the smaller side of the
   * screen, so a 4K projector gets twice the pixels of a 1080p one. The host never takes its height from
   * its content (cards are laid out inside `.viewport`), so the capacity it reports cannot feed back on
   * itself.
   */
  static baseStyles = css`
    :host {
      display: block;
      position: relative;
      box-sizing: border-box;
      height: 100%;
      min-height: 0;
      font-size: max(1em, 2.35vmin);
      color: var(--toile-text, #f4f6fb);
      font-family: var(--toile-font, system-ui, sans-serif);
    }
    .viewport {
      position: absolute;
      inset: 0;
      overflow: hidden;
    }
  `;

  declare items: readonly ShownItem[];
  declare pool: readonly WallMessage[];
  declare wall: PublicWall | null;
  declare lang: Language;
  declare now: number;

  /** What is drawn: `items`, plus the ones that just left, fading out where they were. */
  protected drawn: DrawnItem[] = [];
  private leavingUntil = new Map<number, { item: DrawnItem; index: number; until: number }>();
  private leaveTimer: ReturnType<typeof setTimeout> | null = null;
  private resizeObserver: ResizeObserver | null = null;
  private reported: number | null = null;
  private readonly onWindowResize = () => this.layoutChanged();

  constructor() {
    super();
    this.items = [];
    this.pool = [];
    this.wall = null;
    this.lang = 'en';
    this.now = Date.now();
  }

  /** How many items fit now, from the element's size. At least one. */
  protected abstract measureCapacity(): number;

  override connectedCallback(): void {
    super.connectedCallback();
    if (typeof ResizeObserver === 'function') {
      this.resizeObserver = new ResizeObserver(() => this.layoutChanged());
      this.resizeObserver.observe(this);
    }
    window.addEventListener('resize', this.onWindowResize);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.resizeObserver = null;
    window.removeEventListener('resize', this.onWindowResize);
    if (this.leaveTimer !== null) clearTimeout(this.leaveTimer);
    this.leaveTimer = null;
    this.leavingUntil.clear();
    this.reported = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('items')) this.drawn = this.withLeaving(this.items);
  }

  protected override firstUpdated(): void {
    this.layoutChanged();
  }

  /** The font size of the layout, in px: the unit every size here is expressed in. */
  protected fontPx(): number {
    const size = parseFloat(getComputedStyle(this).fontSize);
    return Number.isFinite(size) && size > 0 ? size : 16;
  }

  /** The box the layout has, in px. */
  protected box(): { width: number; height: number } {
    return { width: this.clientWidth, height: this.clientHeight };
  }

  /** Re-measures after a resize (or the first render) and says so when the capacity changed. */
  protected layoutChanged(): void {
    this.ensureHeight();
    const capacity = Math.max(1, Math.floor(this.measureCapacity()));
    if (capacity === this.reported) return;
    this.reported = capacity;
    this.dispatchEvent(new CustomEvent<number>('toile-capacity', { detail: capacity, bubbles: true, composed: true }));
  }

  /**
   * A layout needs a definite height. When its container gives it none (its height is then 0, since the
   * cards are positioned inside), it takes the rest of the window below its top edge.
   */
  private ensureHeight(): void {
    // A height set here is dropped first, so that a container that has since given one is followed again.
    if (this.forcedHeight) {
      this.style.removeProperty('height');
      this.forcedHeight = false;
    }
    if (this.clientHeight > 0) return;
    const top = this.getBoundingClientRect().top;
    const rest = Math.max(200, window.innerHeight - Math.max(0, top));
    this.style.setProperty('height', `${rest}px`);
    this.forcedHeight = true;
  }

  private forcedHeight = false;

  /** Cards for `items` in one list, keyed by message id so that a card keeps its element (and its animation) as others move. */
  protected cards(items: readonly (ShownItem | DrawnItem)[], variant: CardVariant) {
    return repeat(
      items,
      (item) => item.message.id,
      (item) => html`<toile-wall-card
        .message=${item.message}
        .wall=${this.wall}
        .lang=${this.lang}
        .now=${this.now}
        .replay=${item.replay}
        .leaving=${'leaving' in item && item.leaving}
        variant=${variant}
      ></toile-wall-card>`,
    );
  }

  /** Whether the viewer asked for less motion: then cards leave at once. */
  protected reducedMotion(): boolean {
    return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
  }

  /**
   * `items`, with those that left since the last render kept for `LEAVE_MS` at the place they had, marked
   * `leaving` so that their card fades out instead of vanishing.
   */
  private withLeaving(items: readonly ShownItem[]): DrawnItem[] {
    const now = performance.now();
    const present = new Set(items.map((item) => item.message.id));
    if (!this.reducedMotion()) {
      this.drawn.forEach((item, index) => {
        const id = item.message.id;
        if (!present.has(id) && !item.leaving) this.leavingUntil.set(id, { item: { ...item, leaving: true }, index, until: now + LEAVE_MS });
      });
    }
    for (const [id, entry] of this.leavingUntil) if (present.has(id) || entry.until <= now) this.leavingUntil.delete(id);
    // A burst of approvals can push out a screenful every second: only the most recent leavers fade, the rest
    // go at once, so that the page never holds more than about twice what the layout shows.
    const maxLeaving = Math.max(MIN_FADING, items.length);
    for (const id of this.leavingUntil.keys()) {
      if (this.leavingUntil.size <= maxLeaving) break;
      this.leavingUntil.delete(id);
    }
    const drawn: DrawnItem[] = items.map((item) => ({ ...item, leaving: false }));
    for (const { item, index } of [...this.leavingUntil.values()].sort((a, b) => a.index - b.index)) {
      drawn.splice(Math.min(index, drawn.length), 0, item);
    }
    if (this.leavingUntil.size > 0 && this.leaveTimer === null) {
      this.leaveTimer = setTimeout(() => {
        this.leaveTimer = null;
        this.drawn = this.withLeaving(this.items);
        this.requestUpdate();
      }, LEAVE_MS + 20);
    }
    return drawn;
  }
}
