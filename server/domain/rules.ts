/**
 * Folds text for matching, so that "Café", "CAFE" and "cafe" compare equal: compatibility
 * decomposition, combining marks dropped, lower case.
 */
export function foldForMatching(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

/**
 * The first of the wall's blocked terms that the text contains as a whole word (or phrase), or null.
 * Whole words only, so that a blocked word never holds an innocent one that contains it.
 */
export function matchBlockedTerm(text: string, terms: readonly string[]): string | null {
  if (terms.length === 0) return null;
  const folded = foldForMatching(text);
  for (const term of terms) {
    const needle = foldForMatching(term).trim();
    if (needle === '') continue;
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(needle)}(?![\\p{L}\\p{N}])`, 'u');
    if (pattern.test(folded)) return term;
  }
  return null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
