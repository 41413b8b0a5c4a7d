import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { decidedMessages, initialModerationState, pendingMessages, type ModerationState } from '../shared/moderation-reducer.js';
import type { ModerationAction, ModeratorMessage } from '../shared/types.js';
import type { ModerationRequest } from './toile-moderation-card.js';
import './toile-moderation-card.js';

type Tab = 'pending' | 'approved' | 'rejected';

const TABS: { tab: Tab; label: string }[] = [
  { tab: 'pending', label: 'Pending' },
  { tab: 'approved', label: 'Approved' },
  { tab: 'rejected', label: 'Rejected' },
];

/** The keys of the queue, by tab: what each does to the selected message. */
const KEYS: Record<Tab, Record<string, ModerationAction | 'pin-toggle'>> = {
  pending: { a: 'approve', r: 'reject' },
  approved: { h: 'hide', p: 'pin-toggle' },
  rejected: { a: 'approve' },
};

/**
 * One wall's queue, in three tabs: pending (oldest first, the order to work through), approved (to
 * hide, pin or unpin) and rejected or hidden (to undo). Keyboard: J/K move the selection, A approves,
 * R rejects; on the approved tab H hides and P pins or unpins.
 *
 * Properties:
 * - `state` (`ModerationState`): the folded queue, from the console's moderator socket.
 * - `busy` (`ReadonlySet<number>`): ids of messages with a decision in flight.
 * - `live` (boolean): the socket is open; otherwise the queue says it is reconnecting.
 *
 * Events:
 * - `toile-moderate` (detail: `ModerationRequest`), when the moderator presses a decision key; the
 *   cards fire the same event for their buttons, and it bubbles through this element.
 */
export class ToileModerationQueue extends LitElement {
  static override properties = {
    state: { attribute: false },
    busy: { attribute: false },
    live: { type: Boolean },
    tab: { state: true },
    selectedId: { state: true },
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
      margin-bottom: 1em;
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
    [role='tab']:focus-visible {
      outline: 3px solid var(--toile-accent, #ffb020);
      outline-offset: 2px;
    }
    .count {
      margin-left: 0.35em;
      font-variant-numeric: tabular-nums;
      opacity: 0.8;
    }
    .keys {
      margin-left: auto;
      color: var(--toile-muted, #aab2c5);
      font-size: 0.85em;
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
  declare tab: Tab;
  declare selectedId: number | null;

  /** Where the selection was, so that it stays in place when the selected message leaves the tab. */
  private selectedIndex = 0;
  private scrollToSelection = false;
  private readonly onKeyDown = (event: KeyboardEvent) => this.handleKey(event);

  constructor() {
    super();
    this.state = initialModerationState();
    this.busy = new Set();
    this.live = false;
    this.tab = 'pending';
    this.selectedId = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.onKeyDown);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.onKeyDown);
  }

  protected override willUpdate(_changed: PropertyValues<this>): void {
    // When the selected message is decided (here or by another moderator) it leaves the tab, and the
    // selection moves to the message that took its place: the next one to decide.
    const items = this.items();
    const index = items.findIndex((m) => m.id === this.selectedId);
    if (index !== -1) {
      this.selectedIndex = index;
    } else {
      this.selectedIndex = Math.min(this.selectedIndex, Math.max(0, items.length - 1));
      this.selectedId = items[this.selectedIndex]?.id ?? null;
    }
  }

  override render() {
    const items = this.items();
    return html`
      <div class="bar">
        <div role="tablist" aria-label="Messages">
          ${TABS.map(
            ({ tab, label }) => html`<button
              role="tab"
              aria-selected=${this.tab === tab ? 'true' : 'false'}
              aria-controls="panel"
              @click=${() => this.showTab(tab)}
            >
              ${label}<span class="count">${this.items(tab).length}</span>
            </button>`,
          )}
        </div>
        ${this.live ? nothing : html`<span class="reconnecting" role="status">Reconnecting…</span>`}
        <span class="keys" aria-hidden="true">${this.renderKeys()}</span>
      </div>
      <section id="panel" role="tabpanel" class="list">
        ${items.length === 0 ? html`<p class="empty">${this.emptyText()}</p>` : nothing}
        ${repeat(
          items,
          (m) => m.id,
          (m) =>
            html`<toile-moderation-card
              .message=${m}
              ?selected=${m.id === this.selectedId}
              ?busy=${this.busy.has(m.id)}
              @click=${() => (this.selectedId = m.id)}
            ></toile-moderation-card>`,
        )}
      </section>
    `;
  }

  protected override updated(): void {
    if (!this.scrollToSelection) return;
    this.scrollToSelection = false;
    this.renderRoot.querySelector('toile-moderation-card[selected]')?.scrollIntoView({ block: 'nearest' });
  }

  private items(tab: Tab = this.tab): ModeratorMessage[] {
    if (tab === 'pending') return pendingMessages(this.state);
    if (tab === 'approved') return decidedMessages(this.state, ['approved']);
    return decidedMessages(this.state, ['rejected', 'hidden']);
  }

  private renderKeys() {
    const keys = this.tab === 'pending' ? 'A approve · R reject' : this.tab === 'approved' ? 'H hide · P pin' : 'A approve';
    return html`<kbd>J</kbd>/<kbd>K</kbd> move · ${keys}`;
  }

  private emptyText(): string {
    if (this.tab === 'pending') return 'Nothing waiting. New contributions appear here as they arrive.';
    if (this.tab === 'approved') return 'Nothing approved yet.';
    return 'Nothing rejected or hidden.';
  }

  private showTab(tab: Tab): void {
    this.tab = tab;
    this.selectedIndex = 0;
    this.selectedId = null;
  }

  private handleKey(event: KeyboardEvent): void {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    // Typing in a field (the login form, a future search box) must never decide anything.
    const target = event.composedPath()[0];
    if (target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    const key = event.key.toLowerCase();
    const items = this.items();
    if (key === 'j' || key === 'k') {
      event.preventDefault();
      const next = Math.max(0, Math.min(items.length - 1, this.selectedIndex + (key === 'j' ? 1 : -1)));
      this.selectedIndex = next;
      this.selectedId = items[next]?.id ?? null;
      this.scrollToSelection = true;
      return;
    }
    const bound = KEYS[this.tab][key];
    const selected = items.find((m) => m.id === this.selectedId);
    // A held key repeats: deciding a whole queue by leaning on A must not happen.
    if (bound === undefined || selected === undefined || event.repeat || this.busy.has(selected.id)) return;
    event.preventDefault();
    const action: ModerationAction = bound === 'pin-toggle' ? (selected.pinned ? 'unpin' : 'pin') : bound;
    const detail: ModerationRequest = { id: selected.id, action, expectedVersion: selected.version };
    this.dispatchEvent(new CustomEvent<ModerationRequest>('toile-moderate', { detail, bubbles: true, composed: true }));
  }
}

customElements.define('toile-moderation-queue', ToileModerationQueue);

declare global {
  interface HTMLElementTagNameMap {
    'toile-moderation-queue': ToileModerationQueue;
  }
}
