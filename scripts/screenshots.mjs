// `npm run screenshots`: the pictures of docs/screenshots/, taken from the real thing. Builds the server and
// the web client, starts Toile on a throwaway data directory, fills the default wall the way a conference
// would (Cap'Com, #capcomnet and #paris20, messages in French and English from every channel, a speaker's
// badge, a photo sent by email that Toile stores and serves), then has Chromium take each layout at
// 1920×1080, the screen-reader mirror, and the web form on a phone. Nothing is fetched from the network:
// the photo is drawn here, and social posts enter through the same ingest pipeline their sources use.
//
// Needs Chromium (Debian's `chromium`, or CHROMIUM_PATH), like the browser tests.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import twilio from 'twilio';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'docs', 'screenshots');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const TWILIO_TOKEN = 'screenshots-twilio-auth-token-0123456';
const POSTMARK_PASSWORD = 'screenshots-postmark-password';
const ADMIN_PASSWORD = 'screenshots admin password';
/** The address the wall's QR code and panel show: an event's own, rather than this machine's. */
const PUBLIC_URL = 'https://mur.capcom.example';
/** Above this, a picture is too heavy for a README: the script says so (and fails). */
const MAX_BYTES = 600 * 1024;

process.stdout.write('Building the server and the web client…\n');
execFileSync(bin('tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
execFileSync(bin('vite'), ['build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });

const { buildApp } = await import(pathToFileURL(join(root, 'dist', 'server', 'app.js')).href);
const { parseConfig } = await import(pathToFileURL(join(root, 'dist', 'server', 'config.js')).href);

const dataDir = mkdtempSync(join(tmpdir(), 'toile-screenshots-'));
const config = parseConfig({
  TOILE_DATA_DIR: dataDir,
  TOILE_ADMIN_PASSWORD: ADMIN_PASSWORD,
  PORT: '0',
  TOILE_PUBLIC_URL: PUBLIC_URL,
  TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
  POSTMARK_INBOUND_PASSWORD: POSTMARK_PASSWORD,
});
const app = await buildApp({ logger: false, config, clientDir: join(root, 'dist', 'client') });
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${app.server.address().port}`;
const admin = { authorization: `Bearer ${app.toile.auth.createToken('screenshots', 'admin', 'screenshots').token}` };
const bridge = { authorization: `Bearer ${app.toile.auth.createToken('screenshots-bridge', 'ingest', 'screenshots').token}` };

let browser;
try {
  await seed();
  browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  mkdirSync(out, { recursive: true });
  for (const layout of ['grid', 'columns', 'spotlight', 'ticker']) {
    await shoot(`/w/capcomnet?layout=${layout}`, `wall-${layout}.png`, { viewport: { width: 1920, height: 1080 } }, async (page) => {
      await page.locator(`toile-layout-${layout} toile-wall-card article[data-message-id]`).first().waitFor();
    });
  }
  await shoot('/w/capcomnet?a11y=1', 'wall-a11y.png', { viewport: { width: 1280, height: 800 } }, async (page) => {
    await page.locator('toile-wall-a11y li[data-message-id]').first().waitFor();
  });
  await shoot('/c/capcomnet', 'contribute-phone.png', { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }, async (page) => {
    await page.getByRole('button').first().waitFor();
  });
} finally {
  await browser?.close();
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
}

/** Opens `path` in a fresh context, waits for `ready` and the fonts, then saves docs/screenshots/`file`. */
async function shoot(path, file, contextOptions, ready) {
  const context = await browser.newContext({ ...contextOptions, locale: 'fr-FR' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(base + path);
  await ready(page);
  await page.evaluate(() => document.fonts.ready);
  // Let entrance animations finish and lazy pictures decode.
  await page.waitForTimeout(1500);
  const target = join(out, file);
  await page.screenshot({ path: target, animations: 'disabled' });
  await context.close();
  const size = statSync(target).size;
  process.stdout.write(`${file}: ${(size / 1024).toFixed(0)} KB${errors.length ? ` (page errors: ${errors.join('; ')})` : ''}\n`);
  if (size > MAX_BYTES) throw new Error(`${file} weighs ${(size / 1024).toFixed(0)} KB, more than ${MAX_BYTES / 1024} KB`);
}

async function request(method, path, body, headers = {}) {
  const response = await fetch(base + path, {
    method,
    headers: { ...(body === undefined || typeof body === 'string' ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  if (response.status >= 400) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return parsed;
}

/** What a lively morning at Cap'Com looks like, every message approved by a moderator. */
async function seed() {
  await request(
    'PATCH',
    '/api/walls/capcomnet',
    {
      title: 'Cap’Com 2026 — Rencontres nationales',
      hashtags: ['capcomnet', 'paris20'],
      instructions: 'Écrivez-nous avec #capcomnet : SMS au 07 00 00 00 01, mail à mur@capcom.example, ou le formulaire !',
      smsNumbers: ['+33700000001'],
      emailAddresses: ['mur@capcom.example'],
    },
    admin,
  );

  // SMS, signed as Twilio signs them.
  const sms = [
    ['+33611110001', 'Bravo pour la plénière de ce matin, salle comble ! #capcomnet'],
    ['+33611110002', 'Est-ce que les slides de l’atelier 3 seront partagés ? #paris20'],
    ['+447700900123', 'Greetings from the Bristol delegation, great first day!'],
  ];
  for (const [index, [from, body]] of sms.entries()) {
    const params = {
      ToCountry: 'FR', NumMedia: '0', SmsStatus: 'received', Body: body, To: '+33700000001', NumSegments: '1',
      MessageSid: `SM${String(index).padStart(32, '0')}`, AccountSid: 'AC00000000000000000000000000000000', From: from, ApiVersion: '2010-04-01',
    };
    const signature = twilio.getExpectedTwilioSignature(TWILIO_TOKEN, `${PUBLIC_URL}/ingest/twilio`, params);
    await request('POST', '/ingest/twilio', new URLSearchParams(params).toString(), { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature });
  }

  // Email through Postmark, with a photo that Toile keeps and serves itself.
  const photo = gradientPng(640, 400);
  await request(
    'POST',
    '/ingest/postmark',
    {
      From: 'sophie.bernard@example.org', FromFull: { Email: 'sophie.bernard@example.org', Name: 'Sophie Bernard' },
      To: 'mur@capcom.example', ToFull: [{ Email: 'mur@capcom.example', Name: '' }], Subject: 'La salle', MessageID: 'screenshots-mail-1',
      TextBody: 'La salle plénière vue du balcon, quelle ambiance ! #capcomnet', Headers: [],
      Attachments: [{ Name: 'salle.png', Content: photo.toString('base64'), ContentType: 'image/png', ContentLength: photo.length }],
    },
    { authorization: `Basic ${Buffer.from(`postmark:${POSTMARK_PASSWORD}`).toString('base64')}` },
  );

  // The web form, from phones in the room.
  for (const [name, text] of [
    ['Zoé', 'Merci pour l’atelier sur la participation citoyenne, plein d’idées à ramener à Nantes 🙌'],
    ['Tom', 'Where can we find the replay of the keynote? #paris20'],
    ['Inès', 'Un grand merci aux bénévoles de l’accueil, toujours souriants ☀️'],
  ]) {
    await request('POST', '/api/walls/capcomnet/contribute', { name, text });
  }

  // An API bridge (another network), and social posts as their sources hand them to the pipeline.
  await request('POST', '/api/walls/capcomnet/messages', { externalId: 'threads:1', author: { name: 'Marc Lefèvre', handle: '@marc.lefevre' }, text: 'Le serious game de l’après-midi était génial, on recommence l’an prochain ? #capcomnet' }, bridge);
  await request('POST', '/api/walls/capcomnet/messages', { externalId: 'threads:2', author: { name: 'Aïcha', handle: '@aicha.com' }, text: 'Le palmarès du jeu', contentWarning: 'Résultats du serious game' }, bridge);
  const social = [
    ['mastodon', 'Claire Dubois', '@claire@piaille.fr', 'Georges Amar à #capcomnet : « développer de nouveaux usages peut générer beaucoup plus de valeur ». Le mur est plein !'],
    ['mastodon', 'Public Sector Comms', '@psc@mastodon.social', 'Brilliant panel on plain language in public services. Clear words build trust. #capcomnet'],
    ['bluesky', 'Julien Moreau', '@julien.bsky.social', 'Deuxième journée à #paris20, on attaque par la table ronde sur les territoires 💪'],
    ['bluesky', 'Léa', '@lea-comm.bsky.social', '🎉👏🙌'],
  ];
  for (const [index, [source, name, handle, text]] of social.entries()) {
    app.toile.ingest(
      {
        channel: 'social', source, providerMessageId: `screenshots:${index}`, wallSlug: 'capcomnet',
        author: { name, handle, address: `${source}:${handle}`, addressKind: 'account' }, text, createdAt: new Date(Date.now() - (social.length - index) * 60_000),
      },
      {},
    );
  }

  // A moderator approves them all; the speaker is marked as one (her messages carry the badge).
  const { items } = await request('GET', '/api/walls/capcomnet/messages?status=pending&limit=500', undefined, admin);
  for (const item of [...items].reverse()) await request('POST', `/api/messages/${item.id}/approve`, {}, admin);
  const speaker = items.find((item) => item.author?.name === 'Claire Dubois');
  if (speaker) {
    try {
      await request('POST', '/api/walls/capcomnet/senders', { messageId: speaker.id, rule: 'trusted', badge: 'speaker', label: 'Claire Dubois, intervenante' }, admin);
    } catch (error) {
      process.stdout.write(`Could not mark the speaker (${error.message}); the pictures will show no badge.\n`);
    }
  }
  const pin = items.find((item) => item.author?.name === 'Sophie Bernard');
  if (pin) await request('POST', `/api/messages/${pin.id}/pin`, {}, admin);
}

/** A PNG drawn here: a warm diagonal gradient, as a stand-in for a photo of the room. */
function gradientPng(width, height) {
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const t = (x / (width - 1) + y / (height - 1)) / 2;
      const glow = Math.max(0, 1 - Math.hypot(x - width * 0.7, y - height * 0.3) / (width * 0.6));
      row[1 + x * 3] = Math.min(255, Math.round(30 + 200 * t + 40 * glow));
      row[2 + x * 3] = Math.min(255, Math.round(60 + 70 * (1 - t) + 60 * glow));
      row[3 + x * 3] = Math.min(255, Math.round(140 - 60 * t + 30 * glow));
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** Chromium as the browser tests find it: CHROMIUM_PATH, else `chromium` on the PATH. */
function chromiumPath() {
  const candidates = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : (process.env.PATH ?? '').split(delimiter).flatMap((dir) => ['chromium', 'chromium-browser'].map((name) => join(dir, name)));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not this one.
    }
  }
  throw new Error('Screenshots need Chromium: install it (apt-get install chromium) or set CHROMIUM_PATH.');
}
