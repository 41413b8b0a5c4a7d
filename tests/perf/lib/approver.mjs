// What makes events in a wall benchmark, from the load generator's process (so that "approved at" and
// "received at" are read from one clock): Toile's real approve route with a bearer token, or the
// baseline's `POST /broadcast` with an event of the same shape and size as Toile's.
import http from 'node:http';

export class Approver {
  constructor(url, { token } = {}) {
    const target = new URL(url);
    this.host = target.hostname;
    this.port = Number(target.port);
    this.token = token;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  }

  request(path, body, headers = {}) {
    return new Promise((resolve, reject) => {
      const outgoing = http.request(
        { host: this.host, port: this.port, path, method: 'POST', agent: this.agent, headers: { 'content-length': body.length, ...headers } },
        (response) => {
          response.resume();
          response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`${path} was answered ${response.statusCode}`))));
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  /** Toile: approves message `id` as a moderator's console does. */
  approve(id) {
    return this.request(`/api/messages/${id}/approve`, Buffer.alloc(0), { authorization: `Bearer ${this.token}` });
  }

  /** The baseline: has `event` (a JSON string) framed once and written to every socket. */
  broadcast(event) {
    return this.request('/broadcast', Buffer.from(event), { 'content-type': 'application/json' });
  }

  close() {
    this.agent.destroy();
  }
}

/**
 * An approved event as the baseline broadcasts it: the shape of Toile's (`{"type":"approved","seq":…,
 * "message":{"id":…}}`) with a text that brings it to `bytes`, the size of Toile's own events in the run.
 */
export function bareEvent(seq, id, bytes) {
  const head = `{"type":"approved","seq":${seq},"message":{"id":${id},"text":"`;
  const tail = '"}}';
  return head + 'x'.repeat(Math.max(0, bytes - head.length - tail.length)) + tail;
}

/** Calls `fire(i)` for i = 0…count-1 at `perSecond`, open loop (a slow answer does not delay the next). */
export async function atRate(count, perSecond, fire) {
  const started = performance.now();
  const inFlight = [];
  for (let i = 0; i < count; i += 1) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(fire(i));
  }
  await Promise.all(inFlight);
}
