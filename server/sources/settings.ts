/**
 * A social source's settings as the organiser gives them (`POST /api/walls/:slug/sources`), checked and
 * completed with defaults, and the view of them the API returns, in which credentials are only flags.
 */
import { normalizeHashtag } from '../domain/normalize.js';
import { badRequest } from '../errors.js';
import type { BlueskySettings, MastodonSettings, SourceKind, XSettings } from './types.js';

/** Bluesky's public services, used unless a source names others. */
export const BLUESKY_DEFAULTS = {
  jetstreamUrl: 'wss://jetstream2.us-east.bsky.network',
  appviewUrl: 'https://public.api.bsky.app',
  cdnUrl: 'https://cdn.bsky.app',
} as const;
export const X_API_BASE = 'https://api.x.com';

export interface SourceInput {
  kind: SourceKind;
  instance?: string;
  hashtag?: string;
  accessToken?: string;
  jetstreamUrl?: string;
  appviewUrl?: string;
  cdnUrl?: string;
  query?: string;
  bearerToken?: string;
  apiBase?: string;
}

export type SourceSettings = MastodonSettings | BlueskySettings | XSettings;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const TOKEN = /^[\x21-\x7E]{1,1024}$/;

/**
 * A base URL for a remote service: its secure scheme, or the plain one for a server on this machine (a
 * test double, a development instance), since a token sent in clear over a network is a token given away.
 * No credentials, query or fragment; the trailing slash is dropped so paths can be appended.
 */
function baseUrl(field: string, value: string | undefined, secure: 'https:' | 'wss:', example: string): string {
  const plain = secure === 'https:' ? 'http:' : 'ws:';
  let url: URL;
  try {
    url = new URL(value ?? '');
  } catch {
    throw badRequest('invalid_source', `${field}: expected a URL like ${example}`);
  }
  const allowed = url.protocol === secure || (url.protocol === plain && LOOPBACK.has(url.hostname));
  if (!allowed) throw badRequest('invalid_source', `${field}: must start with ${secure}// (like ${example})`);
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw badRequest('invalid_source', `${field}: must not carry credentials, a query or a fragment`);
  }
  return url.href.replace(/\/+$/, '');
}

function hashtag(value: string | undefined): string {
  const tag = normalizeHashtag(value ?? '');
  if (tag === '') throw badRequest('invalid_source', 'hashtag: expected a hashtag such as "capcomnet" (letters, digits and _ only)');
  return tag;
}

function token(field: string, value: string | undefined, required: boolean): string | undefined {
  if (value === undefined || value === '') {
    if (required) throw badRequest('invalid_source', `${field}: required for this kind of source`);
    return undefined;
  }
  // The value is never echoed: a token pasted with a stray space is still a secret.
  if (!TOKEN.test(value)) throw badRequest('invalid_source', `${field}: a token is printable ASCII without spaces`);
  return value;
}

/** Checks a new source's settings and fills in the defaults; every error names the field to fix. */
export function parseSourceSettings(input: SourceInput): SourceSettings {
  switch (input.kind) {
    case 'mastodon': {
      const accessToken = token('accessToken', input.accessToken, false);
      return {
        instance: baseUrl('instance', input.instance, 'https:', 'https://mastodon.social'),
        hashtag: hashtag(input.hashtag),
        ...(accessToken === undefined ? {} : { accessToken }),
      };
    }
    case 'bluesky':
      return {
        hashtag: hashtag(input.hashtag),
        jetstreamUrl: baseUrl('jetstreamUrl', input.jetstreamUrl ?? BLUESKY_DEFAULTS.jetstreamUrl, 'wss:', BLUESKY_DEFAULTS.jetstreamUrl),
        appviewUrl: baseUrl('appviewUrl', input.appviewUrl ?? BLUESKY_DEFAULTS.appviewUrl, 'https:', BLUESKY_DEFAULTS.appviewUrl),
        cdnUrl: baseUrl('cdnUrl', input.cdnUrl ?? BLUESKY_DEFAULTS.cdnUrl, 'https:', BLUESKY_DEFAULTS.cdnUrl),
      };
    case 'x': {
      const query = (input.query ?? '').trim();
      if (query === '' || query.length > 512) throw badRequest('invalid_source', 'query: expected an X search query of 1 to 512 characters, such as "#capcomnet -is:retweet"');
      return {
        query,
        bearerToken: token('bearerToken', input.bearerToken, true)!,
        apiBase: baseUrl('apiBase', input.apiBase ?? X_API_BASE, 'https:', X_API_BASE),
      };
    }
  }
}

/** The settings as the API shows them: credentials become `hasAccessToken` / `hasBearerToken`. */
export function publicSourceSettings(kind: SourceKind, settings: Record<string, unknown>): Record<string, unknown> {
  switch (kind) {
    case 'mastodon':
      return { instance: settings.instance, hashtag: settings.hashtag, hasAccessToken: typeof settings.accessToken === 'string' };
    case 'bluesky':
      return { hashtag: settings.hashtag, jetstreamUrl: settings.jetstreamUrl, appviewUrl: settings.appviewUrl, cdnUrl: settings.cdnUrl };
    case 'x':
      return { query: settings.query, apiBase: settings.apiBase, hasBearerToken: typeof settings.bearerToken === 'string' };
  }
}

/** The credentials a source holds, so that they can be cut out of any error text before it is shown or logged. */
export function sourceSecrets(settings: Record<string, unknown>): string[] {
  return [settings.accessToken, settings.bearerToken].filter((value): value is string => typeof value === 'string' && value !== '');
}
