import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { api, ApiError } from '../shared/api.js';
import { formStyles } from '../shared/form-styles.js';
import { pickLanguage, type Language } from '../shared/i18n.js';
import type { PublicWall } from '../shared/types.js';
import { sendContribution, type SendOutcome } from './send-contribution.js';
import { t } from './strings.js';

/** The length the form allows: what reads well on a card (the server accepts more). */
export const MAX_LENGTH = 500;

/** From how many characters left the counter speaks up, and the steps at which it speaks again. */
const WARN_REMAINING = 50;
const SPOKEN_STEPS = [WARN_REMAINING, 20, 10, 0];

type Phase = 'editing' | 'sending' | 'sent';

/**
 * The public web form of one wall, made for a phone held in one hand: an optional name, the message with
 * a character counter, one large Send button; then a clear answer. Once the server has taken the message,
 * the form gives way to a confirmation that says what happens next (a moderator reviews it, or it is on
 * the wall) with a button to send another. When it did not, the reason is shown above the button with the
 * text left in place: too fast (429, with when to try again), refused (400), the phone offline, the
 * server in trouble, or the wall gone.
 *
 * It speaks the wall's language (`pickLanguage(wall.language)`: the wall's setting, or the browser's with
 * `auto`), and sets the page's `lang` and title to match.
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
    counterNews: { state: true },
  };

  static override styles = [
    formStyles,
    css`
      :host {
        display: block;
        box-sizing: border-box;
        max-width: 34rem;
        margin: 0 auto;
        padding: 1.25rem 1rem 3rem;
        font-family: var(--toile-font, system-ui, sans-serif);
        font-size: 1.125rem;
        line-height: 1.45;
        color: var(--toile-text, #f4f6fb);
      }
      h1 {
        margin: 0 0 0.2em;
        font-size: 1.6em;
        line-height: 1.15;
        overflow-wrap: anywhere;
      }
      .tags {
        margin: 0;
        color: var(--toile-accent, #ffb020);
        font-weight: 800;
        overflow-wrap: anywhere;
      }
      p {
        margin: 0;
      }
      .lead,
      .hint,
      .optional,
      .other {
        color: var(--toile-muted, #aab2c5);
      }
      .instructions {
        white-space: pre-line;
        overflow-wrap: anywhere;
      }
      form,
      .sent {
        display: grid;
        gap: 1.1em;
        margin-top: 1.2em;
      }
      .field {
        display: grid;
        gap: 0.4em;
      }
      .field label {
        display: block;
      }
      .optional,
      .hint {
        font-weight: 400;
      }
      .hint {
        font-size: 0.85em;
      }
      /* 16 px or more: a phone does not zoom into a field it can read. */
      input,
      textarea {
        min-height: 3rem;
        font-size: max(1rem, 1em);
      }
      textarea {
        min-height: 9em;
        resize: vertical;
      }
      .counter {
        display: flex;
        justify-content: space-between;
        gap: 1em;
      }
      .counter .near {
        color: var(--toile-accent, #ffb020);
        font-weight: 700;
      }
      button {
        min-height: 3rem;
        font-size: 1.1em;
        padding: 0.8em;
      }
      .done {
        padding: 0.9em 1em;
        border-radius: 0.6em;
        background: var(--toile-success-bg, #163d29);
        font-size: 1.1em;
      }
      .done h2 {
        margin: 0 0 0.3em;
        font-size: 1.2em;
      }
      .done:focus {
        outline: 3px solid var(--toile-accent, #ffb020);
        outline-offset: 2px;
      }
      .error {
        line-height: 1.4;
      }
      .other {
        margin-top: 2em;
        font-size: 0.9em;
        overflow-wrap: anywhere;
      }
      .visually-hidden {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip-path: inset(50%);
        white-space: nowrap;
      }
    `,
  ];

  declare slug: string;
  declare wall: PublicWall | null;
  declare missing: boolean;
  declare phase: Phase;
  /** The status the server gave the contribution: `pending` waits for a moderator, `approved` is shown. */
  declare accepted: string;
  declare error: string;
  declare length: number;
  /** What the counter last said aloud (remaining characters, or the limit reached); '' while there is room. */
  declare counterNews: string;

  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** The last step of `SPOKEN_STEPS` the counter spoke at, or null while there is room. */
  private counterStep: number | null = null;

  constructor() {
    super();
    this.slug = '';
    this.wall = null;
    this.missing = false;
    this.phase = 'editing';
    this.accepted = '';
    this.error = '';
    this.length = 0;
    this.counterNews = '';
  }

  /** The language the form speaks: the wall's setting, else the browser's (before the wall is known too). */
  get language(): Language {
    return pickLanguage(this.wall?.language);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.retryTimer);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('slug')) void this.loadWall(this.slug);
  }

  protected override updated(): void {
    // The page speaks the form's language, so that screen readers and translation tools read it right.
    document.documentElement.lang = this.language;
    const lang = this.language;
    document.title = this.missing
      ? t(lang, 'missingTitle')
      : this.wall
        ? t(lang, 'pageTitle', { title: this.wall.title })
        : t(lang, 'defaultTitle');
  }

  override render() {
    const lang = this.language;
    if (this.missing || this.slug === '') {
      return html`<h1>${t(lang, 'missingTitle')}</h1>
        <p class="lead" role="alert">${t(lang, 'missing', { slug: this.slug })}</p>`;
    }
    return html`
      <h1>${this.wall?.title ?? t(lang, 'defaultTitle')}</h1>
      ${this.wall && this.wall.hashtags.length > 0 ? html`<p class="tags">${this.wall.hashtags.map((tag) => `#${tag}`).join(' ')}</p>` : nothing}
      ${this.phase === 'sent' ? this.renderSent(lang) : this.renderForm(lang)} ${this.renderOtherWays(lang)}
    `;
  }

  private renderForm(lang: Language) {
    const near = MAX_LENGTH - this.length <= WARN_REMAINING;
    return html`<form @submit=${this.onSubmit} novalidate>
      <p class="lead">${t(lang, this.wall?.moderation === 'post' ? 'leadPost' : 'leadPre')}</p>
      ${this.wall?.instructions ? html`<p class="instructions">${this.wall.instructions}</p>` : nothing}
      <div class="field">
        <label for="name">${t(lang, 'name')} <span class="optional">${t(lang, 'optional')}</span></label>
        <input id="name" name="name" maxlength="80" autocomplete="nickname" enterkeyhint="next" aria-describedby="name-hint" />
        <p class="hint" id="name-hint">${t(lang, 'nameHint')}</p>
      </div>
      <div class="field">
        <label for="text">${t(lang, 'message')}</label>
        <textarea
          id="text"
          name="text"
          required
          maxlength=${MAX_LENGTH}
          aria-describedby="counter"
          aria-invalid=${this.error !== '' && this.length === 0 ? 'true' : 'false'}
          @input=${this.onInput}
        ></textarea>
        <p class="hint counter" id="counter">
          <span>${t(lang, 'counterHint', { max: MAX_LENGTH })}</span>
          <span class=${near ? 'near' : ''}>${t(lang, 'counter', { n: this.length, max: MAX_LENGTH })}</span>
        </p>
        <p class="visually-hidden" role="status">${this.counterNews}</p>
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <button type="submit" ?disabled=${this.phase === 'sending'}>${this.phase === 'sending' ? t(lang, 'sending') : t(lang, 'send')}</button>
    </form>`;
  }

  private renderSent(lang: Language) {
    const thanks =
      this.accepted === 'approved' ? 'thanksShown' : this.wall?.moderation === 'post' ? 'thanksDelayed' : 'thanksPending';
    return html`<div class="sent">
      <div class="done" role="status" tabindex="-1">
        <h2>${t(lang, 'sentHeading')}</h2>
        <p>${t(lang, thanks)}</p>
      </div>
      <button type="button" @click=${this.writeAnother}>${t(lang, 'sendAnother')}</button>
    </div>`;
  }

  /** The wall's other channels, so that someone without data can still take part. */
  private renderOtherWays(lang: Language) {
    const wall = this.wall;
    if (wall === null || (wall.smsNumbers.length === 0 && wall.emailAddresses.length === 0)) return nothing;
    const ways = [
      ...wall.smsNumbers.map((number) =>
        wall.smsKeyword ? t(lang, 'textKeyword', { keyword: wall.smsKeyword, number }) : t(lang, 'textNumber', { number }),
      ),
      ...wall.emailAddresses.map((address) => t(lang, 'email', { address })),
    ];
    return html`<p class="other">${t(lang, 'otherWays', { ways: ways.join(t(lang, 'or')) })}</p>`;
  }

  private onInput(event: Event): void {
    this.length = [...(event.target as HTMLTextAreaElement).value].length;
    const left = MAX_LENGTH - this.length;
    // Spoken only when crossing a step, not at every keystroke: a counter that talks all the time is noise.
    const step = SPOKEN_STEPS.filter((candidate) => left <= candidate).at(-1) ?? null;
    if (step === this.counterStep) return;
    this.counterStep = step;
    this.counterNews = step === null ? '' : left <= 0 ? t(this.language, 'atLimit') : t(this.language, 'remaining', { n: left });
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
    const lang = this.language;
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    const text = String(data.get('text') ?? '').trim();
    if (text === '') {
      await this.refuse(t(lang, 'empty'));
      return;
    }
    if ([...text].length > MAX_LENGTH) {
      await this.refuse(t(lang, 'tooLong', { max: MAX_LENGTH }));
      return;
    }
    this.phase = 'sending';
    this.error = '';
    clearTimeout(this.retryTimer);
    const outcome = await sendContribution(this.slug, { ...(name === '' ? {} : { name }), text });
    if (outcome.kind === 'accepted') {
      form.reset();
      this.length = 0;
      this.counterNews = '';
      this.counterStep = null;
      this.accepted = outcome.status;
      this.phase = 'sent';
      // The confirmation takes the focus, so that a keyboard or screen-reader user lands on the answer.
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('.done')?.focus();
      return;
    }
    this.phase = 'editing';
    if (outcome.kind === 'wall-missing') {
      this.missing = true;
      return;
    }
    this.error = this.outcomeText(outcome, lang);
    if (outcome.kind === 'rate-limited') this.sayWhenReady(outcome.retryAfter ?? 60);
  }

  private outcomeText(outcome: Exclude<SendOutcome, { kind: 'accepted' | 'wall-missing' }>, lang: Language): string {
    switch (outcome.kind) {
      case 'rate-limited': {
        const wait = outcome.retryAfter === null || outcome.retryAfter >= 60 ? t(lang, 'inAMinute') : t(lang, 'inSeconds', { n: Math.max(1, outcome.retryAfter) });
        return t(lang, 'rateLimited', { wait });
      }
      case 'invalid':
        return outcome.code === 'empty_text' ? t(lang, 'emptyOnceCleaned') : t(lang, 'invalid', { reason: outcome.message });
      case 'server-error':
        return t(lang, 'serverDown');
      case 'network':
        return t(lang, 'network');
    }
  }

  /** When the rate limit's wait is over, the error says so, so that nobody waits longer than needed. */
  private sayWhenReady(seconds: number): void {
    const shown = this.error;
    this.retryTimer = setTimeout(() => {
      if (this.error === shown && this.phase === 'editing') this.error = t(this.language, 'retryNow');
    }, seconds * 1000);
  }

  /** Shows a problem found before sending, and puts the focus back on the message. */
  private async refuse(message: string): Promise<void> {
    this.error = message;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#text')?.focus();
  }

  private async writeAnother(): Promise<void> {
    this.phase = 'editing';
    this.accepted = '';
    this.error = '';
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#text')?.focus();
  }
}

customElements.define('toile-contribute-form', ToileContributeForm);

declare global {
  interface HTMLElementTagNameMap {
    'toile-contribute-form': ToileContributeForm;
  }
}
