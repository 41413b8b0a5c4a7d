import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { api, ApiError } from '../shared/api.js';
import { pickLanguage, type Language } from '../shared/i18n.js';
import { safeImageUrl } from '../shared/safe-image-url.js';
import {
  DEFAULT_APPEARANCE,
  DEFAULT_PACING,
  DEFAULT_STATS_SLIDE,
  type Layout,
  type PublicWall,
  type PublicWallStats,
  type ScreenReport,
  type WallMessage,
} from '../shared/types.js';
import { WallConnection } from '../shared/wall-connection.js';
import { shownItems, type WallState } from '../shared/wall-reducer.js';
import { readableOn, tagColour } from './card-look.js';
import { cssVars } from './css-vars.js';
import type { CapacityEvent, ShownItem } from './layout-types.js';
import { Pacer } from './pacer.js';
import { buildScreenReport, newScreenId } from './screen-report.js';
import { t } from './strings-wall.js';
import { applyTheme, themeName } from './theme.js';
import './toile-contribute-panel.js';
import './toile-layout-columns.js';
import './toile-layout-grid.js';
import './toile-layout-spotlight.js';
import './toile-layout-ticker.js';
import './toile-stats-slide.js';
import './toile-wall-a11y.js';

export type WallMode = 'wall' | 'a11y' | 'embed';

const LAYOUTS: readonly Layout[] = ['grid', 'columns', 'spotlight', 'ticker'];
/** The pacer's clock: fast enough that a new item shows within a second of its minimum time. */
const PACE_TICK_MS = 1_000;
/** Relative times ("2 min ago") move in steps this long, so cards re-render a few times a minute, not every second. */
const CLOCK_STEP_MS = 10_000;
/** A drop shorter than this (a proxy recycling the socket) does not deserve a mark on the projector. */
const STALE_AFTER_MS = 3_000;
/**
 * Nothing is on screen until the layout says how much fits, which it does on its first render: a guess
 * would put items on screen for one frame and make them count as "shown" for the replay order.
 */
const UNKNOWN_CAPACITY = 0;
const MAX_SPONSORS = 12;
/** A card entering plays for 620 ms: the stats slide waits until no card has entered for this long. */
const REVEAL_MS = 1_000;

/**
 * The projected wall of one slug: a header (logo, title, hashtags in their colours), the items the pacer
 * puts on screen arranged by the wall's layout, the "how to take part" panel with its QR code, and the
 * sponsor strip, all live over the wall socket.
 *
 * Properties and attributes:
 * - `slug` (attribute `slug`): the wall. It is checked (`GET /api/walls/:slug`) before connecting, so that a
 *   mistyped address says so instead of spinning.
 * - `layout` (attribute `layout`): overrides the wall's layout (`?layout=` on the page); '' follows the wall,
 *   which a moderator may switch live.
 * - `mode` (attribute `mode`): `wall`, `a11y` (the screen-reader mirror: every item, no pacing) or `embed`
 *   (no header, no panel, a transparent background for another site's page).
 * - `server` (attribute `server`): the Toile origin, for a wall embedded in another site; '' for this page's.
 *
 * The host carries `data-layout` (the effective layout), `data-lang`, `data-theme` and `data-mode`. The theme
 * is set as custom properties on the host (see theme.ts). The DOM stays bounded for a twelve-hour day: the
 * shell renders only what the pacer puts on screen, plus the layout's own few extras. It follows the wall's
 * `display` switch: `blank` shows an empty screen, `freeze` lets nothing new in (removals still apply).
 * A discreet "Reconnecting…" mark (`.stale`) shows while the socket has been down for more than 3 s.
 * With the wall's `statsSlide` on, `toile-stats-slide` covers the layout every `everyMinutes` for
 * `seconds` (wall mode only), while the layout waits underneath as it was.
 * It fires no events: the audience only watches.
 */
export class ToileWall extends LitElement {
  static override properties = {
    slug: { type: String },
    layout: { type: String },
    mode: { type: String },
    server: { type: String },
    missing: { state: true },
    now: { state: true },
    shown: { state: true },
    showStale: { state: true },
    slide: { state: true },
  };

