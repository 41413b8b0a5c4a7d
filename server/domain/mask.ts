import type { AddressKind } from './message.js';
import { normalizeLabel } from './normalize.js';

/**
 * Public labels for contributors. A wall must never show a phone number or an email address, even when a
 * contributor typed theirs as their name.
 */

/** `SMS ••78`: at most the last two digits of a phone number. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.length >= 2 ? `SMS ••${digits.slice(-2)}` : 'SMS';
}

/** `j•••`: only the first letter of the local part of an email address. */
export function maskEmail(address: string): string {
  const local = address.split('@')[0] ?? '';
  const first = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(local.normalize('NFKC'))][0]?.segment;
  return first ? `${first.toLowerCase()}•••` : 'Email';
}

const EMAIL_LIKE = /[^\s<>()"',;:]+@[^\s<>()"',;:]+\.[^\s<>()"',;:]+/gu;
/** Six or more digits, possibly grouped with spaces, dots, dashes or parentheses, maybe after a "+". */
const PHONE_LIKE = /\+?\d(?:[\s.\-()]*\d){5,}/g;

function scrubContactData(name: string): string {
  return name
    .replace(EMAIL_LIKE, (email) => maskEmail(email))
    .replace(PHONE_LIKE, (phone) => `••${phone.replace(/\D/g, '').slice(-2)}`);
}

export interface AuthorIdentity {
  name?: string;
  address?: string;
  addressKind?: AddressKind;
}

/** The label a wall shows: the given name (scrubbed of contact data), else a mask of the address. */
export function authorLabel(author: AuthorIdentity): string {
  const name = normalizeLabel(scrubContactData(normalizeLabel(author.name ?? '')));
  if (name !== '') {
    const trimmedAddress = author.address?.trim();
    if (trimmedAddress && author.addressKind !== 'account' && name.toLowerCase().includes(trimmedAddress.toLowerCase())) {
      return fallback(author);
    }
    return name;
  }
  return fallback(author);
}

function fallback(author: AuthorIdentity): string {
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
