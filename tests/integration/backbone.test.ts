import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { openSocket, type TestSocket } from '../helpers/ws.js';

let server: TestServer;
let token: string;
const sockets: TestSocket[] = [];

async function socket(path: string, headers: Record<string, string> = {}): Promise<TestSocket> {
  const s = await openSocket(server.wsUrl + path, headers);
  sockets.push(s);
  return s;
}

const auth = () => ({ authorization: `Bearer ${token}` });

async function postApiMessage(externalId: string, text: string, name = 'Ada') {
  return server.request('POST', '/api/walls/capcomnet/messages', { externalId, author: { name }, text }, auth());
}

async function approve(id: number, body: unknown = {}) {
  return server.request('POST', `/api/messages/${id}/approve`, body, auth());
}

beforeEach(async () => {
  server = await startServer();
  token = await server.adminToken();
});

afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await server.close({ removeData: true });
});

describe('one contribution from ingest to the wall', () => {
  it('shows an API contribution to moderators, and once approved to every wall with the next seq', async () => {
    const moderator = await socket('/ws/moderate/capcomnet', auth());
    const snapshot = await moderator.next((f) => f.type === 'snapshot');
    expect(snapshot.items).toEqual([]);
    const walls = await Promise.all([socket('/ws/walls/capcomnet'), socket('/ws/walls/capcomnet'), socket('/ws/walls/capcomnet')]);
    const first = await Promise.all(walls.map((w) => w.next()));
    for (const frame of first) {
      expect(frame).toMatchObject({ type: 'snapshot', seq: 0, items: [], wall: { slug: 'capcomnet', hashtags: ['capcomnet'] } });
      expect(frame.epoch).toEqual(expect.any(String));
    }

    const posted = await postApiMessage('ext-1', 'Bonjour la plénière ! #capcomnet');
    expect(posted.status).toBe(201);
    expect(posted.body).toEqual({ id: expect.any(Number), status: 'pending' });

    const queued = await moderator.next((f) => f.type === 'message');
    expect(queued.message).toMatchObject({ id: posted.body.id, status: 'pending', text: 'Bonjour la plénière ! #capcomnet', author: { name: 'Ada' }, channel: 'api', source: 'api', version: 1 });

    const approved = await approve(posted.body.id, { expectedVersion: 1 });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', version: 2, decidedBy: 'token:tests' });

    for (const wall of walls) {
      const event = await wall.next((f) => f.type === 'approved');
      expect(event).toEqual({
        type: 'approved',
        seq: 1,
        message: {
          id: posted.body.id,
          channel: 'api',
          source: 'api',
          author: { name: 'Ada' },
          text: 'Bonjour la plénière ! #capcomnet',
          media: [],
          createdAt: expect.any(String),
          pinned: false,
        },
      });
    }
    const decided = await moderator.next((f) => f.type === 'message' && f.message.status === 'approved');
    expect(decided.message.version).toBe(2);
  });

  it('takes a web form contribution into the queue without the contributor address', async () => {
    const moderator = await socket('/ws/moderate/capcomnet', auth());
    await moderator.next((f) => f.type === 'snapshot');
    const sent = await server.request('POST', '/api/walls/capcomnet/contribute', { name: 'Léa', text: 'Super atelier' });
    expect(sent.status).toBe(201);
    expect(sent.body.status).toBe('pending');
    const queued = await moderator.next((f) => f.type === 'message');
    expect(queued.message).toMatchObject({ channel: 'web', source: 'web', author: { name: 'Léa' }, text: 'Super atelier' });
    expect(JSON.stringify(queued.message)).not.toContain('127.0.0.1');
  });

  it('numbers wall events 1, 2, 3… without gaps across approve, pin, unpin and hide', async () => {
    const wall = await socket('/ws/walls/capcomnet');
    await wall.next((f) => f.type === 'snapshot');
    const a = await postApiMessage('a', 'first');
    const b = await postApiMessage('b', 'second');
    await approve(a.body.id);
    await approve(b.body.id);
    await server.request('POST', `/api/messages/${a.body.id}/pin`, {}, auth());
    await server.request('POST', `/api/messages/${a.body.id}/unpin`, {}, auth());
    await server.request('POST', `/api/messages/${b.body.id}/hide`, {}, auth());
    const frames = (await wall.waitForCount(6)).slice(1);
    expect(frames.map((f) => [f.type, f.seq])).toEqual([
      ['approved', 1],
      ['approved', 2],
      ['pinned', 3],
      ['unpinned', 4],
      ['removed', 5],
    ]);
    expect(frames[4].id).toBe(b.body.id);
  });

  it('serves the visible approved items, oldest first, in the snapshot of a new viewer', async () => {
    const ids = [];
    for (const text of ['one', 'two', 'three']) {
      const posted = await postApiMessage(text, text);
      await approve(posted.body.id);
      ids.push(posted.body.id);
    }
    await server.request('POST', `/api/messages/${ids[1]}/hide`, {}, auth());
    const wall = await socket('/ws/walls/capcomnet');
    const snapshot = await wall.next();
    expect(snapshot.type).toBe('snapshot');
    expect(snapshot.seq).toBe(4);
    expect(snapshot.items.map((m: { text: string }) => m.text)).toEqual(['one', 'three']);
  });
});

