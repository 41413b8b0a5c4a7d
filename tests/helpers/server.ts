import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../../server/app.js';
import { parseConfig } from '../../server/config.js';
import { loggerOptions } from '../../server/logger.js';

export const ADMIN_PASSWORD = 'correct horse battery staple';

export interface TestResponse {
  status: number;
  // Tests assert on whatever JSON the server sent.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: Headers;
  text: string;
}

export interface TestServer {
  url: string;
  wsUrl: string;
  app: FastifyInstance;
  dataDir: string;
  adminPassword: string;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse>;
  /** A Bearer token with role admin (created once per server). */
  adminToken(): Promise<string>;
  /** Logs in as a browser would: the session cookie, its CSRF token, and both as headers for unsafe requests. */
  logIn(username: string, password: string): Promise<Session>;
  /** Posts a message to a wall through the ingest API (as the admin, with a fresh externalId); its id. */
  ingest(text: string, options?: { name?: string; wall?: string }): Promise<number>;
  /** Approves a message as the admin. */
  approve(id: number): Promise<void>;
  /** Stops the server, keeping its data directory (for restart tests) unless `removeData`. */
  close(options?: { removeData?: boolean }): Promise<void>;
}

export interface Session {
  cookie: string;
  csrfToken: string;
  headers: { cookie: string; 'x-csrf-token': string };
}

export interface StartOptions extends Partial<Omit<AppOptions, 'config'>> {
  /** Reuse a data directory (to test restarts); a fresh temporary one otherwise. */
  dataDir?: string;
  /** Listen on this port (to restart a server where its pages expect it); a free one otherwise. */
  port?: number;
  env?: Record<string, string>;
}

/**
 * A request as a client sends it: a body that is not a string goes as JSON. The answer's body is parsed
 * when it is JSON, and the text otherwise (an HTML page, TwiML, metrics…).
 */
export async function httpRequest(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  timeoutMs?: number,
): Promise<TestResponse> {
  const response = await fetch(baseUrl + path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    ...(timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: the text is in `body` as is.
  }
  return { status: response.status, body: parsed, headers: response.headers, text };
}

/** Builds the real app on a fresh SQLite file and listens on a random local port. */
export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'toile-test-'));
  const config = parseConfig({ TOILE_DATA_DIR: dataDir, TOILE_ADMIN_PASSWORD: ADMIN_PASSWORD, PORT: '0', ...options.env });
  const { dataDir: _ignored, env: _env, port = 0, ...appOptions } = options;
  const app = await buildApp({ logger: false, ...appOptions, config });
  await app.listen({ port, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('server did not bind a TCP port');
  const url = `http://127.0.0.1:${address.port}`;
  // Signatures and Origin checks are computed against the public URL, so it must be the real one.
  app.toile.config.publicUrl = url;
  let token: string | undefined;

  const server: TestServer = {
    url,
    wsUrl: url.replace('http', 'ws'),
    app,
    dataDir,
    adminPassword: ADMIN_PASSWORD,
    request: (method, path, body, headers = {}) => httpRequest(url, method, path, body, headers),
    async adminToken() {
      token ??= app.toile.auth.createToken('tests', 'admin', 'tests').token;
      return token;
    },
    async logIn(username, password) {
      const response = await server.request('POST', '/api/auth/login', { username, password });
      if (response.status !== 200) throw new Error(`logging in as ${username} was refused with ${response.status}`);
      const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
      const csrfToken = response.body.csrfToken as string;
      return { cookie, csrfToken, headers: { cookie, 'x-csrf-token': csrfToken } };
    },
    async ingest(text, { name = 'Ada', wall = 'capcomnet' } = {}) {
      const externalId = `test-${Math.random().toString(36).slice(2)}`;
      const auth = { authorization: `Bearer ${await server.adminToken()}` };
      const response = await server.request('POST', `/api/walls/${wall}/messages`, { externalId, author: { name }, text }, auth);
      if (response.status !== 201) throw new Error(`ingesting "${text}" was answered ${response.status}: ${response.text}`);
      return response.body.id as number;
    },
    async approve(id) {
      const response = await server.request('POST', `/api/messages/${id}/approve`, {}, { authorization: `Bearer ${await server.adminToken()}` });
      if (response.status !== 200) throw new Error(`approving message ${id} was answered ${response.status}: ${response.text}`);
    },
    async close({ removeData = false } = {}) {
      await app.close();
      if (removeData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

/**
 * Toile's production logger (its redaction included) at trace level, writing into `lines`: what the
 * privacy tests scan for contributors' addresses and secrets. Pass `logger` to `startServer`.
 */
export function capturedLogger(): { logger: AppOptions['logger']; lines: string[] } {
  const lines: string[] = [];
  return { lines, logger: { ...(loggerOptions('trace') as object), stream: { write: (line: string) => void lines.push(line) } } };
}
