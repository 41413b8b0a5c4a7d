import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { api } from '../shared/api.js';
import { formStyles } from '../shared/form-styles.js';
import type { Layout, ScreenInfo } from '../shared/types.js';
import { panelStyles } from './panel-styles.js';
import { errorText, relativeTimeIn, s } from './strings.js';
import './toile-export-panel.js';
import './toile-share-panel.js';

/** How often the list is read again while the view is open and the tab visible. */
export const SCREENS_POLL_MS = 5_000;

/**
 * The screens showing a wall right now, for moderators: each wall page reports itself on its socket
 * (layout, size, the last seq it folded, memory, cards), and this view lists them from
 * `GET /api/walls/:slug/screens`, read every five seconds while the view is open and the tab visible.
 *
 * A screen is marked as behind when the seq it reported is below the wall's seq as this view read it
 * *before* that report: a screen reports every 30 s, so comparing with the wall's seq of now would flag
 * every screen after every new message. A screen's first report is not judged: it is sent as the socket
 * opens, before the screen has its snapshot. Each row has a Reload button, and
 * "Reload all screens" asks for a confirmation in the page first, since it reloads every projector at
 * once (`POST /api/walls/:slug/reload`). Below the list, the addresses and snippets to share the wall.
 *
 * Properties:
 * - `slug` (string): the wall.
 * - `csrfToken` (string | null): the session's CSRF token, sent with every reload.
 * - `wallTitle` (string): the wall's title, for the embed snippet's accessible name.
 *
 * Fires no events. Outcomes are announced through a `role="status"` line, refusals through `role="alert"`.
 */
export class ToileScreensPanel extends LitElement {
  static override properties = {
    slug: { type: String },
    csrfToken: { attribute: false },
    wallTitle: { attribute: false },
    screens: { state: true },
    wallSeq: { state: true },
    loadError: { state: true },
    confirmingAll: { state: true },
    reloading: { state: true },
    error: { state: true },
    announcement: { state: true },
    now: { state: true },
  };

  static override styles = [
    formStyles,
    panelStyles,
    css`
      .actions {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.6em;
        margin: 0.8em 0;
      }
      .confirm {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.6em;
        padding: 0.5em 0.9em;
        border-radius: 0.5em;
        background: var(--toile-warning-bg, #4a3a10);
      }
      .confirm button,
      .actions button {
        padding: 0.4em 1em;
      }
      .behind {
        color: var(--toile-accent, #ffb020);
        font-weight: 700;
      }
      .gone {
        color: var(--toile-muted, #aab2c5);
      }
      .table-wrap {
        overflow-x: auto;
      }
      td.number {
        font-variant-numeric: tabular-nums;
      }
    `,
  ];

  declare slug: string;
  declare csrfToken: string | null;
  declare wallTitle: string;
  /** The screens as last read, or null before the first answer. */
  declare screens: ScreenInfo[] | null;
  /** The wall's own latest seq, to tell a screen that is behind. */
  declare wallSeq: number | null;
  declare loadError: string;
  declare confirmingAll: boolean;
  /** What a reload request is running for: a screen id, `all`, or null. */
  declare reloading: string | null;
  declare error: string;
  declare announcement: string;
  declare now: number;

  private timer: ReturnType<typeof setInterval> | undefined;
  /** Per screen: the report last seen (its `lastSeenAt`) and the wall's seq read before it, if any. */
  private baselines = new Map<string, { lastSeenAt: string; wallSeq: number | null }>();
  private readonly onVisibility = () => {
    if (document.visibilityState === 'visible') void this.load();
  };

