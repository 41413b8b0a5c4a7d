/**
 * The arithmetic of the wall's layouts, free of the DOM so that it is tested on its own: how many columns
 * fit, which column a card goes to, how many items a layout can show, how columns are grouped, how fast
 * the ticker runs. The elements measure; these functions decide.
 */

import { hashtagKey, matchWallHashtags } from '../shared/hashtags.js';
import type { Channel, WallMessage } from '../shared/types.js';
import { textWeight } from './card-look.js';

/** A masonry column is at least this wide, in the wall's em: about 30 characters of card text a line. */
export const GRID_MIN_COLUMN_EM = 18;
/** The gap between cards and columns, in em. */
export const GAP_EM = 1;
/** A typical card's height in em (two lines of large text, the author line and the padding). */
export const TYPICAL_CARD_EM = 9;

/** How many columns of at least `minEm` fit in `widthPx` with `gapEm` between them; at least one. */
export function columnCount(widthPx: number, fontPx: number, minEm = GRID_MIN_COLUMN_EM, gapEm = GAP_EM): number {
  if (!(widthPx > 0) || !(fontPx > 0)) return 1;
  const gap = gapEm * fontPx;
  return Math.max(1, Math.floor((widthPx + gap) / (minEm * fontPx + gap)));
}

/** How many rows of `rowEm` fit in `heightPx`; at least one, so that a tiny window still shows something. */
export function rowsThatFit(heightPx: number, fontPx: number, rowEm = TYPICAL_CARD_EM, gapEm = GAP_EM): number {
  if (!(heightPx > 0) || !(fontPx > 0)) return 1;
  const gap = gapEm * fontPx;
  return Math.max(1, Math.floor((heightPx + gap) / (rowEm * fontPx + gap)));
}

/** The masonry's capacity: columns × rows of typical cards. */
export function gridCapacity(widthPx: number, heightPx: number, fontPx: number): number {
  return columnCount(widthPx, fontPx) * rowsThatFit(heightPx, fontPx);
}

/**
 * A card's height in em, guessed before it is drawn, so that several cards arriving at once do not all go
 * to the column that was shortest before any of them. Good enough to spread a batch; real heights are
 * measured once drawn.
 */
export function estimateCardEm(message: Pick<WallMessage, 'text' | 'media' | 'contentWarning' | 'contentRevealed'>, columnEm = GRID_MIN_COLUMN_EM): number {
  const chrome = 5; // padding, author line and gaps
  if (message.contentWarning && !message.contentRevealed) return chrome + 3;
  const weight = textWeight(message.text);
  // Larger type for short texts: fewer characters a line (see the card's size steps).
  const perLine = weight <= 32 ? columnEm * 0.9 : weight <= 80 ? columnEm * 1.2 : weight <= 160 ? columnEm * 1.5 : columnEm * 1.8;
  const lineEm = weight <= 32 ? 2.6 : weight <= 80 ? 2.1 : weight <= 160 ? 1.7 : 1.45;
  const lines = Math.max(1, Math.ceil(weight / perLine));
  const images = message.media.length > 0 ? columnEm * 0.6 : 0;
  return chrome + lines * lineEm + images;
}

export interface PlacedItem {
  id: number;
  /** Its estimated height in px, used only for items placed in the same pass. */
  estimate: number;
}

/**
 * Which column each item is in. An item keeps the column it was placed in; a new one goes to the column
 * that is shortest when it enters (measured `heights`, plus the estimates of the items placed before it in
 * this pass), so an arrival shifts one column only. Items come newest first (pinned ahead) and are placed
 * in that order, so a full screen reads newest first from the top left. Items of a column that no longer
 * exists (the screen narrowed) are placed again.
 */
export function assignColumns(
  previous: ReadonlyMap<number, number>,
  items: readonly PlacedItem[],
  heights: readonly number[],
  columns: number,
): Map<number, number> {
  const count = Math.max(1, Math.floor(columns));
  const load = Array.from({ length: count }, (_, i) => heights[i] ?? 0);
  const next = new Map<number, number>();
  const unplaced: PlacedItem[] = [];
  for (const item of items) {
    const column = previous.get(item.id);
    if (column !== undefined && column < count) next.set(item.id, column);
    else unplaced.push(item);
  }
  for (const item of unplaced) {
    let shortest = 0;
    for (let i = 1; i < count; i++) if ((load[i] ?? 0) < (load[shortest] ?? 0)) shortest = i;
    next.set(item.id, shortest);
    load[shortest] = (load[shortest] ?? 0) + item.estimate;
  }
  return next;
}

