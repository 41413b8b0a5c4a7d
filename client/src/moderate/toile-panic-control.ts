import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { api } from '../shared/api.js';
import type { DisplayMode, PublicWall } from '../shared/types.js';
import { WallConnection } from '../shared/wall-connection.js';
import { errorText, s } from './strings.js';

/* What each mode does to the screens is said before it is applied (`panic.confirm.*`) and while it lasts (`panic.banner.*`). */
const modeLabel = (mode: DisplayMode) => s(`panic.mode.${mode}`);

/**
 * The panic switch of one wall, for moderators and admins: Live, Freeze and Blank, with the mode every
 * screen follows now. Blank and Freeze ask for a confirmation here in the page, since they act on every
 * projector at once; Live applies at once, so that restoring is always one click. While the wall is
 * blank or frozen, a banner says so in words, so that nobody forgets a blanked projector.
 *
 * The current mode comes from the wall's public socket, the one the screens themselves follow: a change
 * made by another moderator, or by a script, shows here as soon as it reaches the screens. Changes go
 * through `POST /api/walls/:slug/display`, which the server audits.
 *
 * Properties:
 * - `slug` (string): the wall.
 * - `csrfToken` (string | null): the session's CSRF token, sent with every change.
 *
 * Fires no events. A refusal is shown next to the buttons.
 */
export class ToilePanicControl extends LitElement {
  static override properties = {
    slug: { type: String },
    csrfToken: { attribute: false },
    confirming: { state: true },
    pending: { state: true },
    error: { state: true },
    applied: { state: true },
  };

  static override styles = css`
    :host {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5em 0.8em;
    }
    .modes {
      display: inline-flex;
      border: 1px solid var(--toile-border, #323b50);
      border-radius: 0.45em;
      overflow: hidden;
    }
    .modes button {
      font: inherit;
      padding: 0.35em 0.9em;
      border: 0;
      border-right: 1px solid var(--toile-border, #323b50);
      background: var(--toile-surface-raised, #202737);
      color: var(--toile-text, #f4f6fb);
      cursor: pointer;
    }
    .modes button:last-child {
      border-right: 0;
    }
    .modes button[aria-pressed='true'] {
      font-weight: 700;
      background: var(--toile-accent, #ffb020);
      color: var(--toile-accent-text, #15110a);
    }
    .modes button[aria-pressed='true'].blank,
    .modes button[aria-pressed='true'].freeze {
      background: var(--toile-danger, #d2463f);
      color: #fff;
    }
    button:focus-visible {
      outline: 3px solid var(--toile-accent, #ffb020);
      outline-offset: 2px;
    }
    button[disabled] {
      opacity: 0.6;
      cursor: progress;
    }
    .label {
      color: var(--toile-muted, #aab2c5);
    }
    .confirm,
    .banner,
    .error {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5em;
      margin: 0;
      padding: 0.35em 0.8em;
      border-radius: 0.45em;
    }
    .confirm {
      background: var(--toile-warning-bg, #4a3a10);
    }
    .confirm button {
      font: inherit;
      padding: 0.25em 0.8em;
      border-radius: 0.4em;
      border: 1px solid var(--toile-border, #323b50);
      background: var(--toile-surface, #161b26);
      color: inherit;
      cursor: pointer;
    }
    .confirm button.danger {
      background: var(--toile-danger, #d2463f);
      border-color: var(--toile-danger, #d2463f);
      color: #fff;
      font-weight: 700;
    }
    .banner {
      flex-basis: 100%;
      font-weight: 700;
      background: var(--toile-danger, #d2463f);
      color: #fff;
    }
    .error {
      background: var(--toile-error-bg, #4d1e1e);
    }
    /*
     * Always rendered, and only shrunk out of sight while empty: a live region that appears with its
     * text is not reliably announced.
     */
    .banner:empty {
      position: absolute;
      width: 1px;
      height: 1px;
      padding: 0;
      overflow: hidden;
      clip-path: inset(50%);
    }
  `;

