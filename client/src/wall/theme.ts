/**
 * The wall's two default themes as data, the organiser's overrides on top of them, and the contrast check
 * that warns when the result would be hard to read. The shell turns a theme into CSS custom properties on
 * its host (`applyTheme`), which every element of the wall reads with var(); nothing here touches the DOM
 * except that last function, so the tests check the palettes and the check itself without a browser.
 *
 * Contrast follows WCAG 2.2: relative luminance of sRGB colours and the (L1 + 0.05) / (L2 + 0.05) ratio,
 * with 4.5:1 as the AA threshold for text (https://www.w3.org/TR/WCAG22/#contrast-minimum).
 */
import { safeImageUrl } from '../shared/safe-image-url.js';
import { DEFAULT_APPEARANCE, type FontChoice, type PublicWall, type ThemeName, type WallAppearance } from '../shared/types.js';

export interface Palette {
  /** The page behind everything. */
  background: string;
  /** Cards and panels. */
  surface: string;
  /** Avatars, image placeholders: a step away from the surface. */
  surfaceRaised: string;
  border: string;
  text: string;
  /** Secondary text (authors' handles, times) on the surface. */
  muted: string;
  /** Pinned cards, the hashtags, the QR panel's frame. */
  accent: string;
  /** Text written on the accent colour. */
  accentText: string;
  danger: string;
}

export const THEMES: Readonly<Record<ThemeName, Palette>> = {
  dark: {
    background: '#0b0e14',
    surface: '#161b26',
    surfaceRaised: '#202737',
    border: '#323b50',
    text: '#f4f6fb',
    muted: '#aab2c5',
    accent: '#ffb020',
    accentText: '#15110a',
    danger: '#d2463f',
  },
  light: {
    background: '#eef1f6',
    surface: '#ffffff',
    surfaceRaised: '#e4e8f0',
    border: '#c3cad8',
    text: '#141821',
    muted: '#4b5466',
    accent: '#9c4a00',
    accentText: '#ffffff',
    danger: '#b3261e',
  },
};

/** The AA threshold for normal-size text. */
export const AA_TEXT = 4.5;

/** Font stacks: the bundled variable Inter, the bundled Atkinson Hyperlegible, or the system's. */
const SYSTEM_FONTS = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Helvetica Neue', Arial, sans-serif";
const EMOJI_FONTS = "'Apple Color Emoji', 'Segoe UI Emoji', 'Noto Color Emoji'";
export const FONT_STACKS: Readonly<Record<FontChoice, string>> = {
  inter: `'Inter Variable', ${SYSTEM_FONTS}, ${EMOJI_FONTS}`,
  atkinson: `'Atkinson Hyperlegible', ${SYSTEM_FONTS}, ${EMOJI_FONTS}`,
  system: `${SYSTEM_FONTS}, ${EMOJI_FONTS}`,
};

export function themeName(value: string | null | undefined): ThemeName {
  return value === 'light' ? 'light' : 'dark';
}

/**
 * The theme with the organiser's colours on top. Colours that are not `#rrggbb` are ignored. The muted
 * text and the text on the accent are derived from the overrides, so that a new surface or accent does not
 * leave the theme's grey or ink unreadable on it.
 */
export function resolvePalette(name: ThemeName, appearance: Partial<WallAppearance> = {}): Palette {
  const base = THEMES[name];
  const background = hexOr(appearance.background, base.background);
  const surface = hexOr(appearance.surface, base.surface);
  const text = hexOr(appearance.text, base.text);
  const accent = hexOr(appearance.accent, base.accent);
  const custom = surface !== base.surface || text !== base.text;
  return {
    background,
    surface,
    surfaceRaised: custom ? mix(surface, text, 0.1) : base.surfaceRaised,
    border: custom ? mix(surface, text, 0.22) : base.border,
    text,
    muted: custom ? mix(text, surface, 0.28) : base.muted,
    accent,
    accentText: accent === base.accent ? base.accentText : bestInk(accent),
    danger: base.danger,
  };
}

/** One pair of colours that must stay readable, and what it measured. */
export interface ContrastProblem {
  pair: string;
  foreground: string;
  background: string;
  ratio: number;
}

