import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_FIELD_BYTES } from '../../server/routes/ingest-sendgrid.js';
import { capturedLogger, startServer, type TestServer } from '../helpers/server.js';
import { openSocket } from '../helpers/ws.js';

const PASSWORD = 'sendgrid-inbound-password-for-tests';
const SENDER = 'james@opennorth.ca';

/**
 * A real Inbound Parse post, as captured (tests/fixtures/email-webhooks/README.md): the request's headers,
 * a blank line, then the multipart body, whose bytes are sent exactly as SendGrid sent them.
 */
function capture(name: string): { contentType: string; body: Buffer } {
  const bytes = readFileSync(join(import.meta.dirname, '../fixtures/email-webhooks', name));
  const end = bytes.indexOf('\r\n\r\n');
  const contentType = bytes
    .subarray(0, end)
    .toString('latin1')
    .split('\r\n')
    .find((line) => /^content-type:/i.test(line))!
    .replace(/^content-type:\s*/i, '');
  return { contentType, body: bytes.subarray(end + 4) };
}

const VALID = capture('sendgrid-valid.txt');
const SPAM = capture('sendgrid-spam.txt');
const ENCODING = capture('sendgrid-encoding.txt');

/** A 1×1 PNG. */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4d10000000049454e44ae426082',
  'hex',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

let server: TestServer;
let auth: Record<string, string>;

beforeEach(async () => {
  server = await startServer({ env: { SENDGRID_INBOUND_PASSWORD: PASSWORD } });
  auth = { authorization: `Bearer ${await server.adminToken()}` };
});

afterEach(async () => {
  await server.close({ removeData: true });
});

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** Posts bytes with the given Content-Type, with SendGrid's basic auth unless `authorization` says otherwise. */
function postRaw(contentType: string, body: Buffer, authorization: string | null = basic('toile', PASSWORD)) {
  return fetch(`${server.url}/ingest/sendgrid`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(authorization === null ? {} : { authorization }) },
    body: new Uint8Array(body),
  });
}

/** Posts a form built by fetch's own multipart encoder. */
function postForm(form: FormData, authorization: string = basic('toile', PASSWORD)) {
  return fetch(`${server.url}/ingest/sendgrid`, { method: 'POST', headers: { authorization }, body: form });
}

/** A parsed-mode form in SendGrid's shape, with UTF-8 fields. */
function parsedForm(fields: { headers?: string; from?: string; to?: string; subject?: string; text?: string; envelopeFrom?: string } = {}): FormData {
  const form = new FormData();
  const messageId = `<${Math.random().toString(36).slice(2)}@example.org>`;
  form.append('headers', fields.headers ?? `From: ${fields.from ?? 'Jeanne Martin <jeanne.martin@example.org>'}\r\nTo: mur@event.example\r\nMessage-ID: ${messageId}\r\nSubject: Atelier\r\n`);
  form.append('from', fields.from ?? 'Jeanne Martin <jeanne.martin@example.org>');
  form.append('to', fields.to ?? 'mur@event.example');
  form.append('subject', fields.subject ?? 'Atelier');
  form.append('text', fields.text ?? 'Très belle intervention !');
  form.append('envelope', JSON.stringify({ to: [fields.to ?? 'mur@event.example'], from: fields.envelopeFrom ?? 'jeanne.martin@example.org' }));
  form.append('charsets', JSON.stringify({ to: 'UTF-8', from: 'UTF-8', subject: 'UTF-8', text: 'UTF-8' }));
  form.append('attachments', '0');
  return form;
}

/** What the database holds, counted directly: the truth about "nothing stored". */
function counts() {
  const db = server.app.toile.repos.db;
  const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  return { messages: n('SELECT COUNT(*) AS n FROM messages'), contributors: n('SELECT COUNT(*) AS n FROM contributors') };
}

interface QueueItem {
  id: number;
  text: string;
  author: { name: string };
  reasons: string[];
  source: string;
  status: string;
  version: number;
  media: { url: string }[];
}

async function queue(status = 'pending', slug = 'capcomnet'): Promise<QueueItem[]> {
  const response = await server.request('GET', `/api/walls/${slug}/messages?status=${status}`, undefined, auth);
  expect(response.status).toBe(200);
  return response.body.items as QueueItem[];
}

