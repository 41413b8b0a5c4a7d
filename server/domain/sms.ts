/**
 * What an SMS says besides its message: the opt-out and help keywords carriers and regulators expect
 * every service to honour, an optional "Name: message" form, and a wall's required keyword.
 * Functions take text already normalized (NFKC, invisible characters removed).
 */

/** The words that opt a sender out (Twilio's and Vonage's standard set, plus the French ARRET). */
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'ARRET']);
const OPT_IN = new Set(['START', 'UNSTOP']);
const HELP = new Set(['HELP', 'INFO']);

export type ControlKeyword = 'opt-out' | 'opt-in' | 'help';

/**
 * The control keyword a whole message consists of, in any case, with surrounding spaces and a trailing
 * "." or "!" ignored ("Stop!", " arrêt "); null for anything else, such as "stop the music".
 */
export function controlKeyword(text: string): ControlKeyword | null {
  const word = text
    .normalize('NFKC')
    .trim()
    .replace(/[.!]+$/u, '')
    .trim()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase();
  if (OPT_OUT.has(word)) return 'opt-out';
  if (OPT_IN.has(word)) return 'opt-in';
  if (HELP.has(word)) return 'help';
  return null;
}

/** A name in "Name: message": one to four words of letters (with ' . -), at most 40 characters. */
const NAME_PREFIX = /^([\p{L}][\p{L}\p{M}'’.-]*(?: [\p{L}][\p{L}\p{M}'’.-]*){0,3})\s?:\s+(\S[\s\S]*)$/u;

/**
 * Splits "Marie Dupont: Bravo !" into a name and a message. Null when the text does not have that form,
 * so that "https://example.org" or "12:30 in room B" stay messages.
 */
export function splitNamePrefix(text: string): { name: string; text: string } | null {
  const match = NAME_PREFIX.exec(text.trim());
  if (!match || match[1]!.length > 40) return null;
  return { name: match[1]!, text: match[2]!.trim() };
}

function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Whether a text starts with the wall's keyword as a whole word ("MUR hello", "#capcomnet: hello"). */
export function startsWithKeyword(text: string, keyword: string): boolean {
  return stripKeyword(text, keyword) !== null;
}

/**
 * The text without the keyword it starts with (case and accents ignored, "#" optional), or null when it
 * does not start with it. "MUR: bravo" → "bravo"; "MURAL bravo" → null.
 */
export function stripKeyword(text: string, keyword: string): string | null {
  const word = keyword.replace(/^#/, '');
  const trimmed = text.trimStart();
  const body = trimmed.startsWith('#') ? trimmed.slice(1) : trimmed;
  const head = body.slice(0, word.length);
  if (fold(head) !== fold(word)) return null;
  const rest = body.slice(word.length);
  if (rest !== '' && /^[\p{L}\p{N}_]/u.test(rest)) return null;
  return rest.replace(/^[\s:,.!–—-]+/u, '');
}
