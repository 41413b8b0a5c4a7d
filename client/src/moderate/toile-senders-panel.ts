import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { live } from 'lit/directives/live.js';
import { api } from '../shared/api.js';
import { formStyles } from '../shared/form-styles.js';
import type { SenderBadge, SenderEntry, SenderKind, SenderRule } from '../shared/types.js';
import { panelStyles } from './panel-styles.js';
import { errorText, relativeTimeIn, s } from './strings.js';
import './toile-forget-contributor.js';

const KINDS: readonly SenderKind[] = ['phone', 'email', 'account', 'client'];
const BADGES: readonly (SenderBadge | 'none')[] = ['none', 'speaker', 'organiser'];

const RULE_TEXT = {
  trusted: { heading: 'senders.trusted', empty: 'senders.trustedEmpty', effect: 'senders.trustedEffect' },
  blocked: { heading: 'senders.blocked', empty: 'senders.blockedEmpty', effect: 'senders.blockedEffect' },
} as const;

const kindLabel = (kind: string) => (KINDS as readonly string[]).includes(kind) ? s(`kind.${kind as SenderKind}`) : kind;
const badgeLabel = (badge: SenderBadge | 'none') => s(`badge.${badge}`);

/**
 * A wall's sender lists (`/api/walls/:slug/senders`): the trusted senders, whose messages are approved
 * at once, and the blocked ones, held silently. Each entry shows who it is (the private address: this
 * panel is for moderators and admins only), who added it and when, and a Remove button, which is the
 * undo of a trust or a block. A trusted sender also carries a public badge (none, speaker, organiser),
 * chosen when adding them and changed afterwards right in their row (`PATCH …/senders/:id`); the wall
 * shows it on their messages, the ones already there included. A form adds a sender by kind and address.
 * Below, an admin can forget a contributor altogether (`toile-forget-contributor`; this panel is in the
 * admins' settings).
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
    badge: { state: true },
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
      td select {
        padding: 0.3em 0.5em;
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
  /** The badge a sender being trusted gets. */
  declare badge: SenderBadge | 'none';
  declare adding: boolean;
  declare formError: string;
  /** Ids of entries whose removal or badge change is in flight. */
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
    this.badge = 'none';
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
      <h2>${s('senders.heading')}</h2>
      <p class="announcement" role="status">${this.announcement}</p>
      ${this.loadError ? html`<p class="error" role="alert">${this.loadError}</p>` : nothing}
      ${this.senders === null
        ? this.loadError
          ? nothing
          : html`<p class="muted">${s('senders.loading')}</p>`
        : html`${this.renderList('trusted', this.senders)} ${this.renderList('blocked', this.senders)}`}
      <form class="row-form" @submit=${this.onSubmit} aria-label=${s('senders.addForm')}>
        <label
          >${s('senders.list')}
          <select @change=${(event: Event) => (this.rule = (event.target as HTMLSelectElement).value as SenderRule)}>
            <option value="blocked" ?selected=${this.rule === 'blocked'}>${s('senders.block')}</option>
            <option value="trusted" ?selected=${this.rule === 'trusted'}>${s('senders.trust')}</option>
          </select>
        </label>
        <label
          >${s('senders.kind')}
          <select @change=${(event: Event) => (this.kind = (event.target as HTMLSelectElement).value as SenderKind)}>
            ${KINDS.map((kind) => html`<option value=${kind} ?selected=${this.kind === kind}>${kindLabel(kind)}</option>`)}
          </select>
        </label>
        <label
          >${s('senders.sender')}
          <input
            required
            autocomplete="off"
            placeholder=${this.kind === 'phone' ? '+33612345678' : this.kind === 'email' ? 'name@example.org' : ''}
            .value=${live(this.address)}
            @input=${(event: Event) => (this.address = (event.target as HTMLInputElement).value)}
          />
        </label>
        ${this.rule === 'trusted'
          ? html`<label
              >${s('senders.badge')}
              <select @change=${(event: Event) => (this.badge = (event.target as HTMLSelectElement).value as SenderBadge | 'none')}>
                ${BADGES.map((badge) => html`<option value=${badge} ?selected=${this.badge === badge}>${badgeLabel(badge)}</option>`)}
              </select>
            </label>`
          : nothing}
        <button type="submit" ?disabled=${this.adding}>${this.adding ? s('senders.adding') : s('senders.add')}</button>
      </form>
      ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : nothing}
      <toile-forget-contributor .csrfToken=${this.csrfToken}></toile-forget-contributor>
    `;
  }

  private renderList(rule: SenderRule, senders: SenderEntry[]) {
    const entries = senders.filter((entry) => entry.rule === rule);
    const text = RULE_TEXT[rule];
    const now = Date.now();
    const trusted = rule === 'trusted';
    return html`<section aria-labelledby=${`${rule}-heading`}>
      <h3 id=${`${rule}-heading`}>${s(text.heading)}</h3>
      <p class="hint">${s(text.effect)}</p>
      ${entries.length === 0
        ? html`<p class="muted">${s(text.empty)}</p>`
        : html`<table>
            <thead>
              <tr>
                <th scope="col">${s('senders.col.sender')}</th>
                <th scope="col">${s('senders.col.kind')}</th>
                ${trusted ? html`<th scope="col">${s('senders.col.badge')}</th>` : nothing}
                <th scope="col">${s('senders.col.added')}</th>
                <th scope="col"><span class="muted">${s('senders.col.action')}</span></th>
              </tr>
            </thead>
            <tbody>
              ${entries.map(
                (entry) => html`<tr data-sender-id=${entry.id}>
                  <td>${entry.label ? html`${entry.label} <span class="muted">(${entry.address})</span>` : entry.address}</td>
                  <td>${kindLabel(entry.kind)}</td>
                  ${trusted
                    ? html`<td>
                        <select
                          aria-label=${s('senders.badgeOf', { who: entry.label ?? entry.address })}
                          ?disabled=${this.busy.has(entry.id)}
                          @change=${(event: Event) =>
                            void this.setBadge(entry, (event.target as HTMLSelectElement).value as SenderBadge | 'none')}
                        >
                          ${BADGES.map(
                            (badge) => html`<option value=${badge} ?selected=${(entry.badge ?? 'none') === badge}>${badgeLabel(badge)}</option>`,
                          )}
                        </select>
                      </td>`
                    : nothing}
                  <td>${s('senders.added', { by: entry.createdBy, when: relativeTimeIn(entry.createdAt, now) })}</td>
                  <td>
                    <button ?disabled=${this.busy.has(entry.id)} @click=${() => void this.removeSender(entry)}>
                      ${this.busy.has(entry.id) ? s('senders.removing') : s('senders.remove')}
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
      if (slug === this.slug) this.loadError = s('senders.loadError', { reason: errorText(error) });
    }
  }

  private async onSubmit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.adding) return;
    const slug = this.slug;
    this.adding = true;
    this.formError = '';
    const body: Record<string, unknown> = { kind: this.kind, address: this.address.trim(), rule: this.rule };
    // Only a trusted sender has a badge; "none" is left out rather than sent, for servers without badges.
    if (this.rule === 'trusted' && this.badge !== 'none') body.badge = this.badge;
    try {
      const entry = await api<SenderEntry>('POST', this.path(slug), body, this.csrfToken);
      if (slug !== this.slug) return;
      this.senders = [...(this.senders ?? []).filter((existing) => existing.id !== entry.id), entry];
      this.address = '';
      this.badge = 'none';
      const who = entry.label ?? entry.address;
      this.announcement = entry.rule === 'trusted' ? s('senders.didTrust', { who }) : s('senders.didBlock', { who });
    } catch (error) {
      if (slug === this.slug) this.formError = errorText(error);
    } finally {
      this.adding = false;
    }
  }

  /** Marks the row busy and clears its last error while `work` runs. */
  private async inRow(entry: SenderEntry, work: () => Promise<void>): Promise<void> {
    if (this.busy.has(entry.id)) return;
    const slug = this.slug;
    this.busy = new Set(this.busy).add(entry.id);
    const errors = new Map(this.rowErrors);
    errors.delete(entry.id);
    this.rowErrors = errors;
    try {
      await work();
    } catch (error) {
      if (slug === this.slug) this.rowErrors = new Map(this.rowErrors).set(entry.id, errorText(error));
    } finally {
      const busy = new Set(this.busy);
      busy.delete(entry.id);
      this.busy = busy;
    }
  }

  private removeSender(entry: SenderEntry): Promise<void> {
    const slug = this.slug;
    return this.inRow(entry, async () => {
      await api('DELETE', `${this.path(slug)}/${entry.id}`, undefined, this.csrfToken);
      if (slug !== this.slug) return;
      this.senders = (this.senders ?? []).filter((existing) => existing.id !== entry.id);
      const who = entry.label ?? entry.address;
      this.announcement = entry.rule === 'trusted' ? s('senders.didRemoveTrusted', { who }) : s('senders.didRemoveBlocked', { who });
    });
  }

  /** Changes a trusted sender's badge; the server re-announces their messages already on the wall. */
  private setBadge(entry: SenderEntry, badge: SenderBadge | 'none'): Promise<void> {
    const slug = this.slug;
    return this.inRow(entry, async () => {
      try {
        const saved = await api<SenderEntry | null>(
          'PATCH',
          `${this.path(slug)}/${entry.id}`,
          { badge: badge === 'none' ? null : badge },
          this.csrfToken,
        );
        if (slug !== this.slug) return;
        const updated: SenderEntry = saved && typeof saved === 'object' && 'id' in saved ? saved : { ...entry, badge: badge === 'none' ? null : badge };
        this.senders = (this.senders ?? []).map((existing) => (existing.id === entry.id ? updated : existing));
        this.announcement = s('senders.didBadge', { who: entry.label ?? entry.address, badge: badgeLabel(updated.badge ?? 'none') });
      } catch (error) {
        // The select shows what was chosen; put it back to what the server still has.
        const select = this.renderRoot.querySelector<HTMLSelectElement>(`tr[data-sender-id="${entry.id}"] select`);
        if (select) select.value = entry.badge ?? 'none';
        throw error;
      }
    });
  }
}

customElements.define('toile-senders-panel', ToileSendersPanel);

declare global {
  interface HTMLElementTagNameMap {
    'toile-senders-panel': ToileSendersPanel;
  }
}
