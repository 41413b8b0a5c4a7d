import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { openSocket, type TestSocket } from '../helpers/ws.js';

let server: TestServer;
let clock: number;
let wall: TestSocket;
let auth: Record<string, string>;

beforeEach(async () => {
  clock = Date.parse('2026-11-29T10:00:00Z');
  server = await startServer({ now: () => new Date(clock) });
  auth = { authorization: `Bearer ${await server.adminToken()}` };
  await server.request('PATCH', '/api/walls/capcomnet', { moderation: 'post', publishDelaySeconds: 30 }, auth);
  wall = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
  await wall.next((f) => f.type === 'snapshot');
});

afterEach(async () => {
  wall.close();
  await server.close({ removeData: true });
});

const post = (id: string, text: string) =>
  server.request('POST', '/api/walls/capcomnet/messages', { externalId: id, author: { name: 'Ada' }, text }, auth);

describe('the publish-delay lane', () => {
  it('publishes a post-moderated message only once its delay has passed', async () => {
    const posted = await post('d1', 'delayed');
    expect(posted.body.status).toBe('pending');
    clock += 29_000;
    expect(server.app.toile.publishDue()).toBe(0);
    clock += 2_000;
    expect(server.app.toile.publishDue()).toBe(1);
    const event = await wall.next((f) => f.type === 'approved');
    expect(event.message.text).toBe('delayed');
    const audit = await server.request('GET', '/api/audit?wall=capcomnet', undefined, auth);
    expect(audit.body.items[0]).toMatchObject({ action: 'approve', actor: 'system:publish-delay', targetId: String(posted.body.id) });
  });

  it('never publishes a message a moderator vetoed during the delay', async () => {
    const posted = await post('d2', 'vetoed');
    const rejected = await server.request('POST', `/api/messages/${posted.body.id}/reject`, {}, auth);
    expect(rejected.status).toBe(200);
    clock += 60_000;
    expect(server.app.toile.publishDue()).toBe(0);
    const events = await server.request('GET', '/api/walls/capcomnet/events?since=1');
    expect(events.body.events).toEqual([]);
  });
});
