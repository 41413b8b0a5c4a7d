import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { openSocket, type TestSocket } from '../helpers/ws.js';

let server: TestServer;
let auth: Record<string, string>;
let viewer: TestSocket;

/** The web form's contributor without a cookie: a hash of the IP (every request here comes from 127.0.0.1). */
const CLIENT = createHash('sha256').update('ip:127.0.0.1').digest('hex').slice(0, 32);

beforeEach(async () => {
  server = await startServer({ limits: { contributePerMinute: 10_000, contributePerIpPerMinute: 10_000 } });
  auth = { authorization: `Bearer ${await server.adminToken()}` };
  await server.request('PATCH', '/api/walls/capcomnet', { senderPerMinute: 0, duplicateWindowMinutes: 0 }, auth);
  viewer = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
  await viewer.next((f) => f.type === 'snapshot');
});

afterEach(async () => {
  viewer.close();
  await server.close({ removeData: true });
});

async function contribute(text: string, wall = 'capcomnet'): Promise<{ id: number; status: string }> {
  const posted = await server.request('POST', `/api/walls/${wall}/contribute`, { name: 'Léa', text });
  expect(posted.status, JSON.stringify(posted.body)).toBe(201);
  return posted.body;
}

const trust = (body: Record<string, unknown> = {}) =>
  server.request('POST', '/api/walls/capcomnet/senders', { kind: 'client', address: CLIENT, rule: 'trusted', ...body }, auth);
const setBadge = (id: number, badge: string | null, headers = auth) => server.request('PATCH', `/api/walls/capcomnet/senders/${id}`, { badge }, headers);

async function message(id: number, wall = 'capcomnet') {
  const { items } = (await server.request('GET', `/api/walls/${wall}/messages?limit=500`, undefined, auth)).body as { items: { id: number; badge?: string }[] };
  return items.find((item) => item.id === id);
}

async function approve(id: number) {
  expect((await server.request('POST', `/api/messages/${id}/approve`, undefined, auth)).status).toBe(200);
  return viewer.next((f) => f.type === 'approved' && f.message.id === id);
}

async function audit() {
  return (await server.request('GET', '/api/audit?wall=capcomnet&limit=1000', undefined, auth)).body.items as { action: string; detail: Record<string, unknown> }[];
}

