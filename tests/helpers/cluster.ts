import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request as rawRequest } from 'node:http';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { projectRoot } from '../../server/paths.js';
import { ADMIN_PASSWORD, httpRequest, type TestResponse } from './server.js';
import { startTcpProxy, type TcpProxy, type TcpProxyOptions } from './tcp-proxy.js';
import { openSocket, type Frame, type TestSocket } from './ws.js';

/**
 * Cluster mode as it runs in production: a primary and edges, each a real `node dist/server/main.js`
 * process, sharing a real Redis. Without Redis, cluster tests skip, except when TOILE_REQUIRE_REDIS=1 (CI),
 * where a missing Redis fails them instead of quietly hiding them.
 *
 * Usage (the top-level await runs once per file):
 *   const redisUp = await redisAvailable();
 *   describe.skipIf(skipRedisTests(redisUp))('…', () => { const cluster = useCluster(); … });
 */

/** The Redis the tests use: TOILE_TEST_REDIS_URL, or the local one. */
export const REDIS_URL = process.env.TOILE_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
export const METRICS_TOKEN = 'metrics-token-for-the-cluster-tests';
const MAIN = join(projectRoot(), 'dist', 'server', 'main.js');
/** How long a process may take to answer /healthz 200. */
const START_TIMEOUT_MS = 20_000;
/** How much of a process's output is kept for failure messages. */
const OUTPUT_LIMIT = 64 * 1024;

/** Why Redis cannot be used (no answer, or no PONG), or null when it answers PING. */
export function redisProblem(url = REDIS_URL, timeoutMs = 1000): Promise<string | null> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
    let answer = '';
    const done = (problem: string | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(problem);
    };
    const timer = setTimeout(() => done(`no answer to PING within ${timeoutMs} ms`), timeoutMs);
    socket.on('error', (error) => done(error.message));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG') ? null : `PING was answered ${JSON.stringify(answer.trim())}`);
    });
  });
}

export async function redisAvailable(url = REDIS_URL): Promise<boolean> {
  return (await redisProblem(url)) === null;
}

/** True when a missing Redis must fail the run (TOILE_REQUIRE_REDIS=1) rather than skip it. */
export function redisRequired(): boolean {
  return process.env.TOILE_REQUIRE_REDIS === '1';
}

/**
 * Whether cluster tests should skip here: only when Redis is unreachable and not required. When it is
 * required but unreachable, the tests run and `useCluster()`'s first hook throws, so the run fails and says why.
 */
export function skipRedisTests(available: boolean): boolean {
  return !available && !redisRequired();
}

/** Throws, saying what to do, when Redis does not answer. */
export async function ensureRedis(url = REDIS_URL): Promise<void> {
  const problem = await redisProblem(url);
  if (problem === null) return;
  throw new Error(
    `Cluster tests need Redis at ${url}, but ${problem}. Start one (redis-server, or docker run -p 6379:6379 redis) ` +
      `or set TOILE_TEST_REDIS_URL` +
      (redisRequired() ? '; TOILE_REQUIRE_REDIS=1 makes this a failure rather than a skip.' : '.'),
  );
}

/** A free local TCP port (listened on, then closed). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** Deletes every key under `<prefix>:`, with SCAN (never KEYS). */
export async function deleteRedisKeys(prefix: string, url = REDIS_URL): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** Every child process started by this worker: killed when it exits, whatever happened to the tests. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export type Role = 'primary' | 'edge';

/** One Toile process (primary or edge): its address, its output, and ways to stop it and start it again. */
export class ToileProcess {
  readonly url: string;
  readonly wsUrl: string;
  private child: ChildProcess | null = null;
  private exit: Promise<number | string | null> = Promise.resolve(null);
  private log = '';
  /** How many times this process has been started. */
  starts = 0;

  constructor(
    readonly name: string,
    readonly role: Role,
    readonly port: number,
    readonly env: Record<string, string>,
    readonly workDir: string,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.wsUrl = `ws://127.0.0.1:${port}`;
  }

  /** What the process printed (stdout and stderr, every run), the last 64 KB. */
  output(): string {
    return this.log;
  }

