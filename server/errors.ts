/**
 * Toile's error catalogue: every error a client can see has an HTTP status and a stable code, and its
 * message says what to fix. The one error handler (plugins/error-handler.ts) turns anything else into a
 * 500 whose body reveals nothing.
 */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (code: string, message: string) => new AppError(400, code, message);
export const unauthorized = (message = 'Authentication required.') => new AppError(401, 'unauthorized', message);
export const forbidden = (code: string, message: string) => new AppError(403, code, message);
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found.`);
export const conflict = (code: string, message: string) => new AppError(409, code, message);
/** An archived wall is read-only: nothing new reaches it and nothing on it changes until it is unarchived. */
export const wallArchived = (slug: string) =>
  new AppError(409, 'wall_archived', `The wall "${slug}" is archived: it is read-only until an admin unarchives it.`);
export const unavailable = (message = 'Temporarily unavailable; retry shortly.') =>
  new AppError(503, 'unavailable', message, { 'retry-after': '5' });
