import { css, html, LitElement, nothing } from 'lit';
import { CHANNEL_LABELS, channelLabel } from '../shared/format.js';
import { filtersActive, noFilters, type QueueFilters } from '../shared/moderation-reducer.js';
import type { Channel } from '../shared/types.js';
import { lang, s } from './strings.js';

/**
 * The queue's filters: channel, words in the text, sender (private address or author), and the order of
 * the pending tab. Every change applies at once; the owner keeps the filters and hands them back.
 *
 * Properties:
 * - `filters` (`QueueFilters`): what is set now.
 * - `ordered` (boolean): whether the order applies to the tab shown (the pending tab); otherwise it is hidden.
 *
 * Methods:
 * - `focusSearch()`: puts the cursor in the text search (the `/` key).
 *
 * Events:
 * - `toile-filters-change` (detail: `QueueFilters`, bubbles, composed), on every change, keystroke by keystroke.
 */
export class ToileQueueFilters extends LitElement {
  static override properties = {
    filters: { attribute: false },
    ordered: { type: Boolean },
  };

  static override styles = css`
    :host {
      display: block;
    }
    form {
      display: flex;
      flex-wrap: wrap;
      align-items: end;
      gap: 0.6em 1em;
    }
    label {
      display: grid;
      gap: 0.2em;
      color: var(--toile-muted, #aab2c5);
      font-size: 0.85em;
    }
    input,
    select,
    button {
      font: inherit;
      font-size: 1.05rem;
      padding: 0.35em 0.6em;
      border-radius: 0.45em;
      border: 1px solid var(--toile-border, #323b50);
      background: var(--toile-surface-raised, #202737);
      color: var(--toile-text, #f4f6fb);
    }
    input {
      width: 12em;
    }
    button {
      cursor: pointer;
    }
    input:focus-visible,
    select:focus-visible,
    button:focus-visible {
      outline: 3px solid var(--toile-accent, #ffb020);
      outline-offset: 2px;
    }
  `;

  declare filters: QueueFilters;
  declare ordered: boolean;

  constructor() {
    super();
    this.filters = noFilters();
    this.ordered = false;
  }

  override render() {
    const f = this.filters;
    return html`
      <form role="search" aria-label=${s('filters.label')} @submit=${(event: Event) => event.preventDefault()}>
        <label
          >${s('filters.channel')}
          <select
            @change=${(event: Event) => this.change({ channel: (event.target as HTMLSelectElement).value as Channel | '' })}
            @keydown=${this.leaveOnEscape}
          >
            <option value="" ?selected=${f.channel === ''}>${s('filters.allChannels')}</option>
            ${(Object.keys(CHANNEL_LABELS) as Channel[]).map(
              (channel) => html`<option value=${channel} ?selected=${f.channel === channel}>${channelLabel(channel, undefined, lang)}</option>`,
            )}
          </select>
        </label>
        <label
          >${s('filters.text')}
          <input
            id="text"
            type="search"
            .value=${f.text}
            autocomplete="off"
            @input=${(event: Event) => this.change({ text: (event.target as HTMLInputElement).value })}
            @keydown=${this.leaveOnEscape}
          />
        </label>
        <label
          >${s('filters.sender')}
          <input
            type="search"
            .value=${f.sender}
            autocomplete="off"
            placeholder=${s('filters.senderPlaceholder')}
            @input=${(event: Event) => this.change({ sender: (event.target as HTMLInputElement).value })}
            @keydown=${this.leaveOnEscape}
          />
        </label>
        ${this.ordered
          ? html`<label
              >${s('filters.order')}
              <select
                @change=${(event: Event) => this.change({ order: (event.target as HTMLSelectElement).value as QueueFilters['order'] })}
                @keydown=${this.leaveOnEscape}
              >
                <option value="oldest" ?selected=${f.order === 'oldest'}>${s('filters.oldest')}</option>
                <option value="newest" ?selected=${f.order === 'newest'}>${s('filters.newest')}</option>
              </select>
            </label>`
          : nothing}
        ${filtersActive(f) ? html`<button type="button" @click=${this.clear}>${s('filters.clear')}</button>` : nothing}
      </form>
    `;
  }

  focusSearch(): void {
    this.renderRoot.querySelector<HTMLInputElement>('#text')?.focus();
  }

  private change(patch: Partial<QueueFilters>): void {
    this.dispatchEvent(new CustomEvent<QueueFilters>('toile-filters-change', { detail: { ...this.filters, ...patch }, bubbles: true, composed: true }));
  }

  private readonly clear = () => {
    this.change({ channel: '', text: '', sender: '' });
  };

  /** Escape in a field gives the keys back to the queue, keeping what was typed or chosen. */
  private readonly leaveOnEscape = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    // A search field's own Escape would empty it: the filter stays, only the focus leaves.
    event.preventDefault();
    (event.target as HTMLElement).blur();
  };
}

customElements.define('toile-queue-filters', ToileQueueFilters);

declare global {
  interface HTMLElementTagNameMap {
    'toile-queue-filters': ToileQueueFilters;
  }
}