  constructor() {
    super();
    this.slug = '';
    this.csrfToken = null;
    this.wallTitle = '';
    this.screens = null;
    this.wallSeq = null;
    this.baselines = new Map();
    this.loadError = '';
    this.confirmingAll = false;
    this.reloading = null;
    this.error = '';
    this.announcement = '';
    this.now = Date.now();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('visibilitychange', this.onVisibility);
    // A hidden tab reads nothing: the list is for someone looking at it.
    this.timer = setInterval(() => {
      if (document.visibilityState === 'visible') void this.load();
    }, SCREENS_POLL_MS);
    if (this.slug !== '' && this.screens === null) void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('visibilitychange', this.onVisibility);
    clearInterval(this.timer);
    this.timer = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('slug')) return;
    this.screens = null;
    this.wallSeq = null;
    this.baselines = new Map();
    this.loadError = '';
    this.confirmingAll = false;
    this.error = '';
    this.announcement = '';
    if (this.slug !== '' && this.isConnected) void this.load();
  }

  override render() {
    const screens = this.screens;
    const connected = screens?.filter((screen) => screen.connected).length ?? 0;
    return html`
      <section aria-labelledby="screens-heading">
        <h2 id="screens-heading">${s('screens.heading')}</h2>
        <p class="hint">${s('screens.lead')}</p>
        <p class="announcement" role="status">${this.announcement}</p>
        ${this.loadError ? html`<p class="error" role="alert">${this.loadError}</p>` : nothing}
        ${screens === null
          ? this.loadError
            ? nothing
            : html`<p class="muted">${s('screens.loading')}</p>`
          : screens.length === 0
            ? html`<p class="muted">${s('screens.none')}</p>`
            : this.renderTable(screens)}
        <div class="actions">
          <button type="button" ?disabled=${connected === 0 || this.reloading !== null} @click=${() => (this.confirmingAll = true)}>
            ${s('screens.reloadAll')}
          </button>
          ${this.confirmingAll
            ? html`<div class="confirm" role="group" aria-label=${s('screens.confirmLabel')}>
                <span>${s('screens.confirmAll', { n: connected })}</span>
                <button type="button" class="danger" ?disabled=${this.reloading !== null} @click=${() => void this.reload(null)}>
                  ${s('screens.confirmYes')}
                </button>
                <button type="button" class="secondary" @click=${() => (this.confirmingAll = false)}>${s('common.cancel')}</button>
              </div>`
            : nothing}
        </div>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      </section>
      <toile-share-panel .slug=${this.slug} .wallTitle=${this.wallTitle}></toile-share-panel>
      <toile-export-panel .slug=${this.slug}></toile-export-panel>
    `;
  }

  private renderTable(screens: ScreenInfo[]) {
    return html`<div class="table-wrap">
      <table>
        <caption class="hint">${s('screens.caption', { seq: this.wallSeq ?? '…' })}</caption>
        <thead>
          <tr>
            <th scope="col">${s('screens.col.screen')}</th>
            <th scope="col">${s('screens.col.layout')}</th>
            <th scope="col">${s('screens.col.size')}</th>
            <th scope="col">${s('screens.col.seq')}</th>
            <th scope="col">${s('screens.col.memory')}</th>
            <th scope="col">${s('screens.col.cards')}</th>
            <th scope="col">${s('screens.col.status')}</th>
            <th scope="col"><span class="muted">${s('screens.col.action')}</span></th>
          </tr>
        </thead>
        <tbody>
          ${screens.map((screen) => this.renderRow(screen))}
        </tbody>
      </table>
    </div>`;
  }

  private renderRow(screen: ScreenInfo) {
    const baseline = this.baselines.get(screen.screen)?.wallSeq ?? null;
    const behind = baseline !== null && screen.connected ? Math.max(0, baseline - screen.seq) : 0;
    const name = s('screens.name', { id: screen.screen.slice(0, 6) });
    return html`<tr data-screen=${screen.screen} class=${screen.connected ? '' : 'gone'}>
      <th scope="row">
        ${name}<br /><span class="hint">${s(`screens.mode.${screen.mode}`)} · ${screen.language.toUpperCase()}</span>
      </th>
      <td>${layoutName(screen.layout)}</td>
      <td class="number">${screen.width} × ${screen.height}</td>
      <td class="number">
        ${screen.seq}
        ${behind > 0 ? html`<br /><span class="behind">${s('screens.behind', { n: behind })}</span>` : nothing}
      </td>
      <td class="number">${screen.heapMb === null ? '—' : s('screens.mib', { n: Math.round(screen.heapMb) })}</td>
      <td class="number">${screen.cards}</td>
      <td>
        ${screen.connected
          ? s('screens.connected', { since: relativeTimeIn(screen.connectedAt, this.now) })
          : s('screens.lastSeen', { when: relativeTimeIn(screen.lastSeenAt, this.now) })}
      </td>
      <td>
        <button
          type="button"
          class="secondary"
          aria-label=${s('screens.reloadOne', { name })}
          ?disabled=${!screen.connected || this.reloading !== null}
          @click=${() => void this.reload(screen.screen)}
        >
          ${this.reloading === screen.screen ? s('screens.reloading') : s('screens.reload')}
        </button>
      </td>
    </tr>`;
  }

  private base(slug: string): string {
    return `/api/walls/${encodeURIComponent(slug)}`;
  }

  /** Reads the screens, and the wall's latest seq (from its events feed, asked for nothing after it). */
  private async load(): Promise<void> {
    const slug = this.slug;
    if (slug === '') return;
    try {
      const [{ screens }, feed] = await Promise.all([
        api<{ screens: ScreenInfo[] }>('GET', `${this.base(slug)}/screens`),
        api<{ latestSeq?: number }>('GET', `${this.base(slug)}/events?since=${Number.MAX_SAFE_INTEGER}`).catch(() => null),
      ]);
      if (slug !== this.slug) return;
      this.noteReports(screens);
      this.screens = [...screens].sort((a, b) => Number(b.connected) - Number(a.connected) || a.connectedAt.localeCompare(b.connectedAt));
      this.wallSeq = typeof feed?.latestSeq === 'number' ? feed.latestSeq : null;
      this.loadError = '';
      this.now = Date.now();
    } catch (error) {
      if (slug === this.slug) this.loadError = s('screens.loadError', { reason: errorText(error) });
    }
  }

  /**
   * Remembers, for each new report, the wall's seq from the read before this one (the `wallSeq` still
   * shown): the screen had had that long to fold it, so a lower seq means it is really behind.
   */
  private noteReports(screens: readonly ScreenInfo[]): void {
    const next = new Map<string, { lastSeenAt: string; wallSeq: number | null }>();
    for (const screen of screens) {
      const known = this.baselines.get(screen.screen);
      const fresh = known === undefined || known.lastSeenAt !== screen.lastSeenAt;
      next.set(screen.screen, fresh ? { lastSeenAt: screen.lastSeenAt, wallSeq: known === undefined ? null : this.wallSeq } : known);
    }
    this.baselines = next;
  }

  /** Asks one screen (by id) or every screen of the wall (null) to reload its page. */
  private async reload(screen: string | null): Promise<void> {
    if (this.reloading !== null) return;
    const slug = this.slug;
    this.reloading = screen ?? 'all';
    this.error = '';
    try {
      const answer = await api<{ reloaded: number }>('POST', `${this.base(slug)}/reload`, screen === null ? {} : { screen }, this.csrfToken);
      if (slug !== this.slug) return;
      this.confirmingAll = false;
      this.announcement = s('screens.reloaded', { n: answer?.reloaded ?? 0 });
    } catch (error) {
      if (slug === this.slug) this.error = errorText(error);
    } finally {
      this.reloading = null;
    }
  }
}

function layoutName(layout: Layout): string {
  return s(`layout.${layout}`);
}

customElements.define('toile-screens-panel', ToileScreensPanel);

declare global {
  interface HTMLElementTagNameMap {
    'toile-screens-panel': ToileScreensPanel;
  }
}
