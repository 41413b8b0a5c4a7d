import { describe, expect, it } from 'vitest';
import { AppError } from '../../server/errors.js';
import { describeSourceError } from '../../server/sources/manager.js';
import { BLUESKY_DEFAULTS, parseSourceSettings, publicSourceSettings, X_API_BASE } from '../../server/sources/settings.js';

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).statusCode).toBe(400);
    return (error as AppError).message;
  }
  throw new Error('expected a 400');
}

describe('a new source’s settings', () => {
  it('keeps a Mastodon instance as its origin and the hashtag as walls write it', () => {
    expect(parseSourceSettings({ kind: 'mastodon', instance: 'https://Piaille.fr/', hashtag: '#CapComNet' })).toEqual({
      instance: 'https://piaille.fr',
      hashtag: 'capcomnet',
    });
  });

  it('fills in Bluesky’s public services and X’s API when none are named', () => {
    expect(parseSourceSettings({ kind: 'bluesky', hashtag: 'capcomnet' })).toEqual({ hashtag: 'capcomnet', ...BLUESKY_DEFAULTS });
    expect(parseSourceSettings({ kind: 'x', query: ' #capcomnet -is:retweet ', bearerToken: 'AAAA%2Fb' })).toEqual({
      query: '#capcomnet -is:retweet',
      bearerToken: 'AAAA%2Fb',
      apiBase: X_API_BASE,
    });
  });

  it('refuses plain http, except for a server on this machine', () => {
    expect(refusal(() => parseSourceSettings({ kind: 'mastodon', instance: 'http://mastodon.social', hashtag: 'a' }))).toMatch(/^instance: must start with https:/);
    expect(refusal(() => parseSourceSettings({ kind: 'bluesky', hashtag: 'a', jetstreamUrl: 'ws://jetstream.example' }))).toMatch(/^jetstreamUrl: must start with wss:/);
    expect(parseSourceSettings({ kind: 'mastodon', instance: 'http://127.0.0.1:4000', hashtag: 'a' })).toMatchObject({ instance: 'http://127.0.0.1:4000' });
    expect(parseSourceSettings({ kind: 'bluesky', hashtag: 'a', jetstreamUrl: 'ws://localhost:6008' })).toMatchObject({ jetstreamUrl: 'ws://localhost:6008' });
  });

  it('refuses URLs that are not URLs or that carry credentials, a query or a script', () => {
    expect(refusal(() => parseSourceSettings({ kind: 'mastodon', instance: 'mastodon.social', hashtag: 'a' }))).toMatch(/^instance: expected a URL/);
    expect(refusal(() => parseSourceSettings({ kind: 'mastodon', instance: 'https://u:p@mastodon.social', hashtag: 'a' }))).toMatch(/credentials/);
    expect(refusal(() => parseSourceSettings({ kind: 'mastodon', instance: 'https://mastodon.social/?x=1', hashtag: 'a' }))).toMatch(/query/);
    expect(refusal(() => parseSourceSettings({ kind: 'mastodon', instance: 'javascript:alert(1)', hashtag: 'a' }))).toMatch(/^instance/);
  });

  it('names the field to fix: a missing hashtag, query or bearer token', () => {
    expect(refusal(() => parseSourceSettings({ kind: 'bluesky', hashtag: 'not a tag' }))).toMatch(/^hashtag:/);
    expect(refusal(() => parseSourceSettings({ kind: 'mastodon', instance: 'https://mastodon.social' }))).toMatch(/^hashtag:/);
    expect(refusal(() => parseSourceSettings({ kind: 'x', query: '', bearerToken: 't' }))).toMatch(/^query:/);
    expect(refusal(() => parseSourceSettings({ kind: 'x', query: '#a' }))).toMatch(/^bearerToken: required/);
  });

  it('never echoes a token it refuses', () => {
    const message = refusal(() => parseSourceSettings({ kind: 'x', query: '#a', bearerToken: 'secret with spaces' }));
    expect(message).not.toContain('secret');
    expect(message).toMatch(/^bearerToken:/);
  });

  it('shows credentials only as flags', () => {
    const settings = parseSourceSettings({ kind: 'mastodon', instance: 'https://mastodon.social', hashtag: 'a', accessToken: 'tok-123' });
    const shown = publicSourceSettings('mastodon', settings as unknown as Record<string, unknown>);
    expect(shown).toEqual({ instance: 'https://mastodon.social', hashtag: 'a', hasAccessToken: true });
    expect(JSON.stringify(shown)).not.toContain('tok-123');
  });
});

describe('a source’s error as the API shows it', () => {
  it('cuts the source’s credentials out, wherever they appear', () => {
    const error = new Error('GET https://x.example/?access_token=tok-123 failed', { cause: new Error('Bearer tok-123 refused') });
    const text = describeSourceError(error, ['tok-123']);
    expect(text).not.toContain('tok-123');
    expect(text).toContain('•••');
  });

  it('is one bounded line', () => {
    const text = describeSourceError(new Error(`a\nb\r\u0000${'x'.repeat(2000)}`), []);
    expect(text).not.toMatch(/[\n\r\u0000]/);
    expect(text.length).toBeLessThanOrEqual(500);
  });
});
