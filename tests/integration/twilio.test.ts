import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import twilio from 'twilio';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capturedLogger, startServer, type TestServer } from '../helpers/server.js';
import { ACCOUNT_SID, postTwilio, TWILIO_TOKEN, twilioParams } from '../helpers/twilio.js';
import { openSocket } from '../helpers/ws.js';

const SHARED_KEY = 'twilio-shared-key-secret-abcdef';
const FIXTURE = readFileSync(join(import.meta.dirname, '../fixtures/sms/twilio-inbound.form'), 'utf8').trimEnd();

let server: TestServer;
let auth: Record<string, string>;

beforeEach(async () => {
  server = await startServer({ env: { TWILIO_AUTH_TOKEN: TWILIO_TOKEN, TWILIO_SHARED_KEY_SECRET: SHARED_KEY } });
  auth = { authorization: `Bearer ${await server.adminToken()}` };
});

afterEach(async () => {
  await server.close({ removeData: true });
});

/** What the database holds, counted directly: the truth about "nothing stored". */
function counts() {
  const db = server.app.toile.repos.db;
  const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  return { messages: n('SELECT COUNT(*) AS n FROM messages'), contributors: n('SELECT COUNT(*) AS n FROM contributors') };
}

async function queue(status = 'pending') {
  const response = await server.request('GET', `/api/walls/capcomnet/messages?status=${status}`, undefined, auth);
  expect(response.status).toBe(200);
  return response.body.items as { id: number; text: string; author: { name: string }; reasons: string[]; sender?: { address: string }; media: { url: string }[]; version: number; status: string }[];
}

