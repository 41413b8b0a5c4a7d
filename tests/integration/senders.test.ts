import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { openSocket, type TestSocket } from '../helpers/ws.js';

let server: TestServer;
let auth: Record<string, string>;
let moderators: TestSocket;

/**
 * The web form remembers a client without its cookie by a hash of the IP (these requests send no cookie,
 * and all come from 127.0.0.1); a browser with the form's cookie is remembered by that instead.
 */
const CLIENT = createHash('sha256').update('ip:127.0.0.1').digest('hex').slice(0, 32);

beforeEach(async () => {
  server = await startServer({ limits: { contributePerMinute: 10_000, contributePerIpPerMinute: 10_000 } });
  auth = { authorization: `Bearer ${await server.adminToken()}` };
  // The rate and duplicate rules are left out of the way: these tests are about the lists.
  await server.request('PATCH', '/api/walls/capcomnet', { senderPerMinute: 0, duplicateWindowMinutes: 0 }, auth);
  moderators = await openSocket(`${server.wsUrl}/ws/moderate/capcomnet`, auth);
  await moderators.next((f) => f.type === 'snapshot');
});

afterEach(async () => {
  moderators.close();
  await server.close({ removeData: true });
});

async function contribute(text: string): Promise<{ id: number; status: string }> {
  const posted = await server.request('POST', '/api/walls/capcomnet/contribute', { name: 'Léa', text });
  expect(posted.status, JSON.stringify(posted.body)).toBe(201);
  return posted.body;
}

async function list(senderAuth = auth) {
  return server.request('GET', '/api/walls/capcomnet/senders', undefined, senderAuth);
}

async function messages(status: string) {
  return (await server.request('GET', `/api/walls/capcomnet/messages?status=${status}`, undefined, auth)).body.items as {
    id: number;
    status: string;
    reasons: string[];
  }[];
}

async function audit() {
  return (await server.request('GET', '/api/audit?wall=capcomnet&limit=1000', undefined, auth)).body.items as {
    action: string;
    actor: string;
    targetId: string;
    detail: Record<string, unknown>;
  }[];
}

async function approvedOnWall(): Promise<number[]> {
  const events = (await server.request('GET', '/api/walls/capcomnet/events?since=0')).body.events as { type: string; message?: { id: number } }[];
  return events.filter((event) => event.type === 'approved').map((event) => event.message!.id);
}

describe('trusted senders', () => {
  it('approves a trusted sender’s next messages at once on a pre-moderated wall, links included', async () => {
    const first = await contribute('Bonjour');
    expect(first.status).toBe('pending');
    const trusted = await server.request('POST', '/api/walls/capcomnet/senders', { messageId: first.id, rule: 'trusted' }, auth);
    expect(trusted.status).toBe(201);
    expect(trusted.body).toMatchObject({ rule: 'trusted', kind: 'client', address: CLIENT, label: 'Léa', createdBy: 'token:tests' });

    const next = await contribute('Les slides : https://example.org/talk');
    expect(next.status).toBe('approved');
    expect(await approvedOnWall()).toEqual([next.id]);
    const decision = (await audit()).find((row) => row.targetId === String(next.id));
    expect(decision).toMatchObject({ action: 'auto-approve', actor: 'system', detail: { rule: 'trusted-sender' } });
  });

  it('still holds a trusted sender’s profanity or blocked term for a moderator', async () => {
    await server.request('PATCH', '/api/walls/capcomnet', { blockedTerms: ['arnaque'] }, auth);
    await server.request('POST', '/api/walls/capcomnet/senders', { kind: 'client', address: CLIENT, rule: 'trusted' }, auth);
    const profane = await contribute('quel c0nn4rd');
    const blocked = await contribute('une arnaque');
    expect([profane.status, blocked.status]).toEqual(['pending', 'pending']);
    const pending = await messages('pending');
    expect(pending.find((m) => m.id === profane.id)?.reasons).toEqual(['profanity:connard']);
    expect(pending.find((m) => m.id === blocked.id)?.reasons).toEqual(['blocked-term:arnaque']);
  });
});

