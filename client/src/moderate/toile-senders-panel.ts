import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { live } from 'lit/directives/live.js';
import { api, ApiError, UNREACHABLE } from '../shared/api.js';
import { formStyles } from '../shared/form-styles.js';
import { relativeTime } from '../shared/format.js';
import type { SenderEntry, SenderKind, SenderRule } from '../shared/types.js';
import { panelStyles } from './panel-styles.js';

const KIND_LABELS: Record<SenderKind, string> = {
  phone: 'Phone number',
  email: 'Email address',
  account: 'Social account',
  client: 'Web form client',
};

const RULE_TEXT: Record<SenderRule, { heading: string; empty: string; effect: string }> = {
  trusted: {
    heading: 'Trusted senders',
    empty: 'No trusted sender: every message goes through the wall’s moderation.',
    effect: 'Their messages are approved at once, unless a blocked term or profanity holds them.',
  },
  blocked: {
    heading: 'Blocked senders',
    empty: 'No blocked sender.',
    effect: 'Their messages are kept off the wall silently; moderators still see them.',
  },
};

/**
 * A wall's sender lists (`/api/walls/:slug/senders`): the trusted senders, whose messages are approved
 * at once, and the blocked ones, held silently. Each entry shows who it is (the private address: this
 * panel is for moderators and admins only), who added it and when, and a Remove button, which is the
 * undo of a trust or a block. A form adds a sender by kind and address.
 *
 * Properties:
 * - `slug` (string): the wall.
 * - `csrfToken` (string | null): the session's CSRF token, sent with every change.
 *
 * Fires no events. Outcomes are announced politely; refusals are shown next to what they concern.
 */
export class ToileSendersPanel extends LitElement {
  static override properties = {
    slug: { type: String },
    csrfToken: { attribute: false },
    senders: { state: true },
    loadError: { state: true },
    kind: { state: true },
    address: { state: true },
    rule: { state: true },
    adding: { state: true },
    formError: { state: true },
    busy: { state: true },
    rowErrors: { state: true },
    announcement: { state: true },
  };

  static override styles = [
    formStyles,
    panelStyles,
    css`
      :host {
        padding: 0;
      }
      section + section {
        margin-top: 1.2em;
      }
    `,
  ];

  declare slug: string;
  declare csrfToken: string | null;
  declare senders: SenderEntry[] | null;
  declare loadError: string;
  declare kind: SenderKind;
  declare address: string;
  declare rule: SenderRule;
  declare adding: boolean;
  declare formError: string;
  /** Ids of entries whose removal is in flight. */
  declare busy: ReadonlySet<number>;
  declare rowErrors: ReadonlyMap<number, string>;
  declare announcement: string;

  constructor() {
    super();
    this.slug = '';
    this.csrfToken = null;
    this.senders = null;
    this.loadError = '';
    this.kind = 'phone';
    this.address = '';
    this.rule = 'blocked';
    this.adding = false;
    this.formError = '';
    this.busy = new Set();
    this.rowErrors = new Map();
    this.announcement = '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('slug')) return;
    this.senders = null;
    this.loadError = '';
    this.address = '';
    this.formError = '';
    this.rowErrors = new Map();
    this.announcement = '';
    if (this.slug !== '') void this.load();
  }

  override render() {
    return html`
      <h2>Trusted and blocked senders</h2>
      <p class="announcement" role="status">${this.announcement}</p>
      ${this.loadError ? html`<p class="error" role="alert">${this.loadError}</p>` : nothing}
      ${this.senders === null
        ? this.loadError
          ? nothing
          : html`<p class="muted">Loading the sender lists…</p>`
        : html`${this.renderList('trusted', this.senders)} ${this.renderList('blocked', this.senders)}`}
      <form class="row-form" @submit=${this.onSubmit} aria-label="Add a sender">
        <label
          >List
          <select @change=${(event: Event) => (this.rule = (event.target as HTMLSelectElement).value as SenderRule)}>
            <option value="blocked" ?selected=${this.rule === 'blocked'}>Block</option>
            <option value="trusted" ?selected=${this.rule === 'trusted'}>Trust</option>
          </select>
        </label>
        <label
          >Kind
          <select @change=${(event: Event) => (this.kind = (event.target as HTMLSelectElement).value as SenderKind)}>
            ${(Object.keys(KIND_LABELS) as SenderKind[]).map(
              (kind) => html`<option value=${kind} ?selected=${this.kind === kind}>${KIND_LABELS[kind]}</option>`,
            )}
          </select>
        </label>
        <label
          >Sender
          <input
            required
            autocomplete="off"
            placeholder=${this.kind === 'phone' ? '+33612345678' : this.kind === 'email' ? 'name@example.org' : ''}
            .value=${live(this.address)}
            @input=${(event: Event) => (this.address = (event.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" ?disabled=${this.adding}>${this.adding ? 'Adding…' : 'Add the sender'}</button>
      </form>
      ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : nothing}
    `;
  }

