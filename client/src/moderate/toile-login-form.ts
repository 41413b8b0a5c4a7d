import { css, html, LitElement, nothing } from 'lit';
import { api } from '../shared/api.js';
import { errorText, s } from './strings.js';
import { formStyles } from '../shared/form-styles.js';
import type { User } from '../shared/types.js';

/** What a login (or `GET /api/auth/me`) answers: the user, and the token unsafe requests must carry. */
export interface Session {
  user: User;
  csrfToken: string | null;
}

/**
 * The console's login form: posts `{username, password}` to `/api/auth/login` and shows the server's
 * message when it refuses.
 *
 * Properties:
 * - `notice` (string): a line shown above the form, e.g. why the previous session ended.
 *
 * Events:
 * - `toile-login` (detail: `Session`), after the person submitted the form and the server accepted it.
 */
export class ToileLoginForm extends LitElement {
  static override properties = {
    notice: { type: String },
    error: { state: true },
    busy: { state: true },
  };

  static override styles = [formStyles, css`
    :host {
      display: block;
      padding: 12vh 1em 2em;
    }
    form {
      display: grid;
      gap: 1em;
      max-width: 22em;
      margin: 0 auto;
      padding: 2em;
      border-radius: var(--toile-radius, 0.75rem);
      background: var(--toile-surface, #161b26);
    }
    h1 {
      margin: 0;
      font-size: 1.5em;
    }
    p {
      margin: 0;
    }
    .brand {
      color: var(--toile-accent, #ffb020);
    }
    input {
      background: var(--toile-bg, #0b0e14);
    }
    .notice {
      color: var(--toile-muted, #aab2c5);
    }
  `];

  declare notice: string;
  declare error: string;
  declare busy: boolean;

  constructor() {
    super();
    this.notice = '';
    this.error = '';
    this.busy = false;
  }

  override render() {
    return html`
      <form @submit=${this.onSubmit}>
        <h1><span class="brand">Toile</span> ${s('login.moderation')}</h1>
        ${this.notice ? html`<p class="notice">${this.notice}</p>` : nothing}
        <label>${s('login.username')} <input name="username" autocomplete="username" required autofocus /></label>
        <label>${s('login.password')} <input name="password" type="password" autocomplete="current-password" required /></label>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <button type="submit" ?disabled=${this.busy}>${this.busy ? s('login.busy') : s('login.submit')}</button>
      </form>
    `;
  }

  private async onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    const data = new FormData(event.target as HTMLFormElement);
    this.busy = true;
    this.error = '';
    try {
      const session = await api<Session>('POST', '/api/auth/login', {
        username: String(data.get('username') ?? '').trim(),
        password: String(data.get('password') ?? ''),
      });
      this.dispatchEvent(new CustomEvent<Session>('toile-login', { detail: session, bubbles: true, composed: true }));
    } catch (error) {
      this.error = errorText(error);
    } finally {
      this.busy = false;
    }
  }
}

customElements.define('toile-login-form', ToileLoginForm);

declare global {
  interface HTMLElementTagNameMap {
    'toile-login-form': ToileLoginForm;
  }
}
