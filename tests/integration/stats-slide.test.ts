import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_STATS_SLIDE as CLIENT_DEFAULT } from '../../client/src/shared/types.js';
import { DEFAULT_STATS_SLIDE, settingsFromStored } from '../../server/domain/wall.js';
import { PUBLIC_STATS_TTL_MS } from '../../server/routes/stats.js';
import { channelServerOptions } from '../helpers/channels.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { postTwilio, twilioParams } from '../helpers/twilio.js';
import { openSocket } from '../helpers/ws.js';

/**
 * The wall's stats slide: its setting (`statsSlide`, an admin's, merged field by field) and the public
 * numbers it shows (`GET /api/walls/:slug/stats/public`): published only while the slide is on, only counts
 * and the chart, readable from any origin, and read from the database at most once per few seconds.
 */

const START = Date.parse('2026-06-04T09:00:00.000Z');
let clock = START;
let server: TestServer;
let auth: Record<string, string>;

beforeEach(async () => {
  clock = START;
  server = await startServer(channelServerOptions({ now: () => new Date(clock) }));
  auth = { authorization: `Bearer ${await server.adminToken()}` };
});

afterEach(async () => {
  await server.close({ removeData: true });
});

const patch = (body: unknown, headers = auth) => server.request('PATCH', '/api/walls/capcomnet', body, headers);
const publicStats = () => server.request('GET', '/api/walls/capcomnet/stats/public', undefined, { origin: 'https://event.example' });

describe('the stats slide setting', () => {
  it('is off on a new wall, and an old wall’s stored settings without it read as off', async () => {
    expect((await server.request('GET', '/api/walls/capcomnet')).body.statsSlide).toEqual(DEFAULT_STATS_SLIDE);
    expect(DEFAULT_STATS_SLIDE).toEqual({ enabled: false, everyMinutes: 10, seconds: 12 });
    expect(CLIENT_DEFAULT).toEqual(DEFAULT_STATS_SLIDE);
    expect(settingsFromStored({}).statsSlide).toEqual(DEFAULT_STATS_SLIDE);
    expect(settingsFromStored({ statsSlide: { enabled: true } } as never).statsSlide).toEqual({ ...DEFAULT_STATS_SLIDE, enabled: true });
  });

  it('is changed field by field by an admin, and every screen is told', async () => {
    const socket = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
    await socket.next((frame) => frame.type === 'snapshot');
    expect((await patch({ statsSlide: { enabled: true } })).body.statsSlide).toEqual({ enabled: true, everyMinutes: 10, seconds: 12 });
    const event = await socket.next((frame) => frame.type === 'wall');
    expect(event.wall.statsSlide).toEqual({ enabled: true, everyMinutes: 10, seconds: 12 });
    expect((await patch({ statsSlide: { everyMinutes: 1, seconds: 5 } })).body.statsSlide).toEqual({ enabled: true, everyMinutes: 1, seconds: 5 });
    expect((await patch({ statsSlide: { everyMinutes: 120, seconds: 60 } })).body.statsSlide).toEqual({ enabled: true, everyMinutes: 120, seconds: 60 });
    expect((await server.request('GET', '/api/walls/capcomnet')).body.statsSlide).toEqual({ enabled: true, everyMinutes: 120, seconds: 60 });
    socket.close();
  });

  it('refuses an interval or a duration out of range, a fraction, a non-boolean switch, and anyone but an admin', async () => {
    for (const statsSlide of [{ everyMinutes: 0 }, { everyMinutes: 121 }, { everyMinutes: 0.5 }, { seconds: 4 }, { seconds: 61 }, { enabled: 'yes' }]) {
      const response = await patch({ statsSlide });
      expect(response.status, JSON.stringify(statsSlide)).toBe(400);
      expect(response.body.message).toMatch(/statsSlide/);
    }
    const { token } = server.app.toile.auth.createToken('moderator', 'moderator', 'tests');
    expect((await patch({ statsSlide: { enabled: true } }, { authorization: `Bearer ${token}` })).status).toBe(403);
    expect((await server.request('GET', '/api/walls/capcomnet')).body.statsSlide).toEqual(DEFAULT_STATS_SLIDE);
  });
});

