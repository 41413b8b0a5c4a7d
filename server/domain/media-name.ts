/**
 * How stored pictures are named and addressed: the content's SHA-256 and the image type's extension, served
 * under `/media/`. The same bytes always get the same name, so a name never changes what it shows.
 */
export const MEDIA_PREFIX = '/media/';
export const MEDIA_NAME = /^[a-f0-9]{64}\.(?:jpg|png|gif|webp)$/;

/** Whether an address is one of Toile's stored pictures (`/media/<name>`). */
export function isMediaPath(url: string): boolean {
  return url.startsWith(MEDIA_PREFIX) && MEDIA_NAME.test(url.slice(MEDIA_PREFIX.length));
}