/** The channel families the columns layout groups by when a wall follows fewer than two hashtags. */
export type ChannelFamily = 'social' | 'sms' | 'email' | 'web';
export const CHANNEL_FAMILIES: readonly ChannelFamily[] = ['social', 'sms', 'email', 'web'];

export function channelFamily(channel: Channel | string): ChannelFamily {
  if (channel === 'sms' || channel === 'email' || channel === 'social') return channel;
  return 'web';
}

/** At most this many hashtag columns; the others join the last column, so that columns stay readable. */
export const MAX_HASHTAG_COLUMNS = 5;

export type ColumnGroup =
  | { key: string; kind: 'hashtag'; tag: string }
  | { key: 'other'; kind: 'other' }
  | { key: string; kind: 'family'; family: ChannelFamily };

/** The column a message belongs to: its first followed hashtag (by the wall's order), else its channel family. */
export function groupKeyOf(message: Pick<WallMessage, 'text' | 'channel'>, hashtags: readonly string[]): string {
  if (hashtags.length >= 2) {
    const shown = hashtags.slice(0, MAX_HASHTAG_COLUMNS);
    const [first] = matchWallHashtags(message.text, shown);
    return first === undefined ? 'other' : `tag:${hashtagKey(first)}`;
  }
  return `family:${channelFamily(message.channel)}`;
}

/**
 * The columns: one per followed hashtag when the wall follows two or more (then a last "Messages" column
 * when some item carries none of them), else one per channel family present in the pool, in a fixed order.
 * Read from the whole pool, so that columns do not come and go as items take turns on screen.
 */
export function columnGroups(pool: readonly Pick<WallMessage, 'text' | 'channel'>[], hashtags: readonly string[]): ColumnGroup[] {
  const present = new Set(pool.map((message) => groupKeyOf(message, hashtags)));
  if (hashtags.length >= 2) {
    const groups: ColumnGroup[] = [];
    const seen = new Set<string>();
    for (const tag of hashtags.slice(0, MAX_HASHTAG_COLUMNS)) {
      const key = `tag:${hashtagKey(tag)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      groups.push({ key, kind: 'hashtag', tag: tag.replace(/^#+/, '') });
    }
    if (present.has('other')) groups.push({ key: 'other', kind: 'other' });
    return groups;
  }
  const families = CHANNEL_FAMILIES.filter((family) => present.has(`family:${family}`));
  return (families.length > 0 ? families : (['social'] as ChannelFamily[])).map((family) => ({
    key: `family:${family}`,
    kind: 'family',
    family,
  }));
}

/** The columns layout's capacity: rows of typical cards that fit, times the columns. */
export function columnsCapacity(columns: number, heightPx: number, fontPx: number): number {
  return Math.max(1, columns) * rowsThatFit(heightPx, fontPx);
}

/** How many items the ticker carries at once: enough to make a loop, few enough to come round again soon. */
export const TICKER_CAPACITY = 12;

/**
 * Seconds for the ticker to scroll `widthPx`: the speed stays the same however many items it carries, so
 * the reading pace does not change when an item is added. Speed is given in px per second.
 */
export function tickerDurationSeconds(widthPx: number, pxPerSecond: number): number {
  if (!(widthPx > 0) || !(pxPerSecond > 0)) return 30;
  return Math.max(8, widthPx / pxPerSecond);
}

/**
 * The order the ticker shows its items in. It keeps the order it had (so nothing on screen jumps), drops
 * what left, and puts newcomers right after `after` (the last item on screen, or the start): a new message
 * is the next to come in from the right, rather than waiting a whole loop.
 */
export function tickerOrder(previous: readonly number[], items: readonly number[], after: number | null): number[] {
  const present = new Set(items);
  const kept = previous.filter((id) => present.has(id));
  const known = new Set(kept);
  const newcomers = items.filter((id) => !known.has(id));
  if (newcomers.length === 0) return kept;
  // A fresh ticker reads newest first, like the other layouts; later arrivals come in the order they arrived.
  if (kept.length === 0) return newcomers;
  const arrivals = newcomers.slice().reverse();
  const at = after === null ? -1 : kept.indexOf(after);
  return [...kept.slice(0, at + 1), ...arrivals, ...kept.slice(at + 1)];
}