  get running(): boolean {
    return this.child !== null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process (again, on the same port and with the same environment) and waits for /healthz 200. */
  async start(): Promise<this> {
    if (this.child) throw new Error(`${this.name} is already running`);
    if (!existsSync(MAIN)) throw new Error(`${MAIN} does not exist: build the server first (npx tsc -p tsconfig.build.json; npm test does it).`);
    this.starts += 1;
    this.append(`\n--- ${this.name} start #${this.starts} on port ${this.port} ---\n`);
    const child = spawn(process.execPath, [MAIN], { cwd: this.workDir, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    children.add(child);
    child.stdout!.on('data', (chunk: Buffer) => this.append(chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => this.append(chunk.toString()));
    this.exit = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        children.delete(child);
        if (this.child === child) this.child = null;
        this.append(`\n--- ${this.name} exited with ${signal ?? code} ---\n`);
        resolve(signal ?? code);
      });
    });
    await this.waitHealthy(child);
    return this;
  }

  /** SIGTERM, then waits for the exit (SIGKILL after 15 s); its exit code or signal. */
  async stop(): Promise<number | string | null> {
    const child = this.child;
    if (!child) return this.exit;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const result = await this.exit;
    clearTimeout(timer);
    return result;
  }

  /** SIGKILL: the process dies at once, as in a crash or an OOM kill; waits for the exit. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGKILL');
    await this.exit;
  }

  /** Stops (or kills) the process and starts it again on the same port. */
  async restart(how: 'stop' | 'kill' = 'stop'): Promise<this> {
    if (how === 'kill') await this.kill();
    else await this.stop();
    return this.start();
  }

  request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<TestResponse> {
    return httpRequest(this.url, method, path, body, headers, 10_000);
  }

  /** The Prometheus text of GET /metrics, read with the metrics token. */
  async metrics(): Promise<string> {
    const response = await this.request('GET', '/metrics', undefined, { authorization: `Bearer ${METRICS_TOKEN}` });
    if (response.status !== 200) throw new Error(`GET /metrics on ${this.name} was answered ${response.status}: ${response.text}`);
    return response.text;
  }

  private append(text: string): void {
    this.log += text;
    if (this.log.length > OUTPUT_LIMIT) this.log = this.log.slice(-OUTPUT_LIMIT);
  }

