import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { api } from '../shared/api.js';
import { formStyles } from '../shared/form-styles.js';
import { reasonLabel } from '../shared/format.js';
import type { AuditRow } from '../shared/types.js';
import './toile-export-panel.js';
import { panelStyles } from './panel-styles.js';
import { errorText, lang, relativeTimeIn, s, type ConsoleKey } from './strings.js';

/** How many rows the table shows; the exports carry up to the API's maximum. */
const SHOWN_ROWS = 200;
const EXPORT_ROWS = 1000;

/** The actions, in the words of a sentence "who … what". Unknown ones are shown as the server names them. */
const ACTION_KEYS: Record<string, ConsoleKey> = {
  'approve': 'audit.act.approve',
  'reject': 'audit.act.reject',
  'hide': 'audit.act.hide',
  'pin': 'audit.act.pin',
  'unpin': 'audit.act.unpin',
  'requeue': 'audit.act.requeue',
  'display': 'audit.act.display',
  'auto-approve': 'audit.act.auto-approve',
  'auto-reject': 'audit.act.auto-reject',
  'opt-out-withdraw': 'audit.act.opt-out-withdraw',
  'retract': 'audit.act.retract',
  'edit': 'audit.act.edit',
  'message.reveal': 'audit.act.message.reveal',
  'auth.login': 'audit.act.auth.login',
  'user.create': 'audit.act.user.create',
  'user.delete': 'audit.act.user.delete',
  'user.password': 'audit.act.user.password',
  'token.create': 'audit.act.token.create',
  'token.revoke': 'audit.act.token.revoke',
  'session.revoke': 'audit.act.session.revoke',
  'wall.create': 'audit.act.wall.create',
  'wall.update': 'audit.act.wall.update',
  'wall.image': 'audit.act.wall.image',
  'wall.reload': 'audit.act.wall.reload',
  'sender.trust': 'audit.act.sender.trust',
  'sender.block': 'audit.act.sender.block',
  'sender.badge': 'audit.act.sender.badge',
  'sender.remove': 'audit.act.sender.remove',
  'contributor.forget': 'audit.act.contributor.forget',
  'message.erase': 'audit.act.message.erase',
  'source-create': 'audit.act.source-create',
  'source-pause': 'audit.act.source-pause',
  'source-resume': 'audit.act.source-resume',
  'source-delete': 'audit.act.source-delete',
};

const DISPLAY_MODES: readonly string[] = ['live', 'blank', 'freeze'];

/**
 * The detail of a row in a few words: a change of state as "pending → approved", a settings change as
 * the fields changed, a rule's decision as its reasons; anything else as "key: value" pairs. Values are
 * only ever shown as text.
 */