/** The pairs the wall prints text with; every one must reach AA. */
export function contrastProblems(palette: Palette): ContrastProblem[] {
  const pairs: [string, string, string][] = [
    ['text on background', palette.text, palette.background],
    ['text on surface', palette.text, palette.surface],
    ['muted text on surface', palette.muted, palette.surface],
    ['text on accent', palette.accentText, palette.accent],
  ];
  return pairs.flatMap(([pair, foreground, background]) => {
    const ratio = contrastRatio(foreground, background);
    return ratio < AA_TEXT ? [{ pair, foreground, background, ratio }] : [];
  });
}

/**
 * Warns in the console for every pair below AA: an organiser who picked a pale grey on white sees why the
 * back row cannot read the wall. Returns the problems, for the tests.
 */
export function warnAboutContrast(palette: Palette, where: string, warn: (message: string) => void = console.warn): ContrastProblem[] {
  const problems = contrastProblems(palette);
  for (const p of problems) {
    warn(
      `Toile: ${where}: ${p.pair} (${p.foreground} on ${p.background}) has a contrast of ${p.ratio.toFixed(2)}:1, ` +
        `below the ${AA_TEXT}:1 that WCAG AA asks for text; choose darker or lighter colours in the wall's appearance.`,
    );
  }
  return problems;
}

/**
 * Sets the wall's look on `host` as custom properties (`element.style.setProperty`, which the page's CSP
 * allows, unlike a `style` attribute written into a template), and warns about weak contrast once per
 * distinct palette.
 */
export function applyTheme(host: HTMLElement, wall: PublicWall, options: { transparent?: boolean } = {}): Palette {
  const name = themeName(wall.theme);
  const appearance = { ...DEFAULT_APPEARANCE, ...wall.appearance };
  const palette = resolvePalette(name, appearance);
  const properties: Record<string, string> = {
    '--toile-bg': options.transparent ? 'transparent' : palette.background,
    '--toile-surface': palette.surface,
    '--toile-surface-raised': palette.surfaceRaised,
    '--toile-border': palette.border,
    '--toile-text': palette.text,
    '--toile-muted': palette.muted,
    '--toile-accent': palette.accent,
    '--toile-accent-text': palette.accentText,
    '--toile-danger': palette.danger,
    '--toile-font': FONT_STACKS[appearance.font] ?? FONT_STACKS.inter,
    '--toile-bg-image': cssUrl(options.transparent ? null : appearance.backgroundImage),
  };
  for (const [property, value] of Object.entries(properties)) host.style.setProperty(property, value);
  host.style.colorScheme = name;

  const key = JSON.stringify(palette);
  if (warned.get(host) !== key) {
    warned.set(host, key);
    warnAboutContrast(palette, `wall “${wall.slug}”`);
  }
  return palette;
}

const warned = new WeakMap<HTMLElement, string>();

/** A `url("…")` for an image that passes `safeImageUrl`, or `none`. */
export function cssUrl(url: string | null | undefined): string {
  const safe = safeImageUrl(url);
  if (safe === null) return 'none';
  // A parsed https URL has no raw quote or backslash, but the string goes into CSS: escape them anyway.
  return `url("${safe.replace(/["\\\n\r\f]/g, (c) => `\\${c.charCodeAt(0).toString(16)} `)}")`;
}

/** WCAG relative luminance of a `#rrggbb` colour (0 for black, 1 for white). */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = rgb(hex).map((channel) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio between two colours, from 1 (none) to 21 (black on white). */
export function contrastRatio(a: string, b: string): number {
  const la = relativeLuminance(a);
  const lb = relativeLuminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

function isHex(value: unknown): value is string {
  return typeof value === 'string' && /^#[0-9a-fA-F]{6}$/.test(value);
}

function hexOr(value: string | null | undefined, fallback: string): string {
  return isHex(value) ? value.toLowerCase() : fallback;
}

function rgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** `a` moved towards `b` by `amount` (0–1), in sRGB: good enough for borders and greys. */
function mix(a: string, b: string, amount: number): string {
  const ca = rgb(a);
  const cb = rgb(b);
  return `#${ca.map((c, i) => Math.round(c + (cb[i]! - c) * amount).toString(16).padStart(2, '0')).join('')}`;
}

/** Near-black or white, whichever reads better on `background`. */
function bestInk(background: string): string {
  return contrastRatio('#111111', background) >= contrastRatio('#ffffff', background) ? '#111111' : '#ffffff';
}
