import { css, html, LitElement, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import { api, ApiError, UNREACHABLE } from '../shared/api.js';
import { formStyles } from '../shared/form-styles.js';
import { relativeTime } from '../shared/format.js';
import type { ApiTokenInfo, User } from '../shared/types.js';
import { panelStyles } from './panel-styles.js';

const ROLE_LABELS: Record<User['role'], string> = {
  ingest: 'Ingest: posts messages through the API (bridges, scripts)',
  moderator: 'Moderator: moderates through the API',
  admin: 'Admin: everything',
};

/** What `POST /api/tokens` answers: the secret, this once. */
interface CreatedToken {
  id: number;
  name: string;
  role: User['role'];
  token: string;
}

/**
 * The API tokens, for admins (`/api/tokens`): each with its role, who created it, when, and when it was
 * last used; a form to create one. A new token's secret is shown once, in a read-only field with a Copy
 * button, until the panel is left: the server keeps only its hash and can never show it again.
 *
 * Properties:
 * - `csrfToken` (string | null): the session's CSRF token.
 *
 * Fires no events. Outcomes are announced politely; refusals are shown next to the form.
 */
export class ToileTokensPanel extends LitElement {
  static override properties = {
    csrfToken: { attribute: false },
    tokens: { state: true },
    loadError: { state: true },
    name: { state: true },
    tokenRole: { state: true },
    creating: { state: true },
    formError: { state: true },
    created: { state: true },
    announcement: { state: true },
    confirming: { state: true },
    revoking: { state: true },
  };

  static override styles = [
    formStyles,
    panelStyles,
    css`
      .secret {
        display: grid;
        gap: 0.6em;
        margin: 1em 0;
        padding: 0.8em 1em;
        border-radius: 0.55em;
        background: var(--toile-success-bg, #163d29);
      }
      .secret div {
        display: flex;
        gap: 0.6em;
      }
      .secret input {
        font-family: var(--toile-mono, monospace);
      }
      .secret button {
        padding: 0.4em 1em;
      }
    `,
  ];

  declare csrfToken: string | null;
  declare tokens: ApiTokenInfo[] | null;
  declare loadError: string;
  declare name: string;
  declare tokenRole: User['role'];
  declare creating: boolean;
  declare formError: string;
  /** The token just created, with its secret, shown until the panel is left. */
  declare created: CreatedToken | null;
  declare announcement: string;
  /** The token whose revocation waits for a second click, so that a bridge is not cut off by a slip. */
  declare confirming: number | null;
  declare revoking: number | null;

  constructor() {
    super();
    this.csrfToken = null;
    this.tokens = null;
    this.loadError = '';
    this.name = '';
    this.tokenRole = 'ingest';
    this.creating = false;
    this.formError = '';
    this.created = null;
    this.announcement = '';
    this.confirming = null;
    this.revoking = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // A secret left on a screen is a secret shown to whoever passes by next.
    this.created = null;
  }

  override render() {
    const now = Date.now();
    return html`
      <h2>API tokens</h2>
      <p class="announcement" role="status">${this.announcement}</p>
      ${this.created
        ? html`<div class="secret">
            <p>Copy the token “${this.created.name}” now: it is shown only this once.</p>
            <div>
              <label
                ><span class="hint">Token</span>
                <input readonly .value=${this.created.token} @focus=${(event: Event) => (event.target as HTMLInputElement).select()} />
              </label>
              <button class="secondary" @click=${() => void this.copy()}>Copy</button>
            </div>
          </div>`
        : nothing}
      ${this.loadError ? html`<p class="error" role="alert">${this.loadError}</p>` : nothing}
      ${this.tokens === null
        ? nothing
        : this.tokens.length === 0
          ? html`<p class="muted">No API token yet.</p>`
          : html`<table aria-label="API tokens">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                ${this.tokens.map(
                  (token) => html`<tr>
                    <td>${token.name}</td>
                    <td>${token.role}</td>
                    <td>by ${token.createdBy}, ${relativeTime(token.createdAt, now)}</td>
                    <td>${token.lastUsedAt ? relativeTime(token.lastUsedAt, now) : 'never'}</td>
                    <td>
                      ${this.confirming === token.id
                        ? html`<button class="danger" ?disabled=${this.revoking === token.id} @click=${() => void this.revoke(token)}>
                              Yes, revoke ${token.name}
                            </button>
                            <button class="secondary" @click=${() => (this.confirming = null)}>Keep it</button>`
                        : html`<button class="secondary" @click=${() => (this.confirming = token.id)}>Revoke</button>`}
                    </td>
                  </tr>`,
                )}
              </tbody>
            </table>`}
      <h3>Create a token</h3>
      <form class="row-form" @submit=${this.onSubmit} aria-label="Create a token">
        <label
          >Token name
          <input
            required
            maxlength="64"
            autocomplete="off"
            placeholder="sms-bridge"
            .value=${live(this.name)}
            @input=${(event: Event) => (this.name = (event.target as HTMLInputElement).value)}
          />
        </label>
        <label
          >Token role
          <select @change=${(event: Event) => (this.tokenRole = (event.target as HTMLSelectElement).value as User['role'])}>
            ${(Object.keys(ROLE_LABELS) as User['role'][]).map(
              (role) => html`<option value=${role} ?selected=${this.tokenRole === role}>${ROLE_LABELS[role]}</option>`,
            )}
          </select>
        </label>
        <button type="submit" ?disabled=${this.creating}>${this.creating ? 'Creating…' : 'Create the token'}</button>
      </form>
      ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : nothing}
    `;
  }

  private async load(): Promise<void> {
    try {
      const { items } = await api<{ items: ApiTokenInfo[] }>('GET', '/api/tokens');
      this.tokens = items;
      this.loadError = '';
    } catch (error) {
      this.loadError = `The tokens could not be read: ${errorText(error)}`;
    }
  }

  private async onSubmit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.creating) return;
    this.creating = true;
    this.formError = '';
    try {
      this.created = await api<CreatedToken>('POST', '/api/tokens', { name: this.name.trim(), role: this.tokenRole }, this.csrfToken);
      this.name = '';
      this.announcement = `Created the ${this.created.role} token ${this.created.name}.`;
      await this.load();
    } catch (error) {
      this.formError = errorText(error);
    } finally {
      this.creating = false;
    }
  }

  private async revoke(token: ApiTokenInfo): Promise<void> {
    this.revoking = token.id;
    this.formError = '';
    try {
      await api('DELETE', `/api/tokens/${token.id}`, undefined, this.csrfToken);
      this.announcement = `Revoked the token ${token.name}: anything using it is refused from now on.`;
      this.confirming = null;
      await this.load();
    } catch (error) {
      this.formError = `The token ${token.name} could not be revoked: ${errorText(error)}`;
    } finally {
      this.revoking = null;
    }
  }

  private async copy(): Promise<void> {
    if (this.created === null) return;
    try {
      await navigator.clipboard.writeText(this.created.token);
      this.announcement = 'The token is copied.';
    } catch {
      // The clipboard API needs a secure context and a permission: selecting leaves Ctrl+C to the person.
      this.renderRoot.querySelector<HTMLInputElement>('.secret input')?.select();
      this.announcement = 'The token could not be copied automatically: it is selected, press Ctrl+C (⌘C).';
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof ApiError ? error.message : UNREACHABLE;
}

customElements.define('toile-tokens-panel', ToileTokensPanel);

declare global {
  interface HTMLElementTagNameMap {
    'toile-tokens-panel': ToileTokensPanel;
  }
}
