import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { percentile } from '../../server/services/stats.js';
import { channelServerOptions, POSTMARK_PASSWORD } from '../helpers/channels.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { postTwilio, twilioParams } from '../helpers/twilio.js';

/**
 * A scripted event: a few hundred contributions over an hour and a half of a fake clock, through the
 * real doors (Twilio, Postmark, the web form, the ingest API), decided by moderators at known delays. The
 * stats the console reads must match what the test did and what the database holds, figure for figure.
 */
describe('the stats of a wall', () => {
  const START = Date.parse('2026-06-04T09:00:00.000Z');
  let clock = START;
  let server: TestServer;
  let auth: Record<string, string>;
  let bridge: Record<string, string>;

  interface Sent {
    id: number;
    channel: string;
    at: number;
    /** What the test did with it: left pending, approved, rejected, or approved then hidden. */
    fate: 'pending' | 'approved' | 'rejected' | 'hidden';
    /** When a moderator first decided, if one did. */
    decidedAt?: number;
    text: string;
  }
  const sent: Sent[] = [];

  const TAGS = ['#capcomnet', '#IA', '#Climat'];
  const NAMES = ['Léa', 'Hugo', 'Claire', 'Zoé', 'Malik'];

  beforeAll(async () => {
    // The form's rate limits count real time, not the test's clock: they are raised for the script.
    server = await startServer(channelServerOptions({ now: () => new Date(clock), limits: { contributePerMinute: 1000, contributePerIpPerMinute: 1000 } }));
    auth = { authorization: `Bearer ${await server.adminToken()}` };
    const { token } = server.app.toile.auth.createToken('bridge', 'ingest', 'tests');
    bridge = { authorization: `Bearer ${token}` };
  });
  afterAll(async () => {
    await server?.close({ removeData: true });
  });

  async function contribute(n: number): Promise<Sent> {
    const tag = n % 4 === 0 ? '' : ` ${TAGS[n % 3]}`;
    const text = `Contribution numéro ${n} sur la table ronde${tag}`;
    let channel: string;
    if (n % 10 < 4) {
      channel = 'api';
      const posted = await server.request('POST', '/api/walls/capcomnet/messages', { externalId: `stats-${n}`, author: { name: NAMES[n % NAMES.length] }, text }, bridge);
      expect(posted.status, posted.text).toBe(201);
    } else if (n % 10 < 7) {
      channel = 'sms';
      const sid = `SM${String(n).padStart(32, '0')}`;
      const response = await postTwilio(server, twilioParams({ MessageSid: sid, From: `+336${String(10_000_000 + n)}`, Body: text }));
      expect(response.status, response.text).toBe(200);
    } else if (n % 10 < 9) {
      channel = 'email';
      const from = `contributeur${n}@example.org`;
      const response = await server.request(
        'POST',
        '/ingest/postmark',
        {
          From: from,
          FromFull: { Email: from, Name: NAMES[n % NAMES.length] },
          To: 'mur@event.example',
          ToFull: [{ Email: 'mur@event.example', Name: '' }],
          Subject: '',
          MessageID: `stats-mail-${n}`,
          Date: new Date(clock).toUTCString(),
          TextBody: text,
          Headers: [],
          Attachments: [],
        },
        { authorization: `Basic ${Buffer.from(`postmark:${POSTMARK_PASSWORD}`).toString('base64')}` },
      );
      expect(response.status, response.text).toBe(200);
    } else {
      channel = 'web';
      const response = await server.request('POST', '/api/walls/capcomnet/contribute', { name: NAMES[n % NAMES.length], text });
      expect(response.status, response.text).toBe(201);
    }
    const [latest] = (await server.request('GET', '/api/walls/capcomnet/messages?limit=1', undefined, auth)).body.items;
    expect(latest.text).toBe(text);
    return { id: latest.id, channel, at: clock, fate: 'pending', text };
  }

  async function decide(item: Sent, action: 'approve' | 'reject' | 'hide'): Promise<void> {
    const response = await server.request('POST', `/api/messages/${item.id}/${action}`, {}, auth);
    expect(response.status, response.text).toBe(200);
  }

  it('matches, figure for figure, a scripted event across channels', async () => {
    // 300 contributions, one every 17 s (about 85 minutes); a moderator decides most of them 20 s to 10 min later.
    for (let n = 0; n < 300; n += 1) {
      sent.push(await contribute(n));
      clock += 17_000;
    }
    for (const [index, item] of sent.entries()) {
      if (index % 5 === 4) continue; // left in the queue
      clock = item.at + 20_000 + ((index * 7919) % 600) * 1000;
      const reject = index % 5 === 3;
      await decide(item, reject ? 'reject' : 'approve');
      item.fate = reject ? 'rejected' : 'approved';
      item.decidedAt = clock;
      if (index % 25 === 0 && !reject) {
        clock += 60_000;
        await decide(item, 'hide');
        item.fate = 'hidden';
      }
    }
    clock = START + 2 * 3600_000;

    const response = await server.request('GET', '/api/walls/capcomnet/stats', undefined, auth);
    expect(response.status, response.text).toBe(200);
    const stats = response.body;

    // Counts, by channel and status.
    const count = (items: Sent[], fate?: Sent['fate']) => items.filter((item) => fate === undefined || item.fate === fate).length;
    expect(stats.totals).toEqual({
      received: 300,
      pending: count(sent, 'pending'),
      approved: count(sent, 'approved'),
      rejected: count(sent, 'rejected'),
      hidden: count(sent, 'hidden'),
    });
    for (const channel of ['api', 'sms', 'email', 'web']) {
      const mine = sent.filter((item) => item.channel === channel);
      expect(stats.byChannel[channel], channel).toEqual({
        received: mine.length,
        pending: count(mine, 'pending'),
        approved: count(mine, 'approved'),
        rejected: count(mine, 'rejected'),
        hidden: count(mine, 'hidden'),
      });
    }
    const shown = count(sent, 'approved') + count(sent, 'hidden');
    expect(stats.approvalRate).toBeCloseTo(shown / (shown + count(sent, 'rejected')), 10);

    // Moderation latency: received → the first decision, seconds.
    const latencies = sent.filter((item) => item.decidedAt !== undefined).map((item) => (item.decidedAt! - item.at) / 1000);
    latencies.sort((a, b) => a - b);
    expect(stats.moderation).toEqual({ decided: latencies.length, medianSeconds: percentile(latencies, 0.5), p90Seconds: percentile(latencies, 0.9) });
    expect(stats.moderation.medianSeconds).toBeGreaterThanOrEqual(20);

    // Per minute, by channel, from the first contribution's minute to now's.
    expect(stats.series.bucketSeconds).toBe(60);
    expect(stats.series.start).toBe(new Date(START).toISOString());
    expect(stats.series.queue).toHaveLength(121);
    for (const channel of ['api', 'sms', 'email', 'web']) {
      const expected = new Array(121).fill(0);
      for (const item of sent.filter((s) => s.channel === channel)) expected[Math.floor((item.at - START) / 60_000)] += 1;
      expect(stats.series.received[channel], channel).toEqual(expected);
    }
    // The queue at the end of each minute: received by then, not yet decided by then.
    const queue = Array.from({ length: 121 }, (_, minute) => {
      const end = START + (minute + 1) * 60_000;
      return sent.filter((item) => item.at < end && (item.decidedAt === undefined || item.decidedAt >= end)).length;
    });
    expect(stats.series.queue).toEqual(queue);
    expect(stats.series.queue.at(-1)).toBe(count(sent, 'pending'));

    // The labels and hashtags of what was shown, as the database holds them.
    const approved = (await server.request('GET', '/api/walls/capcomnet/messages?status=approved&limit=200', undefined, auth)).body.items as { authorName?: string; author: { name: string }; text: string }[];
    expect(approved).toHaveLength(count(sent, 'approved'));
    const labels = new Map<string, number>();
    for (const message of approved) labels.set(message.author.name, (labels.get(message.author.name) ?? 0) + 1);
    const expectedTop = [...labels].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 10).map(([label, n]) => ({ label, count: n }));
    expect(stats.topContributors).toEqual(expectedTop);
    // No address among the labels: an SMS shows a masked number, an email its given name.
    for (const { label } of stats.topContributors) expect(label).not.toMatch(/@|\+33|\d{6}/);
    const tags = new Map<string, number>();
    for (const message of approved) for (const tag of TAGS) if (message.text.endsWith(tag)) tags.set(tag.slice(1).toLowerCase(), (tags.get(tag.slice(1).toLowerCase()) ?? 0) + 1);
    expect(Object.fromEntries(stats.hashtags.map((h: { tag: string; count: number }) => [h.tag.toLowerCase(), h.count]))).toEqual(Object.fromEntries(tags));
    expect(stats.viewers).toBe(0);
  }, 120_000);

  it('counts the viewers connected, and refuses anyone but a moderator', async () => {
    const { openSocket } = await import('../helpers/ws.js');
    const viewers = await Promise.all([1, 2, 3].map(() => openSocket(`${server.wsUrl}/ws/walls/capcomnet`)));
    expect((await server.request('GET', '/api/walls/capcomnet/stats', undefined, auth)).body.viewers).toBe(3);
    for (const viewer of viewers) viewer.close();
    expect((await server.request('GET', '/api/walls/capcomnet/stats')).status).toBe(401);
    expect((await server.request('GET', '/api/walls/nowhere/stats', undefined, auth)).status).toBe(404);
  });

  it('exposes the same counts, and the moderators\u2019 decision times, to Prometheus', async () => {
    const text = (await server.request('GET', '/metrics', undefined, auth)).text;
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1]);
    expect(value(/^toile_wall_contributions\{wall="capcomnet",channel="sms",status="approved"\} (\d+)$/m)).toBe(
      sent.filter((item) => item.channel === 'sms' && item.fate === 'approved').length,
    );
    expect(value(/^toile_moderation_decision_seconds_count\{wall="capcomnet"\} (\d+)$/m)).toBe(sent.filter((item) => item.decidedAt !== undefined).length);
  });
});
