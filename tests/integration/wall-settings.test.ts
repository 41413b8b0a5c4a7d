import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APPEARANCE, DEFAULT_PACING } from '../../client/src/shared/types.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { openSocket } from '../helpers/ws.js';

let server: TestServer;
let auth: Record<string, string>;

beforeEach(async () => {
  server = await startServer();
  auth = { authorization: `Bearer ${await server.adminToken()}` };
});

afterEach(async () => {
  await server.close({ removeData: true });
});

const patch = (body: unknown) => server.request('PATCH', '/api/walls/capcomnet', body, auth);
const wall = async () => (await server.request('GET', '/api/walls/capcomnet')).body;
const LOGO = `/media/${'a'.repeat(64)}.png`;

/** A GET with the Host header a browser on another address would send (fetch does not let a page set it). */
function getWithHost(target: TestServer, path: string, host: string): Promise<{ status: number; body: { url?: string; code?: string } }> {
  return new Promise((resolve, reject) => {
    const url = new URL(target.url);
    const request = httpRequest({ hostname: url.hostname, port: url.port, path, headers: { host } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('a wall’s language, theme, appearance and pacing', () => {
  it('sends every field in full, with the client’s defaults, on a wall nobody has styled', async () => {
    const body = await wall();
    expect(body).toMatchObject({ language: 'auto', theme: 'dark', appearance: DEFAULT_APPEARANCE, pacing: DEFAULT_PACING });
  });

  it('merges a partial appearance and pacing into what is set, and keeps the other fields', async () => {
    expect((await patch({ appearance: { accent: '#ff8800', logo: LOGO }, pacing: { minSeconds: 12 } })).status).toBe(200);
    const changed = await patch({ appearance: { font: 'atkinson', sponsors: ['https://cdn.example.org/a.png', LOGO] }, pacing: { replay: false } });
    expect(changed.status).toBe(200);
    const body = await wall();
    expect(body.appearance).toEqual({
      ...DEFAULT_APPEARANCE,
      accent: '#ff8800',
      logo: LOGO,
      font: 'atkinson',
      sponsors: ['https://cdn.example.org/a.png', LOGO],
    });
    expect(body.pacing).toEqual({ ...DEFAULT_PACING, minSeconds: 12, replay: false });
    // The admin's list carries the same public fields.
    expect(changed.body.appearance).toEqual(body.appearance);
  });

  it('clears a colour or an image with null, and replaces the sponsors and tag colours whole', async () => {
    await patch({ appearance: { accent: '#112233', sponsors: ['https://a.example.org/1.png'], tagColors: { capcomnet: '#aa0000', paris20: '#00aa00' } } });
    await patch({ appearance: { accent: null, sponsors: [], tagColors: { paris20: '#0000aa' } } });
    const { appearance } = await wall();
    expect(appearance).toMatchObject({ accent: null, sponsors: [], tagColors: { paris20: '#0000aa' } });
  });

  it('keys tag colours by the hashtag as the wall normalizes it', async () => {
    const answer = await patch({ appearance: { tagColors: { '#CapComNet': '#123456' } } });
    expect(answer.status).toBe(200);
    expect((await wall()).appearance.tagColors).toEqual({ capcomnet: '#123456' });
  });

  it('takes the language and a light or dark theme', async () => {
    expect((await patch({ language: 'fr', theme: 'light' })).status).toBe(200);
    expect(await wall()).toMatchObject({ language: 'fr', theme: 'light' });
  });

  it('reads a theme stored by an older version that is neither light nor dark as dark', async () => {
    const { db } = server.app.toile.repos;
    db.prepare("UPDATE walls SET settings = json_set(settings, '$.theme', 'neon') WHERE slug = 'capcomnet'").run();
    expect((await wall()).theme).toBe('dark');
  });

  it('completes an appearance stored with only some fields', async () => {
    const { db } = server.app.toile.repos;
    db.prepare(`UPDATE walls SET settings = json_set(settings, '$.appearance', json('{"accent":"#abcdef"}'), '$.pacing', json('{"perSender":5}')) WHERE slug = 'capcomnet'`).run();
    const body = await wall();
    expect(body.appearance).toEqual({ ...DEFAULT_APPEARANCE, accent: '#abcdef' });
    expect(body.pacing).toEqual({ ...DEFAULT_PACING, perSender: 5 });
  });

  it('restyles every screen live with a wall event carrying the full settings', async () => {
    const viewer = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
    try {
      const snapshot = await viewer.next((f) => f.type === 'snapshot');
      expect(snapshot.wall.appearance).toEqual(DEFAULT_APPEARANCE);
      await patch({ appearance: { background: '#000000' }, pacing: { perSender: 0 }, language: 'en' });
      const event = await viewer.next((f) => f.type === 'wall');
      expect(event.seq).toBe(snapshot.seq + 1);
      expect(event.wall).toMatchObject({ language: 'en', appearance: { ...DEFAULT_APPEARANCE, background: '#000000' }, pacing: { ...DEFAULT_PACING, perSender: 0 } });
      // A screen that connects afterwards starts from the new look.
      const late = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
      expect((await late.next((f) => f.type === 'snapshot')).wall.appearance.background).toBe('#000000');
      late.close();
    } finally {
      viewer.close();
    }
  });

  it('announces nothing when a change leaves the settings as they were', async () => {
    await patch({ pacing: { minSeconds: 20 } });
    const before = (await server.request('GET', '/api/walls/capcomnet/events?since=0')).body.latestSeq;
    expect((await patch({ pacing: { minSeconds: 20 } })).status).toBe(200);
    expect((await server.request('GET', '/api/walls/capcomnet/events?since=0')).body.latestSeq).toBe(before);
  });

  it('replays a wall event stored before walls had these fields as it was written', async () => {
    const { repos } = server.app.toile;
    const id = repos.walls.bySlug('capcomnet')!.id;
    repos.transaction(() =>
      repos.events.append(id, 'wall', (seq) => ({ type: 'wall', seq, wall: { slug: 'capcomnet', title: 'Cap’Com', theme: 'dark', layout: 'grid' } }), new Date().toISOString()),
    );
    const events = (await server.request('GET', '/api/walls/capcomnet/events?since=0')).body.events;
    expect(events.at(-1).wall).toEqual({ slug: 'capcomnet', title: 'Cap’Com', theme: 'dark', layout: 'grid' });
  });
});

describe('what the settings API refuses, with a 400 that names the problem', () => {
  const refused: [string, unknown, RegExp][] = [
    ['a theme other than light or dark', { theme: 'neon' }, /theme/],
    ['an unknown language', { language: 'de' }, /language/],
    ['a colour that is not #rrggbb', { appearance: { accent: 'red' } }, /accent/],
    ['a colour with CSS after it', { appearance: { text: '#ffffff; background: url(x)' } }, /text/],
    ['a short colour', { appearance: { surface: '#fff' } }, /surface/],
    ['an unknown font', { appearance: { font: 'comic' } }, /font/],
    ['an http image', { appearance: { logo: 'http://example.org/logo.png' } }, /logo/],
    ['a javascript: image', { appearance: { backgroundImage: 'javascript:alert(1)' } }, /backgroundImage/],
    ['a data: image', { appearance: { logo: 'data:image/png;base64,AAAA' } }, /logo/],
    ['an image with credentials', { appearance: { logo: 'https://user:secret@example.org/logo.png' } }, /user name or password/],
    ['an image path outside the media store', { appearance: { logo: '/media/../toile.db' } }, /logo/],
    ['an image address longer than 2048 characters', { appearance: { logo: `https://example.org/${'a'.repeat(2040)}` } }, /logo/],
    ['thirteen sponsors', { appearance: { sponsors: Array.from({ length: 13 }, (_, i) => `https://example.org/${i}.png`) } }, /sponsors/],
    ['a sponsor that is not https', { appearance: { sponsors: ['https://example.org/ok.png', 'ftp://example.org/x.png'] } }, /sponsors\[1\]/],
    ['twenty-one tag colours', { appearance: { tagColors: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`tag${i}`, '#000000'])) } }, /tagColors/],
    ['a tag colour that is not a colour', { appearance: { tagColors: { capcomnet: 'blue' } } }, /tagColors/],
    ['a tag colour keyed by something that is not a hashtag', { appearance: { tagColors: { 'two words': '#000000' } } }, /two words/],
    ['a minimum time over 600 s', { pacing: { minSeconds: 601 } }, /minSeconds/],
    ['a negative minimum time', { pacing: { minSeconds: -1 } }, /minSeconds/],
    ['more than 20 items per sender', { pacing: { perSender: 21 } }, /perSender/],
    ['a replay after less than 10 s', { pacing: { replayAfterSeconds: 9 } }, /replayAfterSeconds/],
    ['a replay after more than an hour', { pacing: { replayAfterSeconds: 3601 } }, /replayAfterSeconds/],
    ['a pacing number sent as a string', { pacing: { minSeconds: '8' } }, /minSeconds/],
  ];

  it.each(refused)('refuses %s', async (_what, body, message) => {
    const answer = await patch(body);
    expect(answer.status).toBe(400);
    expect(answer.body.message).toMatch(message);
    // Nothing was saved.
    const current = await wall();
    expect(current).toMatchObject({ theme: 'dark', language: 'auto', appearance: DEFAULT_APPEARANCE, pacing: DEFAULT_PACING });
  });

  it('accepts the bounds themselves', async () => {
    expect((await patch({ pacing: { minSeconds: 600, perSender: 20, replayAfterSeconds: 3600 } })).status).toBe(200);
    expect((await patch({ pacing: { minSeconds: 0, perSender: 0, replayAfterSeconds: 10 } })).status).toBe(200);
    expect((await patch({ appearance: { sponsors: Array.from({ length: 12 }, (_, i) => `https://example.org/${i}.png`) } })).status).toBe(200);
  });

  it('lets only an admin change them', async () => {
    const moderatorToken = server.app.toile.auth.createToken('mod', 'moderator', 'tests').token;
    const answer = await server.request('PATCH', '/api/walls/capcomnet', { theme: 'light' }, { authorization: `Bearer ${moderatorToken}` });
    expect(answer.status).toBe(403);
    expect((await server.request('PATCH', '/api/walls/capcomnet', { theme: 'light' })).status).toBe(401);
  });
});

describe('GET /api/walls/:slug/contribute-url', () => {
  it('answers the web form’s address on the machine’s LAN address when the wall was opened on loopback', async () => {
    const { networkInterfaces } = await import('node:os');
    const lan = Object.values(networkInterfaces())
      .flat()
      .find((address) => address?.family === 'IPv4' && !address.internal)?.address;
    const port = new URL(server.url).port;
    const answer = await server.request('GET', '/api/walls/capcomnet/contribute-url');
    expect(answer.status).toBe(200);
    // Without a LAN interface (a sandbox), the page's own origin is all there is.
    expect(answer.body).toEqual({ url: `http://${lan ?? '127.0.0.1'}:${port}/c/capcomnet` });
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('answers the address the wall was opened at when that is not loopback', async () => {
    const answer = await getWithHost(server, '/api/walls/capcomnet/contribute-url', 'Wall.Venue.example:8080');
    expect(answer.body).toEqual({ url: 'http://wall.venue.example:8080/c/capcomnet' });
    const bracketed = await getWithHost(server, '/api/walls/capcomnet/contribute-url', '[2001:db8::1]:3000');
    expect(bracketed.body).toEqual({ url: 'http://[2001:db8::1]:3000/c/capcomnet' });
    const lanAddress = await getWithHost(server, '/api/walls/capcomnet/contribute-url', '192.168.1.20');
    expect(lanAddress.body).toEqual({ url: 'http://192.168.1.20/c/capcomnet' });
  });

  it('refuses a Host header with characters no host has', async () => {
    for (const host of ['evil.example/path', 'a b', 'x@evil.example', 'evil.example:99999', '"quoted"', 'wall.example:80:80', '-dash.example']) {
      const answer = await getWithHost(server, '/api/walls/capcomnet/contribute-url', host);
      expect(answer.status, host).toBe(400);
      expect(answer.body.code).toBe('invalid_host');
    }
  });

  it('answers 404 for a wall that does not exist', async () => {
    expect((await server.request('GET', '/api/walls/nope/contribute-url')).status).toBe(404);
  });
});

describe('GET /api/walls/:slug/contribute-url with TOILE_PUBLIC_URL set', () => {
  it('answers the configured address, whatever the Host', async () => {
    const configured = await startServer({ env: { TOILE_PUBLIC_URL: 'https://toile.example.org/' } });
    try {
      const answer = await getWithHost(configured, '/api/walls/capcomnet/contribute-url', 'localhost:1234');
      expect(answer.body).toEqual({ url: 'https://toile.example.org/c/capcomnet' });
    } finally {
      await configured.close({ removeData: true });
    }
  });
});
