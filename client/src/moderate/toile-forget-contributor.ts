import { html, LitElement, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import { api } from '../shared/api.js';
import { formStyles } from '../shared/form-styles.js';
import { panelStyles } from './panel-styles.js';
import { errorText, s } from './strings.js';

/** What `POST /api/contributors/forget` answers. */
interface Removed {
  removed: { contributors: number; messages: number; pictures: number; walls: string[] };
}

/**
 * Forgetting a contributor, for admins (`POST /api/contributors/forget`): an address typed in (a phone
 * number, an email address, an account), then a confirmation naming what will go, then the outcome in counts.
 * Their messages leave every wall and every screen at once, and nothing of them can be restored.
 *
 * Properties:
 * - `csrfToken` (string | null): the session's CSRF token.
 *
 * Fires no events. The outcome is announced politely; a refusal is shown as an alert.
 */
export class ToileForgetContributor extends LitElement {
  static override properties = {
    csrfToken: { attribute: false },
    address: { state: true },
    confirming: { state: true },
    working: { state: true },
    error: { state: true },
    announcement: { state: true },
  };

  static override styles = [formStyles, panelStyles];

  declare csrfToken: string | null;
  declare address: string;
  /** The address the admin is asked to confirm, or null before they asked. */
  declare confirming: string | null;
  declare working: boolean;
  declare error: string;
  declare announcement: string;

  constructor() {
    super();
    this.csrfToken = null;
    this.address = '';
    this.confirming = null;
    this.working = false;
    this.error = '';
    this.announcement = '';
  }

  override render() {
    return html`<section aria-labelledby="forget-heading">
      <h3 id="forget-heading">${s('forget.heading')}</h3>
      <p class="hint">${s('forget.effect')}</p>
      <p class="announcement" role="status">${this.announcement}</p>
      ${this.confirming === null
        ? html`<form class="row-form" aria-label=${s('forget.heading')} @submit=${this.onAsk}>
            <label
              >${s('forget.address')}
              <input
                name="address"
                required
                maxlength="320"
                autocomplete="off"
                placeholder="+33612345678, name@example.org"
                .value=${live(this.address)}
                @input=${(event: Event) => (this.address = (event.target as HTMLInputElement).value)}
              />
            </label>
            <button type="submit">${s('forget.ask')}</button>
          </form>`
        : html`<div class="row-form" role="group" aria-label=${s('forget.confirmLabel')}>
            <p class="confirm">${s('forget.confirm', { address: this.confirming })}</p>
            <button class="danger" ?disabled=${this.working} @click=${() => void this.forget()}>
              ${this.working ? s('forget.working') : s('forget.do')}
            </button>
            <button class="secondary" ?disabled=${this.working} @click=${() => (this.confirming = null)}>${s('common.cancel')}</button>
          </div>`}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
    </section>`;
  }

  private onAsk(event: Event): void {
    event.preventDefault();
    const address = this.address.trim();
    if (address === '') return;
    this.error = '';
    this.announcement = '';
    this.confirming = address;
  }

  private async forget(): Promise<void> {
    const address = this.confirming;
    if (address === null || this.working) return;
    this.working = true;
    this.error = '';
    try {
      const { removed } = await api<Removed>('POST', '/api/contributors/forget', { address }, this.csrfToken);
      this.announcement =
        removed.contributors + removed.messages === 0
          ? s('forget.nothing')
          : s('forget.done', { messages: removed.messages, walls: removed.walls.length, pictures: removed.pictures });
      this.address = '';
      this.confirming = null;
    } catch (error) {
      this.error = errorText(error);
    } finally {
      this.working = false;
    }
  }
}

customElements.define('toile-forget-contributor', ToileForgetContributor);

declare global {
  interface HTMLElementTagNameMap {
    'toile-forget-contributor': ToileForgetContributor;
  }
}
