import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { channelServerOptions, gradientPng, POSTMARK_PASSWORD } from '../helpers/channels.js';
import { databaseBytes, everyRow } from '../helpers/privacy.js';
import { startServer, type TestResponse, type TestServer } from '../helpers/server.js';
import { postTwilio, twilioParams } from '../helpers/twilio.js';
import { openSocket, type Frame, type TestSocket } from '../helpers/ws.js';

/** The person who asks to be forgotten: one phone number and one email address (stored as she typed it). */
const ALICE_PHONE = '+33611110001';
const ALICE_EMAIL = 'Alice.Dupont@Example.org';
const ALICE_NAME = 'Alice Dupont';
const ALICE_TEXTS = ['ALICESMS1', 'ALICESMS2', 'ALICEMAIL', 'ALICEPENDING', 'ALICEHIDDEN'];
const ALICE_PRIVATE = [ALICE_PHONE, '611110001', ALICE_EMAIL, ALICE_EMAIL.toLowerCase(), ALICE_NAME, ...ALICE_TEXTS];

const BOB_PHONE = '+33622220002';
const CAROL_EMAIL = 'carol@example.net';

let server: TestServer;
let auth: Record<string, string>;
const sockets: TestSocket[] = [];
let sid = 0;

beforeEach(async () => {
  server = await startServer(channelServerOptions());
  auth = { authorization: `Bearer ${await server.adminToken()}` };
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await server.close({ removeData: true });
});

