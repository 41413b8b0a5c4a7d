import { css, html, LitElement, nothing } from 'lit';
import { api, ApiError } from '../shared/api.js';
import { LANGUAGES } from '../shared/i18n.js';
import { ModerationConnection } from '../shared/moderation-connection.js';
import type { PublicWall, User } from '../shared/types.js';
import { chooseConsoleLanguage } from './console-language.js';
import { errorText, lang, s } from './strings.js';
import type { Session } from './toile-login-form.js';
import './toile-accounts-panel.js';
import './toile-audit-panel.js';
import './toile-login-form.js';
import './toile-moderation-queue.js';
import './toile-panic-control.js';
import './toile-screens-panel.js';
import './toile-settings-panel.js';
import './toile-sources-panel.js';
import './toile-stats-panel.js';
import './toile-walls-panel.js';

type Phase = 'loading' | 'signed-out' | 'ready';

/** Each language named in itself, as a switch between languages should. */
const LANGUAGE_NAMES = { en: 'English', fr: 'Français' } as const;

/** The console's views; the hash names one after the wall (`#capcomnet/audit`). */
export type ConsoleView = 'queue' | 'sources' | 'settings' | 'screens' | 'stats' | 'audit' | 'accounts' | 'walls';

/**
 * Which views a role gets, and their names there. A moderator's "accounts" view holds only their own
 * password and sessions, so it is named for what it is.
 */
function viewsFor(role: User['role']): { view: ConsoleView; label: string }[] {
  if (role === 'admin') {
    return [
      { view: 'queue', label: s('nav.queue') },
      { view: 'sources', label: s('nav.sources') },
      { view: 'settings', label: s('nav.settings') },
      { view: 'screens', label: s('nav.screens') },
      { view: 'stats', label: s('nav.stats') },
      { view: 'audit', label: s('nav.audit') },
      { view: 'walls', label: s('nav.walls') },
      { view: 'accounts', label: s('nav.accounts') },
    ];
  }
  return [
    { view: 'queue', label: s('nav.queue') },
    { view: 'screens', label: s('nav.screens') },
    { view: 'stats', label: s('nav.stats') },
    { view: 'accounts', label: s('nav.yourAccount') },
  ];
}

