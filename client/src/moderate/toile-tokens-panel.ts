import { css, html, LitElement, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import { api } from '../shared/api.js';
import { formStyles } from '../shared/form-styles.js';
import type { ApiTokenInfo, User } from '../shared/types.js';
import { panelStyles } from './panel-styles.js';
import { errorText, relativeTimeIn, s } from './strings.js';

const TOKEN_ROLES: readonly User['role'][] = ['ingest', 'moderator', 'admin'];

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
      <h2>${s('tokens.heading')}</h2>
      <p class="announcement" role="status">${this.announcement}</p>
      ${this.created
        ? html`<div class="secret">
            <p>${s('tokens.copyNow', { name: this.created.name })}</p>
            <div>
              <label
                ><span class="hint">${s('tokens.token')}</span>
                <input readonly .value=${this.created.token} @focus=${(event: Event) => (event.target as HTMLInputElement).select()} />
              </label>
              <button class="secondary" @click=${() => void this.copy()}>${s('share.copyShort')}</button>
            </div>
          </div>`
        : nothing}
      ${this.loadError ? html`<p class="error" role="alert">${this.loadError}</p>` : nothing}
      ${this.tokens === null
        ? nothing
        : this.tokens.length === 0
          ? html`<p class="muted">${s('tokens.none')}</p>`
          : html`<table aria-label=${s('tokens.heading')}>
              <thead>
                <tr>
                  <th scope="col">${s('users.col.name')}</th>
                  <th scope="col">${s('users.col.role')}</th>
                  <th scope="col">${s('users.col.created')}</th>
                  <th scope="col">${s('sessions.col.lastUsed')}</th>
                  <th scope="col">${s('tokens.col.actions')}</th>
                </tr>
              </thead>
              <tbody>
                ${this.tokens.map(
                  (token) => html`<tr>
                    <td>${token.name}</td>
                    <td>${s(`users.roleName.${token.role}`)}</td>
                    <td>${s('senders.added', { by: token.createdBy, when: relativeTimeIn(token.createdAt, now) })}</td>
                    <td>${token.lastUsedAt ? relativeTimeIn(token.lastUsedAt, now) : s('tokens.never')}</td>
                    <td>
                      ${this.confirming === token.id
                        ? html`<button class="danger" ?disabled=${this.revoking === token.id} @click=${() => void this.revoke(token)}>
                              ${s('tokens.yesRevoke', { name: token.name })}
                            </button>
                            <button class="secondary" @click=${() => (this.confirming = null)}>${s('users.keep')}</button>`
                        : html`<button class="secondary" @click=${() => (this.confirming = token.id)}>${s('tokens.revoke')}</button>`}
                    </td>
                  </tr>`,
                )}
              </tbody>
            </table>`}
      <h3>${s('tokens.create')}</h3>
      <form class="row-form" @submit=${this.onSubmit} aria-label=${s('tokens.create')}>
        <label
          >${s('tokens.name')}
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
          >${s('tokens.role')}
          <select @change=${(event: Event) => (this.tokenRole = (event.target as HTMLSelectElement).value as User['role'])}>
            ${TOKEN_ROLES.map((role) => html`<option value=${role} ?selected=${this.tokenRole === role}>${s(`tokens.roleLabel.${role}`)}</option>`)}
          </select>
        </label>
        <button type="submit" ?disabled=${this.creating}>${this.creating ? s('tokens.creating') : s('tokens.submit')}</button>
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
      this.loadError = s('tokens.loadError', { reason: errorText(error) });
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
      this.announcement = s('tokens.created', { role: s(`users.roleName.${this.created.role}`), name: this.created.name });
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
      this.announcement = s('tokens.revoked', { name: token.name });
      this.confirming = null;
      await this.load();
    } catch (error) {
      this.formError = s('tokens.revokeFailed', { name: token.name, reason: errorText(error) });
    } finally {
      this.revoking = null;
    }
  }

  private async copy(): Promise<void> {
    if (this.created === null) return;
    try {
      await navigator.clipboard.writeText(this.created.token);
      this.announcement = s('tokens.copied');
    } catch {
      // The clipboard API needs a secure context and a permission: selecting leaves Ctrl+C to the person.
      this.renderRoot.querySelector<HTMLInputElement>('.secret input')?.select();
      this.announcement = s('tokens.selected');
    }
  }
}

customElements.define('toile-tokens-panel', ToileTokensPanel);

declare global {
  interface HTMLElementTagNameMap {
    'toile-tokens-panel': ToileTokensPanel;
  }
}
