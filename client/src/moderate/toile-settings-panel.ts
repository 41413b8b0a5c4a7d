import { css, html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import { api, ApiError } from '../shared/api.js';
import { formStyles } from '../shared/form-styles.js';
import { DEFAULT_STATS_SLIDE, type AdminWall, type Language, type Layout, type ThemeName, type WallSettingsPatch, type WallStatsSlide } from '../shared/types.js';
import { panelStyles, settingsFormStyles } from './panel-styles.js';
import { errorText, s } from './strings.js';
import './toile-appearance-panel.js';
import './toile-senders-panel.js';

const LAYOUTS: readonly Layout[] = ['grid', 'columns', 'spotlight', 'ticker'];
const THEMES: readonly ThemeName[] = ['dark', 'light'];
const WALL_LANGUAGES: readonly (Language | 'auto')[] = ['auto', 'en', 'fr'];


/** The longest contribution instructions the server takes; the counter says so before it refuses. */
const INSTRUCTIONS_MAX = 280;

/**
 * What the person is editing, as typed: lists one item per line, numbers as the text of their field, so
 * that a half-typed value is never rewritten under the cursor. `patchOf` turns it into the request.
 */
interface SettingsDraft {
  title: string;
  hashtags: string;
  instructions: string;
  smsNumbers: string;
  emailAddresses: string;
  smsKeyword: string;
  moderation: 'pre' | 'post';
  publishDelaySeconds: string;
  blockedTerms: string;
  profanityFilter: boolean;
  holdLinks: boolean;
  duplicateWindowMinutes: string;
  senderPerMinute: string;
  layout: Layout;
  theme: ThemeName;
  language: Language | 'auto';
  displayLimit: string;
  /** The event's end as its `datetime-local` field holds it: this browser's local time, or empty. */
  eventEndsAt: string;
  retentionDays: string;
  statsSlideEnabled: boolean;
  statsSlideEveryMinutes: string;
  statsSlideSeconds: string;
}

type BooleanField = 'profanityFilter' | 'holdLinks' | 'statsSlideEnabled';

type FieldName = keyof SettingsDraft;

/** The rules a server may not have yet: their fields are shown only when the wall carries them. */
type OptionalRule = 'profanityFilter' | 'holdLinks' | 'duplicateWindowMinutes' | 'senderPerMinute' | 'instructions';

function draftOf(wall: AdminWall): SettingsDraft {
  return {
    title: wall.title,
    hashtags: wall.hashtags.join('\n'),
    instructions: wall.instructions ?? '',
    smsNumbers: wall.smsNumbers.join('\n'),
    emailAddresses: wall.emailAddresses.join('\n'),
    smsKeyword: wall.smsKeyword ?? '',
    moderation: wall.moderation,
    publishDelaySeconds: String(wall.publishDelaySeconds),
    blockedTerms: wall.blockedTerms.join('\n'),
    profanityFilter: wall.profanityFilter ?? true,
    holdLinks: wall.holdLinks ?? true,
    duplicateWindowMinutes: String(wall.duplicateWindowMinutes ?? ''),
    senderPerMinute: String(wall.senderPerMinute ?? ''),
    layout: wall.layout,
    // Walls made before the light theme carry other names for the dark one.
    theme: wall.theme === 'light' ? 'light' : 'dark',
    language: wall.language ?? 'auto',
    displayLimit: String(wall.displayLimit),
    eventEndsAt: localDateTimeOf(wall.eventEndsAt ?? null),
    retentionDays: wall.retentionDays === null ? '' : String(wall.retentionDays),
    ...slideDraftOf({ ...DEFAULT_STATS_SLIDE, ...wall.statsSlide }),
  };
}

function slideDraftOf(slide: WallStatsSlide): Pick<SettingsDraft, 'statsSlideEnabled' | 'statsSlideEveryMinutes' | 'statsSlideSeconds'> {
  return { statsSlideEnabled: slide.enabled, statsSlideEveryMinutes: String(slide.everyMinutes), statsSlideSeconds: String(slide.seconds) };
}

const lines = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');

/** An empty field is "none" (null); anything else goes as a number, for the server to accept or name. */
const numberOrNull = (text: string): number | null => (text.trim() === '' ? null : Number(text));
const textOrNull = (text: string): string | null => (text.trim() === '' ? null : text.trim());

const pad = (n: number, width = 2): string => String(Math.abs(n)).padStart(width, '0');

/**
 * An instant as a `datetime-local` field shows it, in this browser's time zone: `2026-11-29T18:00`, with
 * the seconds only when there are some (so that a stored instant reads back unchanged). Empty for null.
 */
function localDateTimeOf(iso: string | null): string {
  const date = iso === null ? null : new Date(iso);
  if (date === null || Number.isNaN(date.getTime())) return '';
  return date.getSeconds() === 0 ? localMinutes(date) : `${localMinutes(date)}:${pad(date.getSeconds())}`;
}

/** `2026-11-29T18:00`: a date's day and minute in this browser's time zone. */
const localMinutes = (date: Date): string =>
  `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;

/**
 * What a `datetime-local` field holds (this browser's local time) as an RFC 3339 date-time with the local
 * offset, e.g. `2026-11-29T18:00:00+01:00`; null when empty. Text that is not a local date-time goes as
 * typed, for the server to refuse and name.
 */
function isoWithOffset(local: string): string | null {
  const text = local.trim();
  if (text === '') return null;
  const parts = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(text);
  if (parts === null) return text;
  const [year, month, day, hours, minutes, seconds] = parts.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const date = new Date(year, month - 1, day, hours, minutes, seconds);
  if (Number.isNaN(date.getTime())) return text;
  // getTimezoneOffset is minutes behind UTC: -60 in Paris in winter, which is +01:00.
  const offset = -date.getTimezoneOffset();
  const zone = `${offset < 0 ? '-' : '+'}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
  return `${localMinutes(date)}:${pad(date.getSeconds())}${zone}`;
}

