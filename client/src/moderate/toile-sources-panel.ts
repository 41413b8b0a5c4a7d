import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import { api } from '../shared/api.js';
import { formStyles } from '../shared/form-styles.js';
import type { SourceKind, SourceState, SourceView } from '../shared/types.js';
import { panelStyles } from './panel-styles.js';
import { errorText, relativeTimeIn, s } from './strings.js';

/** How often the list is read again while the panel is shown: state and counts move on their own. */
const REFRESH_MS = 5000;

const KIND_LABELS: Record<SourceKind, string> = {
  mastodon: 'Mastodon',
  bluesky: 'Bluesky',
  x: 'X',
};

const SOURCE_STATES: readonly SourceState[] = ['running', 'paused', 'failing', 'stopped'];
const stateLabel = (state: SourceState): string => (SOURCE_STATES.includes(state) ? s(`sources.state.${state}`) : state);

/** What the person has typed in the form, kept across kinds so that switching back loses nothing. */
interface SourceDraft {
  kind: SourceKind;
  instance: string;
  hashtag: string;
  accessToken: string;
  jetstreamUrl: string;
  query: string;
  bearerToken: string;
}

type SourceAction = 'pause' | 'resume' | 'delete';

function emptyDraft(kind: SourceKind = 'mastodon'): SourceDraft {
  return { kind, instance: '', hashtag: '', accessToken: '', jetstreamUrl: '', query: '', bearerToken: '' };
}

/**
 * The social sources of one wall, for admins: each source's network, what it follows, whether it is
 * running, paused or failing, how many posts it brought, when it last checked and its last error in full;
 * a form to add a Mastodon, Bluesky or X source; and Pause, Resume and Delete (after a confirmation in
 * the panel) per source. The list is read again every few seconds while the panel is connected, and
 * after every change. Secrets typed here go to the server once and are never shown again: the API only
 * says whether a token is set.
 *
 * Properties:
 * - `slug` (string): the wall whose sources are shown.
 * - `csrfToken` (string | null): the session's CSRF token, sent with every change.
 *
 * Fires no events. Outcomes are announced politely through a `role="status"` line; refusals are shown
 * next to the form or the source they concern.
 */
export class ToileSourcesPanel extends LitElement {
  static override properties = {
    slug: { type: String },
    csrfToken: { attribute: false },
    sources: { state: true },
    loadError: { state: true },
    draft: { state: true },
    adding: { state: true },
    formError: { state: true },
    busy: { state: true },
    confirming: { state: true },
    actionErrors: { state: true },
    announcement: { state: true },
  };

