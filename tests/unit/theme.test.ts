import { describe, expect, it } from 'vitest';
import {
  AA_TEXT,
  contrastProblems,
  contrastRatio,
  cssUrl,
  relativeLuminance,
  resolvePalette,
  THEMES,
  warnAboutContrast,
} from '../../client/src/wall/theme.js';

describe('the contrast arithmetic', () => {
  it('follows WCAG: black on white is 21:1, a colour on itself 1:1', () => {
    expect(relativeLuminance('#000000')).toBe(0);
    expect(relativeLuminance('#ffffff')).toBeCloseTo(1, 10);
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 10);
    expect(contrastRatio('#ffffff', '#000000')).toBeCloseTo(21, 10);
    expect(contrastRatio('#777777', '#777777')).toBe(1);
  });

  it('matches published reference values', () => {
    // #767676 on white is the classic lightest grey that still passes AA (4.54:1).
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
    expect(contrastRatio('#777777', '#ffffff')).toBeLessThan(AA_TEXT);
  });
});

describe('the default themes', () => {
  for (const name of ['dark', 'light'] as const) {
    it(`${name}: every text pair reaches WCAG AA`, () => {
      const palette = resolvePalette(name);
      expect(palette).toEqual(THEMES[name]);
      expect(contrastProblems(palette)).toEqual([]);
    });
  }
});

describe('appearance overrides', () => {
  it('replaces the colours an organiser chose and keeps the others', () => {
    const palette = resolvePalette('dark', { accent: '#3366FF', background: null });
    expect(palette.accent).toBe('#3366ff');
    expect(palette.background).toBe(THEMES.dark.background);
  });

  it('ignores values that are not #rrggbb colours', () => {
    const palette = resolvePalette('light', { accent: 'red; background: url(x)', text: '#fff' });
    expect(palette.accent).toBe(THEMES.light.accent);
    expect(palette.text).toBe(THEMES.light.text);
  });

  it('picks readable ink for a new accent, and derives the muted grey from a new surface', () => {
    const yellow = resolvePalette('light', { accent: '#ffe14d' });
    expect(contrastRatio(yellow.accentText, yellow.accent)).toBeGreaterThanOrEqual(AA_TEXT);
    const navy = resolvePalette('light', { surface: '#0a1a3a', text: '#ffffff', background: '#000814' });
    expect(contrastProblems(navy)).toEqual([]);
  });

  it('warns in the console when an override makes text hard to read', () => {
    const warnings: string[] = [];
    const palette = resolvePalette('light', { text: '#9aa0aa' });
    const problems = warnAboutContrast(palette, 'wall “capcomnet”', (message) => warnings.push(message));
    expect(problems.map((p) => p.pair)).toContain('text on surface');
    expect(warnings.length).toBe(problems.length);
    expect(warnings.find((w) => w.includes('text on surface'))).toMatch(/capcomnet.*#9aa0aa on #ffffff.*below the 4\.5:1/);
  });

  it('stays silent for the default themes', () => {
    const warnings: string[] = [];
    warnAboutContrast(THEMES.dark, 'dark', (m) => warnings.push(m));
    warnAboutContrast(THEMES.light, 'light', (m) => warnings.push(m));
    expect(warnings).toEqual([]);
  });
});

describe('image URLs in CSS', () => {
  it('accepts Toile media and https images, and nothing else', () => {
    expect(cssUrl('/media/abc.png')).toBe('url("/media/abc.png")');
    expect(cssUrl('https://example.org/bg.jpg')).toBe('url("https://example.org/bg.jpg")');
    expect(cssUrl('javascript:alert(1)')).toBe('none');
    expect(cssUrl('http://example.org/bg.jpg')).toBe('none');
    expect(cssUrl(null)).toBe('none');
  });

  it('cannot break out of the url() string', () => {
    const value = cssUrl('https://example.org/a")+url("https://evil.example/x');
    expect(value.startsWith('url("https://example.org/')).toBe(true);
    expect(value.slice(5, -2)).not.toMatch(/(?<!\\)"/);
  });
});
