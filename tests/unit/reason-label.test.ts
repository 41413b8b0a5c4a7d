import { describe, expect, it } from 'vitest';
import { channelLabel, reasonLabel } from '../../client/src/shared/format.js';

describe('the console’s words for why a message was held or refused', () => {
  it('names the SMS reasons a moderator meets', () => {
    expect(reasonLabel('throttled')).toBe('Sender over the SMS rate limit');
    expect(reasonLabel('opted-out')).toBe('Sender texted STOP');
    expect(reasonLabel('incomplete')).toBe('Long SMS with a missing part');
    expect(reasonLabel('media-http-401')).toBe('Picture refused (HTTP 401)');
  });

  it('says when a social post was edited or deleted by its author', () => {
    expect(reasonLabel('edited')).toBe('Edited by its author after approval');
    expect(reasonLabel('deleted-by-author')).toBe('Deleted by its author');
  });

  it('names a social post by its network, and other messages by their channel', () => {
    expect(channelLabel('social', 'mastodon')).toBe('Mastodon');
    expect(channelLabel('social', 'bluesky')).toBe('Bluesky');
    expect(channelLabel('social', 'x')).toBe('X');
    expect(channelLabel('social', 'somewhere')).toBe('Social');
    expect(channelLabel('sms', 'twilio')).toBe('SMS');
  });

  it('names every reason a wall’s rules give, quoting the word that held the message', () => {
    expect(reasonLabel('profanity:merde')).toBe('Profanity “merde”');
    expect(reasonLabel('link')).toBe('Contains a link');
    expect(reasonLabel('duplicate')).toBe('Same text sent again recently');
    expect(reasonLabel('sender-rate')).toBe('Sender is sending too fast');
    expect(reasonLabel('blocked-sender')).toBe('Blocked sender: held silently');
  });

  it('quotes a blocked term, and shows an unknown reason as it is', () => {
    expect(reasonLabel('blocked-term:spam')).toBe('Blocked term “spam”');
    expect(reasonLabel('something-new')).toBe('something-new');
  });

  it('speaks French to a French console, keeping the word that held the message as it was', () => {
    expect(reasonLabel('link', 'fr')).toBe('Contient un lien');
    expect(reasonLabel('profanity:merde', 'fr')).toBe('Grossièreté “merde”');
    expect(reasonLabel('blocked-term:spam', 'fr')).toBe('Terme bloqué “spam”');
    expect(reasonLabel('media-http-401', 'fr')).toBe('Image refusée (HTTP 401)');
    expect(reasonLabel('something-new', 'fr')).toBe('something-new');
  });
});
