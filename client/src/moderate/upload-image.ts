import { ApiError, UNREACHABLE } from '../shared/api.js';

/** What `POST /api/walls/:slug/images` takes (DESIGN: JPEG, PNG, GIF or WebP, at most 5 MiB). */
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;
export const IMAGE_MAX_BYTES = 5 * 1024 * 1024;

/** Why a file cannot be uploaded, before sending it; null when it can. */
export function imageFileProblem(file: File): 'type' | 'size' | null {
  if (!(IMAGE_TYPES as readonly string[]).includes(file.type)) return 'type';
  if (file.size > IMAGE_MAX_BYTES) return 'size';
  return null;
}

/**
 * Uploads one image for a wall (a logo, a background, a sponsor) as multipart form data with its one
 * field `file`, and resolves with the address Toile serves it at (`/media/…`). `api()` speaks JSON only,
 * hence this small twin of it; failures are the same `ApiError`, with status 0 when the network failed.
 */
export async function uploadImage(slug: string, file: File, csrfToken: string | null): Promise<string> {
  const body = new FormData();
  body.append('file', file, file.name);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`/api/walls/${encodeURIComponent(slug)}/images`, { method: 'POST', headers, body, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network', UNREACHABLE);
  }
  let data: { url?: unknown; code?: unknown; message?: unknown } = {};
  try {
    data = (await response.json()) as typeof data;
  } catch {
    // Not JSON (a proxy's error page): the status is all there is.
  }
  if (!response.ok) {
    const message = typeof data.message === 'string' && data.message !== '' ? data.message : `The server answered ${response.status}.`;
    throw new ApiError(response.status, typeof data.code === 'string' ? data.code : 'error', message);
  }
  if (typeof data.url !== 'string') throw new ApiError(response.status, 'bad_answer', 'The server did not say where the image is.');
  return data.url;
}
