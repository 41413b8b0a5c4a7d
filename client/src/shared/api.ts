import type { ApiErrorBody } from './types.js';

/** A failed API call, carrying the server's `{code, message}` so that the page can show the message. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** What to tell a person when the server could not be reached at all. */
export const UNREACHABLE = 'The server cannot be reached; check the connection and try again.';

/**
 * Calls Toile's JSON API from the page: the session cookie rides along, and unsafe methods carry the
 * session's CSRF token when one is given. Resolves with the parsed body, or rejects with an `ApiError`
 * (status 0 when the network failed).
 */
export async function api<T>(method: string, path: string, body?: unknown, csrfToken?: string | null): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, 'network', UNREACHABLE);
  }
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text === '' ? null : JSON.parse(text);
  } catch {
    // A proxy's HTML error page, say: the status alone is all there is to go on.
  }
  if (!response.ok) {
    const error = (typeof data === 'object' && data !== null ? data : {}) as Partial<ApiErrorBody>;
    const message = typeof error.message === 'string' && error.message !== '' ? error.message : `The server answered ${response.status}.`;
    throw new ApiError(response.status, typeof error.code === 'string' ? error.code : 'error', message);
  }
  return data as T;
}
