import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseEmail } from '../../server/services/email.js';
import { startServer, type TestServer } from '../helpers/server.js';

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4d10000000049454e44ae426082',
  'hex',
);

let server: TestServer;
let auth: Record<string, string>;

beforeEach(async () => {
  server = await startServer();
  auth = { authorization: `Bearer ${await server.adminToken()}` };
  await server.request('PATCH', '/api/walls/capcomnet', { emailAddresses: ['mur@event.example'] }, auth);
  await server.request('POST', '/api/walls', { slug: 'atelier', title: 'Atelier', hashtags: ['atelier'] }, auth);
});

afterEach(async () => {
  await server.close({ removeData: true });
});

function compose(options: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return new MailComposer(options).compile().build();
}

async function receive(raw: Buffer, envelope: { from?: string; to?: string[] } = {}) {
  const parsed = await parseEmail(raw, { envelopeFrom: envelope.from });
  return server.app.toile.email({ source: 'smtp', parsed, envelopeFrom: envelope.from, envelopeTo: envelope.to });
}

async function messages(wall: string, status = 'pending') {
  const response = await server.request('GET', `/api/walls/${wall}/messages?status=${status}`, undefined, auth);
  return response.body.items as { text: string; author: { name: string }; reasons: string[]; media: { url: string }[]; sender: { address: string } }[];
}

describe('the common email path', () => {
  it('queues a mail under its sender’s display name, with the quoted history gone and addresses in it masked', async () => {
    const raw = await compose({
      from: 'Jeanne Dupont <jeanne.dupont@example.org>',
      to: 'mur@event.example',
      subject: 'Re: La table ronde',
      messageId: '<a1@example.org>',
      text: 'Bravo, écrivez-moi à jeanne.dupont@example.org !\n\nOn Sat, Nov 28, 2026 at 10:00 AM Toile <mur@event.example> wrote:\n> Merci de votre message\n',
    });
    const outcome = await receive(raw);
    expect(outcome.kind).toBe('stored');
    const [item] = await messages('capcomnet');
    expect(item).toMatchObject({ author: { name: 'Jeanne Dupont' }, sender: { address: 'jeanne.dupont@example.org' } });
    expect(item!.text).toBe('La table ronde\nBravo, écrivez-moi à j••• !');
    expect((await receive(raw)).kind).toBe('duplicate');
    expect(await messages('capcomnet')).toHaveLength(1);
  });

  it('masks the address when there is no display name, and routes plus-addressing to the named wall', async () => {
    await receive(await compose({ from: 'zoe@example.org', to: 'mur+atelier@event.example', subject: 'Atelier', text: 'Très utile', messageId: '<a2@example.org>' }));
    const [item] = await messages('atelier');
    expect(item).toMatchObject({ author: { name: 'z•••' }, text: 'Atelier\nTrès utile' });
    expect(await messages('capcomnet')).toEqual([]);
  });

  it('routes by the envelope recipient of a Bcc, stores an image attachment as media and drops the rest', async () => {
    const raw = await compose({
      from: 'Ana <ana@example.org>',
      to: 'someone@example.org',
      subject: 'Photo',
      text: 'La salle',
      messageId: '<a3@example.org>',
      attachments: [
        { filename: 'salle.png', content: PNG, contentType: 'image/png' },
        { filename: 'programme.pdf', content: Buffer.from('%PDF-1.4 not a picture'), contentType: 'application/pdf' },
      ],
    });
    await receive(raw, { from: 'ana@example.org', to: ['mur+atelier@event.example'] });
    const [item] = await messages('atelier');
    expect(item!.media).toHaveLength(1);
    expect(item!.media[0]!.url).toMatch(/^\/media\/[a-f0-9]{64}\.png$/);
    expect((await fetch(server.url + item!.media[0]!.url)).status).toBe(404);
  });

  it('stores automatic mail rejected with its reason, never queued: a bounce and an auto-reply', async () => {
    const bounce = readFileSync(join(import.meta.dirname, '../fixtures/eml/delivery-status.eml'));
    expect((await receive(bounce, { from: '', to: ['mur@event.example'] })).kind).toBe('automatic');
    const autoReply = await compose({
      from: 'Bob <bob@example.org>',
      to: 'mur@event.example',
      subject: 'Absent',
      text: 'Je suis absent.',
      messageId: '<a4@example.org>',
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    expect((await receive(autoReply)).kind).toBe('automatic');
    expect(await messages('capcomnet')).toEqual([]);
    const rejected = await messages('capcomnet', 'rejected');
    expect(rejected.map((m) => m.reasons).sort()).toEqual([['auto-submitted'], ['bounce-report']]);
  });
});
