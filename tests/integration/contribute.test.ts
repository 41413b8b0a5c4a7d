import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

/**
 * The web form at a venue: every attendee on the event's Wi-Fi reaches Toile from the same IP. The form's
 * limit and a moderator's block apply to one browser (its contributor cookie), and the IP only has a
 * ceiling that a whole room stays under. Every request here comes from 127.0.0.1, like a venue behind NAT.
 */

let server: TestServer;

afterEach(async () => {
  await server.close({ removeData: true });
});

/** A browser that opened the form's page, which gave it its contributor cookie; it keeps what it is given. */
function browser() {
  let cookie: string | undefined = `toile_contributor=${randomBytes(16).toString('base64url')}`;
  return {
    get cookie() {
      return cookie;
    },
    async contribute(text: string) {
      const response = await server.request('POST', '/api/walls/capcomnet/contribute', { text }, cookie === undefined ? {} : { cookie });
      const set = response.headers.get('set-cookie');
      if (set !== null) cookie = set.split(';')[0];
      return response;
    },
  };
}

describe('the web form behind one shared IP', () => {
  it('gives each browser its own contributor cookie, private to the server', async () => {
    server = await startServer();
    const response = await server.request('POST', '/api/walls/capcomnet/contribute', { text: 'Bonjour' });
    expect(response.status).toBe(201);
    const set = response.headers.get('set-cookie') ?? '';
    expect(set).toMatch(/^toile_contributor=[A-Za-z0-9_-]{22};/);
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Strict/i);

    const kept = set.split(';')[0]!;
    const again = await server.request('POST', '/api/walls/capcomnet/contribute', { text: 'deux' }, { cookie: kept });
    expect(again.status).toBe(201);
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  it('limits each browser on its own, so that one attendee’s burst does not silence the room', async () => {
    server = await startServer({ limits: { contributePerMinute: 3 } });
    const ada = browser();
    const bob = browser();
    for (const n of [1, 2, 3]) expect((await ada.contribute(`Ada ${n}`)).status).toBe(201);
    const refused = await ada.contribute('Ada 4');
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('rate_limited');
    for (const n of [1, 2, 3]) expect((await bob.contribute(`Bob ${n}`)).status).toBe(201);
  });

  it('keeps a ceiling per IP, which a client inventing a cookie per request cannot pass', async () => {
    server = await startServer({ limits: { contributePerMinute: 100, contributePerIpPerMinute: 4 } });
    for (const n of [1, 2, 3, 4]) expect((await browser().contribute(`Message ${n}`)).status).toBe(201);
    const refused = await browser().contribute('Message 5');
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('rate_limited');
    expect(refused.headers.get('retry-after')).toBe('60');
  });

  it('blocks the one browser a moderator blocks, not everyone on the same Wi-Fi', async () => {
    server = await startServer();
    const auth = { authorization: `Bearer ${await server.adminToken()}` };
    await server.request('PATCH', '/api/walls/capcomnet', { moderation: 'post' }, auth);
    const mallory = browser();
    const ada = browser();
    const spam = await mallory.contribute('Achetez maintenant');
    const blocked = await server.request('POST', '/api/walls/capcomnet/senders', { messageId: spam.body.id, rule: 'blocked' }, auth);
    expect(blocked.status).toBe(201);

    expect((await mallory.contribute('Encore moi')).body.status).toBe('rejected');
    expect((await ada.contribute('Bravo pour la plénière')).body.status).toBe('approved');
  });
});
