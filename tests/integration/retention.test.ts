import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RETENTION_INTERVAL_MS } from '../../server/routes/retention.js';
import { databaseBytes, everyRow } from '../helpers/privacy.js';
import { channelServerOptions, gradientPng, POSTMARK_PASSWORD } from '../helpers/channels.js';
import { capturedLogger, startServer, type TestResponse, type TestServer } from '../helpers/server.js';
import { postTwilio, twilioParams } from '../helpers/twilio.js';
import { vonageSign } from '../helpers/vonage.js';
import { openSocket } from '../helpers/ws.js';

const DAY = 24 * 60 * 60 * 1000;
const VONAGE_SECRET = 'vonage-signature-secret-retention';

/** The event ends at 18:00 in Paris on 29 November 2026 (17:00 UTC); its data is kept 30 days after. */
const EVENT_ENDS_AT = '2026-11-29T18:00:00+01:00';
const EVENT_END = Date.parse(EVENT_ENDS_AT);

/** Every private address the fixture's contributors use, and the forms they could be written in. */
const TWILIO_PHONE = '+33612340001';
const TWILIO_PHONE_2 = '+33612340002';
const VONAGE_PHONE = '447700900123';
const LEA = 'lea.martin@example.org';
const SPAMMER = 'spam.sender@example.net';
/** The web form's contributor: a client without the form's cookie is the hash of its IP (routes/ingest-api.ts). */
const WEB_CLIENT = createHash('sha256').update('ip:127.0.0.1').digest('hex').slice(0, 32);
const PRIVATE = [TWILIO_PHONE, TWILIO_PHONE_2, '612340001', '612340002', VONAGE_PHONE, LEA, SPAMMER, WEB_CLIENT];

/** The contributor who writes to the walls retention must leave alone. */
const KEPT_PHONE = '+33698765432';

let clock: number;
let server: TestServer;
let auth: Record<string, string>;

beforeEach(async () => {
  clock = Date.parse('2026-11-29T10:00:00Z');
  server = await startServer(channelServerOptions({ now: () => new Date(clock), env: { VONAGE_SIGNATURE_SECRET: VONAGE_SECRET } }));
  auth = { authorization: `Bearer ${await server.adminToken()}` };
});