describe('POST /ingest/sendgrid (parsed mode, real captures)', () => {
  it('stores the captured post once, in the pending queue, without the quote, the signature or the attachments', async () => {
    const response = await postRaw(VALID.contentType, VALID.body);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, status: 'stored' });
    const items = await queue();
    expect(items).toHaveLength(1);
    // "Test" is a subject that says nothing; the quoted lines and the "--" signature are gone; the
    // text and HTML attachments are not pictures.
    expect(items[0]).toMatchObject({
      text: 'bold text\n\nsome more bold text\n\nsome italic text',
      author: { name: 'James McKinney' },
      source: 'sendgrid',
      media: [],
    });

    const retry = await postRaw(VALID.contentType, VALID.body);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ status: 'duplicate' });
    expect(counts()).toEqual({ messages: 1, contributors: 1 });
  });

  it('decodes each field from its declared charset: windows-1252 text, UTF-8 subject', async () => {
    // The capture's text field is the bytes "World " 0x80, declared windows-1252, where 0x80 is "€"
    // (Latin-1 would make it a C1 control); its subject "Hello €" is declared UTF-8.
    expect(ENCODING.body.includes(Buffer.from('World \x80', 'latin1'))).toBe(true);
    expect((await postRaw(ENCODING.contentType, ENCODING.body)).status).toBe(200);
    const [item] = await queue();
    // "Hello" is a greeting, not a subject worth a line: the wall shows the body.
    expect(item!.text).toBe('World €');
    expect(item!.text).not.toMatch(/[\u0080-\u009f\ufffd]|Â/);
  });

  it('stores the captured GTUBE spam held for a moderator, with the spam score as the reason', async () => {
    await server.request('PATCH', '/api/walls/capcomnet', { moderation: 'post' }, auth);
    expect((await postRaw(SPAM.contentType, SPAM.body)).status).toBe(200);
    const [item] = await queue();
    expect(item).toMatchObject({ status: 'pending', reasons: ['spam-score'] });
    expect(item!.text).toBe('XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X');
  });

  it('refuses a post without basic auth or with a wrong password with 403, storing nothing', async () => {
    const attempts = [
      await postRaw(VALID.contentType, VALID.body, null),
      await postRaw(VALID.contentType, VALID.body, basic('toile', 'wrong')),
      await postRaw(VALID.contentType, VALID.body, basic('toile', `${PASSWORD}x`)),
      await postRaw(VALID.contentType, VALID.body, basic(PASSWORD, '')),
      await postRaw(VALID.contentType, VALID.body, `Bearer ${PASSWORD}`),
      await postRaw(VALID.contentType, VALID.body, 'Basic !!!'),
    ];
    expect(attempts.map((response) => response.status)).toEqual([403, 403, 403, 403, 403, 403]);
    expect(counts()).toEqual({ messages: 0, contributors: 0 });
    // Only the password is a secret: any user name will do.
    expect((await postRaw(VALID.contentType, VALID.body, basic('anyone', PASSWORD))).status).toBe(200);
  });

  it('is a 404 when SENDGRID_INBOUND_PASSWORD is not set', async () => {
    const bare = await startServer();
    try {
      const response = await fetch(`${bare.url}/ingest/sendgrid`, {
        method: 'POST',
        headers: { 'content-type': VALID.contentType, authorization: basic('toile', PASSWORD) },
        body: new Uint8Array(VALID.body),
      });
      expect(response.status).toBe(404);
    } finally {
      await bare.close({ removeData: true });
    }
  });
});

