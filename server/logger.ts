import type { FastifyServerOptions } from 'fastify';

/**
 * Paths pino blanks before a log line is written. Secrets, cookies, signatures and contributors'
 * addresses must never reach a log, whatever object a route happens to log.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'req.headers["x-twilio-signature"]',
  'req.headers["x-signature"]',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'token',
  '*.token',
  'csrfToken',
  '*.csrfToken',
  'address',
  '*.address',
  'phone',
  '*.phone',
  'email',
  '*.email',
  'from',
  '*.from',
  'to',
  '*.to',
  'sender',
  '*.sender',
  'raw',
  '*.raw',
];

/** The request line without its query string: provider callbacks may carry phone numbers there. */
function pathOnly(url: string | undefined): string {
  if (url === undefined) return '';
  const q = url.indexOf('?');
  return q === -1 ? url : `${url.slice(0, q)}?…`;
}

export function loggerOptions(level: string, pretty = false): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req(req) {
        return { method: req.method, url: pathOnly(req.url), remoteAddress: req.ip };
      },
    },
    ...(pretty ? { transport: { target: 'pino-pretty' } } : {}),
  };
}
