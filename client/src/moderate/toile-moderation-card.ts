import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { channelLabel, reasonLabel } from '../shared/format.js';
import { safeImageUrl } from '../shared/safe-image-url.js';
import type { ModerationAction, ModeratorMessage, SenderRule } from '../shared/types.js';
import { lang, relativeTimeIn, s, type ConsoleKey } from './strings.js';

/** The detail of `toile-moderate`: which message, what to do, and the version the moderator saw. */
export interface ModerationRequest {
  id: number;
  action: ModerationAction;
  expectedVersion: number;
}

/** The detail of `toile-sender-rule`: trust or block the sender of a message. */
export interface SenderRuleRequest {
  messageId: number;
  wall: string;
  rule: SenderRule;
}

/** The detail of `toile-sender-rule-undo`: delete the sender-list entry a Trust or Block created. */
export interface SenderRuleUndoRequest {
  messageId: number;
  wall: string;
  entryId: number;
}

/** The detail of `toile-reveal`: show a post behind its content warning on the wall, or hide it behind it again. */
export interface RevealRequest {
  id: number;
  revealed: boolean;
  expectedVersion: number;
}

/** The detail of `toile-erase`: erase one message for good (admins, `DELETE /api/messages/:id`). */
export interface EraseRequest {
  id: number;
}

/** What a card says under its buttons after an action on it (a sender rule, a refused decision). */
export interface CardFeedback {
  tone: 'ok' | 'error';
  text: string;
  /** The sender-list entry the action created, which the card offers to undo. */
  entryId?: number;
}

/** The decisions each status offers, with the key that does the same in the queue (none for requeue). */
const ACTIONS: Record<ModeratorMessage['status'], { action: ModerationAction; label: ConsoleKey; key?: string }[]> = {
  pending: [
    { action: 'approve', label: 'card.approve', key: 'a' },
    { action: 'reject', label: 'card.reject', key: 'r' },
  ],
  approved: [
    { action: 'hide', label: 'card.hide', key: 'h' },
    { action: 'pin', label: 'card.pin', key: 'p' },
    { action: 'requeue', label: 'card.requeue' },
  ],
  rejected: [
    { action: 'approve', label: 'card.approve', key: 'a' },
    { action: 'requeue', label: 'card.requeue' },
  ],
  hidden: [
    { action: 'approve', label: 'card.approve', key: 'a' },
    { action: 'requeue', label: 'card.requeue' },
  ],
};

/** How the kinds of private address read to a moderator. */
const SENDER_KINDS: readonly string[] = ['phone', 'email', 'account', 'client'];

/** How a private sender is named: its kind, in the console's words. */
const senderKind = (kind: string): string =>
  SENDER_KINDS.includes(kind) ? s(`card.kind.${kind as 'phone' | 'email' | 'account' | 'client'}`) : kind;

/**
 * One message as a moderator decides on it: the text as the wall would show it, the author, the
 * channel and source, when it arrived, the reasons a rule held it (in words), the private sender (never
 * shown on the wall), who else has it open, and the decisions its status allows. A message with a
 * sender also offers to trust or block that sender on the wall.
 *
 * Properties:
 * - `message` (`ModeratorMessage | null`).
 * - `selected` (boolean, reflected): the keyboard cursor is on this card.
 * - `busy` (boolean): a request about it is in flight; its buttons are disabled.
 * - `checked` (boolean, reflected): the card is in the batch selection (its checkbox, or X).
 * - `claimedBy` (`string[]`): the other moderators who have this card open.
 * - `feedback` (`CardFeedback | null`): the outcome of the last action on this card, shown on it.
 * - `canErase` (boolean): the moderator is an admin; the card offers to erase the message for good,
 *   after a confirmation on the card itself.
 *
 * Events (all bubble and are composed):
 * - `toile-moderate` (detail: `ModerationRequest`), when a decision button is pressed.
 * - `toile-sender-rule` (detail: `SenderRuleRequest`), when Trust sender or Block sender is pressed.
 * - `toile-sender-rule-undo` (detail: `SenderRuleUndoRequest`), when the undo of either is pressed.
 * - `toile-reveal` (detail: `RevealRequest`), when Show on the wall or Hide behind the warning is pressed
 *   (offered for a post with a content warning that its author did not delete).
 * - `toile-check` (detail: `{id, checked}`), when the batch checkbox is toggled.
 * - `toile-erase` (detail: `EraseRequest`), when the erasure is confirmed.
 */
