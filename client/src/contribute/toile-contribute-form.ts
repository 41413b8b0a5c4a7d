import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { api, ApiError } from '../shared/api.js';
import { formStyles } from '../shared/form-styles.js';
import type { PublicWall } from '../shared/types.js';

/** The length the form suggests: what reads well on a card (the server accepts more). */
const MAX_LENGTH = 500;

type Phase = 'editing' | 'sending' | 'sent';

/**
 * The public web form of one wall, made for a phone: an optional name, the message, and a clear
 * answer: a thank-you once the server has taken it, or the server's reason when it did not.
 *
 * Properties:
 * - `slug` (string, attribute `slug`): the wall to contribute to.
 *
 * It fires no events: the contribution goes to `POST /api/walls/:slug/contribute`.
 */
export class ToileContributeForm extends LitElement {
  static override properties = {
    slug: { type: String },
    wall: { state: true },
    missing: { state: true },
    phase: { state: true },
    accepted: { state: true },
    error: { state: true },
    length: { state: true },
  };

  static override styles = [formStyles, css`
    :host {
      display: block;
      box-sizing: border-box;
      max-width: 34rem;
      margin: 0 auto;
      padding: 1.4rem 1.1rem 3rem;
      font-family: var(--toile-font, system-ui, sans-serif);
      font-size: 1.05rem;
      color: var(--toile-text, #f4f6fb);
    }
    h1 {
      margin: 0 0 0.2em;
      font-size: 1.7em;
      line-height: 1.15;
    }
    .tags {
      margin: 0;
      color: var(--toile-accent, #ffb020);
      font-weight: 800;
    }
    .lead {
      color: var(--toile-muted, #aab2c5);
    }
    .instructions {
      margin: 0;
      white-space: pre-line;
    }
    form {
      display: grid;
      gap: 1.1em;
      margin-top: 1.2em;
    }
    .optional {
      color: var(--toile-muted, #aab2c5);
      font-weight: 400;
    }
    textarea {
      min-height: 9em;
      resize: vertical;
    }
    .hint {
      display: flex;
      justify-content: space-between;
      gap: 1em;
      color: var(--toile-muted, #aab2c5);
      font-size: 0.85em;
      font-weight: 400;
    }
    .hint .over {
      color: var(--toile-accent, #ffb020);
    }
    button {
      font-size: 1.1em;
      padding: 0.8em;
    }
    .done,
    .error {
      margin: 0;
      padding: 0.9em 1em;
      border-radius: 0.6em;
      line-height: 1.4;
    }
    .done {
      background: var(--toile-success-bg, #163d29);
      font-size: 1.15em;
    }
    .sent {
      display: grid;
      gap: 1.1em;
      margin-top: 1.2em;
    }
    .other {
      color: var(--toile-muted, #aab2c5);
      font-size: 0.9em;
    }
  `];

  declare slug: string;
  declare wall: PublicWall | null;
  declare missing: boolean;
  declare phase: Phase;
  /** The status the server gave the contribution: `pending` waits for a moderator, `approved` is shown. */
  declare accepted: string;
  declare error: string;
  declare length: number;