export function describeDetail(row: AuditRow): string {
  const detail = row.detail ?? {};
  const parts: string[] = [];
  const rest: Record<string, unknown> = { ...detail };
  if (typeof detail.from === 'string' && typeof detail.to === 'string') {
    const word = (value: string) => (row.action === 'display' && DISPLAY_MODES.includes(value) ? s(`panic.mode.${value as 'live' | 'blank' | 'freeze'}`) : value);
    parts.push(`${word(detail.from)} → ${word(detail.to)}`);
    delete rest.from;
    delete rest.to;
  }
  if (Array.isArray(detail.changed)) {
    parts.push(s('audit.changed', { what: detail.changed.join(', ') }));
    delete rest.changed;
  }
  if (Array.isArray(detail.reasons)) {
    if (detail.reasons.length > 0) parts.push(detail.reasons.map((reason) => reasonLabel(String(reason), lang)).join(', '));
    delete rest.reasons;
  }
  if (typeof detail.rule === 'string') {
    parts.push(detail.rule === 'trusted-sender' ? s('audit.trustedSender') : detail.rule);
    delete rest.rule;
  }
  // The version is bookkeeping for conflicts, not something a reader of the log needs.
  delete rest.version;
  for (const [key, value] of Object.entries(rest)) {
    if (value === null || value === undefined || value === '') continue;
    parts.push(`${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  }
  return parts.join('; ');
}

function describeTarget(row: AuditRow): string {
  if (row.targetType === null && row.targetId === null) return row.wall ?? '';
  const target = [row.targetType, row.targetId].filter((part) => part !== null).join(' ');
  return row.wall !== null && row.targetType !== 'wall' ? s('audit.on', { target, wall: row.wall }) : target;
}

/**
 * The audit log, for admins (`GET /api/audit`): one row per moderation or administration action, newest
 * first, with when, who, what, its target and the detail in words (the rule decisions included). It
 * shows the current wall's rows or every wall's, is read again on Refresh, and offers the same rows as
 * CSV and JSON downloads (`format=csv|json`), which the browser fetches with the session cookie.
 *
 * Properties:
 * - `slug` (string): the wall whose rows are shown unless "All walls" is chosen.
 *
 * Fires no events.
 */
export class ToileAuditPanel extends LitElement {
  static override properties = {
    slug: { type: String },
    allWalls: { state: true },
    rows: { state: true },
    loading: { state: true },
    loadError: { state: true },
  };

  static override styles = [
    formStyles,
    panelStyles,
    css`
      .tools {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.6em 1.2em;
        margin-bottom: 1em;
      }
      .tools label {
        display: flex;
        align-items: center;
        gap: 0.5em;
      }
      td.when {
        white-space: nowrap;
      }
    `,
  ];

  declare slug: string;
  declare allWalls: boolean;
  declare rows: AuditRow[] | null;
  declare loading: boolean;
  declare loadError: string;

  constructor() {
    super();
    this.slug = '';
    this.allWalls = false;
    this.rows = null;
    this.loading = false;
    this.loadError = '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('slug') || changed.has('allWalls')) {
      this.rows = null;
      void this.load();
    }
  }

  override render() {
    const now = Date.now();
    return html`
      <h2>${s('audit.heading')}</h2>
      <div class="tools">
        <label
          >${s('audit.walls')}
          <select @change=${(event: Event) => (this.allWalls = (event.target as HTMLSelectElement).value === 'all')}>
            <option value="this" ?selected=${!this.allWalls}>${s('audit.thisWall', { slug: this.slug })}</option>
            <option value="all" ?selected=${this.allWalls}>${s('audit.allWalls')}</option>
          </select>
        </label>
        <button class="secondary" ?disabled=${this.loading} @click=${() => void this.load()}>
          ${this.loading ? s('audit.refreshing') : s('audit.refresh')}
        </button>
        <a href=${this.exportUrl('csv')} download>${s('audit.exportCsv')}</a>
        <a href=${this.exportUrl('json')} download>${s('audit.exportJson')}</a>
      </div>
      ${this.loadError ? html`<p class="error" role="alert">${this.loadError}</p>` : nothing}
      ${this.rows === null
        ? this.loadError
          ? nothing
          : html`<p class="muted">${s('audit.loading')}</p>`
        : this.rows.length === 0
          ? html`<p class="muted">${s('audit.empty')}</p>`
          : html`<table>
              <caption class="hint">
                ${s('audit.caption', { n: this.rows.length })}
              </caption>
              <thead>
                <tr>
                  <th scope="col">${s('audit.col.when')}</th>
                  <th scope="col">${s('audit.col.who')}</th>
                  <th scope="col">${s('audit.col.action')}</th>
                  <th scope="col">${s('audit.col.target')}</th>
                  <th scope="col">${s('audit.col.detail')}</th>
                </tr>
              </thead>
              <tbody>
                ${this.rows.map(
                  (row) => html`<tr data-action=${row.action}>
                    <td class="when"><time datetime=${row.at} title=${new Date(row.at).toLocaleString()}>${relativeTimeIn(row.at, now)}</time></td>
                    <td>${row.actor}</td>
                    <td>${ACTION_KEYS[row.action] ? s(ACTION_KEYS[row.action]!) : row.action}</td>
                    <td>${describeTarget(row)}</td>
                    <td>${describeDetail(row)}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`}
      <toile-export-panel .slug=${this.slug} complete></toile-export-panel>
    `;
  }

  private query(limit: number): URLSearchParams {
    const params = new URLSearchParams({ limit: String(limit) });
    if (!this.allWalls && this.slug !== '') params.set('wall', this.slug);
    return params;
  }

  private exportUrl(format: 'csv' | 'json'): string {
    const params = this.query(EXPORT_ROWS);
    params.set('format', format);
    return `/api/audit?${params.toString()}`;
  }

  private async load(): Promise<void> {
    if (this.slug === '' && !this.allWalls) return;
    const key = `${this.slug}|${this.allWalls}`;
    this.loading = true;
    try {
      const { items } = await api<{ items: AuditRow[] }>('GET', `/api/audit?${this.query(SHOWN_ROWS).toString()}`);
      if (key !== `${this.slug}|${this.allWalls}`) return;
      this.rows = items;
      this.loadError = '';
    } catch (error) {
      if (key === `${this.slug}|${this.allWalls}`) this.loadError = s('audit.loadError', { reason: errorText(error) });
    } finally {
      this.loading = false;
    }
  }
}

customElements.define('toile-audit-panel', ToileAuditPanel);

declare global {
  interface HTMLElementTagNameMap {
    'toile-audit-panel': ToileAuditPanel;
  }
}
