/**
 * The rules that read a message's text: the wall's blocked terms, the profanity lists and links. Words are
 * compared whole, after the evasions are undone (`evasion.ts`), so that "c0nn4rd" and "f.u.c.k" are held
 * while "Scunthorpe", "assassin" and "connaissance" never are. A rule only ever holds a message for a
 * moderator and says which rule did, with a reason code.
 */
import { hash } from 'node:crypto';
import { foldedWords, formsOf, readings, squeeze, trimmedWord, type WordForms } from './evasion.js';
import { containsLink } from './links.js';
import { normalizeText } from './normalize.js';
import { profanityList } from './profanity.js';

/**
 * Folds text for matching, so that "Café", "CAFE" and "cafe" compare equal: compatibility
 * decomposition, combining marks dropped, lower case.
 */
export function foldForMatching(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** One listed term, split into the words it is made of, each with the spellings it may be written with. */
interface Term {
  term: string;
  words: WordForms[];
  /** Written with digits or symbols for letters. */
  disguised: boolean;
}

/**
 * A list of terms compiled for matching whole words and phrases. Built once per list: the profanity lists
 * once per process, a wall's blocked terms once per change of the list.
 */
export class TermMatcher {
  /** Terms by every spelling, and every squeezed spelling, of their first word. */
  readonly #byFirst = new Map<string, Term[]>();
  readonly #byFirstSqueezed = new Map<string, Term[]>();
  readonly size: number;

  constructor(terms: readonly string[], options: { skipSpacedOut?: boolean } = {}) {
    let size = 0;
    for (const term of terms) {
      const words = foldedWords(normalizeText(term));
      if (words.length === 0) continue;
      // A list's own spaced-out entries ("f u c k", "s hit") would match innocent text ("let's hit"); the
      // reader already joins spaced-out letters, so the plain word is all a list needs.
      if (options.skipSpacedOut && hasSingleLetterWord(term)) continue;
      const compiled: Term = { term, words: words.map(formsOf), disguised: /[^\p{L}\s'’-]/u.test(term) };
      const first = compiled.words[0]!;
      for (const spelling of first.spellings) add(this.#byFirst, spelling, compiled);
      for (const spelling of new Set(first.spellings.map(squeeze))) add(this.#byFirstSqueezed, spelling, compiled);
      size += 1;
    }
    this.size = size;
  }

  /** The first listed term the text contains as whole words, as the list spells it, or null. */
  find(text: string, raw?: string): string | null {
    return this.size === 0 ? null : this.findIn(readText(text, raw));
  }

  /** The same, in a text already read (one reading serves every rule). */
  findIn(reading: TextReading): string | null {
    if (this.size === 0) return null;
    for (const forms of reading.forms) {
      for (let i = 0; i < forms.length; i += 1) {
        const found = this.#at(forms, i);
        if (found !== null) return found;
      }
    }
    return null;
  }

  #at(forms: WordForms[], i: number): string | null {
    const word = forms[i]!;
    const candidates = new Set<Term>();
    for (const spelling of word.spellings) for (const term of this.#byFirst.get(spelling) ?? []) candidates.add(term);
    for (const spelling of word.squeezed ?? []) for (const term of this.#byFirstSqueezed.get(spelling) ?? []) candidates.add(term);
    // The longest phrase first, so that "fils de pute" is named rather than a shorter term inside it; then a
    // term spelled in letters, so that a reason names "bitch" rather than a list's own "b1tch".
    for (const term of [...candidates].sort((a, b) => b.words.length - a.words.length || Number(a.disguised) - Number(b.disguised))) {
      if (term.words.every((listed, k) => forms[i + k] !== undefined && sameWord(forms[i + k]!, listed))) return term.term;
    }
    return null;
  }
}

function add(index: Map<string, Term[]>, key: string, term: Term): void {
  const list = index.get(key);
  if (list) list.push(term);
  else index.set(key, [term]);
}

/** A written word is a listed one when they share a spelling, or, for a stretched word, a squeezed one. */
function sameWord(written: WordForms, listed: WordForms): boolean {
  if (written.spellings.some((spelling) => listed.spellings.includes(spelling))) return true;
  if (written.squeezed === null) return false;
  const squeezedListed = listed.spellings.map(squeeze);
  return written.squeezed.some((spelling) => squeezedListed.includes(spelling));
}

const SINGLE_LETTER_WORD = /(?<![\p{L}\p{N}])[\p{L}\p{N}](?![\p{L}\p{N}])/u;

function hasSingleLetterWord(term: string): boolean {
  return SINGLE_LETTER_WORD.test(term.normalize('NFKC'));
}

/** Compiled lists of walls' blocked terms, by list: a wall's list changes rarely and is read for every message. */
const BLOCKED_TERM_CACHE_SIZE = 64;
const blockedTermMatchers = new Map<string, TermMatcher>();

function blockedTermMatcher(terms: readonly string[]): TermMatcher {
  const key = terms.join('\u0000');
  let matcher = blockedTermMatchers.get(key);
  if (matcher === undefined) {
    matcher = new TermMatcher(terms);
    if (blockedTermMatchers.size >= BLOCKED_TERM_CACHE_SIZE) blockedTermMatchers.delete(blockedTermMatchers.keys().next().value!);
    blockedTermMatchers.set(key, matcher);
  }
  return matcher;
}

/**
 * The first of the wall's blocked terms that the text contains as a whole word (or phrase), or null.
 * Whole words only, so that a blocked word never holds an innocent one that contains it; disguised
 * spellings are read as the word they disguise. `raw`, the text as received, shows a bidi override.
 */
export function matchBlockedTerm(text: string, terms: readonly string[], raw?: string): string | null {
  if (terms.length === 0) return null;
  return blockedTermMatcher(terms).find(text, raw);
}

/** The profanity lists, compiled on first use: the lists are constants, and compiling them takes a moment. */
let profanityMatcher: TermMatcher | undefined;

function profanity(): TermMatcher {
  profanityMatcher ??= new TermMatcher(profanityList(), { skipSpacedOut: true });
  return profanityMatcher;
}

/** The first English or French profane word or phrase the text contains, as its list spells it, or null. */
export function matchProfanity(text: string, raw?: string): string | null {
  return profanity().find(text, raw);
}

/** A text as the rules read it: its words, and as displayed when a bidi override reorders it. */
export interface TextReading {
  /** The words of each reading (the text, then the text as displayed), with their spellings. */
  forms: WordForms[][];
  /** The folded words of the text itself. */
  words: string[];
}

/**
 * Reads a text once for every rule; `raw`, the text as received, shows a bidi override the stored text lost.
 * `normalized`: the text is already `normalizeText`'s output (the ingest pipeline's), not to be redone.
 */
export function readText(text: string, raw?: string, normalized = false): TextReading {
  const all = readings(text, raw, normalized);
  return { forms: all.map((words) => words.map(formsOf)), words: all[0] ?? [] };
}

/** The settings of a wall that the content rules read. */
export interface ContentRules {
  blockedTerms: readonly string[];
  profanityFilter: boolean;
  holdLinks: boolean;
}

/**
 * The reasons the text rules hold a message for: `blocked-term:<term>`, `profanity:<word>` (the word as
 * listed, never the text) and `link`. Empty when none holds it.
 */
export function contentReasons(text: string, rules: ContentRules, reading: TextReading = readText(text)): string[] {
  const reasons: string[] = [];
  const blocked = rules.blockedTerms.length === 0 ? null : blockedTermMatcher(rules.blockedTerms).findIn(reading);
  if (blocked !== null) reasons.push(`blocked-term:${blocked}`);
  const profane = rules.profanityFilter ? profanity().findIn(reading) : null;
  if (profane !== null) reasons.push(`profanity:${profane}`);
  if (rules.holdLinks && containsLink(text)) reasons.push('link');
  return reasons;
}

/** Whether a reason is one of the word rules, which hold even a trusted sender's message. */
export function isWordReason(reason: string): boolean {
  return reason.startsWith('blocked-term:') || reason.startsWith('profanity:');
}

/**
 * What the duplicate rule compares: the text folded (case, accents, look-alikes, spacing and punctuation
 * ignored), hashed so that it can be indexed. Null for a text without a word (a picture alone).
 */
export function textKey(text: string, reading: TextReading = readText(text)): string | null {
  const words = reading.words.map(trimmedWord).filter((word) => word !== '');
  if (words.length === 0) return null;
  return hash('sha256', words.join(' '), 'base64url').slice(0, 22);
}
