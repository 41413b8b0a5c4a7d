import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Repositories } from '../db/repositories/index.js';
import { MEDIA_PREFIX } from '../domain/media-name.js';
import type { MediaItem } from '../domain/message.js';

/** Where stored media is served; a message's media item points there (`/media/<sha256>.jpg`). */
export { MEDIA_NAME, MEDIA_PREFIX } from '../domain/media-name.js';

export interface MediaLimits {
  /** The largest image accepted, in bytes. */
  maxBytes: number;
  /** How long one fetch may take, redirects included. */
  timeoutMs: number;
}

export const DEFAULT_MEDIA_LIMITS: MediaLimits = { maxBytes: 5 * 1024 * 1024, timeoutMs: 10_000 };
const MAX_REDIRECTS = 3;

/** An image type, recognized by its first bytes: a declared type alone is not trusted. */
function sniffImage(bytes: Buffer): { type: string; ext: string } | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { type: 'image/jpeg', ext: 'jpg' };
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return { type: 'image/png', ext: 'png' };
  const head = bytes.subarray(0, 12).toString('latin1');
  if (head.startsWith('GIF87a') || head.startsWith('GIF89a')) return { type: 'image/gif', ext: 'gif' };
  if (head.startsWith('RIFF') && head.slice(8, 12) === 'WEBP') return { type: 'image/webp', ext: 'webp' };
  return null;
}

export type FetchedMedia = { ok: true; item: MediaItem } | { ok: false; problem: string };

/**
 * Fetches provider media (an MMS picture) and stores it under data/media by content hash. Credentials go
 * only to the origin first asked: Twilio answers with a redirect to a CDN, which must not receive the
 * account's basic auth, so redirects are followed here rather than by fetch. Anything that is not a
 * JPEG, PNG, GIF or WebP image by its bytes, or that is too large, is refused with a short reason that
 * a moderator can read (never the URL, which names the account).
 */
export function createMediaStore(repos: Repositories, dataDir: string, limits: MediaLimits, now: () => Date) {
  const dir = join(dataDir, 'media');

  async function download(url: string, headers: Record<string, string>): Promise<Buffer | string> {
    const signal = AbortSignal.timeout(limits.timeoutMs);
    const origin = new URL(url).origin;
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const target = new URL(current);
      if (target.protocol !== 'https:' && target.protocol !== 'http:') return 'media-bad-url';
      const response = await fetch(target, {
        headers: target.origin === origin ? headers : {},
        redirect: 'manual',
        signal,
      });
      if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
        await response.body?.cancel();
        current = new URL(response.headers.get('location')!, target).href;
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        return `media-http-${response.status}`;
      }
      const declared = response.headers.get('content-type') ?? '';
      if (!declared.toLowerCase().startsWith('image/')) {
        await response.body?.cancel();
        return 'media-not-an-image';
      }
      const length = Number(response.headers.get('content-length') ?? '0');
      if (length > limits.maxBytes) {
        await response.body?.cancel();
        return 'media-too-large';
      }
      const chunks: Buffer[] = [];
      let size = 0;
      if (!response.body) return Buffer.alloc(0);
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > limits.maxBytes) {
          await reader.cancel();
          return 'media-too-large';
        }
        chunks.push(Buffer.from(value));
      }
      return Buffer.concat(chunks);
    }
    return 'media-too-many-redirects';
  }

  function store(body: Buffer, alt: string | undefined): FetchedMedia {
    const kind = sniffImage(body);
    if (!kind) return { ok: false, problem: 'media-not-an-image' };
    const name = `${createHash('sha256').update(body).digest('hex')}.${kind.ext}`;
    mkdirSync(dir, { recursive: true });
    // Written under a temporary name and renamed, so that a half-written file is never served.
    const temporary = join(dir, `.${name}.${process.pid}.tmp`);
    writeFileSync(temporary, body);
    renameSync(temporary, join(dir, name));
    repos.media.add({ name, contentType: kind.type, size: body.length }, now().toISOString());
    return { ok: true, item: { kind: 'image', url: `${MEDIA_PREFIX}${name}`, ...(alt ? { alt } : {}) } };
  }

  return {
    dir,
    /** Fetches and stores one image; never throws for what the remote side does wrong. */
    async fetchImage(url: string, options: { headers?: Record<string, string>; alt?: string } = {}): Promise<FetchedMedia> {
      let body: Buffer | string;
      try {
        body = await download(url, options.headers ?? {});
      } catch (error) {
        return { ok: false, problem: error instanceof Error && error.name === 'TimeoutError' ? 'media-timeout' : 'media-unreachable' };
      }
      if (typeof body === 'string') return { ok: false, problem: body };
      return store(body, options.alt);
    },
    /** Stores an image received whole (an email attachment); refused when too large or not an image. */
    storeImage(content: Buffer, alt?: string): FetchedMedia {
      if (content.length > limits.maxBytes) return { ok: false, problem: 'media-too-large' };
      return store(content, alt);
    },
  };
}

export type MediaStore = ReturnType<typeof createMediaStore>;
