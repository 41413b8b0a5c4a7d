import { html, LitElement, nothing } from 'lit';
import { api } from '../shared/api.js';
import { formStyles } from '../shared/form-styles.js';
import type { SessionInfo } from '../shared/types.js';
import { panelStyles } from './panel-styles.js';
import { errorText, relativeTimeIn, s } from './strings.js';

/**
 * The login sessions (`GET /api/sessions`): a moderator sees their own, an admin everyone's. Each shows
 * whose it is, when it started and was last used, and a Revoke button (`DELETE /api/sessions/:id`),
 * which logs that browser out and closes its sockets. The session this page runs in is marked and has
 * no Revoke: "Log out" in the header ends it.
 *
 * Properties:
 * - `csrfToken` (string | null): the session's CSRF token.
 * - `everyone` (boolean): whether the list holds other people's sessions (admins), which adds a column.
 *
 * Public method `refresh()` reads the list again (after a password change ended the other sessions).
 * Fires no events.
 */
export class ToileSessionsPanel extends LitElement {
  static override properties = {
    csrfToken: { attribute: false },
    everyone: { type: Boolean },
    sessions: { state: true },
    loadError: { state: true },
    busy: { state: true },
    rowErrors: { state: true },
    announcement: { state: true },
  };

  static override styles = [formStyles, panelStyles];

  declare csrfToken: string | null;
  declare everyone: boolean;
  declare sessions: SessionInfo[] | null;
  declare loadError: string;
  declare busy: ReadonlySet<string>;
  declare rowErrors: ReadonlyMap<string, string>;
  declare announcement: string;

  constructor() {
    super();
    this.csrfToken = null;
    this.everyone = false;
    this.sessions = null;
    this.loadError = '';
    this.busy = new Set();
    this.rowErrors = new Map();
    this.announcement = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
  }

  override render() {
    const now = Date.now();
    return html`
      <h2>${this.everyone ? s('sessions.heading') : s('sessions.yours')}</h2>
      <p class="announcement" role="status">${this.announcement}</p>
      ${this.loadError ? html`<p class="error" role="alert">${this.loadError}</p>` : nothing}
      ${this.sessions === null
        ? this.loadError
          ? nothing
          : html`<p class="muted">${s('sessions.loading')}</p>`
        : html`<table>
            <thead>
              <tr>
                ${this.everyone ? html`<th scope="col">${s('sessions.col.who')}</th>` : nothing}
                <th scope="col">${s('sessions.col.started')}</th>
                <th scope="col">${s('sessions.col.lastUsed')}</th>
                <th scope="col"><span class="muted">${s('sessions.col.action')}</span></th>
              </tr>
            </thead>
            <tbody>
              ${this.sessions.map((session) => {
                const id = String(session.id);
                return html`<tr>
                  ${this.everyone ? html`<td>${session.username}</td>` : nothing}
                  <td>${relativeTimeIn(session.createdAt, now)}</td>
                  <td>${session.lastSeenAt ? relativeTimeIn(session.lastSeenAt, now) : '—'}</td>
                  <td>
                    ${session.current
                      ? html`<span class="muted">${s('sessions.this')}</span>`
                      : html`<button
                          ?disabled=${this.busy.has(id)}
                          aria-label=${s('sessions.revokeLabel', { who: session.username, when: relativeTimeIn(session.createdAt, now) })}
                          @click=${() => void this.revoke(session)}
                        >
                          ${this.busy.has(id) ? s('sessions.revoking') : s('sessions.revoke')}
                        </button>`}
                    ${this.rowErrors.has(id) ? html`<p class="error" role="alert">${this.rowErrors.get(id)}</p>` : nothing}
                  </td>
                </tr>`;
              })}
            </tbody>
          </table>`}
    `;
  }

  async refresh(): Promise<void> {
    try {
      const { items } = await api<{ items: SessionInfo[] }>('GET', '/api/sessions');
      this.sessions = items;
      this.loadError = '';
    } catch (error) {
      this.loadError = s('sessions.loadError', { reason: errorText(error) });
    }
  }

  private async revoke(session: SessionInfo): Promise<void> {
    const id = String(session.id);
    if (this.busy.has(id)) return;
    this.busy = new Set(this.busy).add(id);
    const errors = new Map(this.rowErrors);
    errors.delete(id);
    this.rowErrors = errors;
    try {
      await api('DELETE', `/api/sessions/${encodeURIComponent(id)}`, undefined, this.csrfToken);
      this.sessions = (this.sessions ?? []).filter((entry) => String(entry.id) !== id);
      this.announcement = s('sessions.revoked', { who: session.username });
    } catch (error) {
      this.rowErrors = new Map(this.rowErrors).set(id, errorText(error));
    } finally {
      const busy = new Set(this.busy);
      busy.delete(id);
      this.busy = busy;
    }
  }
}

customElements.define('toile-sessions-panel', ToileSessionsPanel);

declare global {
  interface HTMLElementTagNameMap {
    'toile-sessions-panel': ToileSessionsPanel;
  }
}
