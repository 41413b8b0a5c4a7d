import { css, html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { DEFAULT_APPEARANCE } from '../shared/types.js';
import { readableOn, tagColour } from './card-look.js';
import { cssVars } from './css-vars.js';
import { channelGlyph, glyph } from './icons.js';
import { GAP_EM, columnGroups, columnsCapacity, groupKeyOf, type ChannelFamily, type ColumnGroup } from './layout-math.js';
import { WallLayout, type DrawnItem } from './layout-base.js';
import { t } from './strings-cards.js';
import './toile-wall-card.js';

/** The height of a column's header, in em, taken from the room the cards have. */
const HEADER_EM = 2.6;

const FAMILY_LABEL = { social: 'familySocial', sms: 'familySms', email: 'familyEmail', web: 'familyWeb' } as const;
const FAMILY_GLYPH = { social: 'social', sms: 'sms', email: 'email', web: 'web' } as const;

/**
 * Columns side by side, each newest first. When the wall follows two hashtags or more (two events on one
 * wall), one column per hashtag, headed in its colour, and a last "Messages" column for what carries none
 * of them; otherwise one column per channel family present (social, SMS, email, web and API).
 *
 * The columns come from the whole pool (`pool`), so that they stay put while items take turns; the cards
 * are `items` only. Properties and the `toile-capacity` event: see layout-types.ts. Capacity is the
 * columns times the typical cards that fit under a header.
 */
export class ToileLayoutColumns extends WallLayout {
  static override styles = [
    WallLayout.baseStyles,
    css`
      .viewport {
        display: grid;
        grid-auto-flow: column;
        grid-auto-columns: minmax(0, 1fr);
        gap: ${GAP_EM}em;
      }
      section {
        display: flex;
        flex-direction: column;
        min-width: 0;
        min-height: 0;
      }
      h2 {
        display: flex;
        align-items: center;
        gap: 0.45em;
        box-sizing: border-box;
        height: ${HEADER_EM / 1.2}em;
        margin: 0 0 ${GAP_EM / 1.2}em;
        padding: 0 0.6em;
        border-radius: var(--toile-radius, 0.75rem);
        background: var(--toile-surface-raised, #202737);
        border-bottom: 0.18em solid var(--head, var(--toile-accent, #ffb020));
        color: var(--toile-text, #f4f6fb);
        font-size: 1.2em;
        font-weight: 800;
        letter-spacing: -0.01em;
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      h2.hashtag {
        background: var(--head, var(--toile-accent, #ffb020));
        color: var(--head-text, #000);
        border-bottom: 0;
      }
      h2 svg {
        flex: none;
        width: 1.1em;
        height: 1.1em;
        fill: none;
        stroke: currentColor;
        stroke-width: 2;
        stroke-linecap: round;
        stroke-linejoin: round;
      }
      h2 svg .dot {
        fill: currentColor;
        stroke: none;
      }
      .cards {
        flex: 1;
        display: flex;
        flex-direction: column;
        gap: ${GAP_EM}em;
        min-height: 0;
        overflow: hidden;
        -webkit-mask-image: linear-gradient(to bottom, #000 calc(100% - 3em), transparent);
        mask-image: linear-gradient(to bottom, #000 calc(100% - 3em), transparent);
      }
      .empty {
        margin: 0.6em 0.2em;
        color: var(--toile-muted, #aab2c5);
        font-size: 0.9em;
      }
    `,
  ];

  protected override measureCapacity(): number {
    const { height } = this.box();
    const font = this.fontPx();
    return columnsCapacity(this.groups().length, height - (HEADER_EM + GAP_EM) * font, font);
  }

  override updated(): void {
    // The number of columns follows the pool: a new channel family is a new column, so more room.
    this.layoutChanged();
  }

  private groups(): ColumnGroup[] {
    return columnGroups(this.pool.length > 0 ? this.pool : this.items.map((item) => item.message), this.wall?.hashtags ?? []);
  }

  override render() {
    const hashtags = this.wall?.hashtags ?? [];
    const groups = this.groups();
    const byGroup = new Map<string, DrawnItem[]>(groups.map((group) => [group.key, []]));
    const last = groups[groups.length - 1]?.key ?? 'other';
    for (const item of this.drawn) {
      const key = groupKeyOf(item.message, hashtags);
      (byGroup.get(key) ?? byGroup.get(last))?.push(item);
    }
    return html`<div class="viewport">
      ${repeat(
        groups,
        (group) => group.key,
        (group) => {
          const items = byGroup.get(group.key) ?? [];
          return html`<section aria-label=${this.label(group)}>
            ${this.renderHeader(group)}
            <div class="cards">
              ${items.length === 0 ? html`<p class="empty">${t(this.lang, 'emptyColumn')}</p>` : nothing}
              ${this.cards(items, 'card')}
            </div>
          </section>`;
        },
      )}
    </div>`;
  }

  private label(group: ColumnGroup): string {
    if (group.kind === 'hashtag') return `#${group.tag}`;
    if (group.kind === 'other') return t(this.lang, 'otherMessages');
    return t(this.lang, FAMILY_LABEL[group.family]);
  }

  private renderHeader(group: ColumnGroup) {
    if (group.kind === 'hashtag') {
      const colour = tagColour(group.tag, this.wall?.hashtags ?? [], this.wall?.appearance?.tagColors ?? DEFAULT_APPEARANCE.tagColors);
      return html`<h2 class="hashtag" ${cssVars({ '--head': colour, '--head-text': readableOn(colour) })}>#${group.tag}</h2>`;
    }
    if (group.kind === 'other') return html`<h2>${t(this.lang, 'otherMessages')}</h2>`;
    const family: ChannelFamily = group.family;
    return html`<h2>
      <svg viewBox="0 0 24 24" aria-hidden="true">${glyph(channelGlyph(FAMILY_GLYPH[family]))}</svg>${t(this.lang, FAMILY_LABEL[family])}
    </h2>`;
  }
}

customElements.define('toile-layout-columns', ToileLayoutColumns);

declare global {
  interface HTMLElementTagNameMap {
    'toile-layout-columns': ToileLayoutColumns;
  }
}
