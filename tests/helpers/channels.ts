/**
 * A wall fed by every channel Toile has, through the same doors real contributions take: a Twilio webhook
 * signed with the `twilio` package (SMS), a Postmark inbound webhook with its Basic credentials (email, with
 * a picture Toile stores and serves), a Mastodon instance and a Bluesky Jetstream (the local doubles of
 * tests/helpers/fake-mastodon.ts and fake-jetstream.ts, read by real social sources), the web form, and the
 * ingest API as a bridge. Each message is then approved by a moderator through the API, so that what the
 * wall tests look at is what an event's audience would have sent.
 *
 * Usage: `startServer(channelServerOptions())`, then `const seeded = await seedEveryChannel(server)`, and
 * `await seeded.close()` before the server closes.
 */
import { deflateSync } from 'node:zlib';
import { buildStatus, startFakeMastodon, type FakeMastodon } from './fake-mastodon.js';
import { startFakeAppView, startFakeJetstream, type FakeAppView, type FakeJetstream } from './fake-jetstream.js';
import type { StartOptions, TestServer } from './server.js';
import { postTwilio, TWILIO_TOKEN, twilioParams } from './twilio.js';
import { until } from './wait.js';

export const POSTMARK_PASSWORD = 'postmark-inbound-password-for-wall-tests';

/**
 * The one https origin the seeded messages' pictures and avatars come from. Nothing answers there: a page
 * test serves it locally (`page.route`), and counts it as the only foreign origin a wall may reach.
 */
export const MEDIA_ORIGIN = 'https://media.toile.test';

/** Fast social sources, so that seeding takes a fraction of a second. */
const SOURCE_TIMING = { pollMs: 50, backoffMs: 50, maxBackoffMs: 400, timeoutMs: 2000, cursorFlushMs: 100 };

/** What a server needs for every channel: the webhook secrets and fast social sources. */
export function channelServerOptions(options: StartOptions = {}): StartOptions {
  return {
    ...options,
    sourceTiming: { ...SOURCE_TIMING, ...options.sourceTiming },
    env: { TWILIO_AUTH_TOKEN: TWILIO_TOKEN, POSTMARK_INBOUND_PASSWORD: POSTMARK_PASSWORD, ...options.env },
  };
}

export type SeedKind = 'plain' | 'image' | 'warning' | 'long' | 'emoji' | 'hashtag';

/** A message of the seeded wall, once approved. */
export interface SeededMessage {
  id: number;
  channel: 'sms' | 'email' | 'social' | 'web' | 'api';
  source: string;
  /** A word found in its text (or its warning) and nowhere else, to find it on a screen. */
  marker: string;
  kind: SeedKind;
  /** The text as the server stored it (what the card's `.text` must show). */
  text: string;
  contentWarning?: string;
  media: { url: string; alt?: string }[];
}

export interface SeededWall {
  messages: SeededMessage[];
  /** Stops the fake social networks (the server's sources then retry quietly until it closes). */
  close(): Promise<void>;
}

/** The long one: about 470 characters, under the 500 graphemes Toile keeps. */
export const LONG_TEXT =
  'LONGWEB Un très long message envoyé depuis le formulaire web, pour voir comment le mur coupe ou affiche un texte ' +
  'qui remplit toute une carte : la plénière de ce matin a montré que la communication publique change vite, que les ' +
  'réseaux sociaux ne sont plus le seul endroit où l’on parle aux habitants, et que les murs contributifs projetés dans ' +
  'la salle donnent la parole à ceux qui n’osent pas prendre le micro. Merci aux organisateurs et à toute l’équipe !';

/**
 * Seeds one approved message per kind, spread over every channel (and both social networks), on `wall`
 * (the default wall, which every channel reaches without routing settings). Resolves once all are approved;
 * `messages` lists them in the order they were approved (the emoji-only one first, so the oldest).
 */