describe('blocked senders', () => {
  it('rejects the sender’s pending messages at once, live for every moderator, and keeps their next ones off the wall', async () => {
    await server.request('PATCH', '/api/walls/capcomnet', { moderation: 'post' }, auth);
    const held = await contribute('va voir promo.com');
    expect(held.status).toBe('pending');

    const blocked = await server.request('POST', '/api/walls/capcomnet/senders', { messageId: held.id, rule: 'blocked' }, auth);
    expect(blocked.status).toBe(201);
    const live = await moderators.next((f) => f.type === 'message' && f.message.id === held.id && f.message.status === 'rejected');
    expect(live.message.reasons).toEqual(['link', 'blocked-sender']);

    const next = await contribute('Bonjour à tous');
    expect(next.status).toBe('rejected');
    const rejected = await messages('rejected');
    expect(rejected.find((m) => m.id === next.id)?.reasons).toEqual(['blocked-sender']);
    expect(await approvedOnWall()).toEqual([]);
  });

  it('rejects only what the sender has waiting on this wall', async () => {
    await server.request('POST', '/api/walls', { slug: 'other', title: 'Other' }, auth);
    const elsewhere = await server.request('POST', '/api/walls/other/contribute', { text: 'Sur l’autre mur' });
    const here = await contribute('Ici');
    await server.request('POST', '/api/walls/capcomnet/senders', { messageId: here.id, rule: 'blocked' }, auth);
    expect((await messages('rejected')).map((m) => m.id)).toEqual([here.id]);
    const other = await server.request('GET', '/api/walls/other/messages?status=pending', undefined, auth);
    expect(other.body.items.map((m: { id: number }) => m.id)).toEqual([elsewhere.body.id]);
  });

  it('lets the sender through again once the entry is removed (the undo), with each change audited once', async () => {
    await server.request('PATCH', '/api/walls/capcomnet', { moderation: 'post' }, auth);
    const blocked = await server.request('POST', '/api/walls/capcomnet/senders', { kind: 'client', address: CLIENT, rule: 'blocked' }, auth);
    expect((await contribute('un')).status).toBe('rejected');
    const removed = await server.request('DELETE', `/api/walls/capcomnet/senders/${blocked.body.id}`, undefined, auth);
    expect(removed.status).toBe(204);
    expect((await list()).body.items).toEqual([]);
    expect((await contribute('deux')).status).toBe('approved');

    const actions = (await audit()).filter((row) => row.action.startsWith('sender.'));
    expect(actions.map((row) => row.action).sort()).toEqual(['sender.block', 'sender.remove']);
    expect(actions.every((row) => row.targetId === String(blocked.body.id))).toBe(true);
  });

  it('turns a trusted sender into a blocked one, and answers a repeat without a second audit row', async () => {
    const trusted = await server.request('POST', '/api/walls/capcomnet/senders', { kind: 'client', address: CLIENT, rule: 'trusted' }, auth);
    const blocked = await server.request('POST', '/api/walls/capcomnet/senders', { kind: 'client', address: CLIENT, rule: 'blocked' }, auth);
    expect(blocked.status).toBe(201);
    expect(blocked.body).toMatchObject({ id: trusted.body.id, rule: 'blocked' });
    const repeat = await server.request('POST', '/api/walls/capcomnet/senders', { kind: 'client', address: CLIENT, rule: 'blocked' }, auth);
    expect(repeat.status).toBe(200);
    expect((await list()).body.items).toHaveLength(1);
    const actions = (await audit()).filter((row) => row.action.startsWith('sender.')).map((row) => [row.action, row.detail.from]);
    expect(actions.sort()).toEqual([['sender.block', 'trusted'], ['sender.trust', undefined]]);
  });
});

describe('the sender list API', () => {
  it('lists a phone number typed with spaces as the provider would send it', async () => {
    const added = await server.request('POST', '/api/walls/capcomnet/senders', { kind: 'phone', address: '+33 6 12 34 56 78', rule: 'blocked' }, auth);
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ kind: 'phone', address: '+33612345678', label: 'SMS ••78' });
    expect((await list()).body.items).toEqual([added.body]);
  });

  it('answers 409 for a message without a sender, 404 for another wall’s message, and 400 for a body that names no sender', async () => {
    const bridged = await server.request('POST', '/api/walls/capcomnet/messages', { externalId: 'x1', author: { name: 'Ada' }, text: 'Bonjour' }, auth);
    const noSender = await server.request('POST', '/api/walls/capcomnet/senders', { messageId: bridged.body.id, rule: 'blocked' }, auth);
    expect(noSender.status).toBe(409);
    expect(noSender.body.code).toBe('no_sender');

    await server.request('POST', '/api/walls', { slug: 'other', title: 'Other' }, auth);
    const elsewhere = await server.request('POST', '/api/walls/other/senders', { messageId: (await contribute('hello')).id, rule: 'blocked' }, auth);
    expect(elsewhere.status).toBe(404);

    const nothing = await server.request('POST', '/api/walls/capcomnet/senders', { rule: 'blocked' }, auth);
    expect(nothing.status).toBe(400);
    const missingRule = await server.request('POST', '/api/walls/capcomnet/senders', { kind: 'client', address: CLIENT }, auth);
    expect(missingRule.status).toBe(400);
    expect(missingRule.body.message).toContain('rule');
  });

  it('is for moderators only', async () => {
    expect((await list({})).status).toBe(401);
    const ingest = server.app.toile.auth.createToken('bridge', 'ingest', 'tests').token;
    expect((await list({ authorization: `Bearer ${ingest}` })).status).toBe(403);
    const moderator = server.app.toile.auth.createToken('mod', 'moderator', 'tests').token;
    expect((await list({ authorization: `Bearer ${moderator}` })).status).toBe(200);
    expect((await server.request('DELETE', '/api/walls/capcomnet/senders/999', undefined, auth)).status).toBe(404);
  });
});
