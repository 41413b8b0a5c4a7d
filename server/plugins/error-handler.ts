import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { AppError, unavailable } from '../errors.js';

/** SQLite faults that are ours and transient: the provider should retry later rather than lose the message. */
const TRANSIENT_SQLITE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|READONLY)/;

/** Fastify's own client errors, renamed to stable codes. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_content_length',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_TYPE: 'invalid_request',
};

/**
 * The one error handler: known errors keep their status, code and message; validation errors name the
 * field; anything unexpected becomes a 500 whose body says nothing about the inside.
 */
export function registerErrorHandler(
  app: FastifyInstance,
  notFoundMessage: (method: string, path: string) => string = (method, path) => `No route ${method} ${path}.`,
): void {
  const send = (reply: FastifyReply, error: AppError) =>
    reply.code(error.statusCode).headers(error.headers).send({ code: error.code, message: error.message });

  app.setErrorHandler((error: FastifyError & { code?: string }, request, reply) => {
    if (typeof error.code === 'string' && TRANSIENT_SQLITE.test(error.code)) {
      request.log.error({ code: error.code }, 'database unavailable');
      return send(reply, unavailable());
    }
    if (error instanceof AppError) {
      if (error.statusCode >= 500) request.log.warn({ code: error.code }, error.message);
      return send(reply, error);
    }
    if (error.validation) {
      return reply.code(400).send({ code: 'invalid_request', message: error.message });
    }
    const status = error.statusCode ?? 500;
    if (status === 429) {
      return reply.code(429).send({ code: 'rate_limited', message: error.message || 'Too many requests; slow down.' });
    }
    if (status >= 400 && status < 500) {
      const code = (error.code && FASTIFY_CODES[error.code]) ?? (error instanceof SyntaxError ? 'invalid_json' : 'bad_request');
      const message = code === 'invalid_json' ? 'The body is not valid JSON.' : error.message;
      return reply.code(status).send({ code, message });
    }
    request.log.error({ err: error }, 'unexpected error');
    return reply.code(500).send({ code: 'internal_error', message: 'Something went wrong on our side; it has been logged.' });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ code: 'not_found', message: notFoundMessage(request.method, request.url.split('?')[0]!) });
  });
}
