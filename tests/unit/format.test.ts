import { describe, expect, it } from 'vitest';
import { channelLabel, relativeTime } from '../../client/src/shared/format.js';

const now = Date.parse('2026-12-03T15:00:00Z');
const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();

describe('relative times on the wall, in English and French', () => {
  it('reads “just now” for the first seconds, then minutes and hours', () => {
    expect(relativeTime(ago(10), now)).toBe('just now');
    expect(relativeTime(ago(3 * 60), now)).toBe('3 minutes ago');
    expect(relativeTime(ago(60), now)).toBe('1 minute ago');
    expect(relativeTime(ago(2 * 3600), now)).toBe('2 hours ago');
  });

  it('says the same in French when the wall speaks French', () => {
    expect(relativeTime(ago(10), now, 'fr')).toBe('à l’instant');
    expect(relativeTime(ago(3 * 60), now, 'fr')).toBe('il y a 3 minutes');
    expect(relativeTime(ago(2 * 3600), now, 'fr')).toBe('il y a 2 heures');
  });

  it('gives the date after a day, in the wall’s language', () => {
    expect(relativeTime('2026-11-20T10:00:00Z', now)).toBe('Nov 20');
    expect(relativeTime('2026-11-20T10:00:00Z', now, 'fr')).toBe('20 nov.');
  });

  it('never reads “in 1 minute” when the sender’s clock is ahead, and nothing for a date it cannot read', () => {
    expect(relativeTime(new Date(now + 90_000).toISOString(), now)).toBe('just now');
    expect(relativeTime('not a date', now)).toBe('');
  });
});

describe('channel names in both languages', () => {
  it('names social posts by their network in either language', () => {
    expect(channelLabel('social', 'mastodon', 'fr')).toBe('Mastodon');
    expect(channelLabel('social', 'bluesky')).toBe('Bluesky');
  });

  it('translates the channel names that differ in French, and keeps English by default', () => {
    expect(channelLabel('email', 'mailgun')).toBe('Email');
    expect(channelLabel('email', 'mailgun', 'fr')).toBe('E-mail');
    expect(channelLabel('social', 'elsewhere', 'fr')).toBe('Réseaux sociaux');
    expect(channelLabel('sms', 'twilio', 'fr')).toBe('SMS');
    expect(channelLabel('api', 'api', 'fr')).toBe('API');
  });
});