  static override styles = css`
    :host {
      --toile-gap: 1em;
      display: grid;
      grid-template-rows: auto minmax(0, 1fr) auto;
      box-sizing: border-box;
      height: 100vh;
      height: 100dvh;
      overflow: hidden;
      padding: 2.2vmin 2.8vmin 2.4vmin;
      background-color: var(--toile-bg, #0b0e14);
      background-image: var(--toile-bg-image, none);
      background-position: center;
      background-size: cover;
      color: var(--toile-text, #f4f6fb);
      font-family: var(--toile-font, system-ui, sans-serif);
      /* Type scales with the screen: about 26px on a 1080p projector, 44px on 4K, never below 15px on a phone. */
      font-size: clamp(15px, 1vw + 0.6vh, 44px);
    }
    :host([data-mode='embed']) {
      height: 100%;
      min-height: 20em;
      padding: 0.8em;
    }
    :host([data-mode='a11y']) {
      display: block;
      height: auto;
      overflow: visible;
      padding: 0;
    }
    header {
      grid-row: 1;
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.4em 1em;
      margin-bottom: var(--toile-gap);
      padding: 0.4em 0.6em 0.7em;
      border-bottom: 1px solid var(--toile-border, #323b50);
      /* Readable over a background image; invisible on the plain theme colour. */
      background: color-mix(in srgb, var(--toile-bg, #0b0e14) 78%, transparent);
      border-radius: var(--toile-radius, 0.75rem) var(--toile-radius, 0.75rem) 0 0;
    }
    .logo {
      height: 2.6em;
      max-width: 10em;
      object-fit: contain;
    }
    h1 {
      margin: 0;
      font-size: 2.1em;
      font-weight: 800;
      letter-spacing: -0.015em;
      line-height: 1.1;
    }
    .archived {
      padding: 0.1em 0.5em;
      border: 1px solid currentColor;
      border-radius: 0.3em;
      font-size: 0.9em;
      opacity: 0.75;
    }
    .tags {
      display: flex;
      flex-wrap: wrap;
      gap: 0.35em;
      margin-left: auto;
    }
    .hashtag {
      padding: 0.1em 0.55em;
      border-radius: 0.45em;
      background: var(--tag-bg);
      color: var(--tag-fg);
      font-size: 1.3em;
      font-weight: 800;
    }
    .stage {
      grid-row: 2;
      display: grid;
      grid-template-columns: minmax(0, 1fr) auto;
      gap: var(--toile-gap);
      min-height: 0;
    }
    .stage.solo {
      grid-template-columns: minmax(0, 1fr);
    }
    .stage > :first-child {
      min-width: 0;
      min-height: 0;
    }
    :host([data-layout='ticker']) .stage {
      align-items: end;
    }
    toile-contribute-panel {
      align-self: start;
      width: clamp(12em, 18vw, 20em);
      max-height: 100%;
      overflow: hidden;
    }
    @media (max-aspect-ratio: 1/1) {
      .stage {
        grid-template-columns: minmax(0, 1fr);
        grid-template-rows: minmax(0, 1fr) auto;
      }
      toile-contribute-panel {
        width: auto;
      }
    }
    .sponsors {
      grid-row: 3;
      display: flex;
      flex-wrap: wrap;
      justify-content: center;
      align-items: center;
      gap: 0.6em 2em;
      margin-top: var(--toile-gap);
      padding: 0.5em 1em;
      border-radius: var(--toile-radius, 0.75rem);
      background: color-mix(in srgb, var(--toile-surface, #161b26) 85%, transparent);
    }
    .sponsors img {
      height: 2.2em;
      max-width: 9em;
      object-fit: contain;
    }
    .notice {
      grid-row: 1 / -1;
      align-self: center;
      margin: 0 auto;
      max-width: 30em;
      text-align: center;
      color: var(--toile-muted, #aab2c5);
      font-size: 1.6em;
      line-height: 1.4;
    }
    .notice strong {
      display: block;
      margin-bottom: 0.4em;
      color: var(--toile-text, #f4f6fb);
      font-size: 1.3em;
    }
    .blank {
      position: fixed;
      inset: 0;
      background: #000;
    }
    .stale {
      position: fixed;
      right: 1.2em;
      bottom: 1em;
      z-index: 1;
      display: flex;
      align-items: center;
      gap: 0.45em;
      padding: 0.3em 0.8em;
      border-radius: 1em;
      background: rgb(0 0 0 / 0.6);
      color: #e6e9f0;
      font-size: 0.8em;
    }
    .stale::before {
      content: '';
      width: 0.6em;
      height: 0.6em;
      border-radius: 50%;
      background: var(--toile-danger, #d2463f);
      animation: pulse 1.6s ease-in-out infinite;
    }
    @keyframes pulse {
      50% {
        opacity: 0.35;
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .stale::before {
        animation: none;
      }
    }
  `;