describe('resuming with since', () => {
  it('sends a viewer that reconnects exactly the events it missed, in order, then live ones', async () => {
    const wall = await socket('/ws/walls/capcomnet');
    const snapshot = await wall.next();
    const first = await postApiMessage('r1', 'before the drop');
    await approve(first.body.id);
    const seen = await wall.next((f) => f.type === 'approved');
    wall.close();
    await wall.closed;

    const missed = [];
    for (const text of ['while away 1', 'while away 2', 'while away 3']) {
      const posted = await postApiMessage(text, text);
      await approve(posted.body.id);
      missed.push(posted.body.id);
    }
    const back = await socket(`/ws/walls/capcomnet?since=${seen.seq}&epoch=${snapshot.epoch}`);
    const replay = await back.waitForCount(3);
    expect(replay.map((f) => [f.type, f.seq, f.message.id])).toEqual([
      ['approved', 2, missed[0]],
      ['approved', 3, missed[1]],
      ['approved', 4, missed[2]],
    ]);
    const live = await postApiMessage('live', 'live again');
    await approve(live.body.id);
    const next = await back.next((f) => f.seq === 5);
    expect(next.message.text).toBe('live again');
    expect(back.frames.filter((f) => f.type === 'snapshot')).toEqual([]);
  });

  it('sends nothing but live events to a viewer that is already up to date', async () => {
    const posted = await postApiMessage('u1', 'hello');
    await approve(posted.body.id);
    const wall = await socket('/ws/walls/capcomnet?since=1');
    const other = await postApiMessage('u2', 'again');
    await approve(other.body.id);
    const frame = await wall.next();
    expect(frame).toMatchObject({ type: 'approved', seq: 2 });
  });

  it('sends a snapshot to a viewer resuming from another database epoch or from the future', async () => {
    const posted = await postApiMessage('e1', 'hello');
    await approve(posted.body.id);
    const otherEpoch = await socket('/ws/walls/capcomnet?since=0&epoch=not-this-database');
    expect(await otherEpoch.next()).toMatchObject({ type: 'snapshot', seq: 1 });
    const future = await socket('/ws/walls/capcomnet?since=99');
    expect(await future.next()).toMatchObject({ type: 'snapshot', seq: 1 });
  });

  it('answers the same events over HTTP for clients without WebSocket', async () => {
    for (const text of ['h1', 'h2']) {
      const posted = await postApiMessage(text, text);
      await approve(posted.body.id);
    }
    const all = await server.request('GET', '/api/walls/capcomnet/events?since=0');
    expect(all.status).toBe(200);
    expect(all.body.seq).toBe(2);
    expect(all.body.events.map((e: { seq: number; message: { text: string } }) => [e.seq, e.message.text])).toEqual([
      [1, 'h1'],
      [2, 'h2'],
    ]);
    const later = await server.request('GET', '/api/walls/capcomnet/events?since=1');
    expect(later.body.events.map((e: { seq: number }) => e.seq)).toEqual([2]);
    const none = await server.request('GET', '/api/walls/capcomnet/events?since=2');
    expect(none.body).toMatchObject({ seq: 2, events: [] });
  });
});