  static override styles = [
    formStyles,
    panelStyles,
    css`
      h3 {
        overflow-wrap: anywhere;
      }
      ul {
        display: grid;
        gap: 0.8em;
        margin: 0 0 1.4em;
        padding: 0;
        list-style: none;
      }
      li {
        display: grid;
        gap: 0.5em;
        padding: 0.8em 1em;
        border-radius: 0.55em;
        border: 1px solid var(--toile-border, #323b50);
        background: var(--toile-surface-raised, #202737);
      }
      .state {
        display: inline-flex;
        align-items: center;
        gap: 0.45em;
        font-weight: 700;
      }
      /* The word carries the state; the colour and the mark's shape only help the eye. */
      .state::before {
        content: '';
        width: 0.7em;
        height: 0.7em;
        border-radius: 50%;
        background: var(--toile-muted, #aab2c5);
      }
      .state.running::before {
        background: var(--toile-ok, #2e9d62);
      }
      .state.failing {
        /* Lighter than the danger fill, so that the word passes WCAG AA on the raised surface. */
        color: var(--toile-danger-text, #ff8a84);
      }
      .state.failing::before {
        border-radius: 0.1em;
        background: var(--toile-danger, #d2463f);
      }
      .state.paused::before,
      .state.stopped::before {
        border-radius: 0;
        width: 0.25em;
        box-shadow: 0.4em 0 0 var(--toile-muted, #aab2c5);
        margin-right: 0.4em;
      }
      dl {
        display: flex;
        flex-wrap: wrap;
        gap: 0.3em 1.6em;
        margin: 0;
      }
      dl div {
        display: flex;
        gap: 0.4em;
      }
      dt {
        color: var(--toile-muted, #aab2c5);
      }
      dd {
        margin: 0;
        font-variant-numeric: tabular-nums;
        overflow-wrap: anywhere;
      }
      .last-error {
        padding: 0.6em 0.8em;
        border-radius: 0.45em;
        background: var(--toile-error-bg, #4d1e1e);
      }
      .last-error pre {
        margin: 0.3em 0 0;
        font-family: var(--toile-mono, monospace);
        font-size: 0.9em;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5em;
      }
      .actions button {
        min-width: 6em;
        padding: 0.4em 0.9em;
        border: 1px solid var(--toile-border, #323b50);
        background: var(--toile-surface, #161b26);
        color: var(--toile-text, #f4f6fb);
      }
      .actions button.danger {
        background: var(--toile-danger, #d2463f);
        border-color: var(--toile-danger, #d2463f);
      }
      form {
        display: grid;
        gap: 0.9em;
        max-width: 34em;
      }
      summary:focus-visible {
        outline: 3px solid var(--toile-accent, #ffb020);
        outline-offset: 2px;
      }
      .hint {
        margin-top: -0.5em;
      }
      .cost {
        padding: 0.6em 0.8em;
        border-radius: 0.45em;
        background: var(--toile-warning-bg, #4a3a10);
      }
      details {
        display: grid;
        gap: 0.6em;
      }
      summary {
        cursor: pointer;
        width: fit-content;
      }
      details[open] summary {
        margin-bottom: 0.6em;
      }
      details .hint {
        margin-top: 0.4em;
      }
      form > button {
        justify-self: start;
        padding: 0.6em 1.4em;
      }
    `,
  ];

  declare slug: string;
  declare csrfToken: string | null;
  /** The wall's sources as last read, or null before the first answer. */
  declare sources: SourceView[] | null;
  declare loadError: string;
  declare draft: SourceDraft;
  declare adding: boolean;
  declare formError: string;
  /** Ids of sources with a Pause, Resume or Delete in flight. */
  declare busy: ReadonlySet<number>;
  /** The source whose Delete awaits its confirmation, if any. */
  declare confirming: number | null;
  declare actionErrors: ReadonlyMap<number, string>;
  declare announcement: string;

  private timer: ReturnType<typeof setInterval> | undefined;
  /** The wall whose list is being read, if a read is in flight. */
  private loadingSlug: string | null = null;
  private reloadWanted = false;
  /** Counts the changes applied from this panel's own requests, so that an older read does not undo one. */
  private changes = 0;