  private async waitHealthy(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    let last: string;
    for (;;) {
      if (this.child !== child) throw new Error(`${this.name} exited before answering /healthz 200:\n${this.output()}`);
      try {
        const response = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(1000) });
        const text = await response.text();
        if (response.status === 200) return;
        last = `${response.status} ${text}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      if (Date.now() > deadline) {
        throw new Error(`${this.name} did not answer /healthz 200 within ${START_TIMEOUT_MS} ms (last: ${last}):\n${this.output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The primary: SQLite, ingest, moderation, and the helpers to feed its walls as an admin would. */
export class PrimaryProcess extends ToileProcess {
  private token: string | undefined;

  /** A Bearer token with role admin, created through the API (login, then POST /api/tokens) once. */
  async adminToken(): Promise<string> {
    if (this.token !== undefined) return this.token;
    const login = await this.request('POST', '/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
    if (login.status !== 200) throw new Error(`logging in as admin on ${this.name} was answered ${login.status}: ${login.text}`);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const created = await this.request(
      'POST',
      '/api/tokens',
      { name: 'cluster-tests', role: 'admin' },
      { cookie, 'x-csrf-token': login.body.csrfToken as string },
    );
    if (created.status !== 201) throw new Error(`creating a token on ${this.name} was answered ${created.status}: ${created.text}`);
    this.token = created.body.token as string;
    return this.token;
  }

  async auth(): Promise<{ authorization: string }> {
    return { authorization: `Bearer ${await this.adminToken()}` };
  }

  /** Posts a message through the ingest API (fresh externalId); its id. */
  async ingest(text: string, { name = 'Ada', wall = 'capcomnet' }: { name?: string; wall?: string } = {}): Promise<number> {
    const externalId = `cluster-${randomBytes(6).toString('hex')}`;
    const response = await this.request('POST', `/api/walls/${wall}/messages`, { externalId, author: { name }, text }, await this.auth());
    if (response.status !== 201) throw new Error(`ingesting "${text}" on ${this.name} was answered ${response.status}: ${response.text}`);
    return response.body.id as number;
  }

  async approve(id: number): Promise<void> {
    const response = await this.request('POST', `/api/messages/${id}/approve`, {}, await this.auth());
    if (response.status !== 200) throw new Error(`approving message ${id} on ${this.name} was answered ${response.status}: ${response.text}`);
  }

  /** Ingests `count` messages, then approves them one after the other; their ids, in approval order. */
  async approveMany(count: number, label = 'Message'): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < count; i += 1) ids.push(await this.ingest(`${label} ${i + 1}`, { name: `Guest ${i + 1}` }));
    for (const id of ids) await this.approve(id);
    return ids;
  }

  /** The wall's state as the primary serves it over HTTP: its seq and epoch. */
  async wallState(slug = 'capcomnet'): Promise<{ seq: number; epoch: string }> {
    // Asked from the end: the answer's latestSeq is the wall's seq (a page from 0 stops at 1,000 events).
    const response = await this.request('GET', `/api/walls/${slug}/events?since=${Number.MAX_SAFE_INTEGER}`);
    if (response.status !== 200) throw new Error(`GET events of ${slug} on ${this.name} was answered ${response.status}: ${response.text}`);
    return { seq: response.body.latestSeq as number, epoch: response.body.epoch as string };
  }
}

export interface PrimaryOptions {
  redisUrl?: string;
  prefix?: string;
  dataDir?: string;
  port?: number;
  env?: Record<string, string>;
}

export interface EdgeOptions {
  redisUrl?: string;
  prefix?: string;
  port?: number;
  /** TOILE_PRIMARY_URL; the cluster's first primary's URL unless told (null: not set). */
  primaryUrl?: string | null;
  env?: Record<string, string>;
}

/** The environment a child starts from: this one without anything Toile or vitest would read. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (key.startsWith('TOILE_') || key.startsWith('VITEST') || ['REDIS_URL', 'PORT', 'HOST', 'NODE_OPTIONS', 'TEST'].includes(key)) continue;
    env[key] = value;
  }
  return env;
}

/**
 * One test's (or one file's) cluster: a Redis prefix of its own, the processes, sockets and proxies it
 * started, all stopped and deleted by `cleanup()`.
 */
export class Cluster {
  readonly prefix = `toile-test-${randomBytes(6).toString('hex')}`;
  readonly processes: ToileProcess[] = [];
  readonly sockets: TestSocket[] = [];
  readonly proxies: TcpProxy[] = [];
  private readonly dirs: string[] = [];
  private edges = 0;

  constructor(readonly redisUrl: string = REDIS_URL) {}

  get primary(): PrimaryProcess | undefined {
    return this.processes.find((p): p is PrimaryProcess => p instanceof PrimaryProcess);
  }

  async startPrimary(options: PrimaryOptions = {}): Promise<PrimaryProcess> {
    const port = options.port ?? (await freePort());
    const workDir = this.tempDir();
    const dataDir = options.dataDir ?? join(workDir, 'data');
    const env = {
      ...baseEnv(),
      PORT: String(port),
      HOST: '127.0.0.1',
      TOILE_PUBLIC_URL: `http://127.0.0.1:${port}`,
      TOILE_DATA_DIR: dataDir,
      TOILE_ADMIN_PASSWORD: ADMIN_PASSWORD,
      TOILE_LOG_LEVEL: 'warn',
      TOILE_METRICS_TOKEN: METRICS_TOKEN,
      REDIS_URL: options.redisUrl ?? this.redisUrl,
      TOILE_REDIS_PREFIX: options.prefix ?? this.prefix,
      ...options.env,
    };
    const primary = new PrimaryProcess('primary', 'primary', port, env, workDir);
    this.processes.push(primary);
    return primary.start();
  }

  async startEdge(options: EdgeOptions = {}): Promise<ToileProcess> {
    const port = options.port ?? (await freePort());
    // An edge runs in an empty directory of its own: whatever it writes (it should write nothing) is seen.
    const workDir = this.tempDir();
    const primaryUrl = options.primaryUrl === undefined ? this.primary?.url : options.primaryUrl;
    const env: Record<string, string> = {
      ...baseEnv(),
      TOILE_ROLE: 'edge',
      PORT: String(port),
      HOST: '127.0.0.1',
      TOILE_ADMIN_PASSWORD: ADMIN_PASSWORD,
      TOILE_LOG_LEVEL: 'warn',
      TOILE_METRICS_TOKEN: METRICS_TOKEN,
      REDIS_URL: options.redisUrl ?? this.redisUrl,
      TOILE_REDIS_PREFIX: options.prefix ?? this.prefix,
      ...(primaryUrl === null || primaryUrl === undefined ? {} : { TOILE_PRIMARY_URL: primaryUrl }),
      ...options.env,
    };
    this.edges += 1;
    const edge = new ToileProcess(`edge ${this.edges}`, 'edge', port, env, workDir);
    this.processes.push(edge);
    return edge.start();
  }

  /** A TCP proxy to Redis that the test can cut; give its `url` as `redisUrl`. */
  async proxy(options: TcpProxyOptions = {}): Promise<TcpProxy> {
    const { hostname, port } = new URL(this.redisUrl);
    const proxy = await startTcpProxy({ target: { host: hostname, port: Number(port || 6379) }, ...options });
    this.proxies.push(proxy);
    return proxy;
  }

  /** A viewer of a wall on `node`, closed at cleanup; `since`/`epoch` to resume. */
  async viewer(node: ToileProcess, options: { slug?: string; since?: number; epoch?: string } = {}): Promise<TestSocket> {
    const query = new URLSearchParams();
    if (options.since !== undefined) query.set('since', String(options.since));
    if (options.epoch !== undefined) query.set('epoch', options.epoch);
    const search = query.toString() === '' ? '' : `?${query}`;
    const socket = await openSocket(`${node.wsUrl}/ws/walls/${options.slug ?? 'capcomnet'}${search}`);
    this.sockets.push(socket);
    return socket;
  }

  /** Closes the sockets the test opened. */
  closeSockets(): void {
    for (const socket of this.sockets.splice(0)) socket.close();
  }

  /** What every process printed: for failure messages. */
  outputs(): string {
    return this.processes.map((p) => `===== ${p.name} (${p.url}, pid ${p.pid ?? 'exited'}) =====\n${p.output()}`).join('\n');
  }

  /** Stops everything this cluster started and deletes its Redis keys and temporary directories. */
  async cleanup(): Promise<void> {
    this.closeSockets();
    // Killed rather than stopped: a clean shutdown is not what these tests are about, and it is faster.
    await Promise.allSettled(this.processes.map((p) => p.kill()));
    await Promise.allSettled(this.proxies.splice(0).map((p) => p.close()));
    try {
      await deleteRedisKeys(this.prefix, this.redisUrl);
    } finally {
      for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    }
  }

  private tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'toile-cluster-'));
    this.dirs.push(dir);
    return dir;
  }
}