describe('POST /ingest/sendgrid (raw mode, pictures, automatic mail)', () => {
  it('reads the whole MIME message from the `email` field, and routes it by the envelope recipient', async () => {
    await server.request('POST', '/api/walls', { slug: 'atelier', title: 'Atelier', hashtags: [] }, auth);
    await server.request('PATCH', '/api/walls/capcomnet', { emailAddresses: ['mur@event.example'] }, auth);
    const mime = await new MailComposer({
      from: 'Élodie Durand <elodie@example.org>',
      to: 'mur+atelier@event.example',
      subject: 'Question pour la table ronde',
      text: 'Où en est le projet ?\n\nLe 2 juin 2025, Marie a écrit :\n> Bonjour\n\n-- \nÉlodie',
      messageId: '<raw-1@example.org>',
    })
      .compile()
      .build();
    const response = await postForm(rawForm(mime, { to: ['mur+atelier@event.example'], from: 'elodie@example.org' }));
    expect(response.status).toBe(200);
    const [item] = await queue('pending', 'atelier');
    expect(item).toMatchObject({ text: 'Question pour la table ronde\nOù en est le projet ?', author: { name: 'Élodie Durand' } });
    expect(await queue('pending', 'capcomnet')).toEqual([]);
  });

  it('stores an attached picture (private until approved) and drops a PDF', async () => {
    const form = parsedForm({ text: 'Voici la photo du stand' });
    form.append('attachments', '2');
    form.append('attachment-info', JSON.stringify({ attachment1: { filename: 'stand.png', type: 'image/png' }, attachment2: { filename: 'programme.pdf', type: 'application/pdf' } }));
    form.append('attachment1', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), 'stand.png');
    form.append('attachment2', new Blob([new Uint8Array(PDF)], { type: 'application/pdf' }), 'programme.pdf');
    expect((await postForm(form)).status).toBe(200);
    const [item] = await queue();
    expect(item!.media).toHaveLength(1);
    const url = item!.media[0]!.url;
    expect(url).toMatch(/^\/media\/[a-f0-9]{64}\.png$/);
    const publicly = await fetch(server.url + url);
    expect(publicly.status).toBe(404);
    // Read to the end: a response left unread keeps its connection busy, and the server's close waits for it.
    await publicly.arrayBuffer();
    const forModerator = await fetch(server.url + url, { headers: auth });
    expect(forModerator.status).toBe(200);
    expect(Buffer.from(await forModerator.arrayBuffer())).toEqual(PNG);
  });

  it('answers 200 to an auto-reply (Auto-Submitted in `headers`) and never queues it', async () => {
    const form = parsedForm({
      headers: 'From: Jeanne Martin <jeanne.martin@example.org>\r\nTo: mur@event.example\r\nMessage-ID: <ooo-1@example.org>\r\nAuto-Submitted: auto-replied\r\nSubject: Absent\r\n',
      subject: 'Absent',
      text: 'Je suis absente jusqu’au 12 juin.',
    });
    const response = await postForm(form);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'automatic' });
    expect(await queue()).toEqual([]);
    const [rejected] = await queue('rejected');
    expect(rejected!.reasons).toEqual(['auto-submitted']);
    // A bounce (empty envelope sender) likewise.
    expect((await postForm(parsedForm({ envelopeFrom: '', text: 'Delivery failed' }))).status).toBe(200);
    expect(await queue()).toEqual([]);
  });
});

/** A raw-mode form: the MIME message in `email`, as SendGrid posts it with "POST the raw, full MIME message". */
function rawForm(mime: Buffer, envelope: { to: string[]; from: string }): FormData {
  const form = new FormData();
  form.append('email', mime.toString('utf8'));
  form.append('envelope', JSON.stringify(envelope));
  form.append('charsets', JSON.stringify({ to: 'UTF-8', from: 'UTF-8', subject: 'UTF-8' }));
  form.append('spam_score', '0.1');
  return form;
}