  constructor() {
    super();
    this.slug = '';
    this.csrfToken = null;
    this.sources = null;
    this.loadError = '';
    this.draft = emptyDraft();
    this.adding = false;
    this.formError = '';
    this.busy = new Set();
    this.confirming = null;
    this.actionErrors = new Map();
    this.announcement = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.timer = setInterval(() => void this.load(), REFRESH_MS);
    // Reattached after a while away: what it showed is stale.
    if (this.slug !== '') void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
    this.timer = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('slug')) return;
    // Another wall: nothing of the previous one may linger, not even a half-typed token.
    this.sources = null;
    this.loadError = '';
    this.draft = emptyDraft();
    this.formError = '';
    this.busy = new Set();
    this.confirming = null;
    this.actionErrors = new Map();
    this.announcement = '';
    if (this.slug !== '' && this.isConnected) void this.load();
  }

  override render() {
    return html`
      <section aria-labelledby="sources-heading">
        <h2 id="sources-heading">${s('sources.heading')}</h2>
        <p class="announcement" role="status">${this.announcement}</p>
        ${this.renderList()}
      </section>
      <section aria-labelledby="add-heading">
        <h3 id="add-heading">${s('sources.add')}</h3>
        ${this.renderForm()}
      </section>
    `;
  }

  private renderList() {
    const error = this.loadError ? html`<p class="error" role="alert">${this.loadError}</p>` : nothing;
    if (this.sources === null) return this.loadError ? error : html`<p class="muted">${s('sources.loading')}</p>`;
    if (this.sources.length === 0) {
      return html`${error}<p class="muted">${s('sources.none')}</p>`;
    }
    return html`${error}
      <ul aria-label=${s('sources.listLabel')}>
        ${repeat(
          this.sources,
          (source) => source.id,
          (source) => this.renderSource(source),
        )}
      </ul>`;
  }

  private renderSource(source: SourceView) {
    const now = Date.now();
    const busy = this.busy.has(source.id);
    const headingId = `source-${source.id}`;
    const actionError = this.actionErrors.get(source.id);
    return html`
      <li data-source-id=${source.id} aria-labelledby=${headingId}>
        <h3 id=${headingId}>${KIND_LABELS[source.kind] ?? source.kind} · ${follows(source)}</h3>
        <p class="state ${source.state}">${stateLabel(source.state)}</p>
        <dl>
          <div><dt>${s('sources.received')}</dt><dd>${source.itemsIngested}</dd></div>
          <div><dt>${s('sources.lastCheck')}</dt><dd>${when(source.lastPollAt, now, s('sources.notYet'))}</dd></div>
          <div><dt>${s('sources.lastPost')}</dt><dd>${when(source.lastEventAt, now, s('sources.noneYet'))}</dd></div>
          ${source.kind === 'mastodon'
            ? html`<div><dt>${s('sources.accessToken')}</dt><dd>${source.settings.hasAccessToken ? s('sources.set') : s('sources.unset')}</dd></div>`
            : nothing}
          ${source.kind === 'x'
            ? html`<div><dt>${s('sources.bearerToken')}</dt><dd>${source.settings.hasBearerToken ? s('sources.set') : s('sources.unset')}</dd></div>`
            : nothing}
          ${source.kind === 'bluesky'
            ? html`<div><dt>Jetstream</dt><dd>${source.settings.jetstreamUrl}</dd></div>`
            : nothing}
        </dl>
        ${source.lastError
          ? html`<div class="last-error">
              <p>${source.lastErrorAt ? s('sources.lastErrorAt', { when: relativeTimeIn(source.lastErrorAt, now) }) : s('sources.lastError')}</p>
              <pre>${source.lastError}</pre>
            </div>`
          : nothing}
        ${this.confirming === source.id
          ? html`<div class="actions" role="group" aria-label=${s('sources.confirmLabel')}>
              <p>${s('sources.confirm')}</p>
              <button class="danger" ?disabled=${busy} @click=${() => void this.act(source, 'delete')}>
                ${busy ? s('users.deleting') : s('users.yesDelete')}
              </button>
              <button ?disabled=${busy} @click=${() => (this.confirming = null)}>${s('users.keep')}</button>
            </div>`
          : html`<div class="actions">
              ${source.paused
                ? html`<button ?disabled=${busy} @click=${() => void this.act(source, 'resume')}>${s('sources.resume')}</button>`
                : html`<button ?disabled=${busy} @click=${() => void this.act(source, 'pause')}>${s('sources.pause')}</button>`}
              <button ?disabled=${busy} @click=${() => this.askToDelete(source.id)}>${s('users.delete')}</button>
            </div>`}
        ${actionError ? html`<p class="error" role="alert">${actionError}</p>` : nothing}
      </li>
    `;
  }

  private renderForm() {
    const d = this.draft;
    const set = (field: Exclude<keyof SourceDraft, 'kind'>) => (event: Event) => {
      this.draft = { ...this.draft, [field]: (event.target as HTMLInputElement).value };
    };
    return html`
      <form @submit=${this.onSubmit}>
        <label
          >${s('sources.network')}
          <select
            @change=${(event: Event) => (this.draft = { ...this.draft, kind: (event.target as HTMLSelectElement).value as SourceKind })}
          >
            ${(Object.keys(KIND_LABELS) as SourceKind[]).map(
              (kind) => html`<option value=${kind} ?selected=${d.kind === kind}>${KIND_LABELS[kind]}</option>`,
            )}
          </select>
        </label>
        ${d.kind === 'mastodon'
          ? html`
              <label
                >${s('sources.instance')}
                <input type="url" required placeholder="https://mastodon.social" autocomplete="off" .value=${live(d.instance)} @input=${set('instance')} />
              </label>
              ${this.hashtagField()}
              <label
                >${s('sources.accessTokenOptional')}
                <input
                  type="password"
                  autocomplete="off"
                  aria-describedby="access-token-hint"
                  .value=${live(d.accessToken)}
                  @input=${set('accessToken')}
                />
              </label>
              <p class="hint" id="access-token-hint">${s('sources.accessTokenHint')}</p>
            `
          : nothing}
        ${d.kind === 'bluesky'
          ? html`
              ${this.hashtagField()}
              <details>
                <summary>${s('sources.advanced')}</summary>
                <label
                  >${s('sources.jetstream')}
                  <input
                    type="url"
                    placeholder="wss://…"
                    autocomplete="off"
                    aria-describedby="jetstream-hint"
                    .value=${live(d.jetstreamUrl)}
                    @input=${set('jetstreamUrl')}
                  />
                </label>
                <p class="hint" id="jetstream-hint">${s('sources.jetstreamHint')}</p>
              </details>
            `
          : nothing}
        ${d.kind === 'x'
          ? html`
              <p class="cost" id="x-cost">${s('sources.xCost')}</p>
              <label
                >${s('sources.query')}
                <input required placeholder="#capcomnet -is:retweet" autocomplete="off" .value=${live(d.query)} @input=${set('query')} />
              </label>
              <label
                >${s('sources.bearerToken')}
                <input
                  type="password"
                  required
                  autocomplete="off"
                  aria-describedby="x-cost"
                  .value=${live(d.bearerToken)}
                  @input=${set('bearerToken')}
                />
              </label>
            `
          : nothing}
        ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : nothing}
        <button type="submit" ?disabled=${this.adding}>${this.adding ? s('senders.adding') : s('sources.submit')}</button>
      </form>
    `;
  }

  private hashtagField() {
    return html`<label
      >${s('sources.hashtag')}
      <input
        required
        placeholder="capcomnet"
        autocomplete="off"
        .value=${live(this.draft.hashtag)}
        @input=${(event: Event) => (this.draft = { ...this.draft, hashtag: (event.target as HTMLInputElement).value })}
      />
    </label>`;
  }

  /**
   * Reads the list again. A read already in flight for this wall makes a timed one unnecessary, but not
   * one asked for after a change (`fresh`): that one runs once the read in flight is done.
   */
  private async load(fresh = false): Promise<void> {
    if (this.slug === '') return;
    if (this.loadingSlug === this.slug) {
      if (fresh) this.reloadWanted = true;
      return;
    }
    const slug = this.slug;
    const changes = this.changes;
    this.loadingSlug = slug;
    try {
      const { items } = await api<{ items: SourceView[] }>('GET', this.path(slug));
      // A list read before a change was applied here would undo it on screen until the next read.
      if (slug === this.slug && changes === this.changes) {
        this.sources = items;
        this.loadError = '';
      }
    } catch (error) {
      if (slug === this.slug && changes === this.changes) this.loadError = s('sources.loadError', { reason: errorText(error) });
    } finally {
      if (this.loadingSlug === slug) this.loadingSlug = null;
      if (this.reloadWanted && this.loadingSlug === null) {
        this.reloadWanted = false;
        void this.load();
      }
    }
  }

  private async onSubmit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.adding) return;
    const slug = this.slug;
    const body = requestBody(this.draft);
    this.adding = true;
    this.formError = '';
    try {
      const source = await api<SourceView>('POST', this.path(slug), body, this.csrfToken);
      if (slug !== this.slug) return;
      this.draft = emptyDraft(this.draft.kind);
      this.upsert(source);
      this.announcement = s('sources.added', { kind: KIND_LABELS[source.kind] ?? source.kind, what: follows(source) });
    } catch (error) {
      // What was typed stays, so that only the part the server named needs fixing.
      if (slug === this.slug) this.formError = errorText(error);
    } finally {
      this.adding = false;
    }
    void this.load(true);
  }

  private askToDelete(id: number): void {
    this.confirming = id;
    this.actionErrors = without(this.actionErrors, id);
  }

  private async act(source: SourceView, action: SourceAction): Promise<void> {
    if (this.busy.has(source.id)) return;
    const slug = this.slug;
    const name = { kind: KIND_LABELS[source.kind] ?? source.kind, what: follows(source) };
    this.busy = new Set(this.busy).add(source.id);
    this.actionErrors = without(this.actionErrors, source.id);
    try {
      if (action === 'delete') {
        await api('DELETE', `${this.path(slug)}/${source.id}`, undefined, this.csrfToken);
        if (slug !== this.slug) return;
        this.changes += 1;
        this.sources = (this.sources ?? []).filter((entry) => entry.id !== source.id);
        this.confirming = null;
        this.announcement = s('sources.deleted', name);
      } else {
        const updated = await api<SourceView>('POST', `${this.path(slug)}/${source.id}/${action}`, undefined, this.csrfToken);
        if (slug !== this.slug) return;
        this.upsert(updated);
        this.announcement = s(action === 'pause' ? 'sources.paused' : 'sources.resumed', name);
      }
    } catch (error) {
      if (slug === this.slug) this.actionErrors = new Map(this.actionErrors).set(source.id, errorText(error));
    } finally {
      const busy = new Set(this.busy);
      busy.delete(source.id);
      this.busy = busy;
    }
    void this.load(true);
  }

  private upsert(source: SourceView): void {
    this.changes += 1;
    const list = this.sources ?? [];
    this.sources = list.some((entry) => entry.id === source.id) ? list.map((entry) => (entry.id === source.id ? source : entry)) : [...list, source];
  }

  private path(slug: string): string {
    return `/api/walls/${encodeURIComponent(slug)}/sources`;
  }
}