/**
 * Registers the hooks for a describe block: Redis checked first (a clear failure when it is required but
 * down), a fresh cluster (prefix, processes) per test or per file, the processes' output printed when a
 * test fails, and everything stopped and deleted afterwards, failed test or not. Returns the current cluster.
 */
export function useCluster(options: { per?: 'test' | 'file' } = {}): () => Cluster {
  const per = options.per ?? 'test';
  let cluster: Cluster | undefined;
  beforeAll(async () => {
    await ensureRedis();
    if (per === 'file') cluster = new Cluster();
  });
  beforeEach((context) => {
    if (per === 'test') cluster = new Cluster();
    const current = cluster;
    context.onTestFailed(() => {
      if (current) process.stderr.write(`\nOutput of the cluster's processes (prefix ${current.prefix}):\n${current.outputs()}\n`);
    });
  });
  afterEach(async () => {
    if (per === 'test') {
      await cluster?.cleanup();
      cluster = undefined;
    } else {
      cluster?.closeSockets();
    }
  });
  afterAll(async () => {
    await cluster?.cleanup();
    cluster = undefined;
  });
  return () => {
    if (!cluster) throw new Error('no cluster: useCluster() hooks did not run (is Redis up?)');
    return cluster;
  };
}

/** The frames that are wall events (they have a seq; not the snapshot, not a status). */
export function events(frames: Frame[]): Frame[] {
  return frames.filter((frame) => typeof frame.seq === 'number' && frame.type !== 'snapshot');
}

/** The seqs of the wall events among `frames`. */
export function seqs(frames: Frame[]): number[] {
  return events(frames).map((frame) => frame.seq as number);
}

/** The numbers from `from` to `to`, both included. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/** Waits until `socket` has received the wall event with seq `seq`; all its event frames so far. */
export async function waitForSeq(socket: TestSocket, seq: number, timeoutMs = 5000): Promise<Frame[]> {
  await socket.next((frame) => typeof frame.seq === 'number' && frame.type !== 'snapshot' && frame.seq >= seq, timeoutMs);
  return events(socket.frames);
}

/** A metric's value in Prometheus text, for the sample whose labels include `labels`; undefined if absent. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

/** Asks `node` for a WebSocket upgrade at `path` and returns the HTTP answer when it is refused. */
export function refusedUpgrade(node: ToileProcess, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const outgoing = rawRequest(`${node.url}${path}`, {
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' },
    });
    outgoing.on('upgrade', (_response, socket) => {
      socket.destroy();
      reject(new Error(`${path} was upgraded`));
    });
    outgoing.on('response', (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // Not JSON: kept as text for the assertion to show.
        }
        resolve({ status: response.statusCode ?? 0, body });
      });
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}
