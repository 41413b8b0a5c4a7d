import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type StartOptions, type TestServer } from '../helpers/server.js';
import { postTwilio, TWILIO_TOKEN, twilioParams } from '../helpers/twilio.js';
import { until } from '../helpers/wait.js';
import { openSocket, type TestSocket } from '../helpers/ws.js';

/**
 * `GET /metrics` as a Prometheus scraper and an organiser read it: viewers, events and deliveries follow
 * what the wall's sockets really receive, contributions are counted by channel and outcome, and the page
 * is closed to anyone who is neither an admin nor the scraper holding TOILE_METRICS_TOKEN.
 */

const METRICS_TOKEN = 'scraper-token-0123456789abcdef';

let server: TestServer;
const sockets: TestSocket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await server.close({ removeData: true });
});

async function start(options: StartOptions = {}): Promise<TestServer> {
  server = await startServer({ ...options, env: { TOILE_METRICS_TOKEN: METRICS_TOKEN, TWILIO_AUTH_TOKEN: TWILIO_TOKEN, ...options.env } });
  return server;
}

async function admin(): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await server.adminToken()}` };
}

/** One sample's value from the text exposition format, or undefined when the series is absent. */
async function sample(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const response = await server.request('GET', '/metrics', undefined, { authorization: `Bearer ${METRICS_TOKEN}` });
  expect(response.status).toBe(200);
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of response.text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = match[2] === undefined ? [] : match[2].split(',');
    if (have.length === wanted.length && wanted.every((pair) => have.includes(pair))) return Number(match[3]);
  }
  return undefined;
}

async function viewer(): Promise<TestSocket> {
  const socket = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
  sockets.push(socket);
  await socket.next((f) => f.type === 'snapshot');
  return socket;
}

async function contributeByApi(externalId: string): Promise<{ status: number; body: { id: number; status: string } }> {
  const { token } = server.app.toile.auth.createToken(`bridge-${externalId}`, 'ingest', 'tests');
  const post = { externalId, author: { name: 'Claire' }, text: `Message ${externalId}` };
  return server.request('POST', '/api/walls/capcomnet/messages', post, { authorization: `Bearer ${token}` });
}

describe('the metrics a Prometheus scraper reads', () => {
  it('counts the viewers of each wall as their sockets open and close', async () => {
    await start();
    const first = await viewer();
    await viewer();
    expect(await sample('toile_wall_viewers', { wall: 'capcomnet' })).toBe(2);

    first.close();
    await first.closed;
    await until(async () => (await sample('toile_wall_viewers', { wall: 'capcomnet' })) === 1, 'the closed socket to leave the count');
  });

  it('counts an approval as one event of the wall, delivered once to each viewer', async () => {
    await start();
    const viewers = [await viewer(), await viewer(), await viewer()];
    const { body: created } = await contributeByApi('one');
    const eventsBefore = (await sample('toile_wall_events_total', { wall: 'capcomnet' })) ?? 0;
    const deliveriesBefore = (await sample('toile_deliveries_total')) ?? 0;

    await server.request('POST', `/api/messages/${created.id}/approve`, {}, await admin());
    for (const socket of viewers) await socket.next((f) => f.type === 'approved');

    expect(await sample('toile_wall_events_total', { wall: 'capcomnet' })).toBe(eventsBefore + 1);
    expect(await sample('toile_deliveries_total')).toBe(deliveriesBefore + 3);
  });

  it('counts contributions by channel and outcome, a provider’s retry as a duplicate', async () => {
    await start();
    expect((await contributeByApi('bridge-1')).body.status).toBe('pending');
    expect((await contributeByApi('bridge-1')).status).toBe(200);
    const sms = twilioParams({ MessageSid: 'SM00000000000000000000000000000042', Body: 'Bravo !' });
    expect((await postTwilio(server, sms)).status).toBe(200);
    expect((await postTwilio(server, sms)).status).toBe(200);
    await postTwilio(server, twilioParams({ MessageSid: 'SM00000000000000000000000000000043', Body: 'STOP' }));
    await server.request('PATCH', '/api/walls/capcomnet', { moderation: 'post' }, await admin());
    expect((await server.request('POST', '/api/walls/capcomnet/contribute', { text: 'Salut' })).body.status).toBe('approved');

    expect(await sample('toile_ingest_total', { channel: 'api', outcome: 'pending' })).toBe(1);
    expect(await sample('toile_ingest_total', { channel: 'api', outcome: 'duplicate' })).toBe(1);
    expect(await sample('toile_ingest_total', { channel: 'sms', outcome: 'pending' })).toBe(1);
    expect(await sample('toile_ingest_total', { channel: 'sms', outcome: 'duplicate' })).toBe(1);
    expect(await sample('toile_ingest_total', { channel: 'sms', outcome: 'rejected' })).toBe(1);
    expect(await sample('toile_ingest_total', { channel: 'web', outcome: 'approved' })).toBe(1);
  });

  it('never shows a contributor’s phone number', async () => {
    await start();
    await postTwilio(server, twilioParams({ From: '+33698765432' }));
    const response = await server.request('GET', '/metrics', undefined, await admin());
    expect(response.text).toContain('toile_ingest_total{channel="sms",outcome="pending"} 1');
    expect(response.text).not.toMatch(/98765432/);
  });

  it('reports the event-loop delay and the process’s figures under the toile_ prefix', async () => {
    await start();
    const response = await server.request('GET', '/metrics', undefined, await admin());
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.text).toMatch(/^toile_nodejs_eventloop_lag_p99_seconds \S+$/m);
    expect(response.text).toMatch(/^toile_process_cpu_seconds_total \S+$/m);
  });

  it('counts a viewer dropped by the slow-viewer policy', async () => {
    // A hard limit no socket can stay under: the first frame (the snapshot) already finds it "too far behind".
    await start({ socketPolicy: { hardLimitBytes: -1 } });
    const socket = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
    sockets.push(socket);
    await socket.closed;
    expect(await sample('toile_slow_viewers_dropped_total')).toBe(1);
  });
});

describe('who may read the metrics', () => {
  it('refuses a request without credentials', async () => {
    await start();
    const response = await server.request('GET', '/metrics');
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('unauthorized');
  });

  it('lets an admin read them, by token or by session', async () => {
    await start();
    expect((await server.request('GET', '/metrics', undefined, await admin())).status).toBe(200);
    const session = await server.logIn('admin', server.adminPassword);
    expect((await server.request('GET', '/metrics', undefined, { cookie: session.cookie })).status).toBe(200);
  });

  it('refuses a moderator', async () => {
    await start();
    const { token } = server.app.toile.auth.createToken('mod', 'moderator', 'tests');
    expect((await server.request('GET', '/metrics', undefined, { authorization: `Bearer ${token}` })).status).toBe(403);
  });

  it('lets the scraper holding TOILE_METRICS_TOKEN read them, and nothing else', async () => {
    await start();
    const scraper = { authorization: `Bearer ${METRICS_TOKEN}` };
    expect((await server.request('GET', '/metrics', undefined, scraper)).status).toBe(200);
    expect((await server.request('GET', '/metrics', undefined, { authorization: `Bearer ${METRICS_TOKEN}x` })).status).toBe(401);
    expect((await server.request('GET', '/api/walls', undefined, scraper)).status).toBe(401);
    expect((await server.request('GET', '/api/auth/me', undefined, scraper)).status).toBe(401);
  });

  it('accepts no metrics token when TOILE_METRICS_TOKEN is unset', async () => {
    server = await startServer();
    expect((await server.request('GET', '/metrics', undefined, { authorization: `Bearer ${METRICS_TOKEN}` })).status).toBe(401);
  });
});