describe('idempotency and conflicts', () => {
  it('stores nothing new when the same externalId is posted again', async () => {
    const first = await postApiMessage('same', 'once');
    const again = await postApiMessage('same', 'once, retried');
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const listed = await server.request('GET', '/api/walls/capcomnet/messages?status=pending', undefined, auth());
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0].text).toBe('once');
  });

  it('answers 409 to a decision made on a stale version, and changes nothing', async () => {
    const posted = await postApiMessage('c1', 'contested');
    expect((await approve(posted.body.id, { expectedVersion: 1 })).status).toBe(200);
    const late = await server.request('POST', `/api/messages/${posted.body.id}/reject`, { expectedVersion: 1 }, auth());
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('version_conflict');
    const listed = await server.request('GET', '/api/walls/capcomnet/messages', undefined, auth());
    expect(listed.body.items[0]).toMatchObject({ status: 'approved', version: 2 });
  });

  it('answers 409 to a decision that the state does not allow', async () => {
    const posted = await postApiMessage('c2', 'twice');
    await approve(posted.body.id);
    const again = await approve(posted.body.id);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'invalid_transition', message: 'The message is already approved.' });
  });

  it('keeps an audit row for every decision', async () => {
    const posted = await postApiMessage('audit', 'audited');
    await approve(posted.body.id);
    await server.request('POST', `/api/messages/${posted.body.id}/hide`, {}, auth());
    const audit = await server.request('GET', '/api/audit?wall=capcomnet', undefined, auth());
    const actions = audit.body.items.filter((row: { targetType: string }) => row.targetType === 'message');
    expect(actions.map((row: { action: string; actor: string; targetId: string }) => [row.action, row.actor, row.targetId])).toEqual([
      ['hide', 'token:tests', String(posted.body.id)],
      ['approve', 'token:tests', String(posted.body.id)],
    ]);
  });
});

describe('post-moderation', () => {
  it('publishes at once on a post-moderated wall, but holds a blocked term for a moderator with its reason', async () => {
    const patched = await server.request('PATCH', '/api/walls/capcomnet', { moderation: 'post', blockedTerms: ['arnaque'] }, auth());
    expect(patched.status).toBe(200);
    const wall = await socket('/ws/walls/capcomnet');
    await wall.next((f) => f.type === 'snapshot');
    const ok = await postApiMessage('p1', 'Bravo aux équipes');
    expect(ok.body.status).toBe('approved');
    expect((await wall.next((f) => f.type === 'approved')).message.text).toBe('Bravo aux équipes');
    const held = await postApiMessage('p2', 'Quelle ARNAQUE ce buffet');
    expect(held.body.status).toBe('pending');
    const listed = await server.request('GET', '/api/walls/capcomnet/messages?status=pending', undefined, auth());
    expect(listed.body.items[0].reasons).toEqual(['blocked-term:arnaque']);
  });

  it('tells every wall at once when the display switches to blank', async () => {
    const wall = await socket('/ws/walls/capcomnet');
    await wall.next((f) => f.type === 'snapshot');
    await server.request('PATCH', '/api/walls/capcomnet', { display: 'blank' }, auth());
    const event = await wall.next((f) => f.type === 'wall');
    expect(event).toMatchObject({ seq: 1, wall: { display: 'blank', slug: 'capcomnet' } });
  });
});
