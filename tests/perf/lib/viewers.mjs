// A cheap wall viewer for the load generator: a raw TCP socket that speaks just enough WebSocket (the
// upgrade, unmasked server frames, pong) to count what it receives. A `ws` client per viewer would make
// the generator, not the server, the bottleneck at 10,000 viewers: here a frame costs a header read and a
// short search for its `seq` and message id, never a JSON parse.
import net from 'node:net';

const HANDSHAKE_END = Buffer.from('\r\n\r\n');
const SEQ = Buffer.from('"seq":');
const MESSAGE_ID = Buffer.from('"message":{"id":');
const SNAPSHOT = Buffer.from('{"type":"snapshot"');
const EPOCH = Buffer.from('"epoch":"');
/** Loopback source addresses to spread connections over, so that 10,000 of them, twice, never run out of ports. */
const SOURCE_ADDRESSES = 16;

/** The integer written after `key` in `buffer` within [start, end), or -1. */
function numberAfter(buffer, key, start, end) {
  const at = buffer.indexOf(key, start);
  if (at === -1 || at >= end) return -1;
  let n = 0;
  let i = at + key.length;
  for (; i < end; i += 1) {
    const c = buffer[i];
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  return i === at + key.length ? -1 : n;
}

/** The JSON string (without escapes, as an epoch is) written after `key` in `buffer` within [start, end), or null. */
function stringAfter(buffer, key, start, end) {
  const at = buffer.indexOf(key, start);
  if (at === -1 || at >= end) return null;
  const close = buffer.indexOf(0x22, at + key.length);
  return close === -1 || close >= end ? null : buffer.toString('utf8', at + key.length, close);
}

/** A pong for a ping's payload, masked with a zero key as a client must (RFC 6455 §5.3). */
function pong(payload) {
  return Buffer.concat([Buffer.from([0x8a, 0x80 | payload.length, 0, 0, 0, 0]), payload]);
}

class Viewer {
  constructor(pool, index) {
    this.pool = pool;
    this.index = index;
    this.socket = null;
    this.open = false;
    this.pending = null;
    this.lastSeq = -1;
    this.frames = 0;
    /** The wall's epoch from the last snapshot, for resuming with `?since=…&epoch=…`; null before one. */
    this.epoch = null;
  }

  connect(query) {
    const { host, port, path } = this.pool;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port, localAddress: `127.0.0.${1 + (this.index % SOURCE_ADDRESSES)}` });
      socket.setNoDelay(true);
      this.socket = socket;
      this.open = false;
      this.pending = null;
      let handshake = Buffer.alloc(0);
      let settled = false;
      const settle = (error) => {
        if (settled) return;
        settled = true;
        if (error) reject(error);
        else resolve();
      };
      socket.once('connect', () => {
        socket.write(
          `GET ${path}${query} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      socket.on('data', (chunk) => {
        if (this.open) return this.read(chunk);
        handshake = Buffer.concat([handshake, chunk]);
        const end = handshake.indexOf(HANDSHAKE_END);
        if (end === -1) return;
        if (!handshake.subarray(0, 12).toString().startsWith('HTTP/1.1 101')) {
          socket.destroy();
          return settle(new Error(`upgrade refused: ${handshake.subarray(0, handshake.indexOf('\r\n')).toString()}`));
        }
        this.open = true;
        settle();
        const rest = handshake.subarray(end + 4);
        if (rest.length > 0) this.read(rest);
      });
      socket.on('error', (error) => settle(error));
      socket.on('close', () => {
        this.open = false;
        settle(new Error('closed before the upgrade'));
        this.pool.onClose(this);
      });
    });
  }

  /** Sends a text message as a browser does: masked (RFC 6455 §5.3), here with a zero key. */
  sendText(text) {
    const payload = Buffer.from(text);
    const header = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
    this.socket.write(Buffer.concat([header, Buffer.alloc(4), payload]));
  }

  read(chunk) {
    let buffer = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    let offset = 0;
    for (;;) {
      if (buffer.length - offset < 2) break;
      const opcode = buffer[offset] & 0x0f;
      let length = buffer[offset + 1] & 0x7f;
      let header = 2;
      if (length === 126) {
        if (buffer.length - offset < 4) break;
        length = buffer.readUInt16BE(offset + 2);
        header = 4;
      } else if (length === 127) {
        if (buffer.length - offset < 10) break;
        length = Number(buffer.readBigUInt64BE(offset + 2));
        header = 10;
      }
      if (buffer.length - offset < header + length) break;
      const start = offset + header;
      const end = start + length;
      if (opcode === 0x1) this.onText(buffer, start, end);
      else if (opcode === 0x9) this.socket.write(pong(buffer.subarray(start, end)));
      offset = end;
    }
    // A partial frame is copied out, so that it does not keep the whole chunk alive.
    this.pending = offset === buffer.length ? null : Buffer.from(buffer.subarray(offset));
  }

  onText(buffer, start, end) {
    this.frames += 1;
    this.lastFrameBytes = end - start;
    // Every wall frame but `reload` starts with its type and seq: the search stays within its first bytes.
    const seq = numberAfter(buffer, SEQ, start, Math.min(end, start + 160));
    const id = numberAfter(buffer, MESSAGE_ID, start, Math.min(end, start + 200));
    // Only a snapshot carries the epoch (as its second key); events are never searched for it.
    if (end - start > SNAPSHOT.length && buffer.compare(SNAPSHOT, 0, SNAPSHOT.length, start, start + SNAPSHOT.length) === 0) {
      this.epoch = stringAfter(buffer, EPOCH, start, Math.min(end, start + 160));
    }
    const previous = this.lastSeq;
    if (seq > previous) this.lastSeq = seq;
    this.pool.onFrame(this, previous, seq, id);
  }
}

/**
 * Many viewers of one wall socket path, with what a benchmark measures: when each message id (posted
 * with `sent`) reached each viewer, and when every viewer has reached a seq.
 */
export class ViewerPool {
  constructor(url, path) {
    const target = new URL(url);
    this.host = target.hostname;
    this.port = Number(target.port);
    this.path = path;
    this.viewers = [];
    this.sentAt = new Map();
    this.events = new Map();
    this.deliveryLatencies = [];
    this.closed = 0;
    this.target = null;
  }

  get size() {
    return this.viewers.length;
  }

  /**
   * Opens `count` more viewers, at most `concurrency` handshakes in flight, and resolves once every one
   * has been upgraded and received its first frame (the snapshot). `query(viewer)` adds `?since=…`.
   */
  async connect(count, { concurrency = 256, query = () => '', firstFrame = true } = {}) {
    const fresh = [];
    for (let i = 0; i < count; i += 1) fresh.push(new Viewer(this, this.viewers.length + i));
    this.viewers.push(...fresh);
    return this.open(fresh, { concurrency, query, firstFrame });
  }

  /** Reopens every viewer (after `drop`), each resuming from the last seq it saw when `since` is set. */
  reconnect({ concurrency = 256, query = () => '', firstFrame = false } = {}) {
    return this.open(this.viewers, { concurrency, query, firstFrame });
  }

  async open(viewers, { concurrency, query, firstFrame }) {
    const started = performance.now();
    const framesBefore = new Map(viewers.map((viewer) => [viewer, viewer.frames]));
    let next = 0;
    let failed = 0;
    const worker = async () => {
      while (next < viewers.length) {
        const viewer = viewers[next++];
        try {
          await viewer.connect(query(viewer));
        } catch {
          failed += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, viewers.length) }, worker));
    const upgradedMs = performance.now() - started;
    if (firstFrame) {
      // Polled, not per frame: waiting costs the generator nothing while frames arrive.
      while (viewers.some((viewer) => viewer.open && viewer.frames === framesBefore.get(viewer))) await sleep(5);
    }
    return { upgradedMs, readyMs: performance.now() - started, failed };
  }

  /** Closes every viewer's socket at once (a network blip, a server restart seen from the room). */
  async drop() {
    for (const viewer of this.viewers) viewer.socket?.destroy();
    while (this.viewers.some((viewer) => viewer.open)) await sleep(5);
  }

  /**
   * Has every viewer send the heartbeat a wall page sends on opening (client/src/wall/screen-report.ts),
   * as phones do as well as projectors; resolves once they are written.
   */
  async reportAsScreens() {
    for (const viewer of this.viewers) {
      viewer.sendText(
        JSON.stringify({ type: 'heartbeat', screen: `phone-${viewer.index}`, layout: 'grid', width: 390, height: 844, seq: Math.max(0, viewer.lastSeq), heapMb: null, cards: 12, mode: 'wall', language: 'fr' }),
      );
    }
    await sleep(0);
  }

  /** Stops reading on `count` viewers: their socket buffers fill as a stalled phone's would. */
  pause(count) {
    for (const viewer of this.viewers.slice(0, count)) viewer.socket.pause();
    return this.viewers.slice(0, count);
  }

  /** Records that message `id` was approved now, to measure the time until each viewer has it. */
  sent(id, at = performance.now()) {
    this.sentAt.set(id, at);
  }

  /** Resolves when every open viewer has seen `seq` (or after `timeoutMs`); how long it took since `since`. */
  async allAt(seq, { timeoutMs = 30_000, since = performance.now(), viewers = this.viewers } = {}) {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const behind = viewers.filter((viewer) => viewer.lastSeq < seq).length;
      if (behind === 0) return { ms: performance.now() - since, behind: 0 };
      if (performance.now() > deadline) return { ms: NaN, behind };
      await sleep(2);
    }
  }

  onFrame(viewer, previousSeq, seq, id) {
    if (id === -1 || seq <= previousSeq) return;
    const sentAt = this.sentAt.get(id);
    if (sentAt === undefined) return;
    const now = performance.now();
    this.eventBytes = viewer.lastFrameBytes;
    let event = this.events.get(id);
    if (!event) {
      event = { sentAt, count: 0, first: now, last: now };
      this.events.set(id, event);
    }
    event.count += 1;
    event.last = now;
    this.deliveryLatencies.push(now - sentAt);
  }

  onClose() {
    this.closed += 1;
  }

  /**
   * Per message: approve → the last viewer (summarized, and the samples, to pool several runs); per
   * delivery: approve → that viewer.
   */
  latencies(viewers = this.viewers.length) {
    const toLast = [];
    let incomplete = 0;
    for (const event of this.events.values()) {
      if (event.count < viewers) incomplete += 1;
      toLast.push(event.last - event.sentAt);
    }
    incomplete += [...this.sentAt.keys()].filter((id) => !this.events.has(id)).length;
    return {
      toLast: summarize(toLast),
      toLastSamples: toLast,
      perDelivery: summarize(this.deliveryLatencies),
      incomplete,
      deliveries: this.deliveryLatencies.length,
    };
  }

  /** Forgets what was measured, keeping the viewers. */
  resetMeasurements() {
    this.sentAt.clear();
    this.events.clear();
    this.deliveryLatencies = [];
  }

  close() {
    for (const viewer of this.viewers) viewer.socket?.destroy();
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** p50, p99 and max of a list of milliseconds. */
export function summarize(values) {
  if (values.length === 0) return { n: 0, p50: NaN, p99: NaN, max: NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] };
}