/** Whether two event ends are the same instant (the server stores it in UTC, the form sends local time). */
const sameInstant = (a: string | null, b: string | null): boolean =>
  a === null || b === null ? a === b : a === b || Date.parse(a) === Date.parse(b);

/**
 * The request for what changed between the wall as loaded and the draft, and nothing else: two admins
 * editing different settings at once do not undo each other's change.
 */
function patchOf(wall: AdminWall, draft: SettingsDraft): WallSettingsPatch {
  const wanted: Record<string, unknown> = {
    title: draft.title.trim(),
    hashtags: lines(draft.hashtags),
    smsNumbers: lines(draft.smsNumbers),
    emailAddresses: lines(draft.emailAddresses),
    smsKeyword: textOrNull(draft.smsKeyword),
    moderation: draft.moderation,
    publishDelaySeconds: numberOrNull(draft.publishDelaySeconds),
    blockedTerms: lines(draft.blockedTerms),
    layout: draft.layout,
    theme: draft.theme,
    displayLimit: numberOrNull(draft.displayLimit),
    eventEndsAt: isoWithOffset(draft.eventEndsAt),
    retentionDays: numberOrNull(draft.retentionDays),
  };
  if (wall.profanityFilter !== undefined) wanted.profanityFilter = draft.profanityFilter;
  if (wall.holdLinks !== undefined) wanted.holdLinks = draft.holdLinks;
  if (wall.duplicateWindowMinutes !== undefined) wanted.duplicateWindowMinutes = numberOrNull(draft.duplicateWindowMinutes);
  if (wall.senderPerMinute !== undefined) wanted.senderPerMinute = numberOrNull(draft.senderPerMinute);
  if (wall.instructions !== undefined) wanted.instructions = textOrNull(draft.instructions);
  if (wall.language !== undefined) wanted.language = draft.language;
  const current = wall as unknown as Record<string, unknown>;
  const patch: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(wanted)) {
    const before = current[field] ?? null;
    const same =
      field === 'eventEndsAt' ? sameInstant(value as string | null, before as string | null) : JSON.stringify(value) === JSON.stringify(before);
    if (!same) patch[field] = value;
  }
  // The stats slide is one object on the server, merged field by field: only its changed fields go.
  if (wall.statsSlide !== undefined) {
    const before = { ...DEFAULT_STATS_SLIDE, ...wall.statsSlide };
    const after: Record<string, unknown> = {
      enabled: draft.statsSlideEnabled,
      everyMinutes: numberOrNull(draft.statsSlideEveryMinutes),
      seconds: numberOrNull(draft.statsSlideSeconds),
    };
    const slide = Object.fromEntries(Object.entries(after).filter(([key, value]) => value !== before[key as keyof WallStatsSlide]));
    if (Object.keys(slide).length > 0) patch.statsSlide = slide;
  }
  return patch as WallSettingsPatch;
}