  private renderList(rule: SenderRule, senders: SenderEntry[]) {
    const entries = senders.filter((entry) => entry.rule === rule);
    const text = RULE_TEXT[rule];
    const now = Date.now();
    return html`<section aria-labelledby=${`${rule}-heading`}>
      <h3 id=${`${rule}-heading`}>${text.heading}</h3>
      <p class="hint">${text.effect}</p>
      ${entries.length === 0
        ? html`<p class="muted">${text.empty}</p>`
        : html`<table>
            <thead>
              <tr>
                <th scope="col">Sender</th>
                <th scope="col">Kind</th>
                <th scope="col">Added</th>
                <th scope="col"><span class="muted">Action</span></th>
              </tr>
            </thead>
            <tbody>
              ${entries.map(
                (entry) => html`<tr data-sender-id=${entry.id}>
                  <td>${entry.label ? html`${entry.label} <span class="muted">(${entry.address})</span>` : entry.address}</td>
                  <td>${KIND_LABELS[entry.kind] ?? entry.kind}</td>
                  <td>by ${entry.createdBy}, ${relativeTime(entry.createdAt, now)}</td>
                  <td>
                    <button ?disabled=${this.busy.has(entry.id)} @click=${() => void this.removeSender(entry)}>
                      ${this.busy.has(entry.id) ? 'Removing…' : 'Remove'}
                    </button>
                    ${this.rowErrors.has(entry.id) ? html`<p class="error" role="alert">${this.rowErrors.get(entry.id)}</p>` : nothing}
                  </td>
                </tr>`,
              )}
            </tbody>
          </table>`}
    </section>`;
  }

  private path(slug: string): string {
    return `/api/walls/${encodeURIComponent(slug)}/senders`;
  }

  private async load(): Promise<void> {
    const slug = this.slug;
    try {
      const { items } = await api<{ items: SenderEntry[] }>('GET', this.path(slug));
      if (slug === this.slug) {
        this.senders = items;
        this.loadError = '';
      }
    } catch (error) {
      if (slug === this.slug) this.loadError = `The sender lists could not be read: ${errorText(error)}`;
    }
  }

  private async onSubmit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.adding) return;
    const slug = this.slug;
    this.adding = true;
    this.formError = '';
    try {
      const entry = await api<SenderEntry>('POST', this.path(slug), { kind: this.kind, address: this.address.trim(), rule: this.rule }, this.csrfToken);
      if (slug !== this.slug) return;
      this.senders = [...(this.senders ?? []).filter((s) => s.id !== entry.id), entry];
      this.address = '';
      this.announcement = `${entry.rule === 'trusted' ? 'Trusted' : 'Blocked'} ${entry.label ?? entry.address}.`;
    } catch (error) {
      if (slug === this.slug) this.formError = errorText(error);
    } finally {
      this.adding = false;
    }
  }

  private async removeSender(entry: SenderEntry): Promise<void> {
    if (this.busy.has(entry.id)) return;
    const slug = this.slug;
    this.busy = new Set(this.busy).add(entry.id);
    const errors = new Map(this.rowErrors);
    errors.delete(entry.id);
    this.rowErrors = errors;
    try {
      await api('DELETE', `${this.path(slug)}/${entry.id}`, undefined, this.csrfToken);
      if (slug !== this.slug) return;
      this.senders = (this.senders ?? []).filter((s) => s.id !== entry.id);
      this.announcement = `Removed ${entry.label ?? entry.address} from the ${entry.rule} senders.`;
    } catch (error) {
      if (slug === this.slug) this.rowErrors = new Map(this.rowErrors).set(entry.id, errorText(error));
    } finally {
      const busy = new Set(this.busy);
      busy.delete(entry.id);
      this.busy = busy;
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof ApiError ? error.message : UNREACHABLE;
}

customElements.define('toile-senders-panel', ToileSendersPanel);

declare global {
  interface HTMLElementTagNameMap {
    'toile-senders-panel': ToileSendersPanel;
  }
}
