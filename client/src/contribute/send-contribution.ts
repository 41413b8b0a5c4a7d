/** What became of a contribution, as the form needs to tell the person. */
export type SendOutcome =
  | { kind: 'accepted'; status: string }
  /** 429: `retryAfter` in seconds, from the `Retry-After` header (null when the server gave none). */
  | { kind: 'rate-limited'; retryAfter: number | null }
  | { kind: 'invalid'; code: string; message: string }
  | { kind: 'wall-missing' }
  | { kind: 'server-error' }
  | { kind: 'network' };

/**
 * Posts one contribution to `POST /api/walls/:slug/contribute` and sorts the answer into what the person
 * is told. It is its own small `fetch` rather than the shared `api()` because the rate limit's
 * `Retry-After` header is part of the answer here: it says when to try again.
 */
export async function sendContribution(slug: string, body: { name?: string; text: string }): Promise<SendOutcome> {
  let response: Response;
  try {
    response = await fetch(`/api/walls/${encodeURIComponent(slug)}/contribute`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    return { kind: 'network' };
  }
  let data: { status?: unknown; code?: unknown; message?: unknown } = {};
  try {
    data = (await response.json()) as typeof data;
  } catch {
    // A proxy's error page, or an empty body: the status decides.
  }
  if (response.ok) return { kind: 'accepted', status: typeof data.status === 'string' ? data.status : 'pending' };
  if (response.status === 429) return { kind: 'rate-limited', retryAfter: retryAfterSeconds(response.headers.get('retry-after')) };
  if (response.status === 404) return { kind: 'wall-missing' };
  if (response.status >= 500) return { kind: 'server-error' };
  return {
    kind: 'invalid',
    code: typeof data.code === 'string' ? data.code : 'error',
    message: typeof data.message === 'string' ? data.message : `HTTP ${response.status}`,
  };
}

/** `Retry-After` as seconds (RFC 9110 §10.2.3: a number of seconds or an HTTP date), or null. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}
