import { css, html, nothing, type PropertyValues } from 'lit';
import type { ShownItem } from './layout-types.js';
import { TICKER_CAPACITY, tickerDurationSeconds, tickerOrder } from './layout-math.js';
import { WallLayout } from './layout-base.js';
import { t } from './strings-cards.js';
import './toile-wall-card.js';

/** Scrolling speed in font sizes per second: the same reading pace on a 1080p and a 4K screen. */
const SPEED_EM_PER_SECOND = 4.5;
/** Under reduced motion, each item stays this long before the next replaces it, without moving. */
const STILL_ITEM_MS = 8_000;

/**
 * A band for the bottom of a livestream: the items scroll from right to left in one continuous loop, at a
 * constant speed whatever their number (the loop's duration follows its width). The rest of the element
 * above the band is left empty and transparent, for the video behind it.
 *
 * A new item comes in next from the right (it is put just after what is on screen) and what is on screen
 * does not jump; an item that left is removed at once. Under `prefers-reduced-motion` the band shows one
 * item at a time, replaced every few seconds, with no motion.
 *
 * Properties and the `toile-capacity` event: see layout-types.ts. Capacity is a fixed dozen.
 */
export class ToileLayoutTicker extends WallLayout {
  static override properties = {
    ...WallLayout.properties,
    still: { state: true },
  };

  static override styles = [
    WallLayout.baseStyles,
    css`
      :host {
        font-size: max(1em, 4.1vh);
      }
      .viewport {
        top: auto;
        height: max(11vh, 2.3em);
        display: flex;
        align-items: stretch;
        background: var(--toile-surface, #161b26);
        border-top: 0.12em solid var(--toile-accent, #ffb020);
        box-shadow: 0 -0.3em 1em rgb(0 0 0 / 0.25);
      }
      .label {
        flex: none;
        display: flex;
        align-items: center;
        padding: 0 0.7em;
        background: var(--toile-accent, #ffb020);
        color: var(--toile-accent-text, #15110a);
        font-weight: 800;
        font-size: 0.85em;
        letter-spacing: -0.01em;
        white-space: nowrap;
      }
      .region {
        position: relative;
        flex: 1;
        min-width: 0;
        overflow: hidden;
        display: flex;
        align-items: center;
        -webkit-mask-image: linear-gradient(to right, transparent, #000 1.5em, #000 calc(100% - 1.5em), transparent);
        mask-image: linear-gradient(to right, transparent, #000 1.5em, #000 calc(100% - 1.5em), transparent);
      }
      .track {
        position: relative;
        display: flex;
        width: max-content;
        will-change: transform;
      }
      .copy {
        display: flex;
        align-items: center;
        gap: 0.8em;
        padding-right: 0.8em;
        min-width: var(--region, 100vw);
        box-sizing: border-box;
      }
      .still {
        padding: 0 0.8em;
        min-width: 0;
        max-width: 100%;
        overflow: hidden;
      }
      .still toile-wall-card {
        max-width: 100%;
      }
    `,
  ];

  declare still: boolean;

  /** The order the items scroll in (see `tickerOrder`). */
  private order: number[] = [];
  private animation: Animation | null = null;
  /** Where the loop was before an update, to keep what is on screen in place across it. */
  private anchor: { id: number; copy: number; x: number } | null = null;
  private rotation = 0;
  private rotationTimer: ReturnType<typeof setInterval> | null = null;
  private readonly motionQuery = typeof matchMedia === 'function' ? matchMedia('(prefers-reduced-motion: reduce)') : null;
  private readonly onMotionChange = () => (this.still = this.motionQuery?.matches ?? false);

