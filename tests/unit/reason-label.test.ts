import { describe, expect, it } from 'vitest';
import { reasonLabel } from '../../client/src/shared/format.js';

describe('the console’s words for why a message was held or refused', () => {
  it('names the SMS reasons a moderator meets', () => {
    expect(reasonLabel('throttled')).toBe('Sender over the SMS rate limit');
    expect(reasonLabel('opted-out')).toBe('Sender texted STOP');
    expect(reasonLabel('incomplete')).toBe('Long SMS with a missing part');
    expect(reasonLabel('media-http-401')).toBe('Picture refused (HTTP 401)');
  });

  it('quotes a blocked term, and shows an unknown reason as it is', () => {
    expect(reasonLabel('blocked-term:spam')).toBe('Blocked term “spam”');
    expect(reasonLabel('something-new')).toBe('something-new');
  });
});