/** The request `POST /api/walls/:slug/sources` expects for the draft's kind; optional fields left empty are left out. */
function requestBody(draft: SourceDraft): Record<string, string> {
  // The API takes the hashtag without its "#", but people type it with one.
  const hashtag = draft.hashtag.trim().replace(/^#+/, '');
  if (draft.kind === 'mastodon') {
    const body: Record<string, string> = { kind: 'mastodon', instance: draft.instance.trim(), hashtag };
    if (draft.accessToken.trim() !== '') body.accessToken = draft.accessToken.trim();
    return body;
  }
  if (draft.kind === 'bluesky') {
    const body: Record<string, string> = { kind: 'bluesky', hashtag };
    if (draft.jetstreamUrl.trim() !== '') body.jetstreamUrl = draft.jetstreamUrl.trim();
    return body;
  }
  return { kind: 'x', query: draft.query.trim(), bearerToken: draft.bearerToken.trim() };
}

/** What a source follows, in a few words: "#capcomnet on mastodon.social", "#capcomnet", the X query. */
function follows(source: SourceView): string {
  if (source.kind === 'mastodon') return s('sources.on', { tag: `#${source.settings.hashtag}`, host: hostOf(source.settings.instance) });
  if (source.kind === 'bluesky') return `#${source.settings.hashtag}`;
  return `“${source.settings.query}”`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function when(iso: string | null, now: number, never: string): string {
  return iso === null ? never : relativeTimeIn(iso, now) || never;
}

function without<K, V>(map: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V> {
  if (!map.has(key)) return map;
  const copy = new Map(map);
  copy.delete(key);
  return copy;
}

customElements.define('toile-sources-panel', ToileSourcesPanel);

declare global {
  interface HTMLElementTagNameMap {
    'toile-sources-panel': ToileSourcesPanel;
  }
}
