import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { api, ApiError } from '../shared/api.js';
import type { PublicWall } from '../shared/types.js';
import { WallConnection } from '../shared/wall-connection.js';
import { shownItems } from '../shared/wall-reducer.js';
import './toile-wall-card.js';

/** How often the relative times on the cards ("3 minutes ago") are refreshed. */
const CLOCK_TICK_MS = 30_000;

/**
 * The projected wall of one slug: its title, how to take part, and the approved contributions as
 * cards, newest first (pinned ones ahead), updated live over the wall socket.
 *
 * Properties:
 * - `slug` (string, attribute `slug`): the wall to show. The element checks that the wall exists
 *   (`GET /api/walls/:slug`) before it connects, so that a mistyped address says so instead of spinning.
 *
 * It follows the wall's `display` switch: `blank` shows an empty black screen, `freeze` keeps the
 * current cards until the wall is live again (removals still apply). A small "Reconnecting…" mark shows
 * while the socket is down. It fires no events: the audience only watches.
 */
export class ToileWall extends LitElement {
  static override properties = {
    slug: { type: String },
    missing: { state: true },
    now: { state: true },
  };

  static override styles = css`
    :host {
      display: block;
      box-sizing: border-box;
      min-height: 100vh;
      padding: 2.4vmin 3vmin 4vmin;
      background: var(--toile-bg, #0b0e14);
      color: var(--toile-text, #f4f6fb);
      font-family: var(--toile-font, system-ui, sans-serif);
      /* Type scales with the screen: about 26px on a 1080p projector, never below 15px on a phone. */
      font-size: clamp(15px, 1vw + 0.6vh, 44px);
    }
    header {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 0.3em 1em;
      margin-bottom: 1.1em;
      padding-bottom: 0.8em;
      border-bottom: 1px solid var(--toile-border, #323b50);
    }
    h1 {
      margin: 0;
      font-size: 2.3em;
      font-weight: 800;
      letter-spacing: -0.015em;
      line-height: 1.1;
    }
    .tags {
      color: var(--toile-accent, #ffb020);
      font-size: 1.6em;
      font-weight: 800;
    }
    .join {
      flex-basis: 100%;
      margin: 0;
      color: var(--toile-muted, #aab2c5);
      font-size: 1.05em;
    }
    .instructions {
      white-space: pre-line;
    }
    .join strong {
      color: var(--toile-text, #f4f6fb);
      font-weight: 700;
    }
    .grid {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(min(100%, 22em), 1fr));
      gap: 1em;
      align-items: start;
    }
    .notice {
      margin: 22vh auto 0;
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
      display: flex;
      align-items: center;
      gap: 0.45em;
      padding: 0.3em 0.8em;
      border-radius: 1em;
      background: rgb(0 0 0 / 0.55);
      color: var(--toile-muted, #aab2c5);
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

  declare slug: string;
  declare missing: boolean;
  declare now: number;

  private readonly connection = new WallConnection(this);
  private clock: ReturnType<typeof setInterval> | null = null;
  /** Counts wall checks, so that the answer for a slug that has since changed is ignored. */
  private check = 0;

  constructor() {
    super();
    this.slug = '';
    this.missing = false;
    this.now = Date.now();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.now = Date.now();
    this.clock = setInterval(() => (this.now = Date.now()), CLOCK_TICK_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.clock !== null) clearInterval(this.clock);
    this.clock = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('slug')) void this.follow(this.slug);
  }

  override render() {
    if (this.missing || this.slug === '') {
      return html`<p class="notice" role="alert">
        <strong>There is no wall here</strong>No wall is called “${this.slug}”. Check the address you were given.
      </p>`;
    }
    const state = this.connection.state;
    const wall = state.wall;
    if (wall === null) {
      return html`<p class="notice" role="status">Connecting to the wall…</p>`;
    }
    if (wall.display === 'blank') return html`<div class="blank"></div>`;
    const items = shownItems(state);
    return html`
      <header>
        <h1>${wall.title}</h1>
        ${wall.hashtags.length > 0 ? html`<span class="tags">${wall.hashtags.map((tag) => `#${tag}`).join(' ')}</span>` : nothing}
        ${this.renderJoin(wall)}
      </header>
      ${items.length === 0
        ? html`<p class="notice">Contributions appear here as soon as a moderator approves them.</p>`
        : html`<main class="grid" aria-live="polite">
            ${repeat(
              items,
              (m) => m.id,
              (m) => html`<toile-wall-card .message=${m} .now=${this.now}></toile-wall-card>`,
            )}
          </main>`}
      ${state.status === 'stale' ? html`<div class="stale" role="status">Reconnecting…</div>` : nothing}
    `;
  }

  /** How to take part, in one line under the title: text, email, or the web form of this wall. */
  private renderJoin(wall: PublicWall) {
    const ways = [
      ...wall.smsNumbers.map((number) =>
        wall.smsKeyword
          ? html`text <strong>${wall.smsKeyword}</strong> and your message to <strong>${number}</strong>`
          : html`text <strong>${number}</strong>`,
      ),
      ...wall.emailAddresses.map((address) => html`email <strong>${address}</strong>`),
      html`go to <strong>${location.host}/c/${wall.slug}</strong>`,
    ];
    return html`<p class="join">
        Join in: ${ways.map((way, i) => html`${i > 0 ? (i === ways.length - 1 ? ' or ' : ', ') : ''}${way}`)}
      </p>
      ${wall.instructions ? html`<p class="join instructions">${wall.instructions}</p>` : nothing}`;
  }

  private async follow(slug: string): Promise<void> {
    const check = ++this.check;
    this.connection.slug = '';
    if (slug === '') return;
    let missing = false;
    try {
      await api<PublicWall>('GET', `/api/walls/${encodeURIComponent(slug)}`);
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
