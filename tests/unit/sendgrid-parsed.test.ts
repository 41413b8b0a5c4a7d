import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { basicAuthPassword, hasBasicAuthPassword } from '../../server/providers/sendgrid-auth.js';
import { decodeField, envelopeOf, parsedModeEmail } from '../../server/providers/sendgrid-parsed.js';

/**
 * The fields of a captured Inbound Parse post, as bytes. The captures are well-formed, with parts of the
 * shape "--xYzZY CRLF Content-Disposition: form-data; name=… CRLF [Content-Type CRLF] CRLF value CRLF".
 */
function captureFields(name: string): Map<string, Buffer> {
  const bytes = readFileSync(join(import.meta.dirname, '../fixtures/email-webhooks', name));
  const body = bytes.subarray(bytes.indexOf('\r\n\r\n') + 4);
  const fields = new Map<string, Buffer>();
  const delimiter = Buffer.from('--xYzZY');
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    const fieldName = /name="([^"]+)"/.exec(part.subarray(0, headerEnd).toString('latin1'))![1]!;
    if (!/filename=/.test(part.subarray(0, headerEnd).toString('latin1'))) fields.set(fieldName, part.subarray(headerEnd + 4));
    start = next;
  }
  return fields;
}

/** Bytes in windows-1252, which Node cannot encode: Latin-1 plus the few characters it puts at 0x80–0x9F. */
function windows1252(text: string): Buffer {
  const extra: Record<string, number> = { '€': 0x80, '’': 0x92, 'œ': 0x9c, '“': 0x93, '”': 0x94 };
  return Buffer.from(Array.from(text, (char) => extra[char] ?? char.charCodeAt(0)));
}