/**
 * The field a refusal names, from the server's message: schema errors start with the path
 * ("body/smsNumbers/0 must match pattern …"), the services' own with the field ("hashtags: …").
 */
function fieldOfError(message: string): FieldName | null {
  const slide = /statsSlide[/.](enabled|everyMinutes|seconds)\b/.exec(message)?.[1];
  if (slide !== undefined) return SLIDE_FIELDS[slide as keyof WallStatsSlide];
  const match = /^(?:body\/)?([A-Za-z]+)\b/.exec(message) ?? /\b(?:body\/|property ')([A-Za-z]+)/.exec(message);
  const name = match?.[1];
  return name !== undefined && FIELD_NAMES.has(name) ? (name as FieldName) : null;
}

const SLIDE_FIELDS: Record<keyof WallStatsSlide, FieldName> = {
  enabled: 'statsSlideEnabled',
  everyMinutes: 'statsSlideEveryMinutes',
  seconds: 'statsSlideSeconds',
};

/** Every field of the form: a refusal naming one of them is shown next to it. */
const FIELD_NAMES: ReadonlySet<string> = new Set<FieldName>([
  'title',
  'hashtags',
  'instructions',
  'smsNumbers',
  'emailAddresses',
  'smsKeyword',
  'moderation',
  'publishDelaySeconds',
  'blockedTerms',
  'profanityFilter',
  'holdLinks',
  'duplicateWindowMinutes',
  'senderPerMinute',
  'layout',
  'theme',
  'language',
  'displayLimit',
  'eventEndsAt',
  'retentionDays',
  'statsSlideEnabled',
  'statsSlideEveryMinutes',
  'statsSlideSeconds',
]);

const fieldLabel = (name: FieldName): string => s(`field.${name}`);

/**
 * A wall's settings, for admins: its title, hashtags and contribution instructions; the ways in (SMS
 * numbers, email addresses, SMS keyword); the moderation mode, the publish delay, the blocked terms and
 * the automatic rules; the layout, the light or dark theme, the wall's language and the number of
 * messages on screen; and when the event ends (in this browser's time) and how long private sender data
 * is kept after it. Saving sends only the fields that changed (`PATCH /api/walls/:slug`); a refusal is
 * shown next to the field the server's message names (or above the button when it names none), with what
 * was typed left in place. Below the form, the wall's look and pacing (`toile-appearance-panel`, its own
 * form) and its trusted and blocked senders.
 *
 * Properties:
 * - `slug` (string): the wall.
 * - `csrfToken` (string | null): the session's CSRF token, sent with every change.
 *
 * Fires no events. Outcomes are announced politely through a `role="status"` line.
 */
export class ToileSettingsPanel extends LitElement {
  static override properties = {
    slug: { type: String },
    csrfToken: { attribute: false },
    wall: { state: true },
    draft: { state: true },
    loadError: { state: true },
    saving: { state: true },
    error: { state: true },
    errorField: { state: true },
    announcement: { state: true },
  };

  static override styles = [
    formStyles,
    panelStyles,
    settingsFormStyles,
    css`
      [aria-invalid='true'] {
        border-color: var(--toile-danger, #d2463f);
      }
      form > button {
        justify-self: start;
        padding: 0.6em 1.4em;
      }
      toile-appearance-panel,
      toile-senders-panel {
        margin-top: 2em;
      }
    `,
  ];

  declare slug: string;
  declare csrfToken: string | null;
  /** The wall as last read or saved, or null before the first answer. */
  declare wall: AdminWall | null;
  declare draft: SettingsDraft | null;
  declare loadError: string;
  declare saving: boolean;
  /** The server's message for the last refused save. */
  declare error: string;
  /** The field that message names, shown next to it; null shows it above the button. */
  declare errorField: FieldName | null;
  declare announcement: string;

  constructor() {
    super();
    this.slug = '';
    this.csrfToken = null;
    this.wall = null;
    this.draft = null;
    this.loadError = '';
    this.saving = false;
    this.error = '';
    this.errorField = null;
    this.announcement = '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('slug')) return;
    this.wall = null;
    this.draft = null;
    this.loadError = '';
    this.error = '';
    this.errorField = null;
    this.announcement = '';
    if (this.slug !== '') void this.load();
  }

  override render() {
    return html`
      <section aria-labelledby="settings-heading">
        <h2 id="settings-heading">${s('settings.heading')}</h2>
        <p class="announcement" role="status">${this.announcement}</p>
        ${this.loadError ? html`<p class="error" role="alert">${this.loadError}</p>` : nothing}
        ${this.wall && this.draft ? this.renderForm(this.wall, this.draft) : this.loadError ? nothing : html`<p class="muted">${s('settings.loading')}</p>`}
      </section>
      ${this.wall
        ? html`<toile-appearance-panel .slug=${this.slug} .csrfToken=${this.csrfToken} .wall=${this.wall}></toile-appearance-panel>
            <toile-senders-panel .slug=${this.slug} .csrfToken=${this.csrfToken}></toile-senders-panel>`
        : nothing}
    `;
  }

  private renderForm(wall: AdminWall, d: SettingsDraft) {
    const has = (rule: OptionalRule) => wall[rule] !== undefined;
    return html`
      <form novalidate @submit=${this.onSubmit}>
        <fieldset>
          <legend>${s('settings.legend.wall')}</legend>
          ${this.text('title')}
          ${this.list('hashtags', s('settings.hint.hashtags'))}
          ${has('instructions')
            ? this.area('instructions', s('settings.hint.instructions', { n: [...d.instructions].length, max: INSTRUCTIONS_MAX }))
            : nothing}
        </fieldset>
        <fieldset>
          <legend>${s('settings.legend.waysIn')}</legend>
          ${this.list('smsNumbers', s('settings.hint.smsNumbers'))}
          ${this.list('emailAddresses', s('settings.hint.emailAddresses'))}
          ${this.text('smsKeyword', s('settings.hint.smsKeyword'))}
        </fieldset>
        <fieldset>
          <legend>${s('settings.legend.moderation')}</legend>
          ${this.field(
            'moderation',
            (attrs) => html`<select
              id="moderation"
              aria-describedby=${attrs.describedBy}
              aria-invalid=${attrs.invalid}
              @change=${(event: Event) => this.set('moderation', (event.target as HTMLSelectElement).value as 'pre' | 'post')}
            >
              <option value="pre" ?selected=${d.moderation === 'pre'}>${s('settings.moderation.pre')}</option>
              <option value="post" ?selected=${d.moderation === 'post'}>${s('settings.moderation.post')}</option>
            </select>`,
          )}
          ${this.number('publishDelaySeconds', s('settings.hint.publishDelaySeconds'))}
          ${this.list('blockedTerms', s('settings.hint.blockedTerms'))}
          ${has('profanityFilter') ? this.check('profanityFilter') : nothing}
          ${has('holdLinks') ? this.check('holdLinks') : nothing}
          <div class="pair">
            ${has('duplicateWindowMinutes') ? this.number('duplicateWindowMinutes', s('settings.hint.duplicateWindowMinutes')) : nothing}
            ${has('senderPerMinute') ? this.number('senderPerMinute', s('settings.hint.senderPerMinute')) : nothing}
          </div>
        </fieldset>
        <fieldset>
          <legend>${s('settings.legend.display')}</legend>
          <div class="pair">
            ${this.field(
              'layout',
              (attrs) => html`<select
                id="layout"
                aria-describedby=${attrs.describedBy}
                aria-invalid=${attrs.invalid}
                @change=${(event: Event) => this.set('layout', (event.target as HTMLSelectElement).value as Layout)}
              >
                ${LAYOUTS.map((layout) => html`<option value=${layout} ?selected=${d.layout === layout}>${s(`layout.${layout}`)}</option>`)}
              </select>`,
            )}
            ${this.field(
              'theme',
              (attrs) => html`<select
                id="theme"
                aria-describedby=${attrs.describedBy}
                aria-invalid=${attrs.invalid}
                @change=${(event: Event) => this.set('theme', (event.target as HTMLSelectElement).value as ThemeName)}
              >
                ${THEMES.map((theme) => html`<option value=${theme} ?selected=${d.theme === theme}>${s(`theme.${theme}`)}</option>`)}
              </select>`,
            )}
            ${wall.language !== undefined
              ? this.field(
                  'language',
                  (attrs) => html`<select
                    id="language"
                    aria-describedby=${attrs.describedBy}
                    aria-invalid=${attrs.invalid}
                    @change=${(event: Event) => this.set('language', (event.target as HTMLSelectElement).value as Language | 'auto')}
                  >
                    ${WALL_LANGUAGES.map(
                      (language) => html`<option value=${language} ?selected=${d.language === language}>${s(`wallLanguage.${language}`)}</option>`,
                    )}
                  </select>`,
                  s('settings.hint.language'),
                )
              : nothing}
            ${this.number('displayLimit')}
          </div>
          ${wall.statsSlide !== undefined
            ? html`${this.check('statsSlideEnabled', s('settings.hint.statsSlideEnabled'))}
                <div class="pair">
                  ${this.number('statsSlideEveryMinutes', s('settings.hint.statsSlideEveryMinutes'))}
                  ${this.number('statsSlideSeconds', s('settings.hint.statsSlideSeconds'))}
                </div>`
            : nothing}
        </fieldset>
        <fieldset>
          <legend>${s('settings.legend.privacy')}</legend>
          <div class="pair">
            ${this.typed('eventEndsAt', 'datetime', s('settings.hint.eventEndsAt'))}
            ${this.number('retentionDays', s('settings.hint.retentionDays'))}
          </div>
        </fieldset>
        ${this.error && this.errorField === null ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <button type="submit" ?disabled=${this.saving}>${this.saving ? s('common.saving') : s('settings.save')}</button>
      </form>
    `;
  }

  /**
   * One labelled control with its hint and, when the last refusal named it, the server's message right
   * below it. `control` gets the ids to describe it by and whether it is the one refused.
   */
  private field(name: FieldName, control: (attrs: { describedBy: string; invalid: 'true' | 'false' }) => TemplateResult, hint = '') {
    const refused = this.error !== '' && this.errorField === name;
    const describedBy = [hint ? `${name}-hint` : '', refused ? `${name}-error` : ''].filter(Boolean).join(' ');
    return html`<div class="field">
      <label for=${name}>${fieldLabel(name)}</label>
      ${control({ describedBy, invalid: refused ? 'true' : 'false' })}
      ${hint ? html`<p class="hint" id=${`${name}-hint`}>${hint}</p>` : nothing}
      ${refused ? html`<p class="error" id=${`${name}-error`} role="alert">${this.error}</p>` : nothing}
    </div>`;
  }

  private text(name: FieldName, hint = '') {
    return this.typed(name, 'text', hint);
  }

  private number(name: FieldName, hint = '') {
    return this.typed(name, 'number', hint);
  }

  private area(name: FieldName, hint = '') {
    return this.typed(name, 'area', hint);
  }

  /**
   * A field typed into: a line of text, a whole number, a few lines or a local date and time. All show the draft's text as
   * typed and keep every keystroke in it; only the control and the attributes of its own differ.
   */
  private typed(name: FieldName, kind: 'text' | 'number' | 'area' | 'datetime', hint: string) {
    const value = live(String(this.draft![name]));
    const onInput = (event: Event) => this.set(name, (event.target as HTMLInputElement | HTMLTextAreaElement).value);
    return this.field(
      name,
      ({ describedBy, invalid }) => {
        if (kind === 'area') {
          return html`<textarea id=${name} rows="3" aria-describedby=${describedBy} aria-invalid=${invalid} .value=${value} @input=${onInput}></textarea>`;
        }
        if (kind === 'datetime') {
          return html`<input id=${name} type="datetime-local" aria-describedby=${describedBy} aria-invalid=${invalid} .value=${value} @input=${onInput} />`;
        }
        if (kind === 'number') {
          return html`<input id=${name} type="number" inputmode="numeric" step="1"
            aria-describedby=${describedBy} aria-invalid=${invalid} .value=${value} @input=${onInput} />`;
        }
        return html`<input id=${name} autocomplete="off" aria-describedby=${describedBy} aria-invalid=${invalid} .value=${value} @input=${onInput} />`;
      },
      hint,
    );
  }

  private list(name: FieldName, hint: string) {
    return this.area(name, hint);
  }

  private check(name: BooleanField, hint = '') {
    const refused = this.error !== '' && this.errorField === name;
    return html`<div class="field">
      <label class="check"
        ><input
          id=${name}
          type="checkbox"
          aria-describedby=${hint ? `${name}-hint` : nothing}
          aria-invalid=${refused ? 'true' : 'false'}
          .checked=${live(this.draft![name])}
          @change=${(event: Event) => this.set(name, (event.target as HTMLInputElement).checked)}
        />${fieldLabel(name)}</label
      >
      ${hint ? html`<p class="hint" id=${`${name}-hint`}>${hint}</p>` : nothing}
      ${refused ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
    </div>`;
  }

  private set<K extends FieldName>(name: K, value: SettingsDraft[K]): void {
    if (this.draft === null) return;
    this.draft = { ...this.draft, [name]: value };
  }

  private async load(): Promise<void> {
    const slug = this.slug;
    try {
      const { items } = await api<{ items: AdminWall[] }>('GET', '/api/walls');
      if (slug !== this.slug) return;
      const wall = items.find((w) => w.slug === slug);
      if (!wall) {
        this.loadError = s('settings.gone', { slug });
        return;
      }
      this.wall = wall;
      this.draft = draftOf(wall);
    } catch (error) {
      if (slug === this.slug) this.loadError = s('settings.loadError', { reason: errorText(error) });
    }
  }

  private async onSubmit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.saving || this.wall === null || this.draft === null) return;
    const slug = this.slug;
    const patch = patchOf(this.wall, this.draft);
    const changed = Object.keys(patch) as FieldName[];
    this.error = '';
    this.errorField = null;
    if (changed.length === 0) {
      this.announcement = s('common.nothingChanged');
      return;
    }
    this.saving = true;
    this.announcement = '';
    try {
      const saved = await api<AdminWall>('PATCH', `/api/walls/${encodeURIComponent(slug)}`, patch, this.csrfToken);
      if (slug !== this.slug) return;
      this.wall = saved;
      this.draft = draftOf(saved);
      const label = (name: string) => (name === 'statsSlide' ? s('field.statsSlideEnabled') : FIELD_NAMES.has(name) ? fieldLabel(name as FieldName) : name);
      this.announcement = s('settings.saved', { what: changed.map(label).join(', ') });
    } catch (error) {
      if (slug !== this.slug) return;
      this.error = errorText(error);
      const field = error instanceof ApiError ? fieldOfError(error.message) : null;
      this.errorField = field;
      // The refused field gets the focus, so that a keyboard or screen-reader user lands on what to fix.
      if (field !== null) {
        await this.updateComplete;
        this.renderRoot.querySelector<HTMLElement>(`#${field}`)?.focus();
      }
    } finally {
      this.saving = false;
    }
  }
}

customElements.define('toile-settings-panel', ToileSettingsPanel);

declare global {
  interface HTMLElementTagNameMap {
    'toile-settings-panel': ToileSettingsPanel;
  }
}
