import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * SendGrid Inbound Parse signs nothing by default; what protects the endpoint is the password put in the
 * URL configured in its console (`https://toile:<password>@host/ingest/sendgrid`), which SendGrid sends
 * as HTTP basic auth (RFC 7617). Any user name is accepted: only the password is a secret.
 */
export function basicAuthPassword(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Basic[ \t]+([A-Za-z0-9+/=._~-]+)[ \t]*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}

/**
 * Whether the Authorization header carries `expected` as its basic-auth password. Both sides are hashed
 * first, so that the comparison takes the same time whatever the length or the content of a guess.
 */
export function hasBasicAuthPassword(header: string | undefined, expected: string): boolean {
  const given = basicAuthPassword(header);
  if (given === undefined) return false;
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