async function ok(method: string, path: string, body?: unknown): Promise<TestResponse['body']> {
  const response = await server.request(method, path, body, auth);
  if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${response.text}`);
  return response.body;
}



function mediaPath(url: string): string {
  return join(server.dataDir, 'media', url.slice('/media/'.length));
}

async function sms(from: string, to: string, body: string): Promise<void> {
  sid += 1;
  const id = `SM${String(sid).padStart(32, '0')}`;
  const response = await postTwilio(server, twilioParams({ MessageSid: id, From: from, To: to, Body: body }));
  if (response.status !== 200) throw new Error(`Twilio webhook answered ${response.status}: ${response.text}`);
}

async function email(from: string, name: string, text: string, picture: Buffer): Promise<void> {
  const response = await server.request(
    'POST',
    '/ingest/postmark',
    {
      From: from,
      FromFull: { Email: from, Name: name },
      To: 'mur@forum.example',
      ToFull: [{ Email: 'mur@forum.example', Name: '' }],
      Subject: 'Photo',
      MessageID: `erasure-${randomUUID()}`,
      Date: new Date().toUTCString(),
      TextBody: text,
      Headers: [],
      Attachments: [{ Name: 'photo.png', Content: picture.toString('base64'), ContentType: 'image/png', ContentLength: picture.length }],
    },
    { authorization: `Basic ${Buffer.from(`postmark:${POSTMARK_PASSWORD}`).toString('base64')}` },
  );
  if (response.status !== 200) throw new Error(`Postmark webhook answered ${response.status}: ${response.text}`);
}

interface Listed {
  id: number;
  text: string;
  status: string;
  media: { url: string }[];
}

async function messagesOf(slug: string): Promise<Listed[]> {
  return (await ok('GET', `/api/walls/${slug}/messages?limit=500`)).items as Listed[];
}

async function find(slug: string, marker: string): Promise<Listed> {
  const found = (await messagesOf(slug)).find((m) => m.text.includes(marker));
  if (!found) throw new Error(`no message with "${marker}" on ${slug}`);
  return found;
}

async function viewer(slug: string, query = ''): Promise<TestSocket> {
  const socket = await openSocket(`${server.wsUrl}/ws/walls/${slug}${query}`);
  sockets.push(socket);
  return socket;
}

/**
 * Two walls. Alice wrote by SMS to both and by email (with a picture) to the forum; some of hers are on the
 * walls, one was shown then hidden, one waits; she is a trusted sender of the forum. Bob (SMS) and Carol
 * (email with another picture) are on the forum too.
 */
async function seed() {
  await ok('POST', '/api/walls', { slug: 'forum', title: 'Forum' });
  await ok('PATCH', '/api/walls/forum', { smsNumbers: ['+33700000001'], emailAddresses: ['mur@forum.example'] });
  await ok('POST', '/api/walls', { slug: 'atelier', title: 'Atelier' });
  await ok('PATCH', '/api/walls/atelier', { smsNumbers: ['+33700000002'] });

  await sms(ALICE_PHONE, '+33700000001', 'ALICESMS1 Bravo pour la plénière');
  await sms(ALICE_PHONE, '+33700000002', 'ALICESMS2 Super atelier');
  await sms(ALICE_PHONE, '+33700000001', 'ALICEHIDDEN Oups');
  await sms(ALICE_PHONE, '+33700000001', 'ALICEPENDING Encore moi');
  await email(ALICE_EMAIL, ALICE_NAME, 'ALICEMAIL La salle vue du balcon', gradientPng(40, 30));
  await sms(BOB_PHONE, '+33700000001', 'BOBSMS Merci aux orateurs');
  await email(CAROL_EMAIL, 'Carol', 'CAROLMAIL Le buffet', gradientPng(40, 30, [200, 10, 10], [10, 200, 10]));

  for (const marker of ['ALICESMS1', 'ALICEHIDDEN', 'ALICEMAIL', 'BOBSMS', 'CAROLMAIL']) await ok('POST', `/api/messages/${(await find('forum', marker)).id}/approve`, {});
  await ok('POST', `/api/messages/${(await find('atelier', 'ALICESMS2')).id}/approve`, {});
  await ok('POST', `/api/messages/${(await find('forum', 'ALICEHIDDEN')).id}/hide`, {});
  await ok('POST', `/api/messages/${(await find('forum', 'ALICESMS1')).id}/pin`, {});
  await ok('POST', '/api/walls/forum/senders', { kind: 'phone', address: ALICE_PHONE, rule: 'trusted' });

  return {
    alice: {
      sms1: (await find('forum', 'ALICESMS1')).id,
      sms2: (await find('atelier', 'ALICESMS2')).id,
      mail: await find('forum', 'ALICEMAIL'),
    },
    bob: (await find('forum', 'BOBSMS')).id,
    carol: await find('forum', 'CAROLMAIL'),
  };
}

function gapFree(slug: string): void {
  const db = server.app.toile.repos.db;
  const wall = server.app.toile.repos.walls.bySlug(slug)!;
  const seqs = db.prepare<[number], { seq: number }>('SELECT seq FROM wall_events WHERE wall_id = ? ORDER BY seq').all(wall.id).map((row) => row.seq);
  expect(seqs).toEqual(Array.from({ length: wall.lastSeq }, (_, i) => i + 1));
}

describe('forgetting a contributor', () => {
  it('removes their messages from every open wall within a second and leaves no row, no byte and no event of them', async () => {
    const seeded = await seed();
    const aliceImage = mediaPath(seeded.alice.mail.media[0]!.url);
    const carolImage = mediaPath(seeded.carol.media[0]!.url);
    expect(existsSync(aliceImage)).toBe(true);
    const rowsBefore = everyRow(server);
    for (const text of ALICE_PRIVATE.filter((text) => text !== ALICE_EMAIL.toLowerCase())) expect(rowsBefore).toContain(text);

    const forumViewers = [await viewer('forum'), await viewer('forum')];
    const atelierViewer = await viewer('atelier');
    const snapshots = await Promise.all([...forumViewers, atelierViewer].map((socket) => socket.next((f) => f.type === 'snapshot')));
    expect(snapshots[0].items.map((m: Frame) => m.id).sort()).toEqual([seeded.alice.sms1, seeded.alice.mail.id, seeded.bob, seeded.carol.id].sort());
    const moderator = await openSocket(`${server.wsUrl}/ws/moderate/forum`, auth);
    sockets.push(moderator);
    await moderator.next((f) => f.type === 'snapshot');

    // Her phone number, typed as people write it.
    const started = performance.now();
    const request = server.request('POST', '/api/contributors/forget', { address: '+33 6 11 11 00 01' }, auth);
    const arrivals = await Promise.all([
      ...forumViewers.map((socket) => socket.next((f) => f.type === 'removed' && f.id === seeded.alice.sms1, 1000)),
      atelierViewer.next((f) => f.type === 'removed' && f.id === seeded.alice.sms2, 1000),
    ]).then(() => performance.now() - started);
    expect(arrivals).toBeLessThan(1000);
    const byPhone = await request;
    expect(byPhone.status).toBe(200);
    // Her SMS (four, on two walls) and the phone number; the email is another address, forgotten next.
    expect(byPhone.body).toEqual({ removed: { contributors: 1, messages: 4, pictures: 0, walls: ['atelier', 'forum'] } });
    // Only the messages the walls showed were removed from them: the email is still on the forum.
    expect(forumViewers[0]!.frames.filter((f: Frame) => f.type === 'removed').map((f: Frame) => f.id)).toEqual([seeded.alice.sms1]);
    const erased = await moderator.next((f) => f.type === 'erased');
    // The forum's moderators see her three forum messages leave their queue (the fourth was on the atelier).
    expect(erased.ids).toHaveLength(3);
    expect(erased.ids).toContain(seeded.alice.sms1);

    // Her email address, whatever its case.
    const byEmail = await server.request('POST', '/api/contributors/forget', { address: 'alice.dupont@example.org' }, auth);
    expect(byEmail.body).toEqual({ removed: { contributors: 1, messages: 1, pictures: 1, walls: ['forum'] } });
    for (const socket of forumViewers) await socket.next((f) => f.type === 'removed' && f.id === seeded.alice.mail.id, 1000);

    const rows = everyRow(server);
    for (const text of ALICE_PRIVATE) expect(rows).not.toContain(text);
    const bytes = databaseBytes(server);
    for (const text of ALICE_PRIVATE) expect(bytes).not.toContain(text);
    expect(existsSync(aliceImage)).toBe(false);
    expect(existsSync(carolImage)).toBe(true);
    expect((await server.request('GET', `/media/${carolImage.split('/').pop()}`)).status).toBe(200);

    // Others' messages are untouched.
    expect((await messagesOf('forum')).map((m) => [m.id, m.status]).sort()).toEqual([[seeded.bob, 'approved'], [seeded.carol.id, 'approved']].sort());
    expect(await messagesOf('atelier')).toEqual([]);
    expect(rows).toContain(BOB_PHONE);
    expect(rows).toContain(CAROL_EMAIL);
    gapFree('forum');
    gapFree('atelier');

    // A viewer replaying the whole log, over the socket or HTTP, and a new one, get nothing of hers.
    const epoch = snapshots[0].epoch;
    const replay = await viewer('forum', `?since=0&epoch=${epoch}`);
    const lastSeq = server.app.toile.repos.walls.bySlug('forum')!.lastSeq;
    await replay.next((f) => f.seq === lastSeq);
    expect(replay.frames.some((f: Frame) => f.type === 'snapshot')).toBe(false);
    const replayed = JSON.stringify(replay.frames);
    for (const text of ALICE_PRIVATE) expect(replayed).not.toContain(text);
    expect(replayed).toContain('BOBSMS');
    const overHttp = JSON.stringify((await server.request('GET', `/api/walls/forum/events?since=0&epoch=${epoch}`)).body);
    for (const text of ALICE_PRIVATE) expect(overHttp).not.toContain(text);
    const fresh = await viewer('forum');
    const snapshot = await fresh.next((f) => f.type === 'snapshot');
    expect(snapshot.items.map((m: Frame) => m.id).sort()).toEqual([seeded.bob, seeded.carol.id].sort());

    // Audited with counts only.
    const audit = (await ok('GET', '/api/audit?limit=100')).items as { action: string; actor: string; detail: Record<string, unknown> }[];
    const forgets = audit.filter((entry) => entry.action === 'contributor.forget');
    expect(forgets.map((entry) => entry.detail)).toEqual([
      { contributors: 1, messages: 1, pictures: 1, walls: ['forum'] },
      { contributors: 1, messages: 4, pictures: 0, walls: ['atelier', 'forum'] },
    ]);
    expect(forgets.every((entry) => entry.actor === 'token:tests')).toBe(true);

    // Forgetting again finds nothing, and says so with zeros.
    const again = await server.request('POST', '/api/contributors/forget', { address: ALICE_PHONE }, auth);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ removed: { contributors: 0, messages: 0, pictures: 0, walls: [] } });
    expect(forumViewers[0]!.frames.filter((f: Frame) => f.type === 'removed')).toHaveLength(2);
  });

  it('accepts a number in the form its provider did not use, and refuses what is not an address', async () => {
    await sms(ALICE_PHONE, '+33700000001', 'ALICESMS1 Bonjour');
    expect((await ok('POST', '/api/contributors/forget', { address: '0033 (6) 11-11-00-01' })).removed).toMatchObject({ contributors: 1, messages: 1 });
    for (const body of [{}, { address: '' }, { address: 'x'.repeat(321) }, { address: 42 }, { address: '   ' }]) {
      const response = await server.request('POST', '/api/contributors/forget', body, auth);
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
  });

  it('is for admins only', async () => {
    await sms(ALICE_PHONE, '+33700000001', 'ALICESMS1 Bonjour');
    expect((await server.request('POST', '/api/contributors/forget', { address: ALICE_PHONE })).status).toBe(401);
    const token = (await ok('POST', '/api/tokens', { name: 'mod', role: 'moderator' })).token as string;
    const moderator = { authorization: `Bearer ${token}` };
    expect((await server.request('POST', '/api/contributors/forget', { address: ALICE_PHONE }, moderator)).status).toBe(403);
    const id = (await messagesOf('capcomnet'))[0]!.id;
    expect((await server.request('DELETE', `/api/messages/${id}`, undefined, moderator)).status).toBe(403);
    expect(everyRow(server)).toContain(ALICE_PHONE);
  });
});

describe('erasing one message', () => {
  it('removes it from the walls and the log, keeps its author’s other messages, and is audited', async () => {
    const seeded = await seed();
    const forum = await viewer('forum');
    await forum.next((f) => f.type === 'snapshot');
    const started = performance.now();
    const response = await server.request('DELETE', `/api/messages/${seeded.alice.mail.id}`, undefined, auth);
    await forum.next((f) => f.type === 'removed' && f.id === seeded.alice.mail.id, 1000);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ removed: { contributors: 0, messages: 1, pictures: 1, walls: ['forum'] } });

    const rows = everyRow(server);
    expect(rows).not.toContain('ALICEMAIL');
    expect(databaseBytes(server)).not.toContain('ALICEMAIL');
    expect(existsSync(mediaPath(seeded.alice.mail.media[0]!.url))).toBe(false);
    // The address stays: only the message was asked for. Her other messages stay too.
    expect(rows).toContain(ALICE_EMAIL);
    expect(rows).toContain('ALICESMS1');
    gapFree('forum');

    const audit = (await ok('GET', '/api/audit?wall=forum&limit=100')).items as { action: string; targetId: string; detail: Record<string, unknown> }[];
    expect(audit.find((entry) => entry.action === 'message.erase')).toMatchObject({
      targetId: String(seeded.alice.mail.id),
      detail: { from: 'approved', contributors: 0, messages: 1, pictures: 1, walls: ['forum'] },
    });

    expect((await server.request('DELETE', `/api/messages/${seeded.alice.mail.id}`, undefined, auth)).status).toBe(404);
    expect((await server.request('DELETE', '/api/messages/0', undefined, auth)).status).toBe(400);
  });
});
