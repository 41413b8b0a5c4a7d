import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeMastodon, type FakeMastodon } from '../helpers/fake-mastodon.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { postTwilio, TWILIO_TOKEN, twilioParams } from '../helpers/twilio.js';
import { until } from '../helpers/wait.js';
import { openSocket } from '../helpers/ws.js';

/**
 * Archiving a wall after its event: the wall becomes its record. Its sources stop, nothing new reaches it,
 * nothing on it changes, and its page keeps showing what was approved, with the settings saying `archived`.
 * Unarchiving gives everything back. The wall here is a second one, `atelier`, beside the default wall.
 */

const TIMING = { pollMs: 30, backoffMs: 30, maxBackoffMs: 200, timeoutMs: 2000, cursorFlushMs: 100 };
const ATELIER_NUMBER = '+33700000002';

let server: TestServer;
let auth: Record<string, string>;
let mastodon: FakeMastodon;
/** How far the app's clock is ahead of the real one (the publish-delay lane reads it). */
let offsetMs: number;

async function start(dataDir?: string): Promise<void> {
  server = await startServer({
    sourceTiming: TIMING,
    now: () => new Date(Date.now() + offsetMs),
    env: { TWILIO_AUTH_TOKEN: TWILIO_TOKEN },
    ...(dataDir === undefined ? {} : { dataDir }),
  });
  auth = { authorization: `Bearer ${await server.adminToken()}` };
}

beforeEach(async () => {
  offsetMs = 0;
  await start();
  // The source polls the REST timeline (no streaming), so that every poll shows in the fake's log.
  mastodon = await startFakeMastodon({ hashtag: 'atelier', streamingUrl: null });
  const created = await server.request('POST', '/api/walls', { slug: 'atelier', title: 'Atelier', hashtags: ['atelier'], moderation: 'pre' }, auth);
  expect(created.status).toBe(201);
  expect((await server.request('PATCH', '/api/walls/atelier', { smsNumbers: [ATELIER_NUMBER] }, auth)).status).toBe(200);
});

afterEach(async () => {
  await server.close({ removeData: true });
  await mastodon.close();
});

const archive = () => server.request('POST', '/api/walls/atelier/archive', undefined, auth);
const unarchive = () => server.request('POST', '/api/walls/atelier/unarchive', undefined, auth);
const polls = () => mastodon.timelineRequests().length;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function addSource(): Promise<number> {
  const response = await server.request('POST', '/api/walls/atelier/sources', { kind: 'mastodon', instance: mastodon.url, hashtag: 'atelier' }, auth);
  expect(response.status).toBe(201);
  await until(() => polls() > 0, 'the first poll');
  return response.body.id as number;
}