function fields(values: Record<string, string | Buffer>): Map<string, Buffer> {
  return new Map(Object.entries(values).map(([name, value]) => [name, Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8')]));
}

describe('decodeField', () => {
  it('reads windows-1252 (and the Latin-1 labels browsers read as it) with "€", "’" and "œ" intact', () => {
    const bytes = windows1252('Cœur d’€ “été”');
    expect(decodeField(bytes, 'windows-1252')).toBe('Cœur d’€ “été”');
    expect(decodeField(bytes, 'iso-8859-1')).toBe('Cœur d’€ “été”');
    expect(decodeField(bytes, 'ISO-8859-1 ')).toBe('Cœur d’€ “été”');
    expect(decodeField(bytes, 'us-ascii')).toBe('Cœur d’€ “été”');
  });

  it('reads other charsets a browser knows', () => {
    expect(decodeField(Buffer.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4]), 'koi8-r')).toBe('Привет');
    expect(decodeField(Buffer.from([0x82, 0xa0]), 'Shift_JIS')).toBe('あ');
    expect(decodeField(Buffer.from([0xa4]), 'iso-8859-15')).toBe('€');
    expect(decodeField(Buffer.from('déjà vu', 'utf8'), 'UTF-8')).toBe('déjà vu');
  });

  it('stays readable when the label is wrong, unknown or missing', () => {
    // UTF-8 sent under a Latin-1 label, and Latin-1 under a UTF-8 one: both common, both readable.
    expect(decodeField(Buffer.from('déjà', 'utf8'), 'iso-8859-1')).toBe('déjà');
    expect(decodeField(windows1252('déjà €'), 'utf-8')).toBe('déjà €');
    expect(decodeField(windows1252('World €'), 'x-unknown')).toBe('World €');
    expect(decodeField(Buffer.from('Grüße', 'utf8'), 'x-unknown')).toBe('Grüße');
    expect(decodeField(windows1252('café'), undefined)).toBe('café');
    // ISO-2022-KR maps to WHATWG's "replacement" decoder, which would turn everything into one U+FFFD.
    expect(decodeField(Buffer.from('plain text'), 'iso-2022-kr')).toBe('plain text');
  });
});

describe('parsedModeEmail on the real captures', () => {
  it('decodes the encoding capture field by field: a UTF-8 subject, a windows-1252 text', async () => {
    const captured = captureFields('sendgrid-encoding.txt');
    const envelope = envelopeOf(captured);
    expect(envelope).toEqual({ from: 'james@opennorth.ca', to: ['foo+bar@parolecitoyenne.com'] });
    const parsed = await parsedModeEmail(captured, { envelopeFrom: envelope.from });
    expect(parsed).toMatchObject({
      messageId: '<E9C4088D-5CB1-4A7D-B4E9-C1A16FD16F3E@opennorth.ca>',
      from: { name: 'James McKinney', address: 'james@opennorth.ca' },
      to: ['foo+bar@parolecitoyenne.com'],
      subject: 'Hello €',
      text: 'World €',
      images: [],
      autoReason: null,
      hold: [],
    });
    expect(parsed.date?.toISOString()).toBe('2013-05-19T02:47:32.000Z');
  });

  it('keeps what the person wrote of the valid capture: no quoted lines, no signature', async () => {
    const parsed = await parsedModeEmail(captureFields('sendgrid-valid.txt'));
    expect(parsed.subject).toBe('Test');
    expect(parsed.text).toBe('bold text\n\nsome more bold text\n\nsome italic text');
  });

  it('gives the same id of last resort to a retry, whatever its spam report says', async () => {
    const captured = captureFields('sendgrid-spam.txt');
    const retry = new Map(captured);
    retry.set('spam_report', Buffer.from('another report'));
    retry.delete('headers');
    captured.delete('headers');
    const [first, second] = await Promise.all([parsedModeEmail(captured), parsedModeEmail(retry)]);
    expect(first.messageId).toBeUndefined();
    expect(first.rawSha256).toBe(second.rawSha256);
    captured.set('text', Buffer.from('another text'));
    expect((await parsedModeEmail(captured)).rawSha256).not.toBe(first.rawSha256);
  });
});

describe('parsedModeEmail', () => {
  it('reads the HTML when there is no text, without its blockquotes', async () => {
    const parsed = await parsedModeEmail(
      fields({ html: '<p>Bravo &eacute;quipe&nbsp;!</p><blockquote>Le message d’avant</blockquote>', charsets: '{"html":"UTF-8"}' }),
    );
    expect(parsed.text).toBe('Bravo équipe\u00a0!');
  });

  it('recognizes automatic mail from the headers field and the envelope sender', async () => {
    const auto = (headers: string, envelopeFrom?: string) => parsedModeEmail(fields({ headers, text: 'x' }), { envelopeFrom }).then((p) => p.autoReason);
    expect(await auto('Auto-Submitted: auto-replied\r\nFrom: a@example.org\r\n')).toBe('auto-submitted');
    expect(await auto('Precedence: bulk\r\n')).toBe('bulk');
    expect(await auto('List-Id: <news.example.org>\r\n')).toBe('mailing-list');
    expect(await auto('From: a@example.org\r\n', '')).toBe('empty-envelope-sender');
    expect(await auto('From: MAILER-DAEMON@example.org\r\n')).toBe('mailer-daemon');
    expect(await auto('From: a@example.org\r\nAuto-Submitted: no\r\n', 'a@example.org')).toBeNull();
  });

  it('reads display names with commas, encoded words and 8-bit text, and lists recipients without repeats', async () => {
    const parsed = await parsedModeEmail(
      fields({
        headers: 'Delivered-To: mur+atelier@event.example\r\nMessage-ID: <a@b>\r\n',
        from: windows1252('"Dupont, Cécile" <cecile@example.org>'),
        to: 'Mur <mur@event.example>, =?UTF-8?Q?Caf=C3=A9?= <cafe@example.org>',
        cc: 'MUR@event.example, Autre <autre@example.org>',
        charsets: '{"from":"iso-8859-1","to":"UTF-8","cc":"UTF-8"}',
        text: 'ok',
      }),
    );
    expect(parsed.from).toEqual({ name: 'Dupont, Cécile', address: 'cecile@example.org' });
    expect(parsed.to).toEqual(['mur+atelier@event.example', 'mur@event.example', 'cafe@example.org', 'autre@example.org']);
  });

  it('does not let a field add a header of its own', async () => {
    const parsed = await parsedModeEmail(fields({ from: 'Eve <eve@example.org>\r\nMessage-ID: <forged@example.org>', text: 'x' }));
    // The line break is gone, so "Message-ID: …" is part of the From value: no header was added.
    expect(parsed.messageId).toBeUndefined();
  });

  it('falls back to the headers field when the address and subject fields are missing', async () => {
    const parsed = await parsedModeEmail(fields({ headers: 'From: =?ISO-8859-1?Q?Ren=E9?= <rene@example.org>\r\nTo: mur@event.example\r\nSubject: =?UTF-8?B?w4l0w6k=?=\r\n', text: 'x' }));
    expect(parsed).toMatchObject({ from: { name: 'René', address: 'rene@example.org' }, to: ['mur@event.example'], subject: 'Été' });
  });
});

describe('basic auth', () => {
  const header = (credentials: string) => `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;

  it('takes the password after the first colon, whatever the user name', () => {
    expect(basicAuthPassword(header('toile:s3cret'))).toBe('s3cret');
    expect(basicAuthPassword(header('toile:a:b'))).toBe('a:b');
    expect(basicAuthPassword(header(':only-password'))).toBe('only-password');
    expect(basicAuthPassword(header('no-colon'))).toBeUndefined();
    expect(basicAuthPassword('Bearer abc')).toBeUndefined();
    expect(basicAuthPassword(undefined)).toBeUndefined();
  });

  it('compares the password exactly', () => {
    expect(hasBasicAuthPassword(header('x:mot-de-passe-é'), 'mot-de-passe-é')).toBe(true);
    expect(hasBasicAuthPassword(header('x:mot-de-passe'), 'mot-de-passe-é')).toBe(false);
    expect(hasBasicAuthPassword(header('mot-de-passe-é:'), 'mot-de-passe-é')).toBe(false);
    expect(hasBasicAuthPassword(undefined, 'mot-de-passe-é')).toBe(false);
  });
});
