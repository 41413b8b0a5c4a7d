/** The longest URL Toile keeps from a remote payload; real media and avatar URLs are far shorter. */
export const MAX_URL_LENGTH = 2048;

/**
 * An https URL without credentials, normalized, or undefined. Nothing else a remote server sends (an
 * avatar, a picture) is ever kept for a page to load: no `javascript:`, no `data:`, no mixed content.
 */
export function httpsUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_URL_LENGTH) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.username === '' && url.password === '' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