describe('POST /ingest/twilio', () => {
  it('accepts the real captured Twilio body, answers TwiML, and queues the message with a masked sender', async () => {
    const params = Object.fromEntries(new URLSearchParams(FIXTURE));
    const signature = twilio.getExpectedTwilioSignature(TWILIO_TOKEN, `${server.url}/ingest/twilio`, params);
    const response = await server.request('POST', '/ingest/twilio', FIXTURE, {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signature,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/xml/);
    expect(response.text).toMatch(/<Response\/>$/);
    const [item] = await queue();
    expect(item).toMatchObject({ text: 'twilio-go testing!', author: { name: 'SMS ••64' }, sender: { address: '+19253920364' } });
  });

  it('stores a retry of the same MessageSid once, and answers it the same way', async () => {
    const params = twilioParams();
    expect((await postTwilio(server, params)).status).toBe(200);
    const retry = await postTwilio(server, params);
    expect(retry.status).toBe(200);
    expect(retry.text).toMatch(/<Response\/>$/);
    expect(counts().messages).toBe(1);
  });

  it('refuses a missing signature with 400 and a bad one with 403, storing nothing, not even the sender', async () => {
    const params = twilioParams();
    const unsigned = await server.request('POST', '/ingest/twilio', new URLSearchParams(params).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(unsigned.status).toBe(400);
    expect(unsigned.body.code).toBe('missing_signature');
    const forged = await postTwilio(server, params, { secret: 'not-the-token' });
    expect(forged.status).toBe(403);
    const tampered = await postTwilio(server, params, { headers: {} }).then(async () => {
      // Signed for one body, sent with another.
      const signature = twilio.getExpectedTwilioSignature(TWILIO_TOKEN, `${server.url}/ingest/twilio`, twilioParams({ MessageSid: 'SMother' }));
      return server.request('POST', '/ingest/twilio', new URLSearchParams(twilioParams({ MessageSid: 'SMother', Body: 'changed' })).toString(), {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature,
      });
    });
    expect(tampered.status).toBe(403);
    const otherUrl = await postTwilio(server, twilioParams({ MessageSid: 'SMurl' }), { signedUrl: 'https://elsewhere.example/ingest/twilio' });
    expect(otherUrl.status).toBe(403);
    expect(counts()).toEqual({ messages: 1, contributors: 1 });
  });

  it('checks the query string and the port variants of the public URL', async () => {
    server.app.toile.config.publicUrl = 'https://toile.example.org';
    const withQuery = await postTwilio(server, twilioParams({ MessageSid: 'SMq' }), { path: '/ingest/twilio?wall=capcomnet&x=%C3%A9' });
    expect(withQuery.status).toBe(200);
    const explicitPort = await postTwilio(server, twilioParams({ MessageSid: 'SMport' }), { signedUrl: 'https://toile.example.org:443/ingest/twilio' });
    expect(explicitPort.status).toBe(200);
    const wrongPort = await postTwilio(server, twilioParams({ MessageSid: 'SMbad' }), { signedUrl: 'https://toile.example.org:8443/ingest/twilio' });
    expect(wrongPort.status).toBe(403);
  });

  it('takes the HMAC-SHA256 SharedKey signature announced by X-Twilio-Webhooks-Signature-Settings', async () => {
    const settings = { 'x-twilio-webhooks-signature-settings': 'key=webhooks_sharedkey_01,algorithm=HMAC_SHA256' };
    const signed = await postTwilio(server, twilioParams({ MessageSid: 'SMsha256' }), { secret: SHARED_KEY, algorithm: 'HMAC_SHA256', headers: settings });
    expect(signed.status).toBe(200);
    // The header says SharedKey: a signature made with the auth token does not count.
    const withToken = await postTwilio(server, twilioParams({ MessageSid: 'SMtoken' }), { algorithm: 'HMAC_SHA256', headers: settings });
    expect(withToken.status).toBe(403);
    const unknown = await postTwilio(server, twilioParams({ MessageSid: 'SMmd5' }), {
      secret: SHARED_KEY,
      headers: { 'x-twilio-webhooks-signature-settings': 'algorithm=HMAC_MD5' },
    });
    expect(unknown.status).toBe(403);
    expect((await queue()).map((m) => m.text)).toEqual(['Bravo pour la plénière #capcomnet']);
  });

  it('answers 503 while the database is locked, storing nothing, then stores the retry', async () => {
    const other = new Database(join(server.dataDir, 'toile.db'));
    other.exec('BEGIN IMMEDIATE');
    try {
      const locked = await postTwilio(server, twilioParams());
      expect(locked.status).toBe(503);
      expect(locked.headers.get('retry-after')).toBe('5');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(counts().messages).toBe(0);
    expect((await postTwilio(server, twilioParams())).status).toBe(200);
    expect(counts().messages).toBe(1);
  }, 20_000);

  it('is a 404 when no Twilio secret is configured', async () => {
    const bare = await startServer();
    try {
      const response = await postTwilio(bare, twilioParams());
      expect(response.status).toBe(404);
    } finally {
      await bare.close({ removeData: true });
    }
  });
});

describe('SMS keywords, throttling and privacy (through Twilio)', () => {
  it('never queues STOP, withdraws the sender’s pending messages, ignores them until START', async () => {
    const moderator = await openSocket(`${server.wsUrl}/ws/moderate/capcomnet`, auth);
    expect((await postTwilio(server, twilioParams({ MessageSid: 'SM1', Body: 'first message' }))).status).toBe(200);
    await moderator.next((f) => f.type === 'message' && f.message.text === 'first message');

    const stop = await postTwilio(server, twilioParams({ MessageSid: 'SM2', Body: '  Stop! ' }));
    expect(stop.status).toBe(200);
    expect(stop.text).toMatch(/<Response\/>$/);
    // The queue drops the withdrawn message; the STOP itself is never sent to moderators.
    const withdrawn = await moderator.next((f) => f.type === 'message' && f.message.status === 'rejected');
    expect(withdrawn.message).toMatchObject({ text: 'first message', reasons: ['opted-out'] });
    expect(await queue()).toEqual([]);

    await postTwilio(server, twilioParams({ MessageSid: 'SM3', Body: 'after stop' }));
    expect(await queue()).toEqual([]);
    await postTwilio(server, twilioParams({ MessageSid: 'SM4', Body: 'start' }));
    await postTwilio(server, twilioParams({ MessageSid: 'SM5', Body: 'back again' }));
    expect((await queue()).map((m) => m.text)).toEqual(['back again']);

    const everything = JSON.stringify([...(await queue('rejected')), ...moderator.frames]);
    for (const keyword of ['Stop', 'start']) expect(everything).not.toContain(`"text":"${keyword}`);
    const snapshot = await openSocket(`${server.wsUrl}/ws/moderate/capcomnet`, auth);
    const first = await snapshot.next();
    expect(JSON.stringify(first)).not.toMatch(/"text":"(Stop|start)/);
    snapshot.close();
    moderator.close();
  });

  it('treats every opt-out word the same, in any case and width', async () => {
    const words = ['STOP', 'stopall', 'Unsubscribe', 'CANCEL', 'end', 'QUIT', 'revoke', 'OPTOUT', 'arrêt', 'ＳＴＯＰ'];
    for (const [i, word] of words.entries()) {
      await postTwilio(server, twilioParams({ MessageSid: `SMw${i}`, From: `+3361000000${i}`, Body: word }));
      await postTwilio(server, twilioParams({ MessageSid: `SMx${i}`, From: `+3361000000${i}`, Body: 'hello' }));
    }
    expect(await queue()).toEqual([]);
    expect(await queue('rejected')).toHaveLength(words.length);
    expect((await queue('rejected')).every((m) => m.text === 'hello' && m.reasons.includes('opted-out'))).toBe(true);
  });

  it('answers HELP with the wall’s instructions, and normal messages with the configured reply, as TwiML text', async () => {
    const help = await postTwilio(server, twilioParams({ MessageSid: 'SMh', Body: 'help' }));
    expect(help.text).toContain('<Message>Cap’Com: text your message');
    await server.request('PATCH', '/api/walls/capcomnet', { smsReply: 'Merci <3 & à bientôt', smsHelp: 'Écrivez votre message, STOP pour arrêter' }, auth);
    expect((await postTwilio(server, twilioParams({ MessageSid: 'SMi', Body: 'INFO' }))).text).toContain('<Message>Écrivez votre message, STOP pour arrêter</Message>');
    const reply = await postTwilio(server, twilioParams({ MessageSid: 'SMj', Body: 'Super' }));
    expect(reply.text).toContain('<Message>Merci &lt;3 &amp; à bientôt</Message>');
    expect((await queue()).map((m) => m.text)).toEqual(['Super']);
  });

  it('throttles a sender past 5 messages a minute: the rest are stored, not queued, visible to moderators', async () => {
    for (let i = 0; i < 7; i++) {
      expect((await postTwilio(server, twilioParams({ MessageSid: `SMt${i}`, Body: `message ${i}` }))).status).toBe(200);
    }
    // Newest first, as the moderation API lists them.
    expect((await queue()).map((m) => m.text)).toEqual(['message 4', 'message 3', 'message 2', 'message 1', 'message 0']);
    const throttled = await queue('rejected');
    expect(throttled.map((m) => [m.text, m.reasons])).toEqual([['message 6', ['throttled']], ['message 5', ['throttled']]]);
    // Another sender is not affected; a moderator can still approve a throttled message.
    await postTwilio(server, twilioParams({ MessageSid: 'SMother', From: '+33799999999', Body: 'other sender' }));
    expect((await queue()).map((m) => m.text)).toContain('other sender');
    const approve = await server.request('POST', `/api/messages/${throttled[0]!.id}/approve`, { version: throttled[0]!.version }, auth);
    expect(approve.status).toBe(200);
  });

  it('routes by the number texted, requires and strips a wall’s keyword, and takes "Name: message"', async () => {
    await server.request('POST', '/api/walls', { slug: 'atelier', title: 'Atelier', hashtags: [] }, auth);
    await server.request('PATCH', '/api/walls/atelier', { smsNumbers: ['+33700000099'], smsKeyword: 'MUR', smsNamePrefix: true }, auth);
    await postTwilio(server, twilioParams({ MessageSid: 'SMr1', To: '+33700000099', Body: 'mur: Marie Curie: Quelle énergie !' }));
    await postTwilio(server, twilioParams({ MessageSid: 'SMr2', To: '+33700000099', Body: 'sans le mot clé' }));
    await postTwilio(server, twilioParams({ MessageSid: 'SMr3', To: '+33700000001', Body: 'MUR on the main number' }));
    const atelier = await server.request('GET', '/api/walls/atelier/messages', undefined, auth);
    const items = atelier.body.items as { text: string; author: { name: string }; status: string; reasons: string[] }[];
    expect(items.map((m) => [m.status, m.author.name, m.text, m.reasons])).toEqual([
      ['pending', 'SMS ••78', 'on the main number', []],
      ['rejected', 'SMS ••78', 'sans le mot clé', ['missing-keyword']],
      ['pending', 'Marie Curie', 'Quelle énergie !', []],
    ]);
  });

  it('masks phone numbers typed in the text, even where a name would be', async () => {
    await server.request('PATCH', '/api/walls/capcomnet', { smsNamePrefix: true }, auth);
    await postTwilio(server, twilioParams({ MessageSid: 'SMm', Body: '06 12 34 56 78: call me on +33 6 98 76 54 32 or 0611223344 before 2026-11-30' }));
    const [item] = await queue();
    // Digits are not a name: the prefix stays in the text, masked.
    expect(item!.text).toBe('••78: call me on ••32 or ••44 before 2026-11-30');
    expect(item!.author.name).toBe('SMS ••78');
  });
});

describe('MMS pictures', () => {
  const PNG = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    Buffer.from('0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4d10000000049454e44ae426082', 'hex'),
  ]);
  let api: Server;
  let cdn: Server;
  let cdnHeaders: IncomingHttpHeaders[];
  let apiUrl: string;

  async function listen(s: Server): Promise<string> {
    await new Promise<void>((done) => s.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  }

  beforeEach(async () => {
    cdnHeaders = [];
    // Twilio's media URL answers only with the account's basic auth, then redirects to a CDN.
    cdn = createServer((request, response) => {
      cdnHeaders.push(request.headers);
      if (request.url === '/big.png') response.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.concat([PNG, Buffer.alloc(4096)]));
      else if (request.url === '/page.png') response.writeHead(200, { 'content-type': 'image/png' }).end('<html><script>alert(1)</script></html>');
      else response.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    });
    const cdnUrl = await listen(cdn);
    api = createServer((request, response) => {
      const expected = `Basic ${Buffer.from(`${ACCOUNT_SID}:${TWILIO_TOKEN}`).toString('base64')}`;
      if (request.headers.authorization !== expected) return void response.writeHead(401).end();
      response.writeHead(302, { location: `${cdnUrl}/${request.url!.split('/').pop()}` }).end();
    });
    apiUrl = await listen(api);
  });

  afterEach(async () => {
    await new Promise((done) => api.close(done));
    await new Promise((done) => cdn.close(done));
  });

  it('fetches the picture with the account’s credentials, never sends them to the CDN, and shows it only once approved', async () => {
    const sent = await postTwilio(server, twilioParams({ MessageSid: 'MMpic', NumMedia: '1', MediaUrl0: `${apiUrl}/Media/ME1.png`, MediaContentType0: 'image/png' }));
    expect(sent.status).toBe(200);
    expect(cdnHeaders).toHaveLength(1);
    expect(cdnHeaders[0]!.authorization).toBeUndefined();
    const [item] = await queue();
    expect(item!.media).toHaveLength(1);
    const url = item!.media[0]!.url;
    expect(url).toMatch(/^\/media\/[a-f0-9]{64}\.png$/);

    expect((await fetch(server.url + url)).status).toBe(404);
    const forModerator = await fetch(server.url + url, { headers: auth });
    expect(forModerator.status).toBe(200);
    expect(forModerator.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await forModerator.arrayBuffer())).toEqual(PNG);

    const wall = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
    await wall.next((f) => f.type === 'snapshot');
    await server.request('POST', `/api/messages/${item!.id}/approve`, { version: item!.version }, auth);
    const approved = await wall.next((f) => f.type === 'approved');
    expect(approved.message.media).toEqual([{ kind: 'image', url }]);
    const publicly = await fetch(server.url + url);
    expect(publicly.status).toBe(200);
    expect(publicly.headers.get('x-content-type-options')).toBe('nosniff');

    await server.request('POST', `/api/messages/${item!.id}/hide`, { version: item!.version + 1 }, auth);
    expect((await fetch(server.url + url)).status).toBe(404);
    wall.close();
  });

  it('refuses what is not an image by its bytes or is too large, holding the message with the reason', async () => {
    await server.close({ removeData: true });
    server = await startServer({ env: { TWILIO_AUTH_TOKEN: TWILIO_TOKEN }, mediaLimits: { maxBytes: 1024 } });
    auth = { authorization: `Bearer ${await server.adminToken()}` };
    await server.request('PATCH', '/api/walls/capcomnet', { moderation: 'post' }, auth);
    await postTwilio(server, twilioParams({ MessageSid: 'MMhtml', NumMedia: '1', MediaUrl0: `${apiUrl}/Media/page.png` }));
    await postTwilio(server, twilioParams({ MessageSid: 'MMbig', From: '+33611111111', NumMedia: '1', MediaUrl0: `${apiUrl}/Media/big.png` }));
    // Another account's media: Twilio would refuse our credentials.
    await postTwilio(server, twilioParams({ MessageSid: 'MMauth', From: '+33622222222', AccountSid: 'ACother', NumMedia: '1', MediaUrl0: `${apiUrl}/Media/ok.png` }));
    const held = await queue();
    expect(held.map((m) => [m.media.length, m.reasons])).toEqual([
      [0, ['media-http-401']],
      [0, ['media-too-large']],
      [0, ['media-not-an-image']],
    ]);
  });
});

describe('privacy', () => {
  it('never lets the sender’s number reach a wall frame, a log line or an error body', async () => {
    await server.close({ removeData: true });
    const { logger, lines } = capturedLogger();
    server = await startServer({ env: { TWILIO_AUTH_TOKEN: TWILIO_TOKEN }, logger });
    auth = { authorization: `Bearer ${await server.adminToken()}` };
    await server.request('PATCH', '/api/walls/capcomnet', { moderation: 'post' }, auth);
    const wall = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
    await wall.next((f) => f.type === 'snapshot');

    const bodies: string[] = [];
    const number = '+33612345678';
    const send = async (params: Record<string, string>, options = {}) => bodies.push((await postTwilio(server, params, options)).text);
    await send(twilioParams({ MessageSid: 'SMp1', Body: `mon numéro ${number} et 06 12 34 56 78` }));
    await send(twilioParams({ MessageSid: 'SMp2', Body: 'hello' }), { secret: 'forged' });
    await send(twilioParams({ MessageSid: '', Body: 'no sid' }));
    await send(twilioParams({ MessageSid: 'SMp3', Body: 'STOP' }));
    await send(twilioParams({ MessageSid: 'SMp4', Body: 'after' }));
    bodies.push((await server.request('POST', '/ingest/twilio', `From=${encodeURIComponent(number)}`, { 'content-type': 'application/x-www-form-urlencoded' })).text);
    await wall.next((f) => f.type === 'approved');
    wall.close();

    const everything = [...lines, ...bodies, ...wall.frames.map((f) => JSON.stringify(f))].join('\n');
    expect(lines.length).toBeGreaterThan(5);
    for (const form of ['612345678', '6 12 34 56', '0612345678']) expect(everything).not.toContain(form);
  });
});
