import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { api, ApiError } from '../shared/api.js';
import { CHANNEL_LABELS } from '../shared/format.js';
import { CLAIM_EVENT, MODERATED_EVENT } from '../shared/moderation-connection.js';
import {
  claimsByOthers,
  filtersActive,
  initialModerationState,
  noFilters,
  QUEUE_TABS,
  queueItems,
  statusAfter,
  tabCounts,
  undoOf,
  type Decision,
  type ModerationState,
  type QueueFilters,
  type QueueTab,
} from '../shared/moderation-reducer.js';
import type { Channel, ModerationAction, ModeratorMessage, SenderEntry, User } from '../shared/types.js';
import type { CardFeedback, EraseRequest, ModerationRequest, RevealRequest, SenderRuleRequest, SenderRuleUndoRequest } from './toile-moderation-card.js';
import type { ToileQueueFilters } from './toile-queue-filters.js';
import { s } from './strings.js';
import './toile-keys-help.js';
import './toile-moderation-card.js';
import './toile-queue-filters.js';


/** The single-key decisions, by the status of the current card; `pin-toggle` pins or unpins. */
const KEYS: Record<ModeratorMessage['status'], Record<string, ModerationAction | 'pin-toggle'>> = {
  pending: { a: 'approve', r: 'reject' },
  approved: { h: 'hide', p: 'pin-toggle' },
  rejected: { a: 'approve' },
  hidden: { a: 'approve' },
};

/** Where the tab and the filters are kept, so that a reload of this browser tab keeps them. */
const VIEW_STORAGE_KEY = 'toile.queue.view';
/** Where this moderator's decisions are kept, so that U still works after a reload or a visit to another view. */
const DECISIONS_STORAGE_KEY = 'toile.queue.decisions';

/** How many decisions U can walk back, most recent first: enough for a burst, bounded for a long shift. */
const UNDO_DEPTH = 50;

/** What the queue says above the cards: the outcome of a batch, an undo, or a refused decision. */
interface QueueNotice {
  tone: 'ok' | 'error';
  text: string;
  /** Each refusal of a batch on its own line (409s say who changed the message). */
  details?: string[];
  /** One thing to do about it, e.g. undo a block. */
  action?: { label: string; run: () => void };
}

/**
 * One wall's queue, in three tabs: pending (the order to work through), approved (to hide, pin or unpin)
 * and rejected or hidden (to undo). Filters by channel, text and sender and the pending tab's order are
 * kept for the browser tab's session. The queue sends the moderator's decisions itself, with the
 * version the moderator saw (a 409 says who changed the message first), and keeps this moderator's
 * decisions so that U walks them back. It shows who else moderates the wall and which card each has
 * open, and claims the current card for this moderator.
 *
 * Keys (ignored while typing in a field): J/K move, A approve, R reject, H hide, P pin or unpin,
 * U undo my last decision, X select for a batch, Shift+A / Shift+R approve or reject the selection,
 * / search, ? show the keys, Escape close them.
 *
 * Properties:
 * - `state` (`ModerationState`): the folded queue and presence, from the console's moderator socket.
 * - `live` (boolean): the socket is open; otherwise the queue says it is reconnecting.
 * - `user` (`User | null`): who is moderating; when not given, the queue asks `GET /api/auth/me`.
 * - `csrfToken` (`string | null`): the session's CSRF token; when not given, asked the same way.
 * - `busy` (`ReadonlySet<number>`): ids the page has requests in flight for (the queue adds its own).
 *
 * Events (bubble, composed):
 * - `toile-claim` (detail: message id or null), when the current card changes: the moderator connection
 *   listening on the page sends it as a claim.
 * - `toile-moderated` (detail: `ModeratorMessage`), with each decision's answer, for the connection to
 *   fold before the socket's echo.
 * The cards' `toile-moderate`, `toile-sender-rule(-undo)`, `toile-reveal` and `toile-erase` events are handled here
 * and go no further. Admins' cards offer to erase a message for good (`DELETE /api/messages/:id`): the
 * moderator socket's `erased` frame then takes it out of this queue and every other console.
 */