/**
 * The moderation console at /moderate. It resumes the session (`GET /api/auth/me`) or shows the login
 * form, lists the walls (`GET /api/walls`) and owns the chosen wall's moderator socket, which the queue
 * folds into its view; the queue sends the decisions itself, and its claims and answers reach the socket
 * as events on this element (see `ModerationConnection`).
 *
 * The header holds the wall picker, the navigation between the views, the console's EN/FR switch (the
 * console speaks the browser's language until a moderator picks one, see console-language.ts) and the
 * wall's panic switch. The
 * wall and the view live in the URL hash (`#capcomnet` is the queue, `#capcomnet/settings` the settings),
 * so that a reload, the Back button or a shared link opens the same place. Moderators get the queue, the
 * wall's screens (with their remote reload and the addresses to share) and their own account; admins also
 * get the wall's sources, its settings, the audit log, every wall of the instance (create, archive) and every
 * account. The picker marks archived walls.
 * A view the role may not have falls back to the queue, as the API would refuse it anyway.
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
    view: { state: true },
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
    .languages {
      display: inline-flex;
      border: 1px solid var(--toile-border, #323b50);
      border-radius: 0.45em;
      overflow: hidden;
    }
    .languages button {
      border: 0;
      border-radius: 0;
      padding: 0.35em 0.6em;
    }
    .languages button[aria-pressed='true'] {
      font-weight: 700;
      background: var(--toile-accent, #ffb020);
      color: var(--toile-accent-text, #15110a);
    }
    nav ul {
      display: flex;
      flex-wrap: wrap;
      gap: 0.3em;
      margin: 0;
      padding: 0;
      list-style: none;
    }
    nav a {
      display: inline-block;
      padding: 0.35em 0.8em;
      border-radius: 0.45em;
      color: var(--toile-text, #f4f6fb);
      text-decoration: none;
    }
    nav a:hover {
      background: var(--toile-surface-raised, #202737);
    }
    nav a[aria-current='page'] {
      font-weight: 700;
      background: var(--toile-surface-raised, #202737);
      box-shadow: inset 0 -3px 0 var(--toile-accent, #ffb020);
    }
    toile-panic-control {
      flex-basis: 100%;
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
  declare view: ConsoleView;

  private csrfToken: string | null = null;
  private readonly connection = new ModerationConnection(this, { onDown: () => void this.checkSession() });
  private readonly onHashChange = () => this.follow(placeFromHash());

  constructor() {
    super();
    this.phase = 'loading';
    this.user = null;
    this.walls = [];
    this.slug = '';
    this.notice = '';
    this.signedOutNotice = '';
    this.view = 'queue';
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
    if (this.phase === 'loading') return html`<p class="loading" role="status">${s('console.loading')}</p>`;
    if (this.phase === 'signed-out' || this.user === null) {
      return html`<toile-login-form
        .notice=${this.signedOutNotice}
        @toile-login=${(event: CustomEvent<Session>) => void this.start(event.detail)}
      ></toile-login-form>`;
    }
    const user = this.user;
    return html`
      <header>
        <h1 class="brand">Toile</h1>
        ${this.walls.length > 0
          ? html`<label
              >${s('console.wall')}
              <select @change=${(event: Event) => this.chooseWall((event.target as HTMLSelectElement).value)}>
                ${this.walls.map(
                  (wall) =>
                    html`<option value=${wall.slug} ?selected=${wall.slug === this.slug}>
                      ${wall.archived ? s('console.archivedMark', { title: wall.title }) : wall.title}
                    </option>`,
                )}
              </select></label
            >`
          : nothing}
        ${this.slug ? html`<a href=${`/w/${encodeURIComponent(this.slug)}`} target="_blank" rel="noopener">${s('console.openWall')}</a>` : nothing}
        ${this.slug
          ? html`<nav aria-label=${s('console.nav')}>
              <ul>
                ${viewsFor(user.role).map(
                  ({ view, label }) => html`<li>
                    <a href=${hashOf(this.slug, view)} aria-current=${this.view === view ? 'page' : 'false'}>${label}</a>
                  </li>`,
                )}
              </ul>
            </nav>`
          : nothing}
        <span class="who">${user.username} · ${s(`users.roleName.${user.role}`)}</span>
        ${this.renderLanguageSwitch()}
        <button @click=${() => void this.logout()}>${s('console.logOut')}</button>
        ${this.slug ? html`<toile-panic-control .slug=${this.slug} .csrfToken=${this.csrfToken}></toile-panic-control>` : nothing}
      </header>
      <main>
        ${this.notice
          ? html`<p class="notice" role="alert">
              <span>${this.notice}</span><button @click=${() => (this.notice = '')} aria-label=${s('console.dismiss')}>×</button>
            </p>`
          : nothing}
        ${this.slug ? this.renderView(user) : html`<p class="empty">${s('console.noWall')} <code>POST /api/walls</code>.</p>`}
      </main>
    `;
  }

  /** EN/FR, for the console only: the choice is kept in this browser and the page reloads in it. */
  private renderLanguageSwitch() {
    return html`<div class="languages" role="group" aria-label=${s('console.languageSwitch')}>
      ${LANGUAGES.map(
        (language) => html`<button
          lang=${language}
          aria-pressed=${language === lang ? 'true' : 'false'}
          aria-label=${LANGUAGE_NAMES[language]}
          @click=${() => {
            if (language !== lang) chooseConsoleLanguage(language);
          }}
        >
          ${language.toUpperCase()}
        </button>`,
      )}
    </div>`;
  }

  private renderView(user: User) {
    switch (this.view) {
      case 'screens':
        return html`<toile-screens-panel
          .slug=${this.slug}
          .csrfToken=${this.csrfToken}
          .wallTitle=${this.walls.find((wall) => wall.slug === this.slug)?.title ?? this.slug}
        ></toile-screens-panel>`;
      case 'sources':
        return html`<toile-sources-panel .slug=${this.slug} .csrfToken=${this.csrfToken}></toile-sources-panel>`;
      case 'settings':
        return html`<toile-settings-panel .slug=${this.slug} .csrfToken=${this.csrfToken}></toile-settings-panel>`;
      case 'stats':
        return html`<toile-stats-panel .slug=${this.slug}></toile-stats-panel>`;
      case 'audit':
        return html`<toile-audit-panel .slug=${this.slug}></toile-audit-panel>`;
      case 'walls':
        return html`<toile-walls-panel
          .csrfToken=${this.csrfToken}
          @toile-walls-changed=${(event: CustomEvent<PublicWall[]>) => (this.walls = event.detail)}
        ></toile-walls-panel>`;
      case 'accounts':
        return html`<toile-accounts-panel .user=${user} .csrfToken=${this.csrfToken}></toile-accounts-panel>`;
      default:
        return html`<toile-moderation-queue
          .state=${this.connection.state}
          .user=${user}
          .csrfToken=${this.csrfToken}
          ?live=${this.connection.live}
        ></toile-moderation-queue>`;
    }
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
      this.follow(placeFromHash());
    } catch (error) {
      this.notice = errorText(error);
    }
  }

  /**
   * Follows the wall and view the hash names: the first wall when it names none of them, the queue when
   * it names no view this role has.
   */
  private follow(place: { slug: string; view: string }): void {
    if (this.phase !== 'ready' || this.user === null) return;
    const slug = this.walls.some((wall) => wall.slug === place.slug) ? place.slug : (this.walls[0]?.slug ?? '');
    const view = viewsFor(this.user.role).find((entry) => entry.view === place.view)?.view ?? 'queue';
    this.slug = slug;
    this.view = view;
    this.connection.slug = slug;
    // The default is written to the hash too, without a history entry, so that a reload or a shared
    // link opens the same place.
    if (slug !== '' && location.hash !== hashOf(slug, view)) history.replaceState(null, '', hashOf(slug, view));
  }

  /** Another wall, in the same view: an admin comparing two walls' settings stays in Settings. */
  private chooseWall(slug: string): void {
    this.notice = '';
    location.hash = hashOf(slug, this.view);
  }

  /** After the socket drops or is refused: an ended session is the likely cause, and the one to show. */
  private async checkSession(): Promise<void> {
    if (this.phase !== 'ready') return;
    try {
      await api<Session>('GET', '/api/auth/me');
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.signOut(s('console.sessionEnded'));
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
    this.view = 'queue';
    this.signedOutNotice = reason;
  }
}

/** The wall and the view the hash names: `#capcomnet` (the queue) or `#capcomnet/settings`. */
function placeFromHash(): { slug: string; view: string } {
  const [wall = '', view = 'queue'] = location.hash.slice(1).split('/');
  try {
    return { slug: decodeURIComponent(wall), view };
  } catch {
    return { slug: '', view };
  }
}

/** The hash of a place; the queue keeps the short form, so that links made before the views still work. */
function hashOf(slug: string, view: ConsoleView): string {
  const wall = `#${encodeURIComponent(slug)}`;
  return view === 'queue' ? wall : `${wall}/${view}`;
}

customElements.define('toile-console', ToileConsole);

declare global {
  interface HTMLElementTagNameMap {
    'toile-console': ToileConsole;
  }
}