describe('the public numbers of the stats slide', () => {
  /** A few contributions through three channels, some approved, one rejected, one left waiting. */
  async function scriptedEvent(): Promise<{ api: number[]; web: number[]; sms: number[] }> {
    const api = [await server.ingest('Bravo pour la table ronde #capcomnet', { name: 'Léa Secret' }), await server.ingest('Une question sur le climat', { name: 'Hugo Secret' }), await server.ingest('Encore une', { name: 'Zoé Secret' })];
    clock += 90_000;
    const web: number[] = [];
    for (const text of ['Depuis le formulaire', 'Moi aussi']) {
      const response = await server.request('POST', '/api/walls/capcomnet/contribute', { name: 'Claire Secret', text });
      expect(response.status, response.text).toBe(201);
      web.push(response.body.id as number);
    }
    clock += 120_000;
    const sms: number[] = [];
    for (const n of [1, 2]) {
      const response = await postTwilio(server, twilioParams({ MessageSid: `SM${String(n).padStart(32, '0')}`, From: `+3361234567${n}`, Body: `Un SMS numéro ${n}` }));
      expect(response.status, response.text).toBe(200);
      const [latest] = (await server.request('GET', '/api/walls/capcomnet/messages?limit=1', undefined, auth)).body.items;
      sms.push(latest.id as number);
    }
    for (const id of [api[0]!, api[1]!, web[0]!, sms[0]!, sms[1]!]) await server.approve(id);
    expect((await server.request('POST', `/api/messages/${web[1]}/reject`, {}, auth)).status).toBe(200);
    clock += 30_000;
    return { api, web, sms };
  }

  it('are not published while the wall does not show the slide', async () => {
    await scriptedEvent();
    const refused = await publicStats();
    expect(refused.status).toBe(404);
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
    expect(refused.text).not.toMatch(/received|shown/);
    expect((await server.request('GET', '/api/walls/nowhere/stats/public')).status).toBe(404);
  });

  it('count what came in and what was shown, per channel, as stored, with the chart of the moderators’ stats', async () => {
    await scriptedEvent();
    await patch({ statsSlide: { enabled: true } });
    const viewer = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
    await viewer.next((frame) => frame.type === 'snapshot');

    const response = await publicStats();
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('cache-control')).toBe(`public, max-age=${PUBLIC_STATS_TTL_MS / 1000}`);
    const body = response.body;
    expect(body).toMatchObject({
      wall: 'capcomnet',
      received: 7,
      shown: 5,
      byChannel: { api: { received: 3, shown: 2 }, web: { received: 2, shown: 1 }, sms: { received: 2, shown: 2 } },
      viewers: 1,
    });

    // The same figures as the stored data, read through the moderators' stats (themselves checked against
    // the database in stats.test.ts), and the same chart.
    const full = (await server.request('GET', '/api/walls/capcomnet/stats', undefined, auth)).body;
    expect(body.received).toBe(full.totals.received);
    expect(body.shown).toBe(full.totals.approved);
    for (const [channel, counts] of Object.entries(full.byChannel as Record<string, { received: number; approved: number }>)) {
      expect(body.byChannel[channel]).toEqual({ received: counts.received, shown: counts.approved });
    }
    expect(body.series).toEqual({ bucketSeconds: 60, start: new Date(START).toISOString(), channels: ['api', 'sms', 'web'], received: full.series.received });
    expect(body.series.received.api.slice(0, 1)).toEqual([3]);
    viewer.close();
  });

  it('hold counts and the chart only: no queue, rate, latency, label or hashtag', async () => {
    await scriptedEvent();
    await patch({ statsSlide: { enabled: true } });
    const { body, text } = await publicStats();
    expect(Object.keys(body).sort()).toEqual(['at', 'byChannel', 'received', 'series', 'shown', 'viewers', 'wall']);
    expect(Object.keys(body.series).sort()).toEqual(['bucketSeconds', 'channels', 'received', 'start']);
    for (const counts of Object.values(body.byChannel)) expect(Object.keys(counts as object).sort()).toEqual(['received', 'shown']);
    for (const word of ['queue', 'pending', 'rejected', 'hidden', 'approvalRate', 'moderation', 'median', 'topContributors', 'hashtags', 'Secret', '+336', 'climat']) {
      expect(text, word).not.toContain(word);
    }
  });

  it('are read once per few seconds however many screens ask, and unpublished at once when the slide is switched off', async () => {
    const first = await server.ingest('Premier', { name: 'Ada' });
    await server.approve(first);
    await patch({ statsSlide: { enabled: true } });
    const answers = await Promise.all(Array.from({ length: 50 }, () => publicStats()));
    for (const answer of answers) expect(answer.body).toMatchObject({ received: 1, shown: 1 });

    await server.approve(await server.ingest('Deuxième', { name: 'Ada' }));
    clock += PUBLIC_STATS_TTL_MS - 1;
    expect((await publicStats()).body).toMatchObject({ received: 1, shown: 1 });
    clock += 1;
    expect((await publicStats()).body).toMatchObject({ received: 2, shown: 2 });

    await patch({ statsSlide: { enabled: false } });
    expect((await publicStats()).status).toBe(404);
  });
});
