import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let auth: Record<string, string>;

beforeEach(async () => {
  server = await startServer();
  auth = { authorization: `Bearer ${await server.adminToken()}` };
});

afterEach(async () => {
  await server.close({ removeData: true });
});

/** A real 1×1 PNG. */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4d10000000049454e44ae426082',
  'hex',
);
/** A real 1×1 GIF. */
const GIF = Buffer.from('47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b', 'hex');
/** The first bytes of a JPEG (SOI + JFIF APP0) and of a WebP (RIFF…WEBP): what the media store recognizes. */
const JPEG = Buffer.concat([Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'), Buffer.alloc(64)]);
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x24, 0, 0, 0]), Buffer.from('WEBPVP8 '), Buffer.alloc(32)]);
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');

function form(parts: [field: string, content: Buffer | string, type?: string][]): FormData {
  const body = new FormData();
  for (const [field, content, type] of parts) {
    if (typeof content === 'string' && type === undefined) body.append(field, content);
    else body.append(field, new Blob([typeof content === 'string' ? content : new Uint8Array(content)], { type: type ?? 'application/octet-stream' }), 'upload');
  }
  return body;
}

async function upload(body: FormData | string, headers: Record<string, string> = auth, slug = 'capcomnet') {
  const response = await fetch(`${server.url}/api/walls/${slug}/images`, {
    method: 'POST',
    headers: typeof body === 'string' ? { ...headers, 'content-type': 'application/json' } : headers,
    body,
  });
  return { status: response.status, body: (await response.json()) as { url?: string; code?: string; message?: string } };
}

describe('POST /api/walls/:slug/images', () => {
  it('stores a PNG and serves it to anyone from then on, to other sites too', async () => {
    const answer = await upload(form([['file', PNG, 'image/png']]));
    expect(answer.status).toBe(201);
    const name = `${createHash('sha256').update(PNG).digest('hex')}.png`;
    expect(answer.body).toEqual({ url: `/media/${name}` });

    const served = await fetch(server.url + answer.body.url!);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('access-control-allow-origin')).toBe('*');
    expect(Buffer.from(await served.arrayBuffer())).toEqual(PNG);

    const audit = (await server.request('GET', '/api/audit?wall=capcomnet&limit=5', undefined, auth)).body.items;
    expect(audit[0]).toMatchObject({ action: 'wall.image', targetId: name, detail: { size: PNG.length } });
    // The address it answered is one the wall settings take.
    const styled = await server.request('PATCH', '/api/walls/capcomnet', { appearance: { logo: answer.body.url } }, auth);
    expect(styled.status).toBe(200);
  });

  it('recognizes JPEG, GIF and WebP by their bytes, whatever type the browser declared', async () => {
    for (const [bytes, ext] of [[JPEG, 'jpg'], [GIF, 'gif'], [WEBP, 'webp']] as const) {
      const answer = await upload(form([['file', bytes, 'application/octet-stream']]));
      expect(answer.status, ext).toBe(201);
      expect(answer.body.url).toMatch(new RegExp(`^/media/[a-f0-9]{64}\\.${ext}$`));
    }
  });

  it('refuses SVG and anything else that is not a JPEG, PNG, GIF or WebP image', async () => {
    for (const [bytes, type] of [[SVG, 'image/svg+xml'], [SVG, 'image/png'], [Buffer.from('just text'), 'text/plain']] as const) {
      const answer = await upload(form([['file', bytes, type]]));
      expect(answer.status).toBe(415);
      expect(answer.body.code).toBe('unsupported_image');
    }
  });

  it('takes 5 MiB and refuses one byte more', async () => {
    const limit = 5 * 1024 * 1024;
    const largest = Buffer.concat([PNG, Buffer.alloc(limit - PNG.length)]);
    expect((await upload(form([['file', largest, 'image/png']]))).status).toBe(201);
    const tooLarge = await upload(form([['file', Buffer.concat([largest, Buffer.from([0])]), 'image/png']]));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.code).toBe('image_too_large');
  });

  it('wants exactly one part, the file named "file"', async () => {
    const cases: [string, FormData][] = [
      ['no part', new FormData()],
      ['another name', form([['picture', PNG, 'image/png']])],
      ['a text field', form([['file', 'not a file']])],
      ['two files', form([['file', PNG, 'image/png'], ['file', GIF, 'image/gif']])],
      ['an empty file', form([['file', Buffer.alloc(0), 'image/png']])],
    ];
    for (const [what, body] of cases) {
      const answer = await upload(body);
      expect(answer.status, what).toBe(400);
      expect(answer.body.code, what).toBe('invalid_upload');
    }
    const json = await upload(JSON.stringify({ file: 'x' }));
    expect(json.status).toBe(415);
  });

  it('is for admins only, with the CSRF header when signed in, on a wall that exists', async () => {
    const body = () => form([['file', PNG, 'image/png']]);
    expect((await upload(body(), {})).status).toBe(401);
    const moderator = server.app.toile.auth.createToken('mod', 'moderator', 'tests').token;
    expect((await upload(body(), { authorization: `Bearer ${moderator}` })).status).toBe(403);
    const session = await server.logIn('admin', server.adminPassword);
    expect((await upload(body(), { cookie: session.cookie })).status).toBe(403);
    expect((await upload(body(), session.headers)).status).toBe(201);
    expect((await upload(body(), auth, 'nope')).status).toBe(404);
  });
});

describe('GET /media/:name for the public', () => {
  it('still hides a message’s picture until a message carrying it is approved', async () => {
    const stored = server.app.toile.media.storeImage(GIF);
    if (!stored.ok) throw new Error(stored.problem);
    const hidden = await fetch(server.url + stored.item.url);
    expect(hidden.status).toBe(404);
    expect(hidden.headers.get('access-control-allow-origin')).toBeNull();
    await hidden.arrayBuffer();
    // A moderator sees it, privately, without a header that would let another site read it.
    const moderatorView = await fetch(server.url + stored.item.url, { headers: auth });
    expect(moderatorView.status).toBe(200);
    expect(moderatorView.headers.get('access-control-allow-origin')).toBeNull();
    expect(moderatorView.headers.get('cache-control')).toBe('private, no-store');
    await moderatorView.arrayBuffer();
  });
});