afterEach(async () => {
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

async function postEmail(from: string, name: string, text: string, picture: Buffer): Promise<void> {
  const response = await server.request(
      'POST',
      '/ingest/postmark',
      {
        From: from,
        FromFull: { Email: from, Name: name },
        To: 'mur@forum.example',
        ToFull: [{ Email: 'mur@forum.example', Name: '' }],
        Subject: 'Photo',
        MessageID: `retention-${randomUUID()}`,
        Date: new Date(clock).toUTCString(),
        TextBody: text,
        Headers: [],
        Attachments: [{ Name: 'photo.png', Content: picture.toString('base64'), ContentType: 'image/png', ContentLength: picture.length }],
      },
      { authorization: `Basic ${Buffer.from(`postmark:${POSTMARK_PASSWORD}`).toString('base64')}` },
    );
    if (response.status !== 200) throw new Error(`Postmark webhook answered ${response.status}: ${response.text}`);
}

/** One part of a long SMS, signed as Vonage signs it, sent now by the test's clock. */
async function postVonagePart(ref: string, n: number, total: number, text: string): Promise<void> {
  const params: Record<string, string> = {
    'api-key': 'abcd1234',
    msisdn: VONAGE_PHONE,
    to: '447700900000',
    messageId: `part-${ref}-${n}`,
    text,
    type: 'text',
    keyword: text.split(' ')[0]!.toUpperCase(),
    'message-timestamp': new Date(clock).toISOString().slice(0, 19).replace('T', ' '),
    timestamp: String(Math.floor(clock / 1000)),
    nonce: randomUUID(),
    concat: 'true',
    'concat-ref': ref,
    'concat-total': String(total),
    'concat-part': String(n),
  };
  const response = await server.request('POST', '/ingest/vonage', new URLSearchParams({ ...params, sig: vonageSign(params, VONAGE_SECRET, 'md5hash') }).toString(), {
    'content-type': 'application/x-www-form-urlencoded',
  });
  if (response.status !== 200) throw new Error(`Vonage webhook answered ${response.status}: ${response.text}`);
}

interface Listed {
  id: number;
  text: string;
  status: string;
  author: { name: string };
  media: { url: string }[];
  sender?: { kind: string; address: string } | null;
}

async function messagesOf(slug: string): Promise<Listed[]> {
  return (await ok('GET', `/api/walls/${slug}/messages?limit=500`)).items as Listed[];
}

async function findByText(slug: string, marker: string): Promise<Listed> {
  const found = (await messagesOf(slug)).find((m) => m.text.includes(marker));
  if (!found) throw new Error(`no message with "${marker}" on ${slug}`);
  return found;
}

/**
 * The forum: an event wall fed through every private channel (SMS by Twilio and by Vonage in two parts,
 * email with pictures by Postmark, the web form), some approved and some rejected, with a blocked sender.
 */
async function seedForum(): Promise<{ approvedImage: string; rejectedImage: string }> {
  await ok('POST', '/api/walls', { slug: 'forum', title: 'Forum', hashtags: ['forum'] });
  await ok('PATCH', '/api/walls/forum', {
    eventEndsAt: EVENT_ENDS_AT,
    retentionDays: 30,
    smsNumbers: ['+33700000001', '+447700900000'],
    emailAddresses: ['mur@forum.example'],
  });

  expect((await postTwilio(server, twilioParams({ MessageSid: 'SM00000000000000000000000000000011', From: TWILIO_PHONE, Body: 'SMSOK Bravo pour la plénière' }))).status).toBe(200);
  expect((await postTwilio(server, twilioParams({ MessageSid: 'SM00000000000000000000000000000012', From: TWILIO_PHONE_2, Body: 'SMSNO Publicité' }))).status).toBe(200);
  await postVonagePart('7a', 1, 2, 'LONGSMS Première partie, ');
  await postVonagePart('7a', 2, 2, 'et la seconde.');
  await postEmail(LEA, 'Léa Martin', 'MAILOK La salle vue du balcon', gradientPng(40, 30));
  await postEmail(SPAMMER, 'Promo', 'MAILNO Achetez maintenant', gradientPng(40, 30, [200, 10, 10], [10, 200, 10]));
  const web = await server.request('POST', '/api/walls/forum/contribute', { name: 'Zoé', text: 'WEBOK Merci à toute l’équipe' });
  expect(web.status).toBe(201);

  for (const marker of ['SMSOK', 'LONGSMS', 'MAILOK', 'WEBOK']) await ok('POST', `/api/messages/${(await findByText('forum', marker)).id}/approve`, {});
  for (const marker of ['SMSNO', 'MAILNO']) await ok('POST', `/api/messages/${(await findByText('forum', marker)).id}/reject`, {});
  await ok('POST', '/api/walls/forum/senders', { messageId: (await findByText('forum', 'MAILNO')).id, rule: 'blocked' });

  const approvedImage = mediaPath((await findByText('forum', 'MAILOK')).media[0]!.url);
  const rejectedImage = mediaPath((await findByText('forum', 'MAILNO')).media[0]!.url);
  expect(approvedImage).not.toBe(rejectedImage);
  return { approvedImage, rejectedImage };
}

async function runRetention(): Promise<{ walls: { slug: string; erasedAddresses: number; deletedPayloads: number; removedImages: number }[]; at: string }> {
  const response = await server.request('POST', '/api/retention/run', undefined, auth);
  expect(response.status).toBe(200);
  return response.body;
}

describe('retention', () => {
  it('erases nothing before the event’s end plus retentionDays, and exactly the private data after', async () => {
    const { approvedImage, rejectedImage } = await seedForum();
    const db = server.app.toile.repos.db;
    const forumId = server.app.toile.repos.walls.bySlug('forum')!.id;
    const payloads = (db.prepare('SELECT COUNT(*) AS n FROM messages WHERE wall_id = ? AND raw IS NOT NULL').get(forumId) as { n: number }).n;
    const parts = (db.prepare('SELECT COUNT(*) AS n FROM sms_parts').get() as { n: number }).n;
    expect(payloads).toBeGreaterThanOrEqual(5);
    expect(parts).toBe(2);
    for (const address of PRIVATE) expect(everyRow(server)).toContain(address);
    const before = await messagesOf('forum');
    expect(before.filter((m) => m.sender)).toHaveLength(6);

    // One hour short of thirty days after the end: nothing is due.
    clock = EVENT_END + 29 * DAY + 23 * 60 * 60 * 1000;
    expect((await runRetention()).walls).toEqual([]);
    for (const address of PRIVATE) expect(everyRow(server)).toContain(address);
    expect((db.prepare('SELECT COUNT(*) AS n FROM messages WHERE raw IS NOT NULL AND wall_id = ?').get(forumId) as { n: number }).n).toBe(payloads);
    expect(existsSync(rejectedImage)).toBe(true);
    expect(await messagesOf('forum')).toEqual(before);

    // A minute past thirty days.
    clock = EVENT_END + 30 * DAY + 60 * 1000;
    const report = await runRetention();
    expect(report.at).toBe(new Date(clock).toISOString());
    // Six contributors: two Twilio numbers, a Vonage number, two email addresses and one web client.
    expect(report.walls).toEqual([{ slug: 'forum', erasedAddresses: 6, deletedPayloads: payloads + parts, removedImages: 1 }]);

    const rows = everyRow(server);
    for (const address of PRIVATE) expect(rows).not.toContain(address);
    // Nor in the file's free pages or its WAL: a copy of the data directory holds none of them either.
    const bytes = databaseBytes(server);
    for (const address of PRIVATE) expect(bytes).not.toContain(address);
    expect(db.prepare('SELECT COUNT(*) AS n FROM messages WHERE raw IS NOT NULL').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM sms_parts').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM senders').get()).toEqual({ n: 0 });
    expect(existsSync(rejectedImage)).toBe(false);
    expect(existsSync(approvedImage)).toBe(true);
    expect((await server.request('GET', `/media/${approvedImage.split('/').pop()}`)).status).toBe(200);

    // The moderation API still lists every message, with its label and text, and no sender.
    const after = await messagesOf('forum');
    expect(after.map((m) => [m.id, m.text, m.status, m.author.name])).toEqual(before.map((m) => [m.id, m.text, m.status, m.author.name]));
    expect(after.every((m) => !m.sender)).toBe(true);
    expect((await findByText('forum', 'MAILNO')).media).toEqual([]);
    expect((await findByText('forum', 'MAILOK')).media).toEqual(before.find((m) => m.text.includes('MAILOK'))!.media);

    // A new screen's snapshot, read back from the database by a restarted server, shows the approved items.
    const dataDir = server.dataDir;
    await server.close();
    server = await startServer(channelServerOptions({ now: () => new Date(clock), dataDir }));
    auth = { authorization: `Bearer ${await server.adminToken()}` };
    const wall = await openSocket(`${server.wsUrl}/ws/walls/forum`);
    const snapshot = await wall.next((frame) => frame.type === 'snapshot');
    wall.close();
    const approved = before.filter((m) => m.status === 'approved');
    expect(snapshot.items.map((m: Listed) => [m.id, m.text, m.author.name]).sort()).toEqual(approved.map((m) => [m.id, m.text, m.author.name]).sort());
    expect(JSON.stringify(snapshot)).toContain('/media/');

    // The restart's own pass, and another one, find nothing more to do.
    expect(await runRetention()).toEqual({ walls: [{ slug: 'forum', erasedAddresses: 0, deletedPayloads: 0, removedImages: 0 }], at: new Date(clock).toISOString() });
    const audit = await ok('GET', '/api/audit?wall=forum&limit=100');
    const retained = audit.items.filter((entry: { action: string }) => entry.action === 'wall.retention');
    expect(retained).toHaveLength(1);
    expect(retained[0]).toMatchObject({
      actor: 'system',
      wall: 'forum',
      detail: { erasedAddresses: 6, deletedPayloads: payloads + parts, removedImages: 1, dueAt: new Date(EVENT_END + 30 * DAY).toISOString() },
    });
  });

  it('never touches a wall without an event end or without retentionDays', async () => {
    await ok('POST', '/api/walls', { slug: 'kept', title: 'Kept' });
    await ok('PATCH', '/api/walls/kept', { retentionDays: 0 });
    await ok('PATCH', '/api/walls/capcomnet', { eventEndsAt: EVENT_ENDS_AT });
    // Unrouted, an SMS reaches the default wall.
    expect((await postTwilio(server, twilioParams({ MessageSid: 'SM00000000000000000000000000000021', From: KEPT_PHONE, To: '+33700000099', Body: 'Bonjour' }))).status).toBe(200);
    expect((await server.request('POST', '/api/walls/kept/contribute', { name: 'Zoé', text: 'Salut' })).status).toBe(201);

    clock = EVENT_END + 3650 * DAY;
    expect((await runRetention()).walls).toEqual([]);
    const rows = everyRow(server);
    expect(rows).toContain(KEPT_PHONE);
    expect(rows).toContain(WEB_CLIENT);
    const raw = server.app.toile.repos.db.prepare("SELECT COUNT(*) AS n FROM messages WHERE source = 'twilio' AND raw IS NOT NULL").get();
    expect(raw).toEqual({ n: 1 });
    expect((await messagesOf('capcomnet'))[0]!.sender).toEqual({ kind: 'phone', address: KEPT_PHONE });
  });

  it('keeps a contributor who also wrote to a wall whose data is still kept', async () => {
    await ok('PATCH', '/api/walls/capcomnet', { eventEndsAt: EVENT_ENDS_AT, retentionDays: 1 });
    await ok('POST', '/api/walls', { slug: 'later', title: 'Later' });
    await ok('PATCH', '/api/walls/later', { eventEndsAt: '2027-06-01T18:00:00Z', retentionDays: 1, smsNumbers: ['+33700000002'] });
    expect((await postTwilio(server, twilioParams({ MessageSid: 'SM00000000000000000000000000000031', From: KEPT_PHONE, Body: 'Premier' }))).status).toBe(200);
    expect((await postTwilio(server, twilioParams({ MessageSid: 'SM00000000000000000000000000000032', From: KEPT_PHONE, To: '+33700000002', Body: 'Second' }))).status).toBe(200);

    clock = EVENT_END + 2 * DAY;
    expect((await runRetention()).walls).toEqual([{ slug: 'capcomnet', erasedAddresses: 1, deletedPayloads: 1, removedImages: 0 }]);
    expect((await messagesOf('capcomnet'))[0]!.sender).toBeFalsy();
    expect((await messagesOf('later'))[0]!.sender).toEqual({ kind: 'phone', address: KEPT_PHONE });

    clock = Date.parse('2027-06-03T18:00:00Z');
    expect((await runRetention()).walls.map((w) => [w.slug, w.erasedAddresses])).toEqual([['capcomnet', 0], ['later', 1]]);
    expect(everyRow(server)).not.toContain(KEPT_PHONE);
  });

  it('runs once the server is ready', async () => {
    await ok('PATCH', '/api/walls/capcomnet', { eventEndsAt: EVENT_ENDS_AT, retentionDays: 0 });
    expect((await postTwilio(server, twilioParams({ MessageSid: 'SM00000000000000000000000000000041', From: KEPT_PHONE, Body: 'Bonjour' }))).status).toBe(200);
    clock = EVENT_END + 60 * 1000;
    const dataDir = server.dataDir;
    await server.close();
    server = await startServer(channelServerOptions({ now: () => new Date(clock), dataDir }));
    expect(everyRow(server)).not.toContain(KEPT_PHONE);
  });
});

describe('the hourly retention pass', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs every hour, and a failing pass is logged and tried again at the next one', async () => {
    await server.close({ removeData: true });
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { logger, lines } = capturedLogger();
    server = await startServer(channelServerOptions({ now: () => new Date(clock), logger }));
    auth = { authorization: `Bearer ${await server.adminToken()}` };
    await ok('PATCH', '/api/walls/capcomnet', { eventEndsAt: EVENT_ENDS_AT, retentionDays: 1 });
    expect((await postTwilio(server, twilioParams({ MessageSid: 'SM00000000000000000000000000000051', From: KEPT_PHONE, Body: 'Bonjour' }))).status).toBe(200);
    clock = EVENT_END + 2 * DAY;

    const retention = server.app.retention;
    const run = retention.run;
    retention.run = () => {
      throw new Error('disk I/O error');
    };
    vi.advanceTimersByTime(RETENTION_INTERVAL_MS);
    expect(lines.some((line) => line.includes('retention failed'))).toBe(true);
    expect(everyRow(server)).toContain(KEPT_PHONE);

    retention.run = run;
    vi.advanceTimersByTime(RETENTION_INTERVAL_MS - 1);
    expect(everyRow(server)).toContain(KEPT_PHONE);
    vi.advanceTimersByTime(1);
    expect(everyRow(server)).not.toContain(KEPT_PHONE);
    const log = lines.filter((line) => line.includes('retention erased'));
    expect(log).toHaveLength(1);
    expect(JSON.parse(log[0]!)).toMatchObject({ retention: [{ slug: 'capcomnet', erasedAddresses: 1, deletedPayloads: 1, removedImages: 0 }] });
  });
});

