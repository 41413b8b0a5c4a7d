import { pickLanguage, type Language } from '../shared/i18n.js';

/** Where the console keeps a moderator's explicit choice, per browser. */
const STORAGE_KEY = 'toile.console.language';

/**
 * The console's language: the moderator's own choice (the EN/FR switch in the header) when they made
 * one on this browser, else the browser's first language Toile speaks. Unlike the wall and the form,
 * the wall's setting plays no part: the console is read by its moderators, not by the wall's audience.
 */
export function consoleLanguage(): Language {
  return pickLanguage(storedChoice());
}

/**
 * Remembers the moderator's choice and reloads the page in it. A reload is the simplest way to have
 * every panel re-read its strings; the place (wall and view) is in the hash and the session in its
 * cookie, so the moderator lands where they were.
 */
export function chooseConsoleLanguage(language: Language): void {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Storage refused (a browser with site data turned off): the page comes back in the browser's language.
  }
  location.reload();
}

function storedChoice(): string | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}
