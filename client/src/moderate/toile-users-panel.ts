import { html, LitElement, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import { api } from '../shared/api.js';
import { formStyles } from '../shared/form-styles.js';
import type { AdminWall, User, UserAccount } from '../shared/types.js';
import { panelStyles } from './panel-styles.js';
import { errorText, relativeTimeIn, s } from './strings.js';

/** The roles a person's account may have; `ingest` is for API tokens (see the tokens panel). */
const PERSON_ROLES = ['moderator', 'admin'] as const;
type PersonRole = (typeof PERSON_ROLES)[number];

const roleLabel = (role: User['role']) => s(`users.role.${role}`);

/**
 * The accounts, for admins (`/api/users`): each with its role and age, a Delete that asks first in the
 * page (deleting logs the person out everywhere at once), and a form to add one with its role and a
 * first password to hand over. The signed-in admin's own account has no Delete; the server refuses to
 * delete the last admin anyway, and says so.
 *
 * Properties:
 * - `csrfToken` (string | null): the session's CSRF token.
 * - `username` (string): the signed-in person.
 *
 * Fires no events. Outcomes are announced politely; refusals are shown next to what they concern.
 */
export class ToileUsersPanel extends LitElement {
  static override properties = {
    csrfToken: { attribute: false },
    username: { type: String },
    users: { state: true },
    loadError: { state: true },
    newName: { state: true },
    newRole: { state: true },
    newPassword: { state: true },
    newWalls: { state: true },
    walls: { state: true },
    adding: { state: true },
    formError: { state: true },
    confirming: { state: true },
    busy: { state: true },
    rowError: { state: true },
    announcement: { state: true },
  };

  static override styles = [formStyles, panelStyles];

  declare csrfToken: string | null;
  declare username: string;
  declare users: UserAccount[] | null;
  declare loadError: string;
  declare newName: string;
  declare newRole: PersonRole;
  declare newPassword: string;
  /** The walls a new moderator is limited to; none ticked: every wall. */
  declare newWalls: string[];
  /** The walls to choose from, as `/api/walls` lists them. */
  declare walls: Pick<AdminWall, 'slug' | 'title'>[];
  declare adding: boolean;
  declare formError: string;
  /** The account whose deletion awaits its confirmation. */
  declare confirming: string | null;
  /** The account being deleted. */
  declare busy: string | null;
  declare rowError: { username: string; message: string } | null;
  declare announcement: string;

  constructor() {
    super();
    this.csrfToken = null;
    this.username = '';
    this.users = null;
    this.loadError = '';
    this.newName = '';
    this.newRole = 'moderator';
    this.newPassword = '';
    this.newWalls = [];
    this.walls = [];
    this.adding = false;
    this.formError = '';
    this.confirming = null;
    this.busy = null;
    this.rowError = null;
    this.announcement = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override render() {
    const now = Date.now();
    return html`
      <h2>${s('users.heading')}</h2>
      <p class="announcement" role="status">${this.announcement}</p>
      ${this.loadError ? html`<p class="error" role="alert">${this.loadError}</p>` : nothing}
      ${this.users === null
        ? nothing
        : html`<table aria-label=${s('users.heading')}>
            <thead>
              <tr>
                <th scope="col">${s('users.col.name')}</th>
                <th scope="col">${s('users.col.role')}</th>
                <th scope="col">${s('users.col.walls')}</th>
                <th scope="col">${s('users.col.created')}</th>
                <th scope="col"><span class="muted">${s('users.col.action')}</span></th>
              </tr>
            </thead>
            <tbody>
              ${this.users.map(
                (user) => html`<tr data-username=${user.username}>
                  <td>${user.username}${user.username === this.username ? html` <span class="muted">${s('queue.you')}</span>` : nothing}</td>
                  <td>${s(`users.roleName.${user.role}`)}</td>
                  <td>${user.role === 'moderator' && user.walls.length > 0 ? user.walls.join(', ') : html`<span class="muted">${s('users.allWalls')}</span>`}</td>
                  <td>${relativeTimeIn(user.createdAt, now)}</td>
                  <td>${this.renderActions(user)}</td>
                </tr>`,
              )}
            </tbody>
          </table>`}
      <h3>${s('users.add')}</h3>
      <form class="row-form" @submit=${this.onSubmit} aria-label=${s('users.add')}>
        <label
          >${s('users.name')}
          <input
            required
            autocomplete="off"
            aria-describedby="new-name-hint"
            .value=${live(this.newName)}
            @input=${(event: Event) => (this.newName = (event.target as HTMLInputElement).value)}
          />
        </label>
        <label
          >${s('users.role')}
          <select @change=${(event: Event) => (this.newRole = (event.target as HTMLSelectElement).value as PersonRole)}>
            ${PERSON_ROLES.map((role) => html`<option value=${role} ?selected=${this.newRole === role}>${roleLabel(role)}</option>`)}
          </select>
        </label>
        <label
          >${s('users.firstPassword')}
          <input
            type="password"
            required
            minlength="8"
            autocomplete="new-password"
            .value=${live(this.newPassword)}
            @input=${(event: Event) => (this.newPassword = (event.target as HTMLInputElement).value)}
          />
        </label>
        ${this.newRole === 'moderator' && this.walls.length > 1 ? this.renderWallPicker() : nothing}
        <button type="submit" ?disabled=${this.adding}>${this.adding ? s('senders.adding') : s('users.submit')}</button>
      </form>
      <p class="hint" id="new-name-hint">${s('users.nameHint')}</p>
      ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : nothing}
    `;
  }

  /** Checkboxes for the walls of a new moderator: none ticked means every wall, present and future. */
  private renderWallPicker() {
    return html`<fieldset aria-describedby="new-walls-hint">
      <legend>${s('users.walls')}</legend>
      ${this.walls.map(
        (wall) => html`<label
          ><input
            type="checkbox"
            .checked=${live(this.newWalls.includes(wall.slug))}
            @change=${(event: Event) => this.toggleWall(wall.slug, (event.target as HTMLInputElement).checked)}
          />
          ${wall.title} <span class="muted">(${wall.slug})</span></label
        >`,
      )}
      <p class="hint" id="new-walls-hint">${s('users.wallsHint')}</p>
    </fieldset>`;
  }

  private toggleWall(slug: string, checked: boolean): void {
    this.newWalls = checked ? [...this.newWalls.filter((w) => w !== slug), slug] : this.newWalls.filter((w) => w !== slug);
  }

  private renderActions(user: UserAccount) {
    const error = this.rowError?.username === user.username ? html`<p class="error" role="alert">${this.rowError.message}</p>` : nothing;
    if (user.username === this.username) return error;
    const busy = this.busy === user.username;
    if (this.confirming === user.username) {
      return html`<div role="group" aria-label=${s('users.confirmDelete', { who: user.username })}>
          <button class="danger" ?disabled=${busy} @click=${() => void this.deleteUser(user)}>${busy ? s('users.deleting') : s('users.yesDelete')}</button>
          <button ?disabled=${busy} @click=${() => (this.confirming = null)}>${s('users.keep')}</button>
        </div>
        ${error}`;
    }
    return html`<button aria-label=${s('users.deleteLabel', { who: user.username })} @click=${() => this.askToDelete(user.username)}>
        ${s('users.delete')}</button
      >${error}`;
  }

  private askToDelete(username: string): void {
    this.confirming = username;
    this.rowError = null;
  }

  private async load(): Promise<void> {
    try {
      const { items } = await api<{ items: UserAccount[] }>('GET', '/api/users');
      this.users = items;
      this.loadError = '';
      // The walls to pick from; without them, a new moderator simply gets every wall.
      this.walls = (await api<{ items: AdminWall[] }>('GET', '/api/walls')).items.map(({ slug, title }) => ({ slug, title }));
    } catch (error) {
      this.loadError = s('users.loadError', { reason: errorText(error) });
    }
  }

  private async onSubmit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.adding) return;
    this.adding = true;
    this.formError = '';
    try {
      const user = await api<UserAccount>(
        'POST',
        '/api/users',
        {
          username: this.newName.trim(),
          role: this.newRole,
          password: this.newPassword,
          ...(this.newRole === 'moderator' && this.newWalls.length > 0 ? { walls: this.newWalls } : {}),
        },
        this.csrfToken,
      );
      this.users = [...(this.users ?? []).filter((u) => u.username !== user.username), user];
      this.newName = '';
      this.newPassword = '';
      this.newWalls = [];
      this.announcement = s('users.added', { role: s(`users.roleName.${user.role}`), who: user.username });
    } catch (error) {
      this.formError = errorText(error);
    } finally {
      this.adding = false;
    }
  }

  private async deleteUser(user: UserAccount): Promise<void> {
    if (this.busy !== null) return;
    this.busy = user.username;
    this.rowError = null;
    try {
      await api('DELETE', `/api/users/${encodeURIComponent(user.username)}`, undefined, this.csrfToken);
      this.users = (this.users ?? []).filter((u) => u.username !== user.username);
      this.confirming = null;
      this.announcement = s('users.deleted', { who: user.username });
    } catch (error) {
      this.rowError = { username: user.username, message: errorText(error) };
    } finally {
      this.busy = null;
    }
  }
}

customElements.define('toile-users-panel', ToileUsersPanel);

declare global {
  interface HTMLElementTagNameMap {
    'toile-users-panel': ToileUsersPanel;
  }
}
