import { css, html, LitElement, nothing } from 'lit';
import { api, ApiError, UNREACHABLE } from '../shared/api.js';
import { ModerationConnection } from '../shared/moderation-connection.js';
import type { ModeratorMessage, PublicWall, User } from '../shared/types.js';
import type { Session } from './toile-login-form.js';
import type { ModerationRequest } from './toile-moderation-card.js';
import './toile-login-form.js';
import './toile-moderation-queue.js';
import './toile-sources-panel.js';

type Phase = 'loading' | 'signed-out' | 'ready';

/**
 * The moderation console at /moderate. It resumes the session (`GET /api/auth/me`) or shows the login
 * form, lists the walls (`GET /api/walls`, the choice kept in the URL hash, e.g. `#capcomnet`), follows
 * the chosen wall's moderator socket and sends the moderators' decisions with the version they saw, so
 * that a decision on a message someone else just changed is refused (409) and said so. Admins also get a
 * "Sources" toggle that shows the wall's social sources above the queue (above, so that opening it shows
 * it however long the queue is); moderators do not, as the API refuses them.
 *
 * It has no public properties and fires no events: it is the page.
 */
export class ToileConsole extends LitElement {
  static override properties = {
    phase: { state: true },
    user: { state: true },
    walls: { state: true },
    slug: { state: true },
    notice: { state: true },
    signedOutNotice: { state: true },
    busy: { state: true },
    sourcesShown: { state: true },
  };

  static override styles = css`
    :host {
      display: block;
      min-height: 100vh;
      font-family: var(--toile-font, system-ui, sans-serif);
      color: var(--toile-text, #f4f6fb);
    }
    header {
      position: sticky;
      top: 0;
      z-index: 1;
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.6em 1.2em;
      padding: 0.7em 1.2em;
      background: var(--toile-surface, #161b26);
      border-bottom: 1px solid var(--toile-border, #323b50);
    }
    .brand {
      margin: 0;
      font-size: 1.2em;
      color: var(--toile-accent, #ffb020);
    }
    label {
      display: flex;
      align-items: center;
      gap: 0.5em;
    }
    select,
    button {
      font: inherit;
      padding: 0.35em 0.7em;
      border-radius: 0.45em;
      border: 1px solid var(--toile-border, #323b50);
      background: var(--toile-surface-raised, #202737);
      color: inherit;
    }
    button {
      cursor: pointer;
    }
    select:focus-visible,
    button:focus-visible,
    a:focus-visible {
      outline: 3px solid var(--toile-accent, #ffb020);
      outline-offset: 2px;
    }
    a {
      color: var(--toile-accent, #ffb020);
    }
    .who {
      margin-left: auto;
      color: var(--toile-muted, #aab2c5);
    }
    main {
      max-width: 60em;
      margin: 0 auto;
      padding: 1.2em;
    }
    .notice {
      display: flex;
      align-items: flex-start;
      gap: 1em;
      margin: 0 0 1em;
      padding: 0.7em 1em;
      border-radius: 0.5em;
      background: var(--toile-error-bg, #4d1e1e);
    }
    .notice span {
      flex: 1;
    }
    .notice button {
      padding: 0.1em 0.6em;
    }
    .loading,
    .empty {
      padding: 20vh 1em;
      text-align: center;
      color: var(--toile-muted, #aab2c5);
    }
  `;

  declare phase: Phase;
  declare user: User | null;
  declare walls: PublicWall[];
  declare slug: string;
  declare notice: string;
  declare signedOutNotice: string;
  declare busy: ReadonlySet<number>;
  declare sourcesShown: boolean;

  private csrfToken: string | null = null;
  private readonly connection = new ModerationConnection(this, { onDown: () => void this.checkSession() });
  private readonly onHashChange = () => this.pickWall(wallFromHash());

