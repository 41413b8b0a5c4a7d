import { css, html, LitElement, nothing } from 'lit';
import type { User } from '../shared/types.js';
import type { ToileSessionsPanel } from './toile-sessions-panel.js';
import './toile-password-form.js';
import './toile-sessions-panel.js';
import './toile-tokens-panel.js';
import './toile-users-panel.js';

/**
 * The console's account view. Admins get the accounts (add, delete), the API tokens (create, shown
 * once), their own password, and everyone's sessions (revoke). A moderator gets only their own password
 * and their own sessions: the API refuses them the rest.
 *
 * Properties:
 * - `user` (User | null): the signed-in person.
 * - `csrfToken` (string | null): the session's CSRF token, handed to every form.
 *
 * Fires no events of its own (a `toile-password-changed` from the password form refreshes the sessions).
 */
export class ToileAccountsPanel extends LitElement {
  static override properties = {
    user: { attribute: false },
    csrfToken: { attribute: false },
  };

  static override styles = css`
    :host {
      display: grid;
      gap: 1.5em;
    }
    :host > * {
      margin: 0;
    }
  `;

  declare user: User | null;
  declare csrfToken: string | null;

  constructor() {
    super();
    this.user = null;
    this.csrfToken = null;
  }

  override render() {
    if (this.user === null) return nothing;
    const admin = this.user.role === 'admin';
    return html`
      ${admin
        ? html`<toile-users-panel .csrfToken=${this.csrfToken} .username=${this.user.username}></toile-users-panel>
            <toile-tokens-panel .csrfToken=${this.csrfToken}></toile-tokens-panel>`
        : nothing}
      <toile-password-form
        .csrfToken=${this.csrfToken}
        @toile-password-changed=${() => void this.renderRoot.querySelector<ToileSessionsPanel>('toile-sessions-panel')?.refresh()}
      ></toile-password-form>
      <toile-sessions-panel .csrfToken=${this.csrfToken} ?everyone=${admin}></toile-sessions-panel>
    `;
  }
}

customElements.define('toile-accounts-panel', ToileAccountsPanel);

declare global {
  interface HTMLElementTagNameMap {
    'toile-accounts-panel': ToileAccountsPanel;
  }
}
