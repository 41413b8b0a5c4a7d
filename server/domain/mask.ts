import type { AddressKind } from './message.js';
import { normalizeLabel } from './normalize.js';

/**
 * Public labels for contributors. A wall must never show a phone number or an email address, even when a
 * contributor typed theirs as their name or a gateway used the address as the name.
 */

export interface AuthorIdentity {
  name?: string;
  /** Private unless the kind is 'account' (a public social handle). */
  address?: string;
  addressKind?: AddressKind;
}

const MASK = '•••';
/** How much of a name is searched for contact data, in graphemes: far more than is shown, so that an address cut by the cap cannot slip through half-masked. */
const NAME_SCAN_GRAPHEMES = 1024;
/** An address reduced to fewer letters and digits than this is too short to be recognized in a name. */
const MIN_ADDRESS_SKELETON = 4;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

const DIGIT = /\p{Nd}/gu;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
/**
 * Something@domain.tld inside a name. It starts only where a run of address characters starts (the
 * look-behind), so that a long run without "@" is read once, not once per position.
 */
const EMAIL_LIKE =
  /(?<![^\s@<>()[\]"',;:])[^\s@<>()[\]"',;:]+@[^\s@<>()[\]"',;:.]+(?:\.[^\s@<>()[\]"',;:.]+)+/gu;
/** Six digits or more, possibly grouped by spaces, dots, dashes or parentheses, maybe after a "+". */
const PHONE_LIKE = /(?:\+\s?)?\(?\p{Nd}(?:[\s.()\p{Pd}]*\p{Nd}){5,}/gu;
/** What is left of an address for comparison: letters, digits and "@". */
const NOT_SKELETON = /[^\p{L}\p{N}@]/gu;

function lastTwoDigits(text: string): string {
  return (text.match(DIGIT) ?? []).slice(-2).join('');
}

/** `SMS ••78`: at most the last two digits of a phone number; `SMS` when it has fewer than two. */
export function maskPhone(phone: string): string {
  // NFKC turns full-width digits into ASCII ones; other scripts' digits are shown as they are.
  const lastTwo = lastTwoDigits(phone.normalize('NFKC'));
  return lastTwo.length === 2 ? `SMS ••${lastTwo}` : 'SMS';
}

/**
 * `j•••`: the first letter (or digit) of the local part of an email address, lower case; `Email` when the
 * local part has none. Punctuation such as a quote or an underscore is skipped to find it.
 */
export function maskEmail(address: string): string {
  const at = address.indexOf('@');
  const local = normalizeLabel(at === -1 ? address : address.slice(0, at));
  const index = local.search(LETTER_OR_DIGIT);
  if (index === -1) return 'Email';
  // Clusters are short once normalized, so a short slice holds the whole first one.
  const first = segmenter.segment(local.slice(index, index + 64))[Symbol.iterator]().next();
  return first.done ? 'Email' : `${first.value.segment.toLowerCase()}${MASK}`;
}

/** Masks every email address (`j•••`) and phone number (`••78`) found in a normalized name. */
function scrubContactData(name: string): string {
  return name
    .replace(EMAIL_LIKE, (email) => maskEmail(email))
    .replace(PHONE_LIKE, (phone) => `••${lastTwoDigits(phone)}`);
}

function skeleton(text: string): string {
  return normalizeLabel(text, { maxGraphemes: NAME_SCAN_GRAPHEMES }).toLowerCase().replace(NOT_SKELETON, '');
}

/**
 * Whether a name still shows the contributor's private address once spaces, punctuation and case are
 * ignored ("Jeanne @ Example.org", or an address without a dot that the email pattern does not catch).
 * An account's address is a public handle, so it may appear.
 */
function revealsAddress(name: string, author: AuthorIdentity): boolean {
  if (author.addressKind === 'account' || author.address === undefined) return false;
  const address = skeleton(author.address);
  return address.length >= MIN_ADDRESS_SKELETON && skeleton(name).includes(address);
}

/** Shown when a contributor gave no usable name: a mask of the address, by kind. */
function fallbackLabel(author: AuthorIdentity): string {
  const address = author.address ?? '';
  switch (author.addressKind) {
    case 'phone':
      return maskPhone(address);
    case 'email':
      return maskEmail(address);
    case 'account':
      return normalizeLabel(address) || 'Anonymous';
    default:
      return 'Anonymous';
  }
}

/**
 * The label a wall shows for a contributor: the name they gave, with any email address or phone number in
 * it masked, unless nothing is left of it or it still reveals their own address; else a mask of the address.
 */
export function authorLabel(author: AuthorIdentity): string {
  // Contact data is masked before the name is cut to length, so that no address is cut in two and half shown.
  const name = scrubContactData(normalizeLabel(author.name ?? '', { maxGraphemes: NAME_SCAN_GRAPHEMES }));
  const label = normalizeLabel(name);
  return label !== '' && !revealsAddress(name, author) ? label : fallbackLabel(author);
}

/**
 * A phone number typed in a message: a "+" and 8 to 15 digits, or 9 to 15 digits, in groups separated
 * by single spaces, dots or dashes, or in parentheses. Eight digits without "+" are left alone: they are
 * more often dates ("2025-2026") or amounts than numbers.
 */
const PHONE_IN_TEXT =
  /(?<![\p{Nd}\p{L}])(?:\+\s?\p{Nd}(?:[ .\-()]{0,2}\p{Nd}){7,14}|\(?\p{Nd}(?:[ .\-()]{0,2}\p{Nd}){8,14})(?![\p{Nd}\p{L}])/gu;

/** Masks every phone number in a message, keeping at most its last two digits: "06 12 34 56 78" → "••78". */
export function maskPhoneNumbers(text: string): string {
  return text.replace(PHONE_IN_TEXT, (phone) => `••${lastTwoDigits(phone)}`);
}

/**
 * Masks the contact data typed in a message: email addresses (`j•••`) and phone numbers (`••78`). What a
 * contributor writes on a wall must not publish their own address, or anyone else's.
 */
export function maskContactData(text: string): string {
  return maskPhoneNumbers(text.replace(EMAIL_LIKE, (email) => maskEmail(email)));
}