describe('archiving a wall', () => {
  it('stops its sources, and starts them again when it is unarchived', async () => {
    const id = await addSource();
    const archived = await archive();
    expect(archived.status).toBe(200);
    expect(archived.body).toMatchObject({ slug: 'atelier', archived: true });
    expect(Date.parse(archived.body.archivedAt)).not.toBeNaN();

    const pollsWhenArchived = polls();
    await pause(TIMING.pollMs * 8);
    expect(polls()).toBe(pollsWhenArchived);
    const listed = await server.request('GET', '/api/walls/atelier/sources', undefined, auth);
    expect(listed.body.items).toMatchObject([{ id, paused: false, state: 'stopped' }]);
    // Resuming a source does not run it on an archived wall, and a new source is refused.
    await server.request('POST', `/api/walls/atelier/sources/${id}/pause`, undefined, auth);
    await server.request('POST', `/api/walls/atelier/sources/${id}/resume`, undefined, auth);
    await pause(TIMING.pollMs * 4);
    expect(polls()).toBe(pollsWhenArchived);
    const added = await server.request('POST', '/api/walls/atelier/sources', { kind: 'mastodon', instance: mastodon.url, hashtag: 'other' }, auth);
    expect(added.status).toBe(409);
    expect(added.body.code).toBe('wall_archived');

    const live = await unarchive();
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ archived: false, archivedAt: null });
    await until(() => polls() > pollsWhenArchived, 'a poll after unarchiving');
  });

  it('does not start its sources when the server boots', async () => {
    await addSource();
    await archive();
    await server.close();
    const before = polls();
    await start(server.dataDir);
    // The default wall's own work runs; the archived wall's source stays stopped.
    await pause(TIMING.pollMs * 8);
    expect(polls()).toBe(before);
    await unarchive();
    await until(() => polls() > before, 'a poll after unarchiving');
  });

  it('refuses the web form and the ingest API with 409 wall_archived, and takes them again once unarchived', async () => {
    await archive();
    const form = await server.request('POST', '/api/walls/atelier/contribute', { name: 'Ada', text: 'Encore un mot' });
    expect(form.status).toBe(409);
    expect(form.body.code).toBe('wall_archived');
    const bridged = await server.request('POST', '/api/walls/atelier/messages', { externalId: 'late-1', author: { name: 'Ada' }, text: 'Trop tard' }, auth);
    expect(bridged.status).toBe(409);
    expect(bridged.body.code).toBe('wall_archived');
    expect((await server.request('GET', '/api/walls/atelier/messages', undefined, auth)).body.items).toEqual([]);

    await unarchive();
    expect((await server.request('POST', '/api/walls/atelier/contribute', { name: 'Ada', text: 'Encore un mot' })).status).toBe(201);
  });

  it('answers a signed Twilio SMS to its number with 200 and stores it rejected as wall-archived, shown nowhere', async () => {
    await archive();
    const sent = await postTwilio(server, twilioParams({ To: ATELIER_NUMBER, Body: 'Merci pour l’atelier', MessageSid: 'SMarchived0001' }));
    expect(sent.status).toBe(200);
    // No thank-you answer: the message will not be shown.
    expect(sent.text).toContain('<Response/>');
    const rejected = await server.request('GET', '/api/walls/atelier/messages?status=rejected', undefined, auth);
    expect(rejected.body.items).toHaveLength(1);
    expect(rejected.body.items[0]).toMatchObject({ channel: 'sms', status: 'rejected', reasons: ['wall-archived'] });
    // Not moved to the default wall either: the sender wrote to this wall's number.
    expect((await server.request('GET', '/api/walls/capcomnet/messages', undefined, auth)).body.items).toEqual([]);
    // Twilio's retry of the same message stores nothing new.
    expect((await postTwilio(server, twilioParams({ To: ATELIER_NUMBER, Body: 'Merci pour l’atelier', MessageSid: 'SMarchived0001' }))).status).toBe(200);
    expect((await server.request('GET', '/api/walls/atelier/messages', undefined, auth)).body.items).toHaveLength(1);
  });

  it('leaves a hashtag it shares with a live wall to the live wall', async () => {
    await archive();
    // Next year's workshop reuses the hashtag: messages naming it go there, not to last year's record.
    await server.request('POST', '/api/walls', { slug: 'atelier-2027', title: 'Atelier 2027', hashtags: ['atelier'] }, auth);
    const sent = await postTwilio(server, twilioParams({ Body: 'Rendez-vous #atelier', MessageSid: 'SMnextyear0001' }));
    expect(sent.status).toBe(200);
    const next = await server.request('GET', '/api/walls/atelier-2027/messages', undefined, auth);
    expect(next.body.items).toMatchObject([{ text: 'Rendez-vous #atelier', status: 'pending' }]);
    expect((await server.request('GET', '/api/walls/atelier/messages', undefined, auth)).body.items).toEqual([]);
  });

  it('refuses moderation on its messages and senders, its settings and its panic switch with 409, until it is unarchived', async () => {
    const id = await server.ingest('En attente', { wall: 'atelier' });
    await archive();
    const approve = await server.request('POST', `/api/messages/${id}/approve`, {}, auth);
    expect(approve.status).toBe(409);
    expect(approve.body.code).toBe('wall_archived');
    const patch = await server.request('PATCH', '/api/walls/atelier', { title: 'Atelier 2' }, auth);
    expect(patch.status).toBe(409);
    expect(patch.body.code).toBe('wall_archived');
    expect((await server.request('POST', '/api/walls/atelier/display', { display: 'blank' }, auth)).status).toBe(409);
    const block = await server.request('POST', '/api/walls/atelier/senders', { messageId: id, rule: 'blocked' }, auth);
    expect(block.status).toBe(409);
    expect(block.body.code).toBe('wall_archived');
    expect((await server.request('GET', '/api/walls/atelier')).body.title).toBe('Atelier');

    await unarchive();
    expect((await server.request('POST', `/api/messages/${id}/approve`, {}, auth)).status).toBe(200);
    expect((await server.request('PATCH', '/api/walls/atelier', { title: 'Atelier 2' }, auth)).status).toBe(200);
  });

  it('holds its delayed messages out of the publish-delay lane while archived', async () => {
    await server.request('PATCH', '/api/walls/atelier', { moderation: 'post', publishDelaySeconds: 30 }, auth);
    await server.ingest('Bientôt', { wall: 'atelier' });
    await archive();
    offsetMs = 60_000;
    expect(server.app.toile.publishDue()).toBe(0);
    await unarchive();
    expect(server.app.toile.publishDue()).toBe(1);
  });

  it('keeps serving its approved messages to screens, with the settings marked archived', async () => {
    const id = await server.ingest('Le mot de la fin', { wall: 'atelier' });
    await server.approve(id);
    const open = await openSocket(`${server.wsUrl}/ws/walls/atelier`);
    try {
      await open.next((f) => f.type === 'snapshot');
      await archive();
      // A screen already showing the wall is told at once.
      expect((await open.next((f) => f.type === 'wall')).wall.archived).toBe(true);
    } finally {
      open.close();
    }
    const late = await openSocket(`${server.wsUrl}/ws/walls/atelier`);
    try {
      const snapshot = await late.next((f) => f.type === 'snapshot');
      expect(snapshot.wall.archived).toBe(true);
      expect(snapshot.items.map((item: { id: number }) => item.id)).toEqual([id]);
    } finally {
      late.close();
    }
    expect((await server.request('GET', '/api/walls/atelier')).body.archived).toBe(true);
    expect((await server.request('GET', '/api/walls/capcomnet')).body.archived).toBe(false);
    // The console's list of walls says so too, with the wall's numbers.
    const listed = (await server.request('GET', '/api/walls', undefined, auth)).body.items;
    expect(listed.find((wall: { slug: string }) => wall.slug === 'atelier')).toMatchObject({
      archived: true,
      messages: { approved: 1, pending: 0, rejected: 0, hidden: 0 },
    });
    // Still exportable: it is the record.
    const exported = await server.request('GET', '/api/walls/atelier/export?format=json', undefined, auth);
    expect(exported.status).toBe(200);
    expect(exported.text).toContain('Le mot de la fin');
  });

  it('audits archiving and unarchiving once per change, with who did it', async () => {
    await archive();
    // Archiving an archived wall changes nothing and is not audited again.
    expect((await archive()).status).toBe(200);
    await unarchive();
    const audit = await server.request('GET', '/api/audit?wall=atelier', undefined, auth);
    const actions = (audit.body.items as { action: string; actor: string; targetId: string }[]).filter((row) => row.action.startsWith('wall.') && row.action.endsWith('archive'));
    expect(actions.map((row) => row.action)).toEqual(['wall.unarchive', 'wall.archive']);
    expect(actions).toMatchObject([{ actor: 'token:tests', targetId: 'atelier' }, { actor: 'token:tests', targetId: 'atelier' }]);
  });

  it('is an admin’s action: a moderator is refused, and an unknown wall is a 404', async () => {
    const moderator = { authorization: `Bearer ${server.app.toile.auth.createToken('mod', 'moderator', 'tests').token}` };
    expect((await server.request('POST', '/api/walls/atelier/archive', undefined, moderator)).status).toBe(403);
    expect((await server.request('POST', '/api/walls/atelier/archive')).status).toBe(401);
    expect((await server.request('POST', '/api/walls/nowhere/archive', undefined, auth)).status).toBe(404);
    expect((await server.request('GET', '/api/walls/atelier')).body.archived).toBe(false);
  });
});
