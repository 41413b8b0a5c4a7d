import type { FastifyServerOptions } from 'fastify';

/**
 * Paths pino blanks before a log line is written. Secrets, cookies, signatures and contributors'
 * addresses must never reach a log, whatever object a route happens to log.
 */
const PRIVATE_FIELDS = ['password', 'token', 'csrfToken', 'address', 'phone', 'email', 'from', 'to', 'sender', 'raw'];

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'req.headers["x-twilio-signature"]',
  'req.headers["x-signature"]',
  'res.headers["set-cookie"]',
  // Plugins that log a request's headers themselves (@fastify/multipart at trace) log them elsewhere.
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  // Each private field at the top level of a logged object and up to two levels down
  // (`{ contribution: { author: { address } } }`).
  ...PRIVATE_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
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
      // Neither headers nor the client's IP are logged: contributors' addresses stay out of the logs.
      req(req) {
        return { method: req.method, url: pathOnly(req.url) };
      },
    },
    ...(pretty ? { transport: { target: 'pino-pretty' } } : {}),
  };
}