  /**
   * What an element without a `mode` (or `server`) attribute uses: the wall page keeps `wall` and its own
   * origin; the embed script (embed/main.ts) sets `embed` and the origin it was loaded from.
   */
  static defaultMode: WallMode = 'wall';
  static defaultServer = '';

  declare slug: string;
  declare layout: string;
  /** '' for the class's default (`defaultMode`). */
  declare mode: WallMode | '';
  declare server: string;
  declare missing: boolean;
  declare now: number;
  declare shown: readonly ShownItem[];
  declare showStale: boolean;
  /** The numbers on the stats slide while it shows; null when it does not. */
  declare slide: PublicWallStats | null;

  private readonly screen = newScreenId();
  private readonly connection: WallConnection = new WallConnection(this, {
    server: () => this.origin,
    report: () => this.report(),
    reload: () => this.reload(),
  });
  private readonly pacer = new Pacer();
  private capacity = UNKNOWN_CAPACITY;
  private timer: ReturnType<typeof setInterval> | null = null;
  /** Counts wall checks, so that the answer for a slug that has since changed is ignored. */
  private check = 0;
  /** The pool for the state it was computed from: recomputed only when the state changes. */
  private poolOf: { state: WallState; pool: readonly WallMessage[] } | null = null;
  private staleSince: number | null = null;
  private readonly absolute = new WeakMap<WallMessage, WallMessage>();
  /** The settings the host's custom properties were last set from: the theme is applied once per change. */
  private themed: { wall: PublicWall; transparent: boolean } | null = null;
  /** When the stats slide opens next (ms), for the interval it was planned with; null while it is off. */
  private slidePlan: { at: number; everyMs: number } | null = null;
  private slideUntil = 0;
  private slideLoading = false;