export async function seedEveryChannel(server: TestServer, wall = 'capcomnet'): Promise<SeededWall> {
  const auth = { authorization: `Bearer ${await server.adminToken()}` };
  const { token: bridgeToken } = server.app.toile.auth.createToken(`bridge-${Date.now()}`, 'ingest', 'tests');
  const bridge = { authorization: `Bearer ${bridgeToken}` };
  const fakes: { close(): Promise<void> }[] = [];
  const wanted: Omit<SeededMessage, 'id' | 'text' | 'media' | 'contentWarning'>[] = [];

  // SMS, as Twilio posts it.
  wanted.push({ channel: 'sms', source: 'twilio', marker: 'SMSPLAIN', kind: 'plain' });
  const sms = await postTwilio(
    server,
    twilioParams({ MessageSid: `SM${Date.now()}0000000000000000001`.slice(0, 34), From: '+33612340001', Body: 'SMSPLAIN Bonjour depuis le fond de la salle' }),
  );
  if (sms.status !== 200) throw new Error(`Twilio webhook answered ${sms.status}: ${sms.text}`);

  // Email, through Postmark, with a PNG that Toile stores and serves itself.
  wanted.push({ channel: 'email', source: 'postmark', marker: 'MAILIMAGE', kind: 'image' });
  const png = gradientPng(96, 64);
  const mail = await server.request(
    'POST',
    '/ingest/postmark',
    {
      From: 'lea.martin@example.org',
      FromFull: { Email: 'lea.martin@example.org', Name: 'Léa Martin' },
      To: 'mur@event.example',
      ToFull: [{ Email: 'mur@event.example', Name: '' }],
      Subject: 'Photo',
      MessageID: `wall-mail-${Date.now()}`,
      Date: new Date().toUTCString(),
      TextBody: 'MAILIMAGE La salle vue du balcon',
      Headers: [],
      Attachments: [{ Name: 'salle.png', Content: png.toString('base64'), ContentType: 'image/png', ContentLength: png.length }],
    },
    { authorization: `Basic ${Buffer.from(`postmark:${POSTMARK_PASSWORD}`).toString('base64')}` },
  );
  if (mail.status !== 200) throw new Error(`Postmark webhook answered ${mail.status}: ${mail.text}`);

  // The web form, as a phone would send it: the long one.
  wanted.push({ channel: 'web', source: 'web', marker: 'LONGWEB', kind: 'long' });
  const web = await server.request('POST', `/api/walls/${wall}/contribute`, { name: 'Zoé', text: LONG_TEXT });
  if (web.status !== 201) throw new Error(`the web form answered ${web.status}: ${web.text}`);

  // An API bridge: a picture from the web, and a post behind a content warning.
  wanted.push({ channel: 'api', source: 'api', marker: 'APIIMAGE', kind: 'image' });
  wanted.push({ channel: 'api', source: 'api', marker: 'APIWARNING', kind: 'warning' });
  for (const body of [
    {
      externalId: `threads:${Date.now()}:1`,
      author: { name: 'Claire', handle: '@claire@threads.example', avatarUrl: `${MEDIA_ORIGIN}/avatars/claire.png` },
      text: 'APIIMAGE Le mur projeté en plénière',
      media: [{ url: `${MEDIA_ORIGIN}/photos/pleniere.png`, alt: 'Le mur projeté en plénière' }],
    },
    {
      externalId: `threads:${Date.now()}:2`,
      author: { name: 'Hugo', handle: '@hugo@threads.example' },
      text: 'Le jeu se termine par une surprise',
      contentWarning: 'APIWARNING résultats du jeu',
      media: [{ url: `${MEDIA_ORIGIN}/photos/spoiler.png`, alt: 'l’écran final' }],
    },
  ]) {
    const posted = await server.request('POST', `/api/walls/${wall}/messages`, body, bridge);
    if (posted.status !== 201) throw new Error(`the ingest API answered ${posted.status}: ${posted.text}`);
  }

  // Mastodon: a status with the wall's hashtag and a picture.
  wanted.push({ channel: 'social', source: 'mastodon', marker: 'MASTOTAG', kind: 'hashtag' });
  const mastodon: FakeMastodon = await startFakeMastodon({ domain: 'piaille.example', hashtag: 'capcomnet' });
  fakes.push(mastodon);
  mastodon.add(
    buildStatus({
      id: '113590000000000001',
      domain: 'piaille.example',
      acct: 'camille@piaille.example',
      username: 'camille',
      displayName: 'Camille',
      avatar: `${MEDIA_ORIGIN}/avatars/camille.png`,
      content: '<p>MASTOTAG Quelle plénière ! <a href="https://piaille.example/tags/capcomnet" class="mention hashtag" rel="tag">#<span>capcomnet</span></a></p>',
      media: [{ type: 'image', url: `${MEDIA_ORIGIN}/photos/scene.png`, description: 'La scène, vue du troisième rang' }],
    }),
  );
  const mastodonSource = await server.request('POST', `/api/walls/${wall}/sources`, { kind: 'mastodon', instance: mastodon.url, hashtag: 'capcomnet' }, auth);
  if (mastodonSource.status !== 201) throw new Error(`adding the Mastodon source answered ${mastodonSource.status}: ${mastodonSource.text}`);

  // Bluesky: an emoji-only post, its hashtag in the record's tags (as a client that hides it writes it).
  wanted.push({ channel: 'social', source: 'bluesky', marker: '🎉👏🙌', kind: 'emoji' });
  const did = 'did:plc:toilewalltestsaaaaaaaaaa';
  const appView: FakeAppView = await startFakeAppView([{ did, handle: 'ines.example', displayName: 'Inès' }]);
  fakes.push(appView);
  const timeUs = Date.now() * 1000;
  const jetstream: FakeJetstream = await startFakeJetstream({
    history: [
      JSON.stringify({
        did,
        time_us: timeUs,
        kind: 'commit',
        commit: {
          rev: '3mwalltests2a',
          operation: 'create',
          collection: 'app.bsky.feed.post',
          rkey: '3mwalltestaa2',
          record: { $type: 'app.bsky.feed.post', createdAt: new Date().toISOString(), langs: ['fr'], text: '🎉👏🙌', tags: ['capcomnet'] },
          cid: 'bafyreiwalltestsaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        },
      }),
    ],
  });
  fakes.push(jetstream);
  const blueskySource = await server.request(
    'POST',
    `/api/walls/${wall}/sources`,
    { kind: 'bluesky', hashtag: 'capcomnet', jetstreamUrl: jetstream.url, appviewUrl: appView.url },
    auth,
  );
  if (blueskySource.status !== 201) throw new Error(`adding the Bluesky source answered ${blueskySource.status}: ${blueskySource.text}`);

  // Every one of them waits for a moderator: find each by its marker, then approve it.
  type Item = { id: number; channel: SeededMessage['channel']; source: string; text: string; contentWarning?: string; media: { url: string; alt?: string }[] };
  const found = await until(
    async () => {
      const listed = await server.request('GET', `/api/walls/${wall}/messages?status=pending&limit=500`, undefined, auth);
      const items = listed.body.items as Item[];
      const matched = wanted.map((w) => items.find((item) => item.source === w.source && `${item.text} ${item.contentWarning ?? ''}`.includes(w.marker)));
      return matched.every((m) => m !== undefined) ? (matched as Item[]) : undefined;
    },
    'every seeded message in the moderation queue',
    10_000,
    50,
  );
  const messages: SeededMessage[] = [];
  // Approved in this order, the emoji-only post first: a layout that shows six at once (the newest) still
  // shows every channel, since the social channel has a second message.
  const order = [...found.keys()].sort((a, b) => Number(wanted[b]!.kind === 'emoji') - Number(wanted[a]!.kind === 'emoji'));
  for (const index of order) {
    const item = found[index]!;
    const approved = await server.request('POST', `/api/messages/${item.id}/approve`, {}, auth);
    if (approved.status !== 200) throw new Error(`approving ${item.id} answered ${approved.status}: ${approved.text}`);
    messages.push({
      ...wanted[index]!,
      id: item.id,
      text: item.text,
      media: item.media,
      ...(item.contentWarning === undefined ? {} : { contentWarning: item.contentWarning }),
    });
  }
  return {
    messages,
    async close() {
      await Promise.all(fakes.splice(0).map((fake) => fake.close()));
    },
  };
}

/**
 * A small PNG drawn here (a diagonal gradient), so that an image test needs no file and no network.
 * PNG as the spec writes it: signature, IHDR, one zlib-compressed IDAT of filtered scanlines, IEND.
 */
export function gradientPng(width: number, height: number, from: [number, number, number] = [35, 88, 200], to: [number, number, number] = [230, 90, 140]): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const t = (x / Math.max(1, width - 1) + y / Math.max(1, height - 1)) / 2;
      for (let c = 0; c < 3; c++) row[1 + x * 3 + c] = Math.round(from[c]! + (to[c]! - from[c]!) * t);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, RGB, deflate, no filter method, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