describe('trusted senders with a badge', () => {
  it('shows a speaker’s messages with their badge on the wall from the moment they arrive', async () => {
    const listed = await trust({ badge: 'speaker' });
    expect(listed.status).toBe(201);
    expect(listed.body).toMatchObject({ rule: 'trusted', badge: 'speaker' });
    const sent = await contribute('Merci à tous !');
    expect(sent.status).toBe('approved');
    const event = await viewer.next((f) => f.type === 'approved' && f.message.id === sent.id);
    expect(event.message.badge).toBe('speaker');
    expect((await message(sent.id))?.badge).toBe('speaker');
    expect((await server.request('GET', '/api/walls/capcomnet/senders', undefined, auth)).body.items[0].badge).toBe('speaker');
  });

  it('sends no badge for a trusted sender without one, nor for anyone else', async () => {
    await trust();
    const sent = await contribute('Bonjour');
    const event = await viewer.next((f) => f.type === 'approved' && f.message.id === sent.id);
    expect(event.message).not.toHaveProperty('badge');
  });

  it('badges what the sender already has on the wall and waiting, and announces the visible ones again with the same id', async () => {
    const shown = await contribute('Premier');
    const waiting = await contribute('Second');
    await approve(shown.id);
    const listed = await trust();
    const seqBefore = (await server.request('GET', '/api/walls/capcomnet/events?since=0')).body.latestSeq;

    const changed = await setBadge(listed.body.id, 'organiser');
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ id: listed.body.id, badge: 'organiser' });
    const again = await viewer.next((f) => f.type === 'approved' && f.message.id === shown.id && f.seq > seqBefore);
    expect(again.seq).toBe(seqBefore + 1);
    expect(again.message).toMatchObject({ id: shown.id, text: 'Premier', badge: 'organiser' });
    // The waiting message carries the badge for the moderator, and once approved on the wall.
    expect((await message(waiting.id))?.badge).toBe('organiser');
    expect((await approve(waiting.id)).message.badge).toBe('organiser');

    const row = (await audit()).find((entry) => entry.action === 'sender.badge');
    expect(row?.detail).toMatchObject({ from: null, to: 'organiser' });
  });

  it('takes the badge away with null, and screens redraw the message without it', async () => {
    const listed = await trust({ badge: 'speaker' });
    const sent = await contribute('Bonjour');
    await viewer.next((f) => f.type === 'approved' && f.message.id === sent.id);
    expect((await setBadge(listed.body.id, null)).body.badge).toBeNull();
    const redrawn = await viewer.next((f) => f.type === 'approved' && f.message.id === sent.id);
    expect(redrawn.message).not.toHaveProperty('badge');
    // The next message goes out without it too: the wall's cached list was refreshed.
    const next = await contribute('Encore');
    expect((await viewer.next((f) => f.type === 'approved' && f.message.id === next.id)).message).not.toHaveProperty('badge');
  });

  it('changes nothing and audits nothing when the badge is the one already set', async () => {
    const listed = await trust({ badge: 'speaker' });
    expect((await setBadge(listed.body.id, 'speaker')).status).toBe(200);
    expect((await audit()).filter((entry) => entry.action === 'sender.badge')).toHaveLength(0);
    // Listing them as trusted again without a badge keeps theirs.
    const repeat = await trust();
    expect(repeat.status).toBe(200);
    expect(repeat.body.badge).toBe('speaker');
  });

  it('takes the badge off their messages when the sender is removed from the list, or blocked', async () => {
    const listed = await trust({ badge: 'speaker' });
    const first = await contribute('Un');
    await viewer.next((f) => f.type === 'approved' && f.message.id === first.id);
    expect((await server.request('DELETE', `/api/walls/capcomnet/senders/${listed.body.id}`, undefined, auth)).status).toBe(204);
    expect((await viewer.next((f) => f.type === 'approved' && f.message.id === first.id)).message).not.toHaveProperty('badge');

    await trust({ badge: 'organiser' });
    const second = await contribute('Deux');
    await viewer.next((f) => f.type === 'approved' && f.message.id === second.id);
    const blocked = await server.request('POST', '/api/walls/capcomnet/senders', { kind: 'client', address: CLIENT, rule: 'blocked' }, auth);
    expect(blocked.body).toMatchObject({ rule: 'blocked', badge: null });
    expect((await viewer.next((f) => f.type === 'approved' && f.message.id === second.id && !('badge' in f.message))).message.text).toBe('Deux');
  });

  it('updates an approved message that is no longer on screen without putting it back there', async () => {
    await server.request('PATCH', '/api/walls/capcomnet', { displayLimit: 1 }, auth);
    const old = await contribute('Ancien');
    await approve(old.id);
    const listed = await trust();
    const recent = await contribute('Récent');
    await viewer.next((f) => f.type === 'approved' && f.message.id === recent.id);
    await setBadge(listed.body.id, 'speaker');
    expect((await viewer.next((f) => f.type === 'approved' && f.message.id === recent.id && f.message.badge === 'speaker')).message.text).toBe('Récent');
    expect((await message(old.id))?.badge).toBe('speaker');
    const events = (await server.request('GET', '/api/walls/capcomnet/events?since=0')).body.events as { type: string; message?: { id: number } }[];
    expect(events.filter((event) => event.type === 'approved' && event.message?.id === old.id)).toHaveLength(1);
  });

  it('leaves the same contributor’s messages on another wall alone', async () => {
    await server.request('POST', '/api/walls', { slug: 'paris20', title: 'Paris 2.0', moderation: 'post' }, auth);
    await server.request('PATCH', '/api/walls/paris20', { senderPerMinute: 0, duplicateWindowMinutes: 0, holdLinks: false }, auth);
    const elsewhere = await contribute('Ailleurs', 'paris20');
    expect(elsewhere.status).toBe('approved');
    const listed = await trust();
    await setBadge(listed.body.id, 'speaker');
    expect((await message(elsewhere.id, 'paris20'))?.badge).toBeUndefined();
  });
});

describe('what the badge API refuses', () => {
  it('refuses a badge for a blocked sender, an unknown badge, an unknown sender, and callers without the role', async () => {
    const blocked = await server.request('POST', '/api/walls/capcomnet/senders', { kind: 'client', address: CLIENT, rule: 'blocked', badge: 'speaker' }, auth);
    expect(blocked.status).toBe(400);
    expect(blocked.body.code).toBe('badge_needs_trusted');
    expect((await server.request('GET', '/api/walls/capcomnet/senders', undefined, auth)).body.items).toEqual([]);

    expect((await trust({ badge: 'vip' })).status).toBe(400);
    const listed = await server.request('POST', '/api/walls/capcomnet/senders', { kind: 'client', address: CLIENT, rule: 'blocked' }, auth);
    const onBlocked = await setBadge(listed.body.id, 'speaker');
    expect(onBlocked.status).toBe(400);
    expect(onBlocked.body.code).toBe('badge_needs_trusted');

    expect((await setBadge(listed.body.id, 'vip')).status).toBe(400);
    expect((await server.request('PATCH', `/api/walls/capcomnet/senders/${listed.body.id}`, {}, auth)).status).toBe(400);
    expect((await setBadge(9999, 'speaker')).status).toBe(404);
    expect((await server.request('PATCH', `/api/walls/nope/senders/${listed.body.id}`, { badge: null }, auth)).status).toBe(404);
    expect((await setBadge(listed.body.id, null, {})).status).toBe(401);
    const ingestToken = server.app.toile.auth.createToken('bridge', 'ingest', 'tests').token;
    expect((await setBadge(listed.body.id, null, { authorization: `Bearer ${ingestToken}` })).status).toBe(403);
  });

  it('lets a moderator set a badge, with the CSRF header when signed in with a cookie', async () => {
    await server.app.toile.auth.createUser('mona', 'a long enough password', 'moderator', 'tests');
    const session = await server.logIn('mona', 'a long enough password');
    const listed = await trust();
    expect((await setBadge(listed.body.id, 'speaker', { cookie: session.cookie })).status).toBe(403);
    expect((await setBadge(listed.body.id, 'speaker', session.headers)).status).toBe(200);
  });
});
