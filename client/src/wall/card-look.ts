/**
 * The decisions behind how a card looks, kept free of the DOM so that they are tested on their own: how
 * large its text is, the colour of an author's initial badge, and the colour of a hashtag chip.
 */

/** Text size steps, from a few words read across a room to a long email that must still fit. */
export type TextSize = 'emoji' | 'xl' | 'l' | 'm' | 's' | 'xs';

const segmenter = typeof Intl.Segmenter === 'function' ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;

/** What a reader counts as characters: "👩🏽‍💻" and "é" written as e + accent are one each. */
export function graphemeCount(text: string): number {
  if (segmenter === null) return [...text].length;
  let count = 0;
  for (const _ of segmenter.segment(text)) count++;
  return count;
}

/** Pictographs and what glues them (skin tones, joiners, variation selectors, flags' letters, keycaps). */
const EMOJI_ONLY =
  /^(?:[#*0-9]\ufe0f?\u20e3|[\p{Extended_Pictographic}\p{Regional_Indicator}\p{Emoji_Modifier}\u200d\ufe0f\u{E0020}-\u{E007F}]|\s)+$/u;
const HAS_PICTOGRAPH = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u;

/** True for a text of emoji only ("👏👏👏", "🇫🇷 ❤️"): shown very large, like a reaction. */
export function isEmojiOnly(text: string): boolean {
  return text.trim() !== '' && EMOJI_ONLY.test(text) && HAS_PICTOGRAPH.test(text);
}

/**
 * How much room a text takes, in characters of a line: its graphemes, plus, for each line break, about
 * the rest of a short line (a poem of six short lines needs as much height as a paragraph).
 */
export function textWeight(text: string): number {
  const lines = text.split('\n');
  const graphemes = graphemeCount(text);
  return graphemes + (lines.length - 1) * 24;
}

/**
 * The size step of a text. Thresholds are in "weight" (see `textWeight`): a short shout-out reads from the
 * back of the room, the 500 graphemes a message may hold still fit on a card.
 */
export function textSize(text: string): TextSize {
  const trimmed = text.trim();
  if (isEmojiOnly(trimmed) && graphemeCount(trimmed) <= 8) return 'emoji';
  const weight = textWeight(trimmed);
  if (weight <= 32) return 'xl';
  if (weight <= 80) return 'l';
  if (weight <= 160) return 'm';
  if (weight <= 300) return 's';
  return 'xs';
}

/**
 * Colours with enough presence on both the dark and the light theme, for initial badges and hashtag chips
 * when the organiser chose none. Each is paired with black or white text by `readableOn`.
 */
export const PALETTE: readonly string[] = [
  '#ffb020', // amber
  '#4cc9f0', // sky
  '#f15bb5', // pink
  '#7bd389', // green
  '#b794f6', // violet
  '#ff7a59', // coral
  '#2ec4b6', // teal
  '#f9e04b', // lemon
];

const HEX_COLOUR = /^#[0-9a-f]{6}$/i;

/** A stable colour for a name, so that one author keeps one colour on every screen and every reload. */
export function colourForName(name: string): string {
  // FNV-1a over the UTF-16 units: small, stable, and spreads similar names apart.
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return PALETTE[hash % PALETTE.length] ?? '#ffb020';
}

/** The first letter (grapheme) of a name, upper case; "?" for an empty one. */
export function initialOf(name: string): string {
  const trimmed = name.trim().replace(/^[@#]+/, '');
  if (trimmed === '') return '?';
  if (segmenter !== null) {
    for (const { segment } of segmenter.segment(trimmed)) return segment.toLocaleUpperCase();
  }
  return ([...trimmed][0] ?? '?').toLocaleUpperCase();
}

/**
 * The colour of a followed hashtag: the organiser's (`appearance.tagColors`, when it is a `#rrggbb`), else
 * the palette's by the tag's place in the wall's list, so that two events never share a colour by chance.
 */
export function tagColour(tag: string, wallHashtags: readonly string[], tagColors: Readonly<Record<string, string>> = {}): string {
  const chosen = tagColors[tag] ?? tagColors[tag.toLowerCase()];
  if (chosen !== undefined && HEX_COLOUR.test(chosen)) return chosen;
  const index = wallHashtags.findIndex((candidate) => candidate.replace(/^#+/, '').toLowerCase() === tag.toLowerCase());
  return PALETTE[(index < 0 ? 0 : index) % PALETTE.length] ?? '#ffb020';
}

/** Relative luminance of a `#rrggbb` colour (WCAG 2). */
export function luminance(hex: string): number {
  const channel = (offset: number): number => {
    const value = parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** Black or white, whichever contrasts more with a `#rrggbb` background. */
export function readableOn(hex: string): '#000000' | '#ffffff' {
  if (!HEX_COLOUR.test(hex)) return '#000000';
  const l = luminance(hex);
  // Contrast with black is (l + 0.05) / 0.05, with white 1.05 / (l + 0.05).
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? '#000000' : '#ffffff';
}
