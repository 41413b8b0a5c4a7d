import { css, html, LitElement, type PropertyValues } from 'lit';
import { s, type ConsoleKey } from './strings.js';

/**
 * The queue's keys, in the order a moderator learns them (the README lists the same). `join` is how two
 * keys combine: `/` for either one, `+` for both together.
 */
export const QUEUE_KEYS: readonly { keys: string[]; join?: '/' | '+'; what: ConsoleKey }[] = [
  { keys: ['J', 'K'], join: '/', what: 'keys.move' },
  { keys: ['A'], what: 'keys.approve' },
  { keys: ['R'], what: 'keys.reject' },
  { keys: ['H'], what: 'keys.hide' },
  { keys: ['P'], what: 'keys.pin' },
  { keys: ['U'], what: 'keys.undo' },
  { keys: ['X'], what: 'keys.select' },
  { keys: ['Shift', 'A'], join: '+', what: 'keys.approveSelected' },
  { keys: ['Shift', 'R'], join: '+', what: 'keys.rejectSelected' },
  { keys: ['/'], what: 'keys.search' },
  { keys: ['?'], what: 'keys.help' },
  { keys: ['Esc'], what: 'keys.escape' },
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
        <h2 id="title">${s('keys.title')}</h2>
        <dl>
          ${QUEUE_KEYS.map(
            ({ keys, join, what }) =>
              html`<dt>${keys.map((key, i) => html`${i > 0 ? ` ${join ?? ''} ` : ''}<kbd>${key}</kbd>`)}</dt>
                <dd>${s(what)}</dd>`,
          )}
        </dl>
        <button @click=${this.close}>${s('keys.close')}</button>
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