export class ToileModerationCard extends LitElement {
  static override properties = {
    message: { attribute: false },
    selected: { type: Boolean, reflect: true },
    busy: { type: Boolean },
    checked: { type: Boolean, reflect: true },
    claimedBy: { attribute: false },
    feedback: { attribute: false },
    canErase: { type: Boolean },
    confirmingErase: { state: true },
  };

  static override styles = css`
    :host {
      display: block;
      scroll-margin: 5em;
    }
    article {
      display: grid;
      gap: 0.6em;
      padding: 0.9em 1.1em;
      border-radius: var(--toile-radius, 0.75rem);
      background: var(--toile-surface, #161b26);
      border: 2px solid transparent;
    }
    :host([selected]) article {
      border-color: var(--toile-accent, #ffb020);
    }
    :host([checked]) article {
      background: linear-gradient(90deg, rgb(255 176 32 / 0.12), transparent 40%), var(--toile-surface, #161b26);
    }
    .pick {
      display: flex;
      align-items: center;
    }
    .pick input {
      width: 1.15em;
      height: 1.15em;
      margin: 0;
      accent-color: var(--toile-accent, #ffb020);
    }
    .claim {
      padding: 0.05em 0.6em;
      border-radius: 1em;
      background: var(--toile-surface-raised, #202737);
      border: 1px dashed var(--toile-accent, #ffb020);
      color: var(--toile-text, #f4f6fb);
      font-weight: 600;
    }
    .meta {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 0.2em 0.8em;
      color: var(--toile-muted, #aab2c5);
      font-size: 0.9em;
    }
    .author {
      color: var(--toile-text, #f4f6fb);
      font-size: 1.05rem;
      font-weight: 700;
    }
    .channel {
      padding: 0.05em 0.55em;
      border: 1px solid var(--toile-border, #323b50);
      border-radius: 1em;
      font-size: 0.85em;
      font-weight: 600;
    }
    .pinned {
      color: var(--toile-accent, #ffb020);
      font-weight: 700;
    }
    .warning {
      margin: 0;
      padding: 0.3em 0.6em;
      border-left: 0.25em solid var(--toile-accent, #ffb020);
      color: var(--toile-muted, #aab2c5);
    }
    .text {
      margin: 0;
      font-size: 1.2em;
      line-height: 1.35;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
    .media {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5em;
    }
    .media img {
      max-width: 14em;
      max-height: 10em;
      border-radius: 0.4em;
      object-fit: cover;
    }
    .sender {
      margin: 0;
      font-size: 0.9em;
      color: var(--toile-muted, #aab2c5);
    }
    .sender code {
      font-family: var(--toile-mono, monospace);
      color: var(--toile-text, #f4f6fb);
      overflow-wrap: anywhere;
    }
    .reasons {
      display: flex;
      flex-wrap: wrap;
      gap: 0.4em;
      margin: 0;
      padding: 0;
      list-style: none;
    }
    .reasons li {
      padding: 0.15em 0.6em;
      border-radius: 0.4em;
      background: var(--toile-warning-bg, #4a3a10);
      font-size: 0.9em;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5em;
    }
    button {
      font: inherit;
      font-weight: 600;
      min-width: 6.5em;
      padding: 0.45em 1em;
      border-radius: 0.45em;
      border: 1px solid var(--toile-border, #323b50);
      background: var(--toile-surface-raised, #202737);
      color: var(--toile-text, #f4f6fb);
      cursor: pointer;
    }
    button:focus-visible {
      outline: 3px solid var(--toile-accent, #ffb020);
      outline-offset: 2px;
    }
    button.approve {
      background: var(--toile-ok, #2e9d62);
      border-color: var(--toile-ok, #2e9d62);
    }
    button.reject,
    button.hide,
    button.danger {
      background: var(--toile-danger, #d2463f);
      border-color: var(--toile-danger, #d2463f);
    }
    button[disabled] {
      opacity: 0.55;
      cursor: progress;
    }
    .sender-rules {
      margin-left: auto;
      display: flex;
      gap: 0.5em;
    }
    .sender-rules button {
      min-width: 0;
      font-weight: 500;
      background: transparent;
    }
    .erase {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5em 0.8em;
      margin: 0;
      padding: 0.5em 0.7em;
      border-radius: 0.4em;
      border: 1px solid var(--toile-danger, #d2463f);
    }
    .erase p {
      margin: 0;
      flex-basis: 100%;
    }
    .feedback {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.4em 0.8em;
      margin: 0;
      padding: 0.4em 0.7em;
      border-radius: 0.4em;
      background: var(--toile-success-bg, #163d29);
    }
    .feedback.error {
      background: var(--toile-error-bg, #4d1e1e);
    }
    .feedback button {
      min-width: 0;
      padding: 0.1em 0.7em;
    }
  `;

