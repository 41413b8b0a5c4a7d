import { css, html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import { api, ApiError } from '../shared/api.js';
import { formStyles } from '../shared/form-styles.js';
import { safeImageUrl } from '../shared/safe-image-url.js';
import {
  DEFAULT_APPEARANCE,
  DEFAULT_PACING,
  type AdminWall,
  type FontChoice,
  type WallAppearance,
  type WallPacing,
  type WallSettingsPatch,
} from '../shared/types.js';
import { tagColour } from '../wall/card-look.js';
import { contrastProblems, resolvePalette, THEMES, themeName } from '../wall/theme.js';
import { panelStyles, settingsFormStyles } from './panel-styles.js';
import { errorText, s, type ConsoleKey } from './strings.js';
import { IMAGE_TYPES, imageFileProblem, uploadImage } from './upload-image.js';

type ColourName = 'accent' | 'background' | 'surface' | 'text';
type ImageName = 'logo' | 'backgroundImage';
type PacingNumber = 'minSeconds' | 'perSender' | 'replayAfterSeconds';

const COLOURS: readonly ColourName[] = ['accent', 'background', 'surface', 'text'];
const FONTS: readonly FontChoice[] = ['inter', 'atkinson', 'system'];
/** The most sponsor logos the wall's strip takes (the contract's limit). */
const SPONSORS_MAX = 12;

/** The contrast pairs the wall checks (`contrastProblems`), in the console's words. */
const PAIR_KEYS: Record<string, ConsoleKey> = {
  'text on background': 'contrast.textOnBackground',
  'text on surface': 'contrast.textOnSurface',
  'muted text on surface': 'contrast.mutedOnSurface',
  'text on accent': 'contrast.textOnAccent',
};

/** What is being edited, as typed: numbers stay the text of their field until the request is built. */
interface AppearanceDraft {
  appearance: WallAppearance;
  minSeconds: string;
  perSender: string;
  replay: boolean;
  replayAfterSeconds: string;
}

function draftOf(wall: AdminWall): AppearanceDraft {
  const appearance = { ...DEFAULT_APPEARANCE, ...wall.appearance };
  const pacing = { ...DEFAULT_PACING, ...wall.pacing };
  return {
    appearance: { ...appearance, sponsors: [...appearance.sponsors], tagColors: { ...appearance.tagColors } },
    minSeconds: String(pacing.minSeconds),
    perSender: String(pacing.perSender),
    replay: pacing.replay,
    replayAfterSeconds: String(pacing.replayAfterSeconds),
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const asNumber = (text: string): number => (text.trim() === '' ? Number.NaN : Number(text));

/** Only what changed, as the partial `appearance` and `pacing` the server merges into what it has. */
function patchOf(wall: AdminWall, draft: AppearanceDraft): { patch: WallSettingsPatch; changed: string[] } {
  const before = { ...DEFAULT_APPEARANCE, ...wall.appearance };
  const appearance: Partial<WallAppearance> = {};
  for (const key of Object.keys(draft.appearance) as (keyof WallAppearance)[]) {
    if (!same(draft.appearance[key], before[key])) (appearance as Record<string, unknown>)[key] = draft.appearance[key];
  }
  const pacingBefore = { ...DEFAULT_PACING, ...wall.pacing };
  const wanted: WallPacing = {
    minSeconds: asNumber(draft.minSeconds),
    perSender: asNumber(draft.perSender),
    replay: draft.replay,
    replayAfterSeconds: asNumber(draft.replayAfterSeconds),
  };
  const pacing: Partial<WallPacing> = {};
  for (const key of Object.keys(wanted) as (keyof WallPacing)[]) {
    if (!same(wanted[key], pacingBefore[key])) (pacing as Record<string, unknown>)[key] = wanted[key];
  }
  const patch: WallSettingsPatch = {};
  if (Object.keys(appearance).length > 0) patch.appearance = appearance;
  if (Object.keys(pacing).length > 0) patch.pacing = pacing;
  return { patch, changed: [...Object.keys(appearance), ...Object.keys(pacing)] };
}

/** The control a refusal names ("body/appearance/accent must match …", "pacing.minSeconds: …"), if any. */
function controlOfError(message: string): string | null {
  return /\b(?:appearance|pacing)[/.]([A-Za-z]+)/.exec(message)?.[1] ?? null;
}

/**
 * How a wall looks and paces itself, for admins: the colours on top of its light or dark theme (each
 * with a way back to the theme's own), the font, the background image, the logo and the sponsor strip
 * (uploaded to Toile through `POST /api/walls/:slug/images`, or an https address), a colour per followed
 * hashtag, whether the "how to contribute" panel shows; then the pacing: how long an item stays at least,
 * how many items of one sender at once, and the replay of earlier items when the wall is quiet.
 *
 * Saving sends only what changed, as the partial `appearance` and `pacing` `PATCH /api/walls/:slug`
 * merges; every screen restyles through the wall's own `wall` event. While the colours would put text
 * below WCAG AA contrast, a warning says so (it does not stop the save: the organiser decides).
 *
 * Properties:
 * - `slug` (string): the wall.
 * - `csrfToken` (string | null): the session's CSRF token, sent with every change.
 * - `wall` (AdminWall | null): the wall as the settings panel read it.
 *
 * Fires no events. Outcomes are announced through a `role="status"` line; refusals through `role="alert"`
 * next to what they concern.
 */
export class ToileAppearancePanel extends LitElement {
  static override properties = {
    slug: { type: String },
    csrfToken: { attribute: false },
    wall: { attribute: false },
    draft: { state: true },
    saving: { state: true },
    uploading: { state: true },
    error: { state: true },
    errorControl: { state: true },
    imageErrors: { state: true },
    sponsorAddress: { state: true },
    announcement: { state: true },
  };

  static override styles = [
    formStyles,
    panelStyles,
    settingsFormStyles,
    css`
      :host {
        padding: 0;
        background: none;
      }
      .colours {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(16em, 1fr));
        gap: 0.9em;
      }
      .colour {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5em 0.7em;
      }
      .colour label {
        flex-basis: 100%;
      }
      input[type='color'] {
        width: 3.2em;
        height: 2.4em;
        padding: 0.15em;
        cursor: pointer;
      }
      .image {
        display: grid;
        gap: 0.5em;
      }
      .image-row {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.6em;
      }
      .preview {
        max-width: 10em;
        max-height: 4em;
        object-fit: contain;
        border-radius: 0.3em;
        background: var(--toile-surface-raised, #202737);
      }
      .sponsors {
        display: flex;
        flex-wrap: wrap;
        gap: 0.8em;
        margin: 0;
        padding: 0;
        list-style: none;
      }
      .sponsors li {
        display: grid;
        gap: 0.3em;
        justify-items: start;
      }
      input[type='file'] {
        padding: 0.4em;
      }
      .warning {
        padding: 0.6em 0.9em;
        border-radius: 0.55em;
        background: var(--toile-warning-bg, #4a3a10);
      }
      .warning:empty {
        display: none;
      }
      [aria-invalid='true'] {
        border-color: var(--toile-danger, #d2463f);
      }
      form > button {
        justify-self: start;
        padding: 0.6em 1.4em;
      }
      button.secondary {
        font-weight: 400;
      }
    `,
  ];

  declare slug: string;
  declare csrfToken: string | null;
  declare wall: AdminWall | null;
  declare draft: AppearanceDraft | null;
  declare saving: boolean;
  /** The image being uploaded (`logo`, `backgroundImage`, `sponsors`), if any. */
  declare uploading: string | null;
  declare error: string;
  /** The control the last refusal names, shown next to it; null shows the refusal above the button. */
  declare errorControl: string | null;
  /** Upload or address problems, by image (`logo`, `backgroundImage`, `sponsors`). */
  declare imageErrors: Readonly<Record<string, string>>;
  declare sponsorAddress: string;
  declare announcement: string;

  constructor() {
    super();
    this.slug = '';
    this.csrfToken = null;
    this.wall = null;
    this.draft = null;
    this.saving = false;
    this.uploading = null;
    this.error = '';
    this.errorControl = null;
    this.imageErrors = {};
    this.sponsorAddress = '';
    this.announcement = '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('wall') && this.wall !== null && (changed.get('wall')?.slug !== this.wall.slug || this.draft === null)) {
      this.draft = draftOf(this.wall);
      this.error = '';
      this.errorControl = null;
      this.imageErrors = {};
      this.announcement = '';
    }
  }

  override render() {
    const wall = this.wall;
    const d = this.draft;
    if (wall === null || d === null) return nothing;
    return html`<section aria-labelledby="appearance-heading">
      <h2 id="appearance-heading">${s('appearance.heading')}</h2>
      <p class="announcement" role="status">${this.announcement}</p>
      <form novalidate @submit=${this.onSubmit}>
        <fieldset>
          <legend>${s('appearance.colours')}</legend>
          <p class="hint">${s('appearance.coloursHint')}</p>
          <div class="colours">${COLOURS.map((name) => this.renderColour(name, d.appearance[name]))}</div>
          <p class="warning" role="status">${this.contrastWarning()}</p>
          ${this.field(
            'font',
            s('appearance.font'),
            html`<select
              id="font"
              @change=${(event: Event) => this.setAppearance('font', (event.target as HTMLSelectElement).value as FontChoice)}
            >
              ${FONTS.map((font) => html`<option value=${font} ?selected=${d.appearance.font === font}>${s(`font.${font}`)}</option>`)}
            </select>`,
          )}
        </fieldset>
        <fieldset>
          <legend>${s('appearance.images')}</legend>
          ${this.renderImage('logo', s('appearance.logo'), s('appearance.logoHint'))}
          ${this.renderImage('backgroundImage', s('appearance.backgroundImage'), s('appearance.backgroundImageHint'))}
          ${this.renderSponsors(d.appearance.sponsors)}
        </fieldset>
        ${wall.hashtags.length > 0
          ? html`<fieldset>
              <legend>${s('appearance.tagColours')}</legend>
              <p class="hint">${s('appearance.tagColoursHint')}</p>
              <div class="colours">
                ${wall.hashtags.map((tag) => {
                  const bare = tag.replace(/^#+/, '');
                  return this.renderTagColour(bare, d.appearance.tagColors[bare] ?? null);
                })}
              </div>
            </fieldset>`
          : nothing}
        <fieldset>
          <legend>${s('appearance.panel')}</legend>
          <label class="check"
            ><input
              id="contributePanel"
              type="checkbox"
              .checked=${live(d.appearance.contributePanel)}
              @change=${(event: Event) => this.setAppearance('contributePanel', (event.target as HTMLInputElement).checked)}
            />${s('appearance.contributePanel')}</label
          >
        </fieldset>
        <fieldset>
          <legend>${s('pacing.legend')}</legend>
          <div class="pair">
            ${this.pacingNumber('minSeconds', s('pacing.minSeconds'), s('pacing.minSecondsHint'))}
            ${this.pacingNumber('perSender', s('pacing.perSender'), s('pacing.perSenderHint'))}
          </div>
          <label class="check"
            ><input
              id="replay"
              type="checkbox"
              .checked=${live(d.replay)}
              @change=${(event: Event) => this.setDraft({ replay: (event.target as HTMLInputElement).checked })}
            />${s('pacing.replay')}</label
          >
          ${this.pacingNumber('replayAfterSeconds', s('pacing.replayAfterSeconds'), s('pacing.replayAfterSecondsHint'), !d.replay)}
        </fieldset>
        ${this.error && this.errorControl === null ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <button type="submit" ?disabled=${this.saving || this.uploading !== null}>
          ${this.saving ? s('common.saving') : s('appearance.save')}
        </button>
      </form>
    </section>`;
  }

  /** A labelled control with, when the last refusal named it, the server's message below it. */
  private field(id: string, label: string, control: TemplateResult, hint = '') {
    const refused = this.error !== '' && this.errorControl === id;
    return html`<div class="field">
      <label for=${id}>${label}</label>
      ${control} ${hint ? html`<p class="hint" id=${`${id}-hint`}>${hint}</p>` : nothing}
      ${refused ? html`<p class="error" id=${`${id}-error`} role="alert">${this.error}</p>` : nothing}
    </div>`;
  }

  private renderColour(name: ColourName, value: string | null) {
    const label = s(`colour.${name}`);
    const refused = this.error !== '' && this.errorControl === name;
    return html`<div class="colour">
      <label for=${name}>${label}</label>
      <input
        id=${name}
        type="color"
        aria-describedby=${`${name}-state`}
        aria-invalid=${refused ? 'true' : 'false'}
        .value=${live(value ?? this.themeColour(name))}
        @input=${(event: Event) => this.setAppearance(name, (event.target as HTMLInputElement).value)}
      />
      <span class="muted" id=${`${name}-state`}>${value ?? s('appearance.themeDefault')}</span>
      <button
        type="button"
        class="secondary"
        aria-label=${s('appearance.resetColour', { what: label })}
        ?disabled=${value === null}
        @click=${() => this.setAppearance(name, null)}
      >
        ${s('appearance.reset')}
      </button>
      ${refused ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
    </div>`;
  }

  private renderTagColour(tag: string, value: string | null) {
    const id = `tag-${tag}`;
    const label = `#${tag}`;
    return html`<div class="colour">
      <label for=${id}>${s('appearance.tagColour', { tag: label })}</label>
      <input
        id=${id}
        type="color"
        aria-describedby=${`${id}-state`}
        .value=${live(value ?? tagColour(tag, this.wall?.hashtags ?? []))}
        @input=${(event: Event) => this.setTagColour(tag, (event.target as HTMLInputElement).value)}
      />
      <span class="muted" id=${`${id}-state`}>${value ?? s('appearance.paletteDefault')}</span>
      <button
        type="button"
        class="secondary"
        aria-label=${s('appearance.resetTagColour', { tag: label })}
        ?disabled=${value === null}
        @click=${() => this.setTagColour(tag, null)}
      >
        ${s('appearance.resetTag')}
      </button>
    </div>`;
  }

  /**
   * One image of the wall: a preview, its address (typed as https, or filled in by an upload), an upload
   * button and a way to take it off. The address is the draft itself, so what is saved is what is shown.
   */
  private renderImage(name: ImageName, label: string, hint: string) {
    const value = this.draft!.appearance[name];
    const shown = safeImageUrl(value);
    const problem = this.imageErrors[name] ?? (this.error !== '' && this.errorControl === name ? this.error : '');
    return html`<div class="image" role="group" aria-labelledby=${`${name}-label`}>
      <span class="label" id=${`${name}-label`}><strong>${label}</strong></span>
      <p class="hint">${hint}</p>
      <div class="image-row">
        ${shown ? html`<img class="preview" src=${shown} alt=${s('appearance.preview', { what: label })} />` : html`<span class="muted">${s('appearance.noImage')}</span>`}
        ${value !== null
          ? html`<button type="button" class="secondary" aria-label=${s('appearance.removeImage', { what: label })} @click=${() => this.setImage(name, null)}>
              ${s('appearance.remove')}
            </button>`
          : nothing}
      </div>
      <div class="pair">
        <label
          >${s('appearance.upload', { what: label })}
          <input
            type="file"
            accept=${IMAGE_TYPES.join(',')}
            ?disabled=${this.uploading !== null}
            @change=${(event: Event) => void this.onFile(event, name)}
        /></label>
        <label
          >${s('appearance.address', { what: label })}
          <input
            id=${name}
            inputmode="url"
            autocomplete="off"
            placeholder="https://"
            aria-invalid=${problem ? 'true' : 'false'}
            .value=${live(value ?? '')}
            @input=${(event: Event) => this.setImage(name, (event.target as HTMLInputElement).value.trim() || null)}
        /></label>
      </div>
      ${this.uploading === name ? html`<p class="muted" role="status">${s('appearance.uploading')}</p>` : nothing}
      ${problem ? html`<p class="error" role="alert">${problem}</p>` : nothing}
    </div>`;
  }

  private renderSponsors(sponsors: string[]) {
    const label = s('appearance.sponsors');
    const problem = this.imageErrors.sponsors ?? (this.error !== '' && this.errorControl === 'sponsors' ? this.error : '');
    const full = sponsors.length >= SPONSORS_MAX;
    return html`<div class="image" role="group" aria-labelledby="sponsors-label">
      <span id="sponsors-label"><strong>${label}</strong></span>
      <p class="hint">${s('appearance.sponsorsHint', { max: SPONSORS_MAX })}</p>
      ${sponsors.length === 0
        ? html`<p class="muted">${s('appearance.noSponsor')}</p>`
        : html`<ul class="sponsors">
            ${sponsors.map((url, index) => {
              const shown = safeImageUrl(url);
              const name = s('appearance.sponsorN', { n: index + 1 });
              return html`<li>
                ${shown ? html`<img class="preview" src=${shown} alt=${name} />` : html`<span class="muted">${url}</span>`}
                <button type="button" class="secondary" aria-label=${s('appearance.removeImage', { what: name })} @click=${() => this.removeSponsor(index)}>
                  ${s('appearance.remove')}
                </button>
              </li>`;
            })}
          </ul>`}
      <div class="pair">
        <label
          >${s('appearance.addSponsorUpload')}
          <input
            type="file"
            accept=${IMAGE_TYPES.join(',')}
            ?disabled=${this.uploading !== null || full}
            @change=${(event: Event) => void this.onFile(event, 'sponsors')}
        /></label>
        <div class="field">
          <label for="sponsor-address">${s('appearance.addSponsorAddress')}</label>
          <div class="image-row">
            <input
              id="sponsor-address"
              inputmode="url"
              autocomplete="off"
              placeholder="https://"
              .value=${live(this.sponsorAddress)}
              @input=${(event: Event) => (this.sponsorAddress = (event.target as HTMLInputElement).value)}
              @keydown=${(event: KeyboardEvent) => {
                if (event.key === 'Enter') {
                  event.preventDefault();
                  this.addSponsorAddress();
                }
              }}
            />
            <button type="button" class="secondary" ?disabled=${full} @click=${() => this.addSponsorAddress()}>${s('appearance.addSponsor')}</button>
          </div>
        </div>
      </div>
      ${this.uploading === 'sponsors' ? html`<p class="muted" role="status">${s('appearance.uploading')}</p>` : nothing}
      ${problem ? html`<p class="error" role="alert">${problem}</p>` : nothing}
    </div>`;
  }

  private pacingNumber(name: PacingNumber, label: string, hint: string, disabled = false) {
    const refused = this.error !== '' && this.errorControl === name;
    const describedBy = [`${name}-hint`, refused ? `${name}-error` : ''].filter(Boolean).join(' ');
    return this.field(
      name,
      label,
      html`<input
        id=${name}
        type="number"
        inputmode="numeric"
        step="1"
        min="0"
        ?disabled=${disabled}
        aria-describedby=${describedBy}
        aria-invalid=${refused ? 'true' : 'false'}
        .value=${live(this.draft![name])}
        @input=${(event: Event) => this.setDraft({ [name]: (event.target as HTMLInputElement).value })}
      />`,
      hint,
    );
  }

  /** The colour the wall's theme gives, for a picker whose wall colour is null (a picker cannot be empty). */
  private themeColour(name: ColourName): string {
    return THEMES[themeName(this.wall?.theme)][name];
  }

  /**
   * What the colours being edited would put below WCAG AA on the wall, in words; empty when nothing does.
   * It is the wall's own check (`contrastProblems` on the palette the wall would resolve), so the console
   * warns about exactly what the screens would.
   */
  private contrastWarning(): string {
    const palette = resolvePalette(themeName(this.wall?.theme), this.draft!.appearance);
    const problems = contrastProblems(palette).map((problem) =>
      s('contrast.pair', { pair: PAIR_KEYS[problem.pair] ? s(PAIR_KEYS[problem.pair]!) : problem.pair, ratio: problem.ratio.toFixed(1) }),
    );
    return problems.length === 0 ? '' : `${s('contrast.lead')} ${problems.join('; ')}.`;
  }

  private setDraft(change: Partial<AppearanceDraft>): void {
    if (this.draft === null) return;
    this.draft = { ...this.draft, ...change };
  }

  private setAppearance<K extends keyof WallAppearance>(name: K, value: WallAppearance[K]): void {
    if (this.draft === null) return;
    this.setDraft({ appearance: { ...this.draft.appearance, [name]: value } });
  }

  private setTagColour(tag: string, colour: string | null): void {
    if (this.draft === null) return;
    const tagColors = { ...this.draft.appearance.tagColors };
    if (colour === null) delete tagColors[tag];
    else tagColors[tag] = colour;
    this.setAppearance('tagColors', tagColors);
  }

  private setImage(name: ImageName, url: string | null): void {
    this.imageErrors = { ...this.imageErrors, [name]: '' };
    this.setAppearance(name, url);
  }

  private removeSponsor(index: number): void {
    if (this.draft === null) return;
    this.setAppearance(
      'sponsors',
      this.draft.appearance.sponsors.filter((_url, i) => i !== index),
    );
  }

  private addSponsorAddress(): void {
    if (this.draft === null) return;
    const address = this.sponsorAddress.trim();
    if (address === '') return;
    if (safeImageUrl(address) === null) {
      this.imageErrors = { ...this.imageErrors, sponsors: s('appearance.badAddress') };
      return;
    }
    this.imageErrors = { ...this.imageErrors, sponsors: '' };
    this.setAppearance('sponsors', [...this.draft.appearance.sponsors, address].slice(0, SPONSORS_MAX));
    this.sponsorAddress = '';
  }

  /** Uploads the chosen file at once, and puts its address where the image goes (still to be saved). */
  private async onFile(event: Event, target: ImageName | 'sponsors'): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file || this.uploading !== null) return;
    const problem = imageFileProblem(file);
    if (problem !== null) {
      this.imageErrors = { ...this.imageErrors, [target]: s(problem === 'type' ? 'upload.type' : 'upload.size') };
      input.value = '';
      return;
    }
    const slug = this.slug;
    this.uploading = target;
    this.imageErrors = { ...this.imageErrors, [target]: '' };
    try {
      const url = await uploadImage(slug, file, this.csrfToken);
      if (slug !== this.slug || this.draft === null) return;
      if (target === 'sponsors') this.setAppearance('sponsors', [...this.draft.appearance.sponsors, url].slice(0, SPONSORS_MAX));
      else this.setImage(target, url);
      this.announcement = s('appearance.uploaded', { name: file.name });
    } catch (error) {
      if (slug === this.slug) this.imageErrors = { ...this.imageErrors, [target]: errorText(error) };
    } finally {
      this.uploading = null;
      input.value = '';
    }
  }

  private async onSubmit(event: Event): Promise<void> {
    event.preventDefault();
    const wall = this.wall;
    if (this.saving || wall === null || this.draft === null) return;
    this.error = '';
    this.errorControl = null;
    for (const name of ['logo', 'backgroundImage'] as const) {
      const value = this.draft.appearance[name];
      if (value !== null && safeImageUrl(value) === null) {
        this.imageErrors = { ...this.imageErrors, [name]: s('appearance.badAddress') };
        await this.focusControl(name);
        return;
      }
    }
    const { patch, changed } = patchOf(wall, this.draft);
    if (changed.length === 0) {
      this.announcement = s('common.nothingChanged');
      return;
    }
    const slug = this.slug;
    this.saving = true;
    this.announcement = '';
    try {
      const saved = await api<AdminWall>('PATCH', `/api/walls/${encodeURIComponent(slug)}`, patch, this.csrfToken);
      if (slug !== this.slug) return;
      this.wall = { ...wall, ...saved };
      this.draft = draftOf(this.wall);
      this.announcement = s('appearance.saved', { what: changed.map((name) => s(`what.${name}` as ConsoleKey)).join(', ') });
    } catch (error) {
      if (slug !== this.slug) return;
      this.error = errorText(error);
      const control = error instanceof ApiError ? controlOfError(error.message) : null;
      this.errorControl = control !== null && this.renderRoot.querySelector(`#${control}`) !== null ? control : null;
      if (this.errorControl !== null) await this.focusControl(this.errorControl);
    } finally {
      this.saving = false;
    }
  }

  /** Moves the focus to the control to fix, so that a keyboard or screen-reader user lands on it. */
  private async focusControl(id: string): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`#${id}`)?.focus();
  }
}

customElements.define('toile-appearance-panel', ToileAppearancePanel);

declare global {
  interface HTMLElementTagNameMap {
    'toile-appearance-panel': ToileAppearancePanel;
  }
}