describe('POST /ingest/sendgrid (what goes wrong)', () => {
  it('keeps what can be read of a form that breaks off, held for a moderator, and stays up', async () => {
    // The valid capture cut in the middle of the part after `text`: no closing boundary.
    const cut = VALID.body.subarray(0, VALID.body.indexOf('Spam detection software'));
    const response = await postRaw(VALID.contentType, cut);
    expect(response.status).toBe(200);
    const [item] = await queue();
    expect(item).toMatchObject({ text: 'bold text\n\nsome more bold text\n\nsome italic text', reasons: ['malformed-mime'] });

    // A form cut exactly between two parts reads as finished to the parser; it is held all the same.
    const between = ENCODING.body.subarray(0, ENCODING.body.indexOf('--xYzZY\r\nContent-Disposition: form-data; name="spam_report"'));
    expect((await postRaw(ENCODING.contentType, between)).status).toBe(200);
    expect((await queue()).map((m) => [m.text, m.reasons])).toContainEqual(['World €', ['malformed-mime']]);

    // Garbage, a form without a boundary, and a body that is not a form are refused with 400.
    expect((await postRaw('multipart/form-data; boundary=xYzZY', Buffer.from('not a form at all'))).status).toBe(400);
    expect((await postRaw('multipart/form-data', VALID.body)).status).toBe(400);
    expect((await postRaw('application/json', Buffer.from('{"text":"hello"}'))).status).toBe(400);
    // A part header without its colon, as a broken relay could write it.
    const broken = Buffer.from(SPAM.body.toString('latin1').replace('Content-Disposition: form-data; name="spam_report"', 'Content-Disposition'), 'latin1');
    expect((await postRaw(SPAM.contentType, broken)).status).toBe(200);
    // That part is lost (the spam report, here); the rest of the form is whole, so nothing more is held.
    expect((await queue()).map((m) => [m.text, m.reasons])).toContainEqual([
      'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X',
      ['spam-score'],
    ]);
    expect((await server.request('GET', '/healthz')).status).toBe(200);
  });

  it('reads a field whose charset nobody knows as leniently as it can', async () => {
    const body = Buffer.from(
      ENCODING.body.toString('latin1').replace('{"to":"UTF-8","subject":"UTF-8","from":"UTF-8","text":"windows-1252"}', '{"text":"x-unknown"}'),
      'latin1',
    );
    expect((await postRaw(ENCODING.contentType, body)).status).toBe(200);
    const [item] = await queue();
    // Not UTF-8, so the one high byte is read as windows-1252: the "€" survives.
    expect(item!.text).toBe('World €');
  });

  it('refuses a text field over the limit with 413, storing nothing', async () => {
    const response = await postForm(parsedForm({ text: 'a'.repeat(MAX_FIELD_BYTES + 1) }));
    expect(response.status).toBe(413);
    expect(counts()).toEqual({ messages: 0, contributors: 0 });
  });

  it('answers 503 while the database is locked, storing nothing, then stores the retry', async () => {
    const other = new Database(join(server.dataDir, 'toile.db'));
    other.exec('BEGIN IMMEDIATE');
    try {
      expect((await postRaw(VALID.contentType, VALID.body)).status).toBe(503);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(counts()).toEqual({ messages: 0, contributors: 0 });
    expect((await postRaw(VALID.contentType, VALID.body)).status).toBe(200);
    expect(counts().messages).toBe(1);
  }, 20_000);
});

describe('privacy', () => {
  it('never lets the sender’s address (or the password) reach a wall frame, a log line or an error body', async () => {
    await server.close({ removeData: true });
    const { logger, lines } = capturedLogger();
    server = await startServer({ env: { SENDGRID_INBOUND_PASSWORD: PASSWORD }, logger });
    auth = { authorization: `Bearer ${await server.adminToken()}` };
    await server.request('PATCH', '/api/walls/capcomnet', { moderation: 'post' }, auth);
    const wall = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
    await wall.next((f) => f.type === 'snapshot');

    const bodies: string[] = [];
    const keep = async (response: Promise<Response>) => bodies.push(await (await response).text());
    await keep(postRaw(VALID.contentType, VALID.body));
    await keep(postForm(parsedForm({ from: 'jeanne.martin@example.org', text: `écrivez-moi : jeanne.martin@example.org` })));
    await keep(postRaw(VALID.contentType, VALID.body, basic('toile', 'forged')));
    await keep(postRaw(VALID.contentType, VALID.body.subarray(0, 900)));
    await keep(postRaw('multipart/form-data; boundary=xYzZY', Buffer.from(`--xYzZY\r\nContent-Disposition: form-data; name="from"\r\n\r\n${SENDER}\r\n`)));
    await keep(postForm(parsedForm({ from: SENDER, text: 'x'.repeat(MAX_FIELD_BYTES + 1) })));
    await wall.next((f) => f.type === 'approved' && f.message.author.name === 'James McKinney');
    await wall.next((f) => f.type === 'approved' && f.message.author.name === 'j•••');
    wall.close();

    const everything = [...lines, ...bodies, ...wall.frames.map((f) => JSON.stringify(f))].join('\n');
    expect(lines.length).toBeGreaterThan(5);
    for (const secret of [SENDER, 'jeanne.martin', PASSWORD, Buffer.from(`toile:${PASSWORD}`).toString('base64')]) {
      expect(everything).not.toContain(secret);
    }
  });
});