describe('PATCH /api/walls/:slug eventEndsAt', () => {
  it('stores the event’s end in UTC and shows it to admins', async () => {
    const patched = await ok('PATCH', '/api/walls/capcomnet', { eventEndsAt: EVENT_ENDS_AT, retentionDays: 30 });
    expect(patched).toMatchObject({ eventEndsAt: '2026-11-29T17:00:00.000Z', retentionDays: 30 });
    const cleared = await ok('PATCH', '/api/walls/capcomnet', { eventEndsAt: null });
    expect(cleared.eventEndsAt).toBeNull();
    // The public view does not carry it.
    expect((await server.request('GET', '/api/walls/capcomnet')).body).not.toHaveProperty('eventEndsAt');
  });

  it.each([['tomorrow'], ['2026-11-29'], ['2026-11-29T18:00:00'], ['2026-13-40T25:00:00Z'], [42]])('refuses %j with a 400 that names the field', async (value) => {
    const response = await server.request('PATCH', '/api/walls/capcomnet', { eventEndsAt: value }, auth);
    expect(response.status).toBe(400);
    expect(response.body.message).toContain('eventEndsAt');
  });

  it('lets only an admin run retention', async () => {
    expect((await server.request('POST', '/api/retention/run')).status).toBe(401);
  });
});
