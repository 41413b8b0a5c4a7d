/**
 * French and English for the wall, the form and the console. Each area keeps its own table next to its
 * elements (`defineStrings`), so a missing translation is a type error rather than an empty label, and
 * the language is chosen once per page: the wall's setting, else the browser's first preference.
 */

import type { Language } from './types.js';

export type { Language };
export const LANGUAGES: readonly Language[] = ['en', 'fr'];

/**
 * The wall's `language` setting wins; with `auto` (or none) the first of the browser's languages that
 * Toile speaks, else English.
 */
export function pickLanguage(setting: string | null | undefined, browser: readonly string[] = navigatorLanguages()): Language {
  if (setting === 'en' || setting === 'fr') return setting;
  for (const tag of browser) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'en' || base === 'fr') return base;
  }
  return 'en';
}

function navigatorLanguages(): readonly string[] {
  return typeof navigator === 'undefined' ? [] : navigator.languages ?? [navigator.language];
}

/** A string, or a function of its parameters (for plurals and sentences with names in them). */
type Entry = string | ((vars: Record<string, string | number>) => string);

export type StringTable<K extends string> = Record<Language, Record<K, Entry>>;

export type Translate<K extends string> = (lang: Language, key: K, vars?: Record<string, string | number>) => string;

/**
 * Declares an area's strings in both languages and returns its translate function. The French table must
 * have every key of the English one (the type says so).
 */
export function defineStrings<K extends string>(table: { en: Record<K, Entry>; fr: Record<K, Entry> }): Translate<K> {
  return (lang, key, vars = {}) => {
    const entry = table[lang][key] ?? table.en[key];
    return typeof entry === 'function' ? entry(vars) : entry;
  };
}
