import { css, html, LitElement, type PropertyValues } from 'lit';

/**
 * The queue's keys, in the order a moderator learns them (the README lists the same). `join` is how two
 * keys combine: `/` for either one, `+` for both together.
 */
export const QUEUE_KEYS: readonly { keys: string[]; join?: '/' | '+'; what: string }[] = [
  { keys: ['J', 'K'], join: '/', what: 'Next, previous card' },
  { keys: ['A'], what: 'Approve' },
  { keys: ['R'], what: 'Reject' },
  { keys: ['H'], what: 'Hide an approved message from the wall' },
  { keys: ['P'], what: 'Pin or unpin an approved message' },
  { keys: ['U'], what: 'Undo my last decision' },
  { keys: ['X'], what: 'Select or unselect the card, for a batch' },
  { keys: ['Shift', 'A'], join: '+', what: 'Approve the selected cards' },
  { keys: ['Shift', 'R'], join: '+', what: 'Reject the selected cards' },
  { keys: ['/'], what: 'Search the text' },
  { keys: ['?'], what: 'Show or hide these keys' },
  { keys: ['Esc'], what: 'Close this list, or leave a search field' },
];

/**
 * The list of the queue's keys, as a modal dialog over the queue (the `?` key).
 *
 * Properties:
 * - `open` (boolean, reflected): whether the list is shown.
 *
 * Events:
 * - `toile-keys-help-close`, when the moderator closes the list (its button or Escape); the owner sets
 *   `open` back to false.
 */
export class ToileKeysHelp extends LitElement {
  static override properties = {
    open: { type: Boolean, reflect: true },
  };

  static override styles = css`
    dialog {
      max-width: 30em;
      padding: 1.2em 1.5em;
      border: 1px solid var(--toile-border, #323b50);
      border-radius: var(--toile-radius, 0.75rem);
      background: var(--toile-surface, #161b26);
      color: var(--toile-text, #f4f6fb);
    }
    dialog::backdrop {
      background: rgb(0 0 0 / 0.55);
    }
    h2 {
      margin: 0 0 0.8em;
      font-size: 1.15em;
    }
    dl {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 0.45em 1.2em;
      margin: 0 0 1.2em;
    }
    dt {
      white-space: nowrap;
    }
    dd {
      margin: 0;
    }
    kbd {
      padding: 0.05em 0.45em;
      border: 1px solid var(--toile-border, #323b50);
      border-radius: 0.3em;
      font-family: var(--toile-mono, monospace);
    }
    button {
      font: inherit;
      font-weight: 600;
      padding: 0.4em 1em;
      border-radius: 0.45em;
      border: 1px solid var(--toile-border, #323b50);
      background: var(--toile-surface-raised, #202737);
      color: inherit;
      cursor: pointer;
    }
    button:focus-visible {
      outline: 3px solid var(--toile-accent, #ffb020);
      outline-offset: 2px;
    }
  `;

  declare open: boolean;

  constructor() {
    super();
    this.open = false;
  }

  override render() {
    return html`
      <dialog aria-labelledby="title" @cancel=${this.onCancel}>
        <h2 id="title">Keyboard shortcuts</h2>
        <dl>
          ${QUEUE_KEYS.map(
            ({ keys, join, what }) =>
              html`<dt>${keys.map((key, i) => html`${i > 0 ? ` ${join ?? ''} ` : ''}<kbd>${key}</kbd>`)}</dt>
                <dd>${what}</dd>`,
          )}
        </dl>
        <button @click=${this.close}>Close</button>
      </dialog>
    `;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('open')) return;
    const dialog = this.renderRoot.querySelector('dialog');
    if (dialog === null) return;
    // A modal dialog makes the queue behind it inert and keeps the focus inside until it closes.
    if (this.open && !dialog.open) dialog.showModal();
    if (!this.open && dialog.open) dialog.close();
  }

  /** Escape closes a modal dialog on its own; the owner is told, so that `open` follows. */
  private readonly onCancel = (event: Event) => {
    event.preventDefault();
    this.close();
  };

  private readonly close = () => {
    this.dispatchEvent(new CustomEvent('toile-keys-help-close', { bubbles: true, composed: true }));
  };
}

customElements.define('toile-keys-help', ToileKeysHelp);

declare global {
  interface HTMLElementTagNameMap {
    'toile-keys-help': ToileKeysHelp;
  }
}
