/**
 * The only image URLs a page may bind to `src`: media Toile serves itself under `/media/`, or HTTPS.
 * Anything else (`javascript:`, `data:`, plain HTTP that would be mixed content, a path that climbs out
 * of /media/) yields null and the image is not shown.
 */
export function safeImageUrl(url: unknown): string | null {
  if (typeof url !== 'string' || url.length > 4096) return null;
  if (url.startsWith('/media/')) {
    // Our own media names are plain: anything that a URL parser could turn into another path (dot
    // segments, backslashes, percent-escapes such as %2e%2e) is refused rather than normalised.
    return /^\/media\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(url) && !/\/\.\.?(\/|$)/.test(url) ? url : null;
  }
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && parsed.username === '' && parsed.password === '' ? parsed.href : null;
  } catch {
    return null;
  }
}