  constructor() {
    super();
    this.phase = 'loading';
    this.user = null;
    this.walls = [];
    this.slug = '';
    this.notice = '';
    this.signedOutNotice = '';
    this.busy = new Set();
    this.sourcesShown = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHashChange);
    void this.resume();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHashChange);
  }

  override render() {
    if (this.phase === 'loading') return html`<p class="loading" role="status">Loading…</p>`;
    if (this.phase === 'signed-out' || this.user === null) {
      return html`<toile-login-form
        .notice=${this.signedOutNotice}
        @toile-login=${(event: CustomEvent<Session>) => void this.start(event.detail)}
      ></toile-login-form>`;
    }
    return html`
      <header>
        <h1 class="brand">Toile</h1>
        ${this.walls.length > 0
          ? html`<label
              >Wall
              <select @change=${(event: Event) => this.chooseWall((event.target as HTMLSelectElement).value)}>
                ${this.walls.map((wall) => html`<option value=${wall.slug} ?selected=${wall.slug === this.slug}>${wall.title}</option>`)}
              </select></label
            >`
          : nothing}
        ${this.slug ? html`<a href=${`/w/${encodeURIComponent(this.slug)}`} target="_blank" rel="noopener">Open the wall</a>` : nothing}
        ${this.user.role === 'admin' && this.slug
          ? html`<button aria-expanded=${this.sourcesShown ? 'true' : 'false'} @click=${() => (this.sourcesShown = !this.sourcesShown)}>
              Sources
            </button>`
          : nothing}
        <span class="who">${this.user.username} · ${this.user.role}</span>
        <button @click=${() => void this.logout()}>Log out</button>
      </header>
      <main>
        ${this.notice
          ? html`<p class="notice" role="alert">
              <span>${this.notice}</span><button @click=${() => (this.notice = '')} aria-label="Dismiss">×</button>
            </p>`
          : nothing}
        ${this.sourcesShown && this.user.role === 'admin' && this.slug
          ? html`<toile-sources-panel .slug=${this.slug} .csrfToken=${this.csrfToken}></toile-sources-panel>`
          : nothing}
        ${this.slug
          ? html`<toile-moderation-queue
              .state=${this.connection.state}
              .busy=${this.busy}
              ?live=${this.connection.live}
              @toile-moderate=${(event: CustomEvent<ModerationRequest>) => void this.moderate(event.detail)}
            ></toile-moderation-queue>`
          : html`<p class="empty">There is no wall yet. An admin creates one with <code>POST /api/walls</code>.</p>`}
      </main>
    `;
  }

  private async resume(): Promise<void> {
    try {
      await this.start(await api<Session>('GET', '/api/auth/me'));
    } catch (error) {
      this.signOut(error instanceof ApiError && error.status === 401 ? '' : errorText(error));
    }
  }

  private async start(session: Session): Promise<void> {
    this.user = session.user;
    this.csrfToken = session.csrfToken;
    this.signedOutNotice = '';
    this.phase = 'ready';
    try {
      const { items } = await api<{ items: PublicWall[] }>('GET', '/api/walls');
      this.walls = items;
      this.pickWall(wallFromHash());
    } catch (error) {
      this.notice = errorText(error);
    }
  }

  /** Follows the wall named in the hash, or the first wall when the hash names none of them. */
  private pickWall(wanted: string): void {
    if (this.phase !== 'ready') return;
    const slug = this.walls.some((wall) => wall.slug === wanted) ? wanted : (this.walls[0]?.slug ?? '');
    this.slug = slug;
    this.connection.slug = slug;
    // The default is written to the hash too, without a history entry, so that a reload or a shared
    // link opens the same wall.
    if (slug !== '' && wallFromHash() !== slug) history.replaceState(null, '', `#${encodeURIComponent(slug)}`);
  }

  private chooseWall(slug: string): void {
    this.notice = '';
    location.hash = encodeURIComponent(slug);
  }

  private async moderate(request: ModerationRequest): Promise<void> {
    if (this.busy.has(request.id)) return;
    this.busy = new Set(this.busy).add(request.id);
    try {
      const message = await api<ModeratorMessage>(
        'POST',
        `/api/messages/${request.id}/${request.action}`,
        { expectedVersion: request.expectedVersion },
        this.csrfToken,
      );
      this.connection.apply(message);
      this.notice = '';
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        this.signOut('Your session has ended; log in again.');
        return;
      }
      // On a 409 another moderator decided first: their version arrives on the socket and replaces
      // ours, and the server's message says who did what.
      this.notice = errorText(error);
    } finally {
      const busy = new Set(this.busy);
      busy.delete(request.id);
      this.busy = busy;
    }
  }

  /** After the socket drops or is refused: an ended session is the likely cause, and the one to show. */
  private async checkSession(): Promise<void> {
    if (this.phase !== 'ready') return;
    try {
      await api<Session>('GET', '/api/auth/me');
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.signOut('Your session has ended; log in again.');
    }
  }

  private async logout(): Promise<void> {
    try {
      await api('POST', '/api/auth/logout', undefined, this.csrfToken);
    } catch {
      // Logging out of a session the server already forgot is still logging out.
    }
    this.signOut('');
  }

  private signOut(reason: string): void {
    this.connection.slug = '';
    this.phase = 'signed-out';
    this.user = null;
    this.csrfToken = null;
    this.walls = [];
    this.slug = '';
    this.notice = '';
    this.sourcesShown = false;
    this.signedOutNotice = reason;
  }
}

function wallFromHash(): string {
  try {
    return decodeURIComponent(location.hash.slice(1));
  } catch {
    return '';
  }
}

function errorText(error: unknown): string {
  return error instanceof ApiError ? error.message : UNREACHABLE;
}

customElements.define('toile-console', ToileConsole);

declare global {
  interface HTMLElementTagNameMap {
    'toile-console': ToileConsole;
  }
}
