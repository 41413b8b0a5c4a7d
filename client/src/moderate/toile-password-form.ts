import { css, html, LitElement, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import { api } from '../shared/api.js';
import { formStyles } from '../shared/form-styles.js';
import { panelStyles } from './panel-styles.js';
import { errorText, s } from './strings.js';

/**
 * Changes the signed-in person's own password (`POST /api/auth/password`): the current one, the new one
 * twice (a typo in a password nobody can see would lock the person out). The server ends the person's
 * other sessions, so that a leaked password stops working everywhere at once; this one stays open.
 *
 * Properties:
 * - `csrfToken` (string | null): the session's CSRF token.
 *
 * Events:
 * - `toile-password-changed` (no detail, bubbles and composed), after the server accepted the change:
 *   the sessions list is stale.
 */
export class ToilePasswordForm extends LitElement {
  static override properties = {
    csrfToken: { attribute: false },
    currentPassword: { state: true },
    newPassword: { state: true },
    repeated: { state: true },
    saving: { state: true },
    error: { state: true },
    announcement: { state: true },
  };

  static override styles = [
    formStyles,
    panelStyles,
    css`
      form {
        display: grid;
        gap: 0.9em;
        max-width: 24em;
      }
      form > button {
        justify-self: start;
        padding: 0.6em 1.4em;
      }
    `,
  ];

  declare csrfToken: string | null;
  declare currentPassword: string;
  declare newPassword: string;
  declare repeated: string;
  declare saving: boolean;
  declare error: string;
  declare announcement: string;

  constructor() {
    super();
    this.csrfToken = null;
    this.currentPassword = '';
    this.newPassword = '';
    this.repeated = '';
    this.saving = false;
    this.error = '';
    this.announcement = '';
  }

  override render() {
    return html`
      <h2>${s('password.heading')}</h2>
      <p class="announcement" role="status">${this.announcement}</p>
      <form @submit=${this.onSubmit}>
        <label
          >${s('password.current')}
          <input
            type="password"
            required
            autocomplete="current-password"
            .value=${live(this.currentPassword)}
            @input=${(event: Event) => (this.currentPassword = (event.target as HTMLInputElement).value)}
          />
        </label>
        <label
          >${s('password.new')}
          <input
            type="password"
            required
            minlength="8"
            autocomplete="new-password"
            aria-describedby="new-password-hint"
            .value=${live(this.newPassword)}
            @input=${(event: Event) => (this.newPassword = (event.target as HTMLInputElement).value)}
          />
        </label>
        <p class="hint" id="new-password-hint">${s('password.hint')}</p>
        <label
          >${s('password.again')}
          <input
            type="password"
            required
            autocomplete="new-password"
            .value=${live(this.repeated)}
            @input=${(event: Event) => (this.repeated = (event.target as HTMLInputElement).value)}
          />
        </label>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <button type="submit" ?disabled=${this.saving}>${this.saving ? s('password.changing') : s('password.change')}</button>
      </form>
    `;
  }

  private async onSubmit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.saving) return;
    this.announcement = '';
    if (this.newPassword !== this.repeated) {
      this.error = s('password.differ');
      return;
    }
    this.saving = true;
    this.error = '';
    try {
      await api('POST', '/api/auth/password', { currentPassword: this.currentPassword, newPassword: this.newPassword }, this.csrfToken);
      this.currentPassword = '';
      this.newPassword = '';
      this.repeated = '';
      this.announcement = s('password.changed');
      this.dispatchEvent(new CustomEvent('toile-password-changed', { bubbles: true, composed: true }));
    } catch (error) {
      this.error = errorText(error);
    } finally {
      this.saving = false;
    }
  }
}

customElements.define('toile-password-form', ToilePasswordForm);

declare global {
  interface HTMLElementTagNameMap {
    'toile-password-form': ToilePasswordForm;
  }
}