  constructor() {
    super();
    this.slug = '';
    this.wall = null;
    this.missing = false;
    this.phase = 'editing';
    this.accepted = '';
    this.error = '';
    this.length = 0;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('slug')) void this.loadWall(this.slug);
  }

  override render() {
    if (this.missing || this.slug === '') {
      return html`<h1>No wall here</h1>
        <p class="lead" role="alert">No wall is called “${this.slug}”. Check the address you were given.</p>`;
    }
    return html`
      <h1>${this.wall?.title ?? 'Share your message'}</h1>
      ${this.wall && this.wall.hashtags.length > 0
        ? html`<p class="tags">${this.wall.hashtags.map((tag) => `#${tag}`).join(' ')}</p>`
        : nothing}
      ${this.phase === 'sent' ? this.renderSent() : this.renderForm()} ${this.renderOtherWays()}
    `;
  }

  private renderForm() {
    const over = this.length > MAX_LENGTH;
    return html`<form @submit=${this.onSubmit} novalidate>
      <p class="lead">Your message appears on the wall in the room once a moderator approves it.</p>
      ${this.wall?.instructions ? html`<p class="instructions">${this.wall.instructions}</p>` : nothing}
      <label>
        <span>Your name <span class="optional">(optional)</span></span>
        <input name="name" maxlength="80" autocomplete="nickname" enterkeyhint="next" />
      </label>
      <label>
        Your message
        <textarea
          name="text"
          required
          maxlength=${MAX_LENGTH}
          aria-describedby="hint"
          @input=${(event: Event) => (this.length = (event.target as HTMLTextAreaElement).value.length)}
        ></textarea>
        <span class="hint" id="hint">
          <span>Keep it short: up to ${MAX_LENGTH} characters.</span>
          <span class=${over ? 'over' : ''}>${this.length} / ${MAX_LENGTH}</span>
        </span>
      </label>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <button type="submit" ?disabled=${this.phase === 'sending'}>${this.phase === 'sending' ? 'Sending…' : 'Send'}</button>
    </form>`;
  }

  private renderSent() {
    const shown = this.accepted === 'approved';
    return html`<div class="sent">
      <p class="done" role="status">
        ${shown ? 'Thanks — your message is on the wall.' : 'Thanks — a moderator will review it before it appears on the wall.'}
      </p>
      <button @click=${this.writeAnother}>Send another message</button>
    </div>`;
  }

  /** The wall's other channels, so that someone without data can still take part. */
  private renderOtherWays() {
    const wall = this.wall;
    if (wall === null || (wall.smsNumbers.length === 0 && wall.emailAddresses.length === 0)) return nothing;
    const text = (n: string) => (wall.smsKeyword ? `text ${wall.smsKeyword} and your message to ${n}` : `text ${n}`);
    const ways = [...wall.smsNumbers.map(text), ...wall.emailAddresses.map((a) => `email ${a}`)];
    return html`<p class="other">You can also ${ways.join(' or ')}.</p>`;
  }

  private async loadWall(slug: string): Promise<void> {
    this.wall = null;
    this.missing = false;
    if (slug === '') return;
    try {
      const wall = await api<PublicWall>('GET', `/api/walls/${encodeURIComponent(slug)}`);
      if (slug === this.slug) this.wall = wall;
    } catch (error) {
      // Without the wall's name the form still works; only a 404 means there is nothing to send to.
      if (slug === this.slug) this.missing = error instanceof ApiError && error.status === 404;
    }
  }

  private async onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.phase === 'sending') return;
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    const text = String(data.get('text') ?? '').trim();
    if (text === '') {
      this.error = 'Write a message first.';
      return;
    }
    if ([...text].length > MAX_LENGTH) {
      this.error = `That is a bit long for the wall: keep it under ${MAX_LENGTH} characters.`;
      return;
    }
    this.phase = 'sending';
    this.error = '';
    try {
      const answer = await api<{ id: number; status: string }>('POST', `/api/walls/${encodeURIComponent(this.slug)}/contribute`, {
        ...(name === '' ? {} : { name }),
        text,
      });
      form.reset();
      this.length = 0;
      this.accepted = answer?.status ?? 'pending';
      this.phase = 'sent';
    } catch (error) {
      this.phase = 'editing';
      this.error = contributionError(error);
    }
  }

  private writeAnother(): void {
    this.phase = 'editing';
    this.accepted = '';
  }
}

function contributionError(error: unknown): string {
  if (!(error instanceof ApiError) || error.status === 0) {
    return 'Your message could not be sent: check your connection and try again.';
  }
  if (error.status === 429) return 'You are sending messages quickly: wait a minute, then try again.';
  if (error.status >= 500) return 'The wall is having trouble right now; try again in a moment.';
  return error.message;
}

customElements.define('toile-contribute-form', ToileContributeForm);

declare global {
  interface HTMLElementTagNameMap {
    'toile-contribute-form': ToileContributeForm;
  }
}