  declare slug: string;
  declare csrfToken: string | null;
  /** The mode awaiting its confirmation, if any. */
  declare confirming: DisplayMode | null;
  /** The mode being applied, while its request runs. */
  declare pending: DisplayMode | null;
  declare error: string;
  /**
   * The mode the server answered last, shown until the socket brings the wall's own `wall` event: the
   * answer comes first, and the buttons should not flicker back in between.
   */
  declare applied: DisplayMode | null;

  /**
   * The console follows the wall's socket without being one of its screens: it sends no heartbeat, and
   * where a screen reloads its page (a moderator's "Reload all screens", a new epoch) the console only
   * starts this socket over from a fresh snapshot.
   */
  private readonly wall: WallConnection = new WallConnection(this, { reload: () => this.resubscribe() });

  constructor() {
    super();
    this.slug = '';
    this.csrfToken = null;
    this.confirming = null;
    this.pending = null;
    this.error = '';
    this.applied = null;
  }

  private resubscribe(): void {
    const slug = this.wall.slug;
    this.wall.slug = '';
    this.wall.slug = slug;
  }

  /** The mode every screen of the wall follows now, or null before the wall's first snapshot. */
  get display(): DisplayMode | null {
    return this.applied ?? this.wall.state.wall?.display ?? null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('slug')) {
      this.wall.slug = this.slug;
      this.confirming = null;
      this.pending = null;
      this.error = '';
      this.applied = null;
    }
    // Once the screens' own state agrees with what was applied, it is the one to follow.
    if (this.applied !== null && this.wall.state.wall?.display === this.applied) this.applied = null;
  }

  override render() {
    const display = this.display;
    return html`
      <span class="label" id="panic-label">${s('panic.label')}</span>
      <div class="modes" role="group" aria-labelledby="panic-label">
        ${(['live', 'freeze', 'blank'] as const).map(
          (mode) => html`<button
            class=${mode}
            aria-pressed=${display === mode ? 'true' : 'false'}
            ?disabled=${this.pending !== null || display === null}
            @click=${() => this.choose(mode)}
          >
            ${this.pending === mode ? `${modeLabel(mode)}…` : modeLabel(mode)}
          </button>`,
        )}
      </div>
      ${this.confirming !== null && this.confirming !== 'live'
        ? html`<div class="confirm" role="group" aria-label=${s('panic.confirmLabel')}>
            <span>${s(`panic.confirm.${this.confirming}`)}</span>
            <button class="danger" ?disabled=${this.pending !== null} @click=${() => void this.apply(this.confirming!)}>
              ${s(`panic.yes.${this.confirming}`)}
            </button>
            <button ?disabled=${this.pending !== null} @click=${() => (this.confirming = null)}>${s('common.cancel')}</button>
          </div>`
        : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <p class="banner" role="status">${display === 'blank' || display === 'freeze' ? s(`panic.banner.${display}`) : ''}</p>
    `;
  }

  private choose(mode: DisplayMode): void {
    this.error = '';
    if (mode === this.display) {
      this.confirming = null;
      return;
    }
    if (mode === 'live') {
      this.confirming = null;
      void this.apply('live');
      return;
    }
    this.confirming = mode;
  }

  private async apply(mode: DisplayMode): Promise<void> {
    if (this.pending !== null) return;
    const slug = this.slug;
    this.pending = mode;
    this.error = '';
    try {
      const wall = await api<PublicWall>('POST', `/api/walls/${encodeURIComponent(slug)}/display`, { display: mode }, this.csrfToken);
      if (slug !== this.slug) return;
      this.applied = wall.display;
      this.confirming = null;
    } catch (error) {
      if (slug === this.slug) this.error = errorText(error);
    } finally {
      this.pending = null;
    }
  }
}

customElements.define('toile-panic-control', ToilePanicControl);

declare global {
  interface HTMLElementTagNameMap {
    'toile-panic-control': ToilePanicControl;
  }
}
