/**
 * The wall slug of a page served at `/<prefix>/:slug` (the wall at /w/:slug, the form at /c/:slug).
 * An undecodable or missing segment gives '', which the pages show as an unknown wall.
 */
export function slugFromPath(pathname: string): string {
  const segment = pathname.split('/').filter(Boolean)[1] ?? '';
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}