  declare message: ModeratorMessage | null;
  declare selected: boolean;
  declare busy: boolean;
  declare checked: boolean;
  declare claimedBy: string[];
  declare feedback: CardFeedback | null;
  declare canErase: boolean;
  /** The admin pressed Erase and is asked to confirm, on the card. */
  declare confirmingErase: boolean;

  constructor() {
    super();
    this.message = null;
    this.selected = false;
    this.busy = false;
    this.checked = false;
    this.claimedBy = [];
    this.feedback = null;
    this.canErase = false;
    this.confirmingErase = false;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // An erasure that was refused ends the confirmation (the card says why); another message, too.
    const settled = changed.has('busy') && changed.get('busy') === true && !this.busy;
    const another = changed.has('message') && changed.get('message')?.id !== this.message?.id;
    if (settled || another) this.confirmingErase = false;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('confirmingErase') || changed.get('confirmingErase') === undefined) return;
    // The button pressed is replaced: the focus goes to the confirmation's Cancel, and back to Erase after it.
    const root = this.renderRoot as ShadowRoot;
    if (this.confirmingErase) root.querySelector<HTMLButtonElement>('.erase button:not(.danger)')?.focus();
    else if (root.activeElement === null) root.querySelector<HTMLButtonElement>('.erase-ask')?.focus();
  }

  override render() {
    const m = this.message;
    if (m === null) return nothing;
    const images = m.media.flatMap((item) => {
      const src = item.kind === 'image' ? safeImageUrl(item.url) : null;
      return src === null ? [] : [{ src, alt: item.alt ?? '' }];
    });
    return html`
      <article data-message-id=${m.id} aria-current=${this.selected ? 'true' : 'false'}>
        <div class="meta">
          <label class="pick">
            <input type="checkbox" .checked=${this.checked} aria-label=${s('card.select')} @change=${this.onCheck} />
          </label>
          <span class="author">${m.author.name}</span>
          ${m.author.handle ? html`<span>${m.author.handle}</span>` : nothing}
          <span class="channel">${channelAndSource(m.channel, m.source)}</span>
          <time datetime=${m.receivedAt} title=${m.receivedAt}>${relativeTimeIn(m.receivedAt, Date.now())}</time>
          ${m.pinned ? html`<span class="pinned">${s('card.pinned')}</span>` : nothing}
          ${m.status !== 'pending' && m.decidedBy ? html`<span>${s('card.decidedBy', { status: s(`status.${m.status}`), who: m.decidedBy })}</span>` : nothing}
          ${this.claimedBy.length > 0
            ? html`<span class="claim">${s('card.claimedBy', { who: this.claimedBy.join(', '), n: this.claimedBy.length })}</span>`
            : nothing}
        </div>
        ${m.contentWarning
          ? html`<p class="warning">
              ${s(m.contentRevealed ? 'card.contentWarningShown' : 'card.contentWarning')} <strong>${m.contentWarning}</strong>
            </p>`
          : nothing}
        <p class="text">${m.text}</p>
        ${images.length > 0
          ? html`<div class="media">${images.map((image) => html`<img src=${image.src} alt=${image.alt} loading="lazy" />`)}</div>`
          : nothing}
        ${m.sender
          ? html`<p class="sender">
              ${s('card.private')} ${senderKind(m.sender.kind)} <code>${m.sender.address}</code>
            </p>`
          : nothing}
        ${m.reasons.length > 0
          ? html`<ul class="reasons" aria-label=${s('card.heldBecause')}>
              ${m.reasons.map((reason) => html`<li title=${reason}>${reasonLabel(reason, lang)}</li>`)}
            </ul>`
          : nothing}
        <div class="actions">
          ${ACTIONS[m.status].map(({ action, label, key }) => {
            // An approved message offers Pin or Unpin, whichever applies.
            const shown = action === 'pin' && m.pinned ? { action: 'unpin' as const, label: s('card.unpin') } : { action, label: s(label) };
            return html`<button
              class=${shown.action}
              aria-keyshortcuts=${key ?? nothing}
              ?disabled=${this.busy}
              @click=${() => this.request(shown.action)}
            >
              ${shown.label}
            </button>`;
          })}
          ${m.contentWarning
            ? html`<button class="reveal" aria-pressed=${m.contentRevealed ? 'true' : 'false'} ?disabled=${this.busy} @click=${this.onReveal}>
                ${s(m.contentRevealed ? 'card.conceal' : 'card.reveal')}
              </button>`
            : nothing}
          ${m.sender
            ? html`<span class="sender-rules">
                <button ?disabled=${this.busy} @click=${() => this.senderRule('trusted')}>${s('card.trust')}</button>
                <button ?disabled=${this.busy} @click=${() => this.senderRule('blocked')}>${s('card.block')}</button>
              </span>`
            : nothing}
          ${this.canErase && !this.confirmingErase
            ? html`<button class="erase-ask" ?disabled=${this.busy} @click=${() => (this.confirmingErase = true)}>${s('card.erase')}</button>`
            : nothing}
        </div>
        ${this.canErase && this.confirmingErase
          ? html`<div class="erase" role="group" aria-label=${s('card.eraseConfirmLabel')}>
              <p>${s('card.eraseConfirm')}</p>
              <button class="danger" ?disabled=${this.busy} @click=${this.onErase}>${this.busy ? s('card.erasing') : s('card.eraseDo')}</button>
              <button ?disabled=${this.busy} @click=${() => (this.confirmingErase = false)}>${s('common.cancel')}</button>
            </div>`
          : nothing}
        ${this.feedback ? this.renderFeedback(this.feedback) : nothing}
      </article>
    `;
  }

  private renderFeedback(feedback: CardFeedback) {
    const m = this.message!;
    const { entryId } = feedback;
    return html`<p class="feedback ${feedback.tone}" role=${feedback.tone === 'error' ? 'alert' : 'status'}>
      <span>${feedback.text}</span>
      ${entryId !== undefined
        ? html`<button
            ?disabled=${this.busy}
            @click=${() => this.fire<SenderRuleUndoRequest>('toile-sender-rule-undo', { messageId: m.id, wall: m.wall, entryId })}
          >
            ${s('card.undo')}
          </button>`
        : nothing}
    </p>`;
  }

  private senderRule(rule: SenderRule): void {
    const m = this.message;
    if (m === null || this.busy) return;
    this.fire<SenderRuleRequest>('toile-sender-rule', { messageId: m.id, wall: m.wall, rule });
  }

  private readonly onReveal = () => {
    const m = this.message;
    if (m === null || this.busy) return;
    this.fire<RevealRequest>('toile-reveal', { id: m.id, revealed: !m.contentRevealed, expectedVersion: m.version });
  };

  private readonly onErase = () => {
    const m = this.message;
    if (m === null || this.busy) return;
    this.fire<EraseRequest>('toile-erase', { id: m.id });
  };

  private readonly onCheck = (event: Event) => {
    const m = this.message;
    if (m === null) return;
    this.fire('toile-check', { id: m.id, checked: (event.target as HTMLInputElement).checked });
  };

  private fire<T>(type: string, detail: T): void {
    this.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
  }

  private request(action: ModerationAction): void {
    const m = this.message;
    if (m === null || this.busy) return;
    this.fire<ModerationRequest>('toile-moderate', { id: m.id, action, expectedVersion: m.version });
  }
}

/** "SMS · twilio", but "Mastodon" rather than "Mastodon · mastodon". */
function channelAndSource(channel: string, source: string): string {
  const label = channelLabel(channel, source, lang);
  return label.toLowerCase() === source.toLowerCase() ? label : `${label} · ${source}`;
}

customElements.define('toile-moderation-card', ToileModerationCard);

declare global {
  interface HTMLElementTagNameMap {
    'toile-moderation-card': ToileModerationCard;
  }
}
