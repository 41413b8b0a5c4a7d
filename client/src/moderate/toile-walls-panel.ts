import { html, LitElement, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import { api } from '../shared/api.js';
import { formStyles } from '../shared/form-styles.js';
import type { AdminWall } from '../shared/types.js';
import { panelStyles } from './panel-styles.js';
import { errorText, s } from './strings.js';

type Moderation = AdminWall['moderation'];
const MODERATIONS: readonly Moderation[] = ['pre', 'post'];

/**
 * Every wall of the instance, for admins (`GET /api/walls`): each with its title, address, moderation mode, how
 * many messages it shows and has waiting, and whether it is archived, an Archive or Unarchive button that asks first in the page (`POST
 * /api/walls/:slug/archive`, `…/unarchive`), and a form to create a wall (`POST /api/walls`).
 *
 * Properties:
 * - `csrfToken` (string | null): the session's CSRF token.
 *
 * Events:
 * - `toile-walls-changed` (detail: AdminWall[]), after the person created, archived or unarchived a wall: the
 *   console's wall picker follows it.
 */
export class ToileWallsPanel extends LitElement {
  static override properties = {
    csrfToken: { attribute: false },
    walls: { state: true },
    loadError: { state: true },
    newSlug: { state: true },
    newTitle: { state: true },
    newHashtags: { state: true },
    newModeration: { state: true },
    creating: { state: true },
    formError: { state: true },
    confirming: { state: true },
    busy: { state: true },
    rowError: { state: true },
    announcement: { state: true },
  };

  static override styles = [formStyles, panelStyles];

  declare csrfToken: string | null;
  declare walls: AdminWall[] | null;
  declare loadError: string;
  declare newSlug: string;
  declare newTitle: string;
  declare newHashtags: string;
  declare newModeration: Moderation;
  declare creating: boolean;
  declare formError: string;
  /** The wall whose archiving (or unarchiving) awaits its confirmation. */
  declare confirming: string | null;
  /** The wall being archived or unarchived. */
  declare busy: string | null;
  declare rowError: { slug: string; message: string } | null;
  declare announcement: string;

  constructor() {
    super();
    this.csrfToken = null;
    this.walls = null;
    this.loadError = '';
    this.newSlug = '';
    this.newTitle = '';
    this.newHashtags = '';
    this.newModeration = 'pre';
    this.creating = false;
    this.formError = '';
    this.confirming = null;
    this.busy = null;
    this.rowError = null;
    this.announcement = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override render() {
    return html`
      <h2>${s('walls.heading')}</h2>
      <p class="hint">${s('walls.intro')}</p>
      <p class="announcement" role="status">${this.announcement}</p>
      ${this.loadError ? html`<p class="error" role="alert">${this.loadError}</p>` : nothing}
      ${this.walls === null
        ? nothing
        : html`<table aria-label=${s('walls.heading')}>
            <thead>
              <tr>
                <th scope="col">${s('walls.col.title')}</th>
                <th scope="col">${s('walls.col.moderation')}</th>
                <th scope="col">${s('walls.col.messages')}</th>
                <th scope="col">${s('walls.col.state')}</th>
                <th scope="col"><span class="muted">${s('walls.col.action')}</span></th>
              </tr>
            </thead>
            <tbody>
              ${this.walls.map(
                (wall) => html`<tr data-slug=${wall.slug}>
                  <td>
                    ${wall.title}${wall.isDefault ? html` <span class="muted">(${s('walls.default')})</span>` : nothing}<br />
                    <a href=${`/w/${encodeURIComponent(wall.slug)}`} target="_blank" rel="noopener">/w/${wall.slug}</a>
                  </td>
                  <td>${s(`walls.moderation.${wall.moderation}`)}</td>
                  <td class="counts">${s('walls.counts', { approved: wall.messages?.approved ?? 0, pending: wall.messages?.pending ?? 0 })}</td>
                  <td class="state">${wall.archived ? s('walls.state.archived') : s('walls.state.live')}</td>
                  <td>${this.renderActions(wall)}</td>
                </tr>`,
              )}
            </tbody>
          </table>`}
      <h3>${s('walls.create')}</h3>
      <form class="row-form" @submit=${this.onSubmit} aria-label=${s('walls.create')}>
        <label
          >${s('walls.title')}
          <input required maxlength="200" .value=${live(this.newTitle)} @input=${(event: Event) => (this.newTitle = (event.target as HTMLInputElement).value)} />
        </label>
        <label
          >${s('walls.slug')}
          <input
            required
            pattern="[a-z0-9][a-z0-9\\-]{0,62}"
            autocomplete="off"
            aria-describedby="new-slug-hint"
            .value=${live(this.newSlug)}
            @input=${(event: Event) => (this.newSlug = (event.target as HTMLInputElement).value)}
          />
        </label>
        <label
          >${s('walls.hashtags')}
          <input
            autocomplete="off"
            aria-describedby="new-hashtags-hint"
            .value=${live(this.newHashtags)}
            @input=${(event: Event) => (this.newHashtags = (event.target as HTMLInputElement).value)}
          />
        </label>
        <label
          >${s('walls.moderation')}
          <select @change=${(event: Event) => (this.newModeration = (event.target as HTMLSelectElement).value as Moderation)}>
            ${MODERATIONS.map((mode) => html`<option value=${mode} ?selected=${this.newModeration === mode}>${s(`walls.moderation.${mode}`)}</option>`)}
          </select>
        </label>
        <button type="submit" ?disabled=${this.creating}>${this.creating ? s('walls.creating') : s('walls.submit')}</button>
      </form>
      <p class="hint" id="new-slug-hint">${s('walls.slugHint')}</p>
      <p class="hint" id="new-hashtags-hint">${s('walls.hashtagsHint')}</p>
      ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : nothing}
    `;
  }

  private renderActions(wall: AdminWall) {
    const error = this.rowError?.slug === wall.slug ? html`<p class="error" role="alert">${this.rowError.message}</p>` : nothing;
    const busy = this.busy === wall.slug;
    const archived = wall.archived === true;
    const title = wall.title;
    if (this.confirming === wall.slug) {
      return html`<div role="group" aria-label=${s(archived ? 'walls.confirmUnarchive' : 'walls.confirmArchive', { title })}>
          <p>${s(archived ? 'walls.confirmUnarchive' : 'walls.confirmArchive', { title })}</p>
          <button class=${archived ? '' : 'danger'} ?disabled=${busy} @click=${() => void this.setArchived(wall, !archived)}>
            ${busy ? s(archived ? 'walls.unarchiving' : 'walls.archiving') : s(archived ? 'walls.yesUnarchive' : 'walls.yesArchive')}
          </button>
          <button ?disabled=${busy} @click=${() => (this.confirming = null)}>${s('walls.keep')}</button>
        </div>
        ${error}`;
    }
    return html`<button
        aria-label=${s(archived ? 'walls.unarchiveLabel' : 'walls.archiveLabel', { title })}
        @click=${() => {
          this.confirming = wall.slug;
          this.rowError = null;
        }}
      >
        ${s(archived ? 'walls.unarchive' : 'walls.archive')}</button
      >${error}`;
  }

  private async load(): Promise<void> {
    try {
      const { items } = await api<{ items: AdminWall[] }>('GET', '/api/walls');
      this.walls = items;
      this.loadError = '';
    } catch (error) {
      this.loadError = s('walls.loadError', { reason: errorText(error) });
    }
  }

  private changed(walls: AdminWall[]): void {
    this.walls = walls;
    this.dispatchEvent(new CustomEvent<AdminWall[]>('toile-walls-changed', { detail: walls, bubbles: true, composed: true }));
  }

  private async onSubmit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.creating) return;
    this.creating = true;
    this.formError = '';
    try {
      const hashtags = this.newHashtags.split(/[\s,]+/).filter((tag) => tag !== '');
      const wall = await api<AdminWall>(
        'POST',
        '/api/walls',
        { slug: this.newSlug.trim(), title: this.newTitle.trim(), hashtags, moderation: this.newModeration },
        this.csrfToken,
      );
      this.changed([...(this.walls ?? []), wall]);
      this.newSlug = '';
      this.newTitle = '';
      this.newHashtags = '';
      this.announcement = s('walls.created', { title: wall.title });
    } catch (error) {
      this.formError = errorText(error);
    } finally {
      this.creating = false;
    }
  }

  private async setArchived(wall: AdminWall, archived: boolean): Promise<void> {
    if (this.busy !== null) return;
    this.busy = wall.slug;
    this.rowError = null;
    try {
      const path = `/api/walls/${encodeURIComponent(wall.slug)}/${archived ? 'archive' : 'unarchive'}`;
      const saved = await api<AdminWall>('POST', path, undefined, this.csrfToken);
      // The answer has the wall without its counts, which archiving does not change.
      this.changed((this.walls ?? []).map((w) => (w.slug === saved.slug ? { ...w, ...saved } : w)));
      this.confirming = null;
      this.announcement = s(archived ? 'walls.archived' : 'walls.unarchived', { title: saved.title });
    } catch (error) {
      this.rowError = { slug: wall.slug, message: errorText(error) };
    } finally {
      this.busy = null;
    }
  }
}

customElements.define('toile-walls-panel', ToileWallsPanel);

declare global {
  interface HTMLElementTagNameMap {
    'toile-walls-panel': ToileWallsPanel;
  }
}