  constructor() {
    super();
    this.still = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.still = this.motionQuery?.matches ?? false;
    this.motionQuery?.addEventListener('change', this.onMotionChange);
    this.rotationTimer = setInterval(() => {
      if (!this.still) return;
      this.rotation++;
      this.requestUpdate();
    }, STILL_ITEM_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.motionQuery?.removeEventListener('change', this.onMotionChange);
    if (this.rotationTimer !== null) clearInterval(this.rotationTimer);
    this.rotationTimer = null;
    this.animation?.cancel();
    this.animation = null;
  }

  protected override measureCapacity(): number {
    const region = this.renderRoot.querySelector<HTMLElement>('.region');
    if (region !== null) this.style.setProperty('--region', `${region.clientWidth}px`);
    return TICKER_CAPACITY;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    this.anchor = this.still ? null : this.findAnchor();
    if (changed.has('items')) {
      this.order = tickerOrder(
        this.order,
        this.items.map((item) => item.message.id),
        this.anchor === null ? null : this.lastVisible(),
      );
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (this.still) {
      this.animation?.cancel();
      this.animation = null;
    } else {
      this.loop();
    }
  }

  protected override layoutChanged(): void {
    super.layoutChanged();
    if (!this.still && this.hasUpdated) {
      this.anchor = this.findAnchor();
      this.loop();
    }
  }

  override render() {
    const byId = new Map<number, ShownItem>(this.items.map((item) => [item.message.id, item]));
    const ordered = this.order.flatMap((id) => {
      const item = byId.get(id);
      return item === undefined ? [] : [item];
    });
    const label = this.wall?.hashtags[0] ? `#${this.wall.hashtags[0]}` : (this.wall?.title ?? '');
    return html`<div class="viewport" role="region" aria-label=${t(this.lang, 'tickerLabel')}>
      ${label ? html`<div class="label">${label}</div>` : nothing}
      <div class="region">
        ${this.still ? this.renderStill(ordered) : html`<div class="track">${this.renderCopy(ordered, 0)}${this.renderCopy(ordered, 1)}</div>`}
      </div>
    </div>`;
  }

  /** One pass of the loop; the second copy follows the first so the loop has no seam, and is hidden from assistive technology. */
  private renderCopy(items: readonly ShownItem[], copy: number) {
    return html`<div class="copy" data-copy=${copy} aria-hidden=${copy === 0 ? 'false' : 'true'} ?inert=${copy !== 0}>
      ${this.cards(items, 'ticker')}
    </div>`;
  }

  private renderStill(items: readonly ShownItem[]) {
    if (items.length === 0) return nothing;
    const item = items[this.rotation % items.length];
    if (item === undefined) return nothing;
    return html`<div class="still">
      <toile-wall-card .message=${item.message} .wall=${this.wall} .lang=${this.lang} .now=${this.now} .replay=${item.replay} variant="ticker"></toile-wall-card>
    </div>`;
  }

  /** The loop's offset now, in px from its start. */
  private offset(): number {
    const animation = this.animation;
    const timing = animation?.effect?.getComputedTiming();
    if (animation == null || timing === undefined || typeof timing.progress !== 'number') return 0;
    return timing.progress * this.loopWidth;
  }

  private loopWidth = 0;

  /** The first card on screen (its id, copy and distance from the band's left edge), before the DOM changes. */
  private findAnchor(): { id: number; copy: number; x: number } | null {
    const offset = this.offset();
    for (const card of this.renderRoot.querySelectorAll<HTMLElement>('.copy toile-wall-card')) {
      const x = card.offsetLeft - offset;
      if (x + card.offsetWidth > 0) {
        const id = (card as HTMLElementTagNameMap['toile-wall-card']).message?.id;
        const copy = Number(card.parentElement?.getAttribute('data-copy') ?? 0);
        if (id !== undefined) return { id, copy, x };
      }
    }
    return null;
  }

  /** The last card on screen, after which newcomers are put so that they come in next. */
  private lastVisible(): number | null {
    const region = this.renderRoot.querySelector<HTMLElement>('.region');
    if (region === null) return null;
    const offset = this.offset();
    let last: number | null = null;
    for (const card of this.renderRoot.querySelectorAll<HTMLElement>('.copy[data-copy="0"] toile-wall-card, .copy[data-copy="1"] toile-wall-card')) {
      if (card.offsetLeft - offset < region.clientWidth) last = (card as HTMLElementTagNameMap['toile-wall-card']).message?.id ?? last;
    }
    return last;
  }

  /**
   * (Re)starts the loop over the new width, at the offset that keeps the anchor card where it was: the
   * duration follows the width, so the speed never changes.
   */
  private loop(): void {
    const track = this.renderRoot.querySelector<HTMLElement>('.track');
    const copy = this.renderRoot.querySelector<HTMLElement>('.copy[data-copy="0"]');
    if (track === null || copy === null) return;
    const width = copy.offsetWidth;
    if (width <= 0) return;
    let offset = this.offset();
    if (this.anchor !== null) {
      const { id, copy: which, x } = this.anchor;
      const card = [...this.renderRoot.querySelectorAll<HTMLElement>(`.copy[data-copy="${which}"] toile-wall-card`)].find(
        (candidate) => (candidate as HTMLElementTagNameMap['toile-wall-card']).message?.id === id,
      );
      if (card !== undefined) offset = card.offsetLeft - x;
    }
    offset = ((offset % width) + width) % width;
    const speed = SPEED_EM_PER_SECOND * this.fontPx();
    const duration = tickerDurationSeconds(width, speed) * 1000;
    if (this.animation !== null && this.loopWidth === width && Math.abs(this.offset() - offset) < 1) return;
    this.animation?.cancel();
    this.loopWidth = width;
    this.animation = track.animate([{ transform: 'translateX(0)' }, { transform: `translateX(${-width}px)` }], {
      duration,
      iterations: Infinity,
      easing: 'linear',
    });
    this.animation.currentTime = (offset / width) * duration;
    this.anchor = null;
  }
}

customElements.define('toile-layout-ticker', ToileLayoutTicker);

declare global {
  interface HTMLElementTagNameMap {
    'toile-layout-ticker': ToileLayoutTicker;
  }
}