export class ToileModerationQueue extends LitElement {
  static override properties = {
    state: { attribute: false },
    busy: { attribute: false },
    live: { type: Boolean },
    user: { attribute: false },
    csrfToken: { attribute: false },
    tab: { state: true },
    filters: { state: true },
    selectedId: { state: true },
    checked: { state: true },
    inFlight: { state: true },
    feedback: { state: true },
    notice: { state: true },
    helpOpen: { state: true },
    me: { state: true },
    meRole: { state: true },
  };

  static override styles = css`
    :host {
      display: block;
    }
    .bar {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5em 1em;
      margin-bottom: 0.8em;
    }
    [role='tablist'] {
      display: flex;
      gap: 0.4em;
    }
    [role='tab'] {
      font: inherit;
      font-weight: 600;
      padding: 0.35em 0.95em;
      border-radius: 2em;
      border: 1px solid var(--toile-border, #323b50);
      background: transparent;
      color: inherit;
      cursor: pointer;
    }
    [role='tab'][aria-selected='true'] {
      background: var(--toile-accent, #ffb020);
      border-color: var(--toile-accent, #ffb020);
      color: var(--toile-accent-text, #15110a);
    }
    button:focus-visible {
      outline: 3px solid var(--toile-accent, #ffb020);
      outline-offset: 2px;
    }
    .count {
      margin-left: 0.35em;
      font-variant-numeric: tabular-nums;
      opacity: 0.8;
    }
    .presence {
      color: var(--toile-muted, #aab2c5);
      font-size: 0.9em;
    }
    .presence strong {
      color: var(--toile-text, #f4f6fb);
    }
    .keys {
      margin-left: auto;
      display: flex;
      align-items: center;
      gap: 0.6em;
      color: var(--toile-muted, #aab2c5);
      font-size: 0.85em;
    }
    .keys button,
    .batch button,
    .notice button {
      font: inherit;
      padding: 0.25em 0.75em;
      border-radius: 0.45em;
      border: 1px solid var(--toile-border, #323b50);
      background: var(--toile-surface-raised, #202737);
      color: var(--toile-text, #f4f6fb);
      cursor: pointer;
    }
    kbd {
      padding: 0 0.35em;
      border: 1px solid var(--toile-border, #323b50);
      border-radius: 0.3em;
      font-family: var(--toile-mono, monospace);
    }
    .reconnecting {
      color: var(--toile-accent, #ffb020);
      font-size: 0.9em;
    }
    toile-queue-filters {
      margin-bottom: 0.9em;
    }
    .batch {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5em 0.8em;
      margin-bottom: 0.8em;
      padding: 0.5em 0.9em;
      border-radius: 0.5em;
      background: var(--toile-surface-raised, #202737);
      border: 1px solid var(--toile-accent, #ffb020);
    }
    .batch .approve {
      background: var(--toile-ok, #2e9d62);
      border-color: var(--toile-ok, #2e9d62);
    }
    .batch .reject {
      background: var(--toile-danger, #d2463f);
      border-color: var(--toile-danger, #d2463f);
    }
    .notice {
      display: flex;
      align-items: flex-start;
      gap: 1em;
      margin: 0 0 0.8em;
      padding: 0.6em 1em;
      border-radius: 0.5em;
      background: var(--toile-success-bg, #163d29);
    }
    .notice.error {
      background: var(--toile-error-bg, #4d1e1e);
    }
    .notice div {
      flex: 1;
    }
    .notice ul {
      margin: 0.3em 0 0;
      padding-left: 1.2em;
    }
    .list {
      display: grid;
      gap: 0.75em;
    }
    .empty {
      padding: 2em 0;
      text-align: center;
      color: var(--toile-muted, #aab2c5);
    }
  `;

  declare state: ModerationState;
  declare busy: ReadonlySet<number>;
  declare live: boolean;
  declare user: User | null;
  declare csrfToken: string | null;
  declare tab: QueueTab;
  declare filters: QueueFilters;
  declare selectedId: number | null;
  /** The batch selection (X or the cards' checkboxes), by message id. */
  declare checked: ReadonlySet<number>;
  /** Messages with a request of this queue in flight. */
  declare inFlight: ReadonlySet<number>;
  declare feedback: ReadonlyMap<number, CardFeedback>;
  declare notice: QueueNotice | null;
  declare helpOpen: boolean;
  /** The username the session answered, when the page did not give `user`. */
  declare me: string | null;
  /** The role the session answered, when the page did not give `user`. */
  declare meRole: User['role'] | null;