  constructor() {
    super();
    this.slug = '';
    this.layout = '';
    this.mode = '';
    this.server = '';
    this.missing = false;
    this.now = Date.now();
    this.shown = [];
    this.showStale = false;
    this.slide = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.now = Date.now();
    this.timer = setInterval(() => this.tick(), PACE_TICK_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** The layout on screen: the page's override when it names one, else the wall's, else the grid. */
  get effectiveLayout(): Layout {
    const override = this.layout as Layout;
    if (LAYOUTS.includes(override)) return override;
    const setting = this.connection.state.wall?.layout;
    return setting !== undefined && LAYOUTS.includes(setting) ? setting : 'grid';
  }

  get effectiveMode(): WallMode {
    return this.mode || ToileWall.defaultMode;
  }

  /** The Toile server's origin, or '' for this page's. */
  get origin(): string {
    return this.server || ToileWall.defaultServer;
  }

  get language(): Language {
    return pickLanguage(this.connection.state.wall?.language);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('slug') || changed.has('server')) void this.follow(this.slug);
    const state = this.connection.state;
    const wall = state.wall;
    const transparent = this.effectiveMode === 'embed';
    if (wall !== null && (wall !== this.themed?.wall || transparent !== this.themed.transparent)) {
      applyTheme(this, wall, { transparent });
      this.themed = { wall, transparent };
    }
    this.dataset.layout = this.effectiveLayout;
    this.dataset.lang = this.language;
    // Screen readers pronounce by the nearest `lang`; the page's own is ours only when Toile served the page.
    this.lang = this.language;
    if (!this.foreignPage) {
      document.documentElement.lang = this.language;
      if (wall !== null) document.title = `${wall.title} · Toile`;
    }
    this.dataset.theme = themeName(wall?.theme);
    this.dataset.mode = this.effectiveMode;
    this.trackStale(state, Date.now());
    this.pace(Date.now());
  }

  override render() {
    const lang = this.language;
    if (this.missing || this.slug === '') {
      return html`<p class="notice" role="alert">
        <strong>${t(lang, 'noWallTitle')}</strong>${t(lang, 'noWallBody', { slug: this.slug })}
      </p>`;
    }
    const state = this.connection.state;
    const wall = state.wall;
    if (wall === null) return html`<p class="notice" role="status">${t(lang, 'connecting')}</p>`;
    const stale = this.showStale ? html`<div class="stale" role="status">${t(lang, 'stale')}</div>` : nothing;
    if (this.effectiveMode === 'a11y') {
      return html`<toile-wall-a11y .wall=${wall} .items=${this.pool(state)} .lang=${lang}></toile-wall-a11y>${stale}`;
    }
    if (wall.display === 'blank') return html`<div class="blank" role="img" aria-label=${t(lang, 'paused')}></div>${stale}`;
    const appearance = { ...DEFAULT_APPEARANCE, ...wall.appearance };
    const layout = this.effectiveLayout;
    // An archived wall takes no contributions: it does not invite any.
    const panel = appearance.contributePanel && !wall.archived && layout !== 'ticker' && this.effectiveMode !== 'embed';
    const pool = this.pool(state);
    return html`
      ${this.effectiveMode === 'embed' ? nothing : this.renderHeader(wall, appearance.logo, lang)}
      <div class="stage ${panel ? '' : 'solo'}">
        ${pool.length === 0 ? html`<p class="notice">${t(lang, 'empty')}</p>` : this.renderLayout(layout, wall, pool, lang)}
        ${panel
          ? html`<toile-contribute-panel .wall=${wall} .lang=${lang} .server=${this.origin}></toile-contribute-panel>`
          : nothing}
      </div>
      ${this.effectiveMode === 'embed' ? nothing : this.renderSponsors(appearance.sponsors, lang)}
      ${this.slide !== null ? html`<toile-stats-slide .stats=${this.slide} .wall=${wall} .lang=${lang}></toile-stats-slide>` : nothing}
      ${stale}
    `;
  }

  private renderHeader(wall: PublicWall, logo: string | null, lang: Language) {
    const logoUrl = safeImageUrl(logo);
    const colours = wall.appearance?.tagColors ?? {};
    return html`<header>
      ${logoUrl !== null ? html`<img class="logo" src=${logoUrl} alt=${t(lang, 'logo', { title: wall.title })} />` : nothing}
      <h1>${wall.title}</h1>
      ${wall.archived ? html`<span class="archived">${t(lang, 'archived')}</span>` : nothing}
      ${wall.hashtags.length > 0
        ? html`<span class="tags"
            >${wall.hashtags.map((tag) => {
              const bare = tag.replace(/^#+/, '');
              const colour = tagColour(bare, wall.hashtags, colours);
              return html`<span class="hashtag" ${cssVars({ '--tag-bg': colour, '--tag-fg': readableOn(colour) })}>#${bare}</span>`;
            })}</span
          >`
        : nothing}
    </header>`;
  }

  /** One element per layout: Lit cannot bind a tag name, and four plain templates read better than a static-html trick. */
  private renderLayout(layout: Layout, wall: PublicWall, pool: readonly WallMessage[], lang: Language) {
    const items = this.shown;
    const now = this.now;
    switch (layout) {
      case 'columns':
        return html`<toile-layout-columns
          .items=${items} .pool=${pool} .wall=${wall} .lang=${lang} .now=${now}
          @toile-capacity=${this.onCapacity}
        ></toile-layout-columns>`;
      case 'spotlight':
        return html`<toile-layout-spotlight
          .items=${items} .pool=${pool} .wall=${wall} .lang=${lang} .now=${now}
          @toile-capacity=${this.onCapacity}
        ></toile-layout-spotlight>`;
      case 'ticker':
        return html`<toile-layout-ticker
          .items=${items} .pool=${pool} .wall=${wall} .lang=${lang} .now=${now}
          @toile-capacity=${this.onCapacity}
        ></toile-layout-ticker>`;
      default:
        return html`<toile-layout-grid
          .items=${items} .pool=${pool} .wall=${wall} .lang=${lang} .now=${now}
          @toile-capacity=${this.onCapacity}
        ></toile-layout-grid>`;
    }
  }

  private renderSponsors(sponsors: readonly string[], lang: Language) {
    const logos = sponsors.slice(0, MAX_SPONSORS).flatMap((url) => {
      const safe = safeImageUrl(url);
      return safe === null ? [] : [safe];
    });
    if (logos.length === 0) return nothing;
    return html`<footer class="sponsors" aria-label=${t(lang, 'sponsors')}>
      ${logos.map((src) => html`<img src=${src} alt="" loading="lazy" />`)}
    </footer>`;
  }

  /** A layout says how many items fit (on its first render, then on resize): the pacer follows at once. */
  private readonly onCapacity = (event: CapacityEvent): void => {
    const capacity = event.detail;
    if (typeof capacity !== 'number' || !Number.isFinite(capacity) || capacity === this.capacity) return;
    this.capacity = Math.max(0, Math.floor(capacity));
    this.requestUpdate();
  };

  /** Every second: the pacer's clock, the stale mark, and the relative times' coarser clock. */
  private tick(): void {
    const now = Date.now();
    this.trackStale(this.connection.state, now);
    this.pollSlide(now);
    this.pace(now);
    if (Math.floor(now / CLOCK_STEP_MS) !== Math.floor(this.now / CLOCK_STEP_MS)) this.now = now;
  }

  /** Runs the pacer; assigning a new array (only when something changed) is what triggers a render. */
  private pace(now: number): void {
    const state = this.connection.state;
    const wall = state.wall;
    if (wall === null || this.effectiveMode === 'a11y') return;
    this.shown = this.pacer.tick({
      pool: this.pool(state),
      capacity: this.capacity,
      pacing: { ...DEFAULT_PACING, ...wall.pacing },
      now,
      // Under the stats slide the layout stays as it was (removals and edits still apply): what arrives
      // meanwhile waits and enters once the slide has gone, rather than being "shown" behind it.
      frozen: wall.display === 'freeze' || this.slide !== null,
    });
  }

  /**
   * The stats slide (`statsSlide` in the wall's settings): every `everyMinutes`, counted from when the
   * setting was first seen on, the numbers are fetched once and the slide covers the wall for `seconds`.
   * Only on the projected wall: not on a blank one, not in an embed (a band or a box on someone's page), and
   * not in the screen-reader mirror, whose list already says everything it would.
   */
  private pollSlide(now: number): void {
    const wall = this.connection.state.wall;
    const setting = { ...DEFAULT_STATS_SLIDE, ...wall?.statsSlide };
    const on = wall !== null && setting.enabled && this.effectiveMode === 'wall' && wall.display !== 'blank';
    if (this.slide !== null && (!on || now >= this.slideUntil)) this.slide = null;
    const everyMs = setting.everyMinutes * 60_000;
    if (!on) {
      this.slidePlan = null;
      return;
    }
    if (this.slidePlan === null || this.slidePlan.everyMs !== everyMs) {
      this.slidePlan = { at: now + everyMs, everyMs };
      return;
    }
    if (this.slide !== null || this.slideLoading || now < this.slidePlan.at) return;
    // A card that has just entered is still being revealed: the slide waits for the next second.
    if (this.shown.some((item) => now - item.enteredAt < REVEAL_MS)) return;
    this.slidePlan = { at: now + everyMs, everyMs };
    void this.openSlide(setting.seconds);
  }

  /** Fetches the public numbers and shows the slide; when they cannot be read, this turn is skipped. */
  private async openSlide(seconds: number): Promise<void> {
    const slug = this.slug;
    this.slideLoading = true;
    try {
      const stats = await api<PublicWallStats>('GET', `${this.origin}/api/walls/${encodeURIComponent(slug)}/stats/public`);
      if (slug !== this.slug || this.slidePlan === null) return;
      this.slideUntil = Date.now() + seconds * 1000;
      this.slide = stats;
    } catch {
      // Switched off since (404) or the server is away: the wall simply goes on; the next turn tries again.
    } finally {
      this.slideLoading = false;
    }
  }

  private pool(state: WallState): readonly WallMessage[] {
    if (this.poolOf?.state !== state) {
      const items = shownItems(state);
      this.poolOf = { state, pool: this.foreignPage ? items.map((m) => this.fromServer(m)) : items };
    }
    return this.poolOf.pool;
  }

  /**
   * For a wall embedded in another site: the images Toile serves (`/media/…`) made absolute on the Toile
   * server (an https one: `safeImageUrl` refuses plain http), or the host page would ask its own origin for
   * them. One copy per message, kept while the message
   * is, so that the pacer and the cards see the same object from one state to the next.
   */
  private fromServer(message: WallMessage): WallMessage {
    let copy = this.absolute.get(message);
    if (copy === undefined) {
      const absolute = (url: string) => (url.startsWith('/media/') ? `${this.origin}${url}` : url);
      copy = {
        ...message,
        author: message.author.avatarUrl ? { ...message.author, avatarUrl: absolute(message.author.avatarUrl) } : message.author,
        media: message.media.map((item) => ({ ...item, url: absolute(item.url) })),
      };
      this.absolute.set(message, copy);
    }
    return copy;
  }

  private trackStale(state: WallState, now: number): void {
    if (state.status !== 'stale') this.staleSince = null;
    else this.staleSince ??= now;
    this.showStale = this.staleSince !== null && now - this.staleSince >= STALE_AFTER_MS;
  }

  private report(): ScreenReport {
    const root = this.renderRoot.querySelector('toile-layout-grid, toile-layout-columns, toile-layout-spotlight, toile-layout-ticker');
    return buildScreenReport({
      screen: this.screen,
      layout: this.effectiveLayout,
      seq: this.connection.state.seq,
      mode: this.effectiveMode,
      language: this.language,
      root,
    });
  }

  /**
   * A reload asked by the server (a moderator's button, or another epoch): the page reloads, except on
   * another site's page (the `<toile-wall>` embed), which is not ours to reload: there the wall starts over
   * from a fresh snapshot instead.
   */
  private reload(): void {
    if (this.foreignPage) {
      this.connection.slug = '';
      this.connection.slug = this.slug;
    } else {
      location.reload();
    }
  }

  /** True when this element runs on a page that Toile did not serve (the embed on an event's website). */
  private get foreignPage(): boolean {
    return this.origin !== '' && this.origin !== location.origin;
  }

  private async follow(slug: string): Promise<void> {
    const check = ++this.check;
    this.connection.slug = '';
    if (slug === '') return;
    let missing = false;
    try {
      await api<PublicWall>('GET', `${this.origin}/api/walls/${encodeURIComponent(slug)}`);
    } catch (error) {
      // Only a 404 is an answer; a server that is down or restarting is retried by the socket.
      missing = error instanceof ApiError && error.status === 404;
    }
    if (check !== this.check) return;
    this.missing = missing;
    if (!missing) this.connection.slug = slug;
  }
}

customElements.define('toile-wall', ToileWall);

declare global {
  interface HTMLElementTagNameMap {
    'toile-wall': ToileWall;
  }
}