  /** Where the selection was, so that it stays in place when the selected message leaves the tab. */
  private selectedIndex = 0;
  private scrollToSelection = false;
  /** The card claimed last, so that a claim is sent only when the current card changes. */
  private claimed: number | null = null;
  /** This moderator's decisions in this browser tab, the latest last: what U walks back. */
  private decisions: Decision[] = loadDecisions();
  /** Decisions sent and not answered yet, which an undo waits for. */
  private readonly deciding = new Set<Promise<ApiError | null>>();
  /** The page the claims go to, kept to release the claim once this element has left it. */
  private claimTarget: EventTarget | null = null;
  private session: Promise<{ username: string; csrfToken: string | null }> | null = null;
  private readonly onKeyDown = (event: KeyboardEvent) => this.handleKey(event);

  constructor() {
    super();
    this.state = initialModerationState();
    this.busy = new Set();
    this.live = false;
    this.user = null;
    this.csrfToken = null;
    const view = loadView();
    this.tab = view.tab;
    this.filters = view.filters;
    this.selectedId = null;
    this.checked = new Set();
    this.inFlight = new Set();
    this.feedback = new Map();
    this.notice = null;
    this.helpOpen = false;
    this.me = null;
    this.meRole = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.onKeyDown);
    const root = this.getRootNode();
    this.claimTarget = root instanceof ShadowRoot ? root.host : null;
    // Who this moderator is tells their own claim from the others'; asked only if the page did not say.
    queueMicrotask(() => {
      if (this.user === null) void this.sessionInfo().catch(() => undefined);
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.onKeyDown);
    // Out of the page, an event from here reaches no one: the release goes to the page itself, so that
    // a moderator who moved to another view no longer marks a card as theirs.
    if (this.claimed !== null) this.claimTarget?.dispatchEvent(new CustomEvent<number | null>(CLAIM_EVENT, { detail: null }));
    this.claimed = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('tab') || changed.has('filters')) saveView(this.tab, this.filters);
    // When the selected message is decided (here or by another moderator) it leaves the tab, and the
    // selection moves to the message that took its place: the next one to decide, skipping the ones
    // another moderator has open when there is another to take.
    const items = this.items();
    const index = items.findIndex((m) => m.id === this.selectedId);
    if (index !== -1) {
      this.selectedIndex = index;
    } else {
      const claims = claimsByOthers(this.state, this.username());
      const from = Math.min(this.selectedIndex, Math.max(0, items.length - 1));
      const free = items.findIndex((m, i) => i >= from && !claims.has(m.id));
      this.selectedIndex = free === -1 ? from : free;
      this.selectedId = items[this.selectedIndex]?.id ?? null;
    }
    // A selection only holds messages that still exist (a snapshot after a reconnect may drop some).
    if ([...this.checked].some((id) => !this.state.messages.has(id))) {
      this.checked = new Set([...this.checked].filter((id) => this.state.messages.has(id)));
    }
  }

  override render() {
    const items = this.items();
    const counts = tabCounts(this.state, this.filters);
    const claims = claimsByOthers(this.state, this.username());
    const canErase = (this.user?.role ?? this.meRole) === 'admin';
    return html`
      <div class="bar">
        <div role="tablist" aria-label=${s('queue.tabs')}>
          ${QUEUE_TABS.map((tab) => {
            const { shown, total } = counts[tab];
            return html`<button
              role="tab"
              aria-selected=${this.tab === tab ? 'true' : 'false'}
              aria-controls="panel"
              @click=${() => this.showTab(tab)}
            >
              ${s(`queue.tab.${tab}`)}<span class="count">${shown === total ? total : s('queue.shownOf', { shown, total })}</span>
            </button>`;
          })}
        </div>
        ${this.live ? nothing : html`<span class="reconnecting" role="status">${s('queue.reconnecting')}</span>`}
        ${this.renderPresence()}
        <span class="keys">
          <span aria-hidden="true">${this.renderKeyHint()}</span>
          <button @click=${() => (this.helpOpen = true)} aria-keyshortcuts="?">${s('queue.keys')} <kbd>?</kbd></button>
        </span>
      </div>
      <toile-queue-filters
        .filters=${this.filters}
        ?ordered=${this.tab === 'pending'}
        @toile-filters-change=${(event: CustomEvent<QueueFilters>) => (this.filters = event.detail)}
      ></toile-queue-filters>
      ${this.notice ? this.renderNotice(this.notice) : nothing} ${this.checked.size > 0 ? this.renderBatchBar() : nothing}
      <section
        id="panel"
        role="tabpanel"
        class="list"
        @toile-moderate=${this.onModerate}
        @toile-sender-rule=${this.onSenderRule}
        @toile-sender-rule-undo=${this.onSenderRuleUndo}
        @toile-reveal=${this.onReveal}
        @toile-check=${this.onCheck}
        @toile-erase=${this.onErase}
      >
        ${items.length === 0 ? html`<p class="empty">${this.emptyText()}</p>` : nothing}
        ${repeat(
          items,
          (m) => m.id,
          (m) =>
            html`<toile-moderation-card
              .message=${m}
              ?selected=${m.id === this.selectedId}
              ?busy=${this.isBusy(m.id)}
              ?checked=${this.checked.has(m.id)}
              .claimedBy=${claims.get(m.id) ?? []}
              .feedback=${this.feedback.get(m.id) ?? null}
              .canErase=${canErase}
              @click=${() => (this.selectedId = m.id)}
            ></toile-moderation-card>`,
        )}
      </section>
      <toile-keys-help ?open=${this.helpOpen} @toile-keys-help-close=${() => (this.helpOpen = false)}></toile-keys-help>
    `;
  }

  protected override updated(): void {
    if (this.selectedId !== this.claimed) {
      this.claimed = this.selectedId;
      this.dispatchEvent(new CustomEvent<number | null>(CLAIM_EVENT, { detail: this.selectedId, bubbles: true, composed: true }));
    }
    if (!this.scrollToSelection) return;
    this.scrollToSelection = false;
    this.renderRoot.querySelector('toile-moderation-card[selected]')?.scrollIntoView({ block: 'nearest' });
  }

  private renderPresence() {
    const moderators = this.state.moderators;
    if (moderators.length === 0) return nothing;
    const me = this.username();
    return html`<span class="presence" role="group" aria-label=${s('queue.presenceLabel')}
      >${s('queue.presence')}
      ${moderators.map(
        (m, i) => html`${i > 0 ? ', ' : ''}<strong>${m.username}</strong>${m.username === me ? ` ${s('queue.you')}` : ''}`,
      )}</span
    >`;
  }

  private renderKeyHint() {
    const keys = s(this.tab === 'pending' ? 'queue.hint.pending' : this.tab === 'approved' ? 'queue.hint.approved' : 'queue.hint.rejected');
    return html`<kbd>J</kbd>/<kbd>K</kbd> ${s('queue.hint.move')} · ${keys} · <kbd>U</kbd> ${s('queue.hint.undo')}`;
  }

  private renderNotice(notice: QueueNotice) {
    return html`<div class="notice ${notice.tone}" role=${notice.tone === 'error' ? 'alert' : 'status'}>
      <div>
        ${notice.text}
        ${notice.details && notice.details.length > 0 ? html`<ul>${notice.details.map((line) => html`<li>${line}</li>`)}</ul>` : nothing}
      </div>
      ${notice.action ? html`<button @click=${notice.action.run}>${notice.action.label}</button>` : nothing}
      <button @click=${() => (this.notice = null)} aria-label=${s('console.dismiss')}>×</button>
    </div>`;
  }

  private renderBatchBar() {
    const size = this.checked.size;
    return html`<div class="batch" role="group" aria-label=${s('queue.batch')}>
      <span>${s('queue.selected', { n: size })}</span>
      <button class="approve" aria-keyshortcuts="Shift+A" @click=${() => void this.batch('approve')}>${s('queue.approveSelected')}</button>
      <button class="reject" aria-keyshortcuts="Shift+R" @click=${() => void this.batch('reject')}>${s('queue.rejectSelected')}</button>
      <button @click=${() => (this.checked = new Set())}>${s('queue.clearSelection')}</button>
    </div>`;
  }

  private items(tab: QueueTab = this.tab): ModeratorMessage[] {
    return queueItems(this.state, tab, this.filters);
  }

  private emptyText(): string {
    if (filtersActive(this.filters)) return s('queue.empty.filtered');
    if (this.tab === 'pending') return s('queue.empty.pending');
    if (this.tab === 'approved') return s('queue.empty.approved');
    return s('queue.empty.rejected');
  }

  private showTab(tab: QueueTab): void {
    this.tab = tab;
    this.selectedIndex = 0;
    this.selectedId = null;
  }

  private username(): string | null {
    return this.user?.username ?? this.me;
  }

  private isBusy(id: number): boolean {
    return this.inFlight.has(id) || this.busy.has(id);
  }

  private handleKey(event: KeyboardEvent): void {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    // Typing in a field (the login form, the search boxes) must never decide anything.
    if (isTyping(event.composedPath()[0])) return;
    const key = event.key;
    // While the keys are shown, the queue behind them is inert: only closing them does something.
    if (this.helpOpen) {
      if (key === '?' || key === 'Escape') {
        event.preventDefault();
        this.helpOpen = false;
      }
      return;
    }
    // A held key repeats: deciding a whole queue by leaning on A must not happen.
    if (event.repeat && !/^[jk]$/i.test(key)) return;
    const lower = key.toLowerCase();
    if (key === '?') {
      event.preventDefault();
      this.helpOpen = true;
    } else if (key === '/') {
      event.preventDefault();
      this.renderRoot.querySelector<ToileQueueFilters>('toile-queue-filters')?.focusSearch();
    } else if (lower === 'j' || lower === 'k') {
      event.preventDefault();
      this.move(lower === 'j' ? 1 : -1);
    } else if (lower === 'u') {
      event.preventDefault();
      void this.undo();
    } else if (lower === 'x') {
      if (this.selectedId === null) return;
      event.preventDefault();
      this.toggleChecked(this.selectedId, !this.checked.has(this.selectedId));
    } else if (event.shiftKey && (lower === 'a' || lower === 'r')) {
      event.preventDefault();
      void this.batch(lower === 'a' ? 'approve' : 'reject');
    } else {
      const selected = this.items().find((m) => m.id === this.selectedId);
      const bound = selected === undefined ? undefined : KEYS[selected.status][lower];
      if (selected === undefined || bound === undefined) return;
      event.preventDefault();
      if (this.isBusy(selected.id)) return;
      const action: ModerationAction = bound === 'pin-toggle' ? (selected.pinned ? 'unpin' : 'pin') : bound;
      void this.decide({ id: selected.id, action, expectedVersion: selected.version });
    }
  }

  private move(step: 1 | -1): void {
    const items = this.items();
    const next = Math.max(0, Math.min(items.length - 1, this.selectedIndex + step));
    this.selectedIndex = next;
    this.selectedId = items[next]?.id ?? null;
    this.scrollToSelection = true;
  }

  private readonly onModerate = (event: CustomEvent<ModerationRequest>) => {
    // The queue sends the card's decision itself; the page must not send it a second time.
    event.stopPropagation();
    this.selectedId = event.detail.id;
    void this.decide(event.detail);
  };

  private readonly onCheck = (event: CustomEvent<{ id: number; checked: boolean }>) => {
    event.stopPropagation();
    this.toggleChecked(event.detail.id, event.detail.checked);
  };

  private toggleChecked(id: number, on: boolean): void {
    const checked = new Set(this.checked);
    if (on) checked.add(id);
    else checked.delete(id);
    this.checked = checked;
  }

  /**
   * Sends one decision with the version the moderator saw, and on success remembers it for U (unless it
   * is itself an undo). Says why when refused, unless `quiet` (a batch sums its refusals up instead).
   */
  private decide(request: ModerationRequest, options: { quiet?: boolean; undoing?: boolean } = {}): Promise<ApiError | null> {
    const sent = this.send(request, options);
    if (!options.undoing) {
      this.deciding.add(sent);
      void sent.finally(() => this.deciding.delete(sent));
    }
    return sent;
  }

  private async send(request: ModerationRequest, options: { quiet?: boolean; undoing?: boolean }): Promise<ApiError | null> {
    if (this.isBusy(request.id)) return new ApiError(0, 'busy', s('queue.busy', { id: request.id }));
    this.setInFlight(request.id, true);
    try {
      const message = await api<ModeratorMessage>(
        'POST',
        `/api/messages/${request.id}/${request.action}`,
        { expectedVersion: request.expectedVersion },
        await this.csrf(),
      );
      this.dispatchEvent(new CustomEvent<ModeratorMessage>(MODERATED_EVENT, { detail: message, bubbles: true, composed: true }));
      if (!options.undoing && request.action !== 'requeue') {
        this.setDecisions([...this.decisions, { action: request.action, id: message.id, version: message.version }]);
      }
      if (!options.quiet) this.notice = null;
      return null;
    } catch (error) {
      const failure = error instanceof ApiError ? error : new ApiError(0, 'network', s('common.unreachable'));
      // On a 409 another moderator decided first: their version arrives on the socket and replaces
      // the one this moderator saw, and the server's message says who did what.
      if (!options.quiet) this.notice = { tone: 'error', text: explain(failure) };
      return failure;
    } finally {
      this.setInFlight(request.id, false);
    }
  }

  /** U: walks back this moderator's latest decision in this page, with the version that decision produced. */
  private async undo(): Promise<void> {
    // U pressed right after A undoes that A: its answer, which U needs, may still be on its way.
    await Promise.all(this.deciding);
    const decision = this.decisions.at(-1);
    const step = decision === undefined ? null : undoOf(decision);
    if (decision === undefined || step === null) {
      this.notice = { tone: 'ok', text: s('queue.nothingToUndo') };
      return;
    }
    this.setDecisions(this.decisions.slice(0, -1));
    const failure = await this.decide(step, { undoing: true });
    // Only a request that never reached the server leaves the decision undoable; any answer settles it.
    if (failure !== null && failure.status === 0) this.setDecisions([...this.decisions, decision]);
    if (failure === null) {
      this.notice = { tone: 'ok', text: s('queue.undone', { what: undoneText(decision.action, this.state.messages.get(decision.id)) }) };
    } else {
      this.notice = { tone: 'error', text: s('queue.undoFailed', { action: s(`action.${decision.action}`), id: step.id, reason: explain(failure) }) };
    }
  }

  /**
   * Shift+A / Shift+R: one request per selected message, each with the version the moderator saw, so
   * that a message someone else changed meanwhile is refused (409) on its own; then one summary.
   */
  private async batch(action: 'approve' | 'reject'): Promise<void> {
    const selected = [...this.checked].flatMap((id) => {
      const message = this.state.messages.get(id);
      return message === undefined ? [] : [message];
    });
    if (selected.length === 0) return;
    const targets = selected.filter((m) => m.status !== statusAfter(action));
    const already = selected.length - targets.length;
    const results = await Promise.all(
      targets.map(async (m) => ({ m, failure: await this.decide({ id: m.id, action, expectedVersion: m.version }, { quiet: true }) })),
    );
    const failed = results.filter((r) => r.failure !== null);
    const done = targets.length - failed.length;
    const text =
      s(action === 'approve' ? 'queue.batchApproved' : 'queue.batchRejected', { done, n: selected.length }) +
      (already > 0 ? ` ${s('queue.batchAlready', { n: already, status: s(`status.${statusAfter(action)}`) })}` : '') +
      (failed.length > 0 ? ` ${s('queue.batchRefused', { n: failed.length })}` : '');
    this.notice = {
      tone: failed.length > 0 ? 'error' : 'ok',
      text,
      details: failed.map(({ m, failure }) => `“${excerpt(m.text)}”: ${explain(failure!)}`),
    };
    // What was refused stays selected, to look at again; the rest leaves the selection.
    this.checked = new Set(failed.map(({ m }) => m.id));
  }

  private readonly onSenderRule = async (event: CustomEvent<SenderRuleRequest>) => {
    event.stopPropagation();
    const { messageId, wall, rule } = event.detail;
    const outcome = await this.withCard(messageId, async () => {
      const entry = await api<SenderEntry>('POST', `/api/walls/${encodeURIComponent(wall)}/senders`, { messageId, rule }, await this.csrf());
      const text =
        rule === 'trusted'
          ? s('queue.senderTrusted')
          : s('queue.senderBlocked');
      return { tone: 'ok', text, entryId: entry.id };
    });
    // Blocking rejects this very message, which leaves the pending tab with its card: the queue says it too.
    if (rule === 'blocked' && outcome?.tone === 'ok' && outcome.entryId !== undefined) {
      const { entryId } = outcome;
      const message = this.state.messages.get(messageId);
      this.notice = {
        tone: 'ok',
        text: s('queue.blockedSenderOf', { what: message ? `“${excerpt(message.text)}”` : s('queue.theMessage') }),
        action: { label: s('card.undo'), run: () => void this.undoSenderRule({ messageId, wall, entryId }) },
      };
    }
  };

  /**
   * Shows a post behind its content warning on the wall, or hides it again, with the version the moderator
   * saw; the answer is folded at once (like a decision's) and the card says what the wall now shows.
   */
  private readonly onReveal = (event: CustomEvent<RevealRequest>) => {
    event.stopPropagation();
    const { id, revealed, expectedVersion } = event.detail;
    void this.withCard(id, async () => {
      const message = await api<ModeratorMessage>('POST', `/api/messages/${id}/reveal`, { revealed, expectedVersion }, await this.csrf());
      this.dispatchEvent(new CustomEvent<ModeratorMessage>(MODERATED_EVENT, { detail: message, bubbles: true, composed: true }));
      return { tone: 'ok', text: s(revealed ? 'queue.revealed' : 'queue.concealed') };
    });
  };

  /**
   * Erases one message for good (admins). On success the server's `erased` frame removes the card from
   * every console, this one included, and the queue says what went; a refusal is shown on the card.
   */
  private readonly onErase = async (event: CustomEvent<EraseRequest>) => {
    event.stopPropagation();
    const { id } = event.detail;
    const message = this.state.messages.get(id);
    const outcome = await this.withCard(id, async () => {
      await api('DELETE', `/api/messages/${id}`, undefined, await this.csrf());
      return { tone: 'ok', text: s('queue.erased', { what: message ? `“${excerpt(message.text)}”` : s('queue.theMessage') }) };
    });
    if (outcome?.tone === 'ok') {
      this.notice = { tone: 'ok', text: outcome.text };
      const feedback = new Map(this.feedback);
      feedback.delete(id);
      this.feedback = feedback;
    }
  };

  private readonly onSenderRuleUndo = (event: CustomEvent<SenderRuleUndoRequest>) => {
    event.stopPropagation();
    void this.undoSenderRule(event.detail);
  };

  /** Deletes the sender-list entry a Trust or Block created. Messages it rejected stay rejected: requeue them by hand. */
  private async undoSenderRule({ messageId, wall, entryId }: SenderRuleUndoRequest): Promise<void> {
    const outcome = await this.withCard(messageId, async () => {
      await api('DELETE', `/api/walls/${encodeURIComponent(wall)}/senders/${entryId}`, undefined, await this.csrf());
      return { tone: 'ok', text: s('queue.senderRuleUndone') };
    });
    if (outcome !== null && this.notice?.action !== undefined) this.notice = { tone: outcome.tone, text: outcome.text };
  }

  /** Runs a request about one card, and shows its outcome (or the server's refusal) on that card; null when busy. */
  private async withCard(id: number, request: () => Promise<CardFeedback>): Promise<CardFeedback | null> {
    if (this.isBusy(id)) return null;
    this.setInFlight(id, true);
    let outcome: CardFeedback;
    try {
      outcome = await request();
    } catch (error) {
      outcome = { tone: 'error', text: explain(error instanceof ApiError ? error : new ApiError(0, 'network', s('common.unreachable'))) };
    } finally {
      this.setInFlight(id, false);
    }
    this.feedback = new Map(this.feedback).set(id, outcome);
    return outcome;
  }

  private setDecisions(decisions: Decision[]): void {
    this.decisions = decisions.slice(-UNDO_DEPTH);
    try {
      sessionStorage.setItem(DECISIONS_STORAGE_KEY, JSON.stringify(this.decisions));
    } catch {
      // Without storage, U works until the page reloads.
    }
  }

  private setInFlight(id: number, on: boolean): void {
    const inFlight = new Set(this.inFlight);
    if (on) inFlight.add(id);
    else inFlight.delete(id);
    this.inFlight = inFlight;
  }

  private async csrf(): Promise<string | null> {
    if (this.csrfToken !== null) return this.csrfToken;
    return (await this.sessionInfo()).csrfToken;
  }

  /** The session as the server knows it, asked once: for a page that does not pass `user` and `csrfToken`. */
  private sessionInfo(): Promise<{ username: string; csrfToken: string | null }> {
    this.session ??= api<{ user: User; csrfToken: string | null }>('GET', '/api/auth/me').then(
      ({ user, csrfToken }) => {
        this.me = user.username;
        this.meRole = user.role;
        return { username: user.username, csrfToken };
      },
      (error: unknown) => {
        // Asked again next time: the server may be back, or the moderator logged in again.
        this.session = null;
        throw error;
      },
    );
    return this.session;
  }
}

/** Whether a key press is someone typing: text fields, text areas, selects and editable content. */
function isTyping(target: EventTarget | undefined): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type);
}

/** The server's own words, which name the message and who changed it; a session that ended says so. */
function explain(error: ApiError): string {
  if (error.status === 401) return s('console.sessionEnded');
  if (error.status === 0 && error.code === 'network') return s('common.unreachable');
  return error.message;
}

function undoneText(action: ModerationAction, message: ModeratorMessage | undefined): string {
  const what = message === undefined ? s('queue.theMessage') : `“${excerpt(message.text)}”`;
  if (action === 'pin') return s('queue.undone.pin', { what });
  if (action === 'unpin') return s('queue.undone.unpin', { what });
  return s('queue.undone.back', { what });
}

/** The start of a message's text, enough to recognise it in a summary. */
function excerpt(text: string): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  return chars.length <= 40 ? chars.join('') : `${chars.slice(0, 39).join('')}…`;
}

/** The tab and filters kept for the session; anything unreadable falls back to the defaults. */
function loadView(): { tab: QueueTab; filters: QueueFilters } {
  const view = { tab: 'pending' as QueueTab, filters: noFilters() };
  try {
    const stored = JSON.parse(sessionStorage.getItem(VIEW_STORAGE_KEY) ?? 'null') as unknown;
    if (typeof stored !== 'object' || stored === null) return view;
    const { tab, filters } = stored as { tab?: unknown; filters?: Partial<Record<keyof QueueFilters, unknown>> };
    if (QUEUE_TABS.includes(tab as QueueTab)) view.tab = tab as QueueTab;
    if (typeof filters === 'object' && filters !== null) {
      const defaults = view.filters;
      view.filters = {
        channel: typeof filters.channel === 'string' && filters.channel in CHANNEL_LABELS ? (filters.channel as Channel) : defaults.channel,
        text: typeof filters.text === 'string' ? filters.text : defaults.text,
        sender: typeof filters.sender === 'string' ? filters.sender : defaults.sender,
        order: filters.order === 'newest' ? 'newest' : 'oldest',
      };
    }
  } catch {
    // Storage refused (private mode) or damaged: the defaults do.
  }
  return view;
}

/** The decisions kept for U; entries that do not read as decisions are dropped. */
function loadDecisions(): Decision[] {
  try {
    const stored = JSON.parse(sessionStorage.getItem(DECISIONS_STORAGE_KEY) ?? '[]') as unknown;
    if (!Array.isArray(stored)) return [];
    return stored.filter(
      (d: Partial<Decision> | null): d is Decision =>
        typeof d === 'object' && d !== null && typeof d.action === 'string' && Number.isInteger(d.id) && Number.isInteger(d.version),
    );
  } catch {
    return [];
  }
}

function saveView(tab: QueueTab, filters: QueueFilters): void {
  try {
    sessionStorage.setItem(VIEW_STORAGE_KEY, JSON.stringify({ tab, filters }));
  } catch {
    // Without storage the filters last until the reload, which is all that is lost.
  }
}

customElements.define('toile-moderation-queue', ToileModerationQueue);

declare global {
  interface HTMLElementTagNameMap {
    'toile-moderation-queue': ToileModerationQueue;
  }
}
