import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../../server/paths.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { openSocket } from '../helpers/ws.js';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('data survives a restart', () => {
  it('keeps messages, decisions, seq and epoch when the server restarts on the same data directory', async () => {
    const first = await startServer();
    cleanups.push(() => rmSync(first.dataDir, { recursive: true, force: true }));
    const token = await first.adminToken();
    const auth = { authorization: `Bearer ${token}` };
    const posted = await first.request('POST', '/api/walls/capcomnet/messages', { externalId: 'k', author: { name: 'Kim' }, text: 'kept' }, auth);
    await first.request('POST', `/api/messages/${posted.body.id}/approve`, {}, auth);
    const before = await openSocket(`${first.wsUrl}/ws/walls/capcomnet`);
    const snapshotBefore = await before.next();
    before.close();
    await first.close();

    const second: TestServer = await startServer({ dataDir: first.dataDir });
    cleanups.push(() => second.close());
    const after = await openSocket(`${second.wsUrl}/ws/walls/capcomnet`);
    const snapshotAfter = await after.next();
    after.close();
    expect(snapshotAfter.epoch).toBe(snapshotBefore.epoch);
    expect(snapshotAfter.seq).toBe(1);
    expect(snapshotAfter.items.map((m: { text: string }) => m.text)).toEqual(['kept']);
    // The admin was created once; the password from the first start still works.
    const login = await second.request('POST', '/api/auth/login', { username: 'admin', password: second.adminPassword });
    expect(login.status).toBe(200);
    expect(second.app.toile.bootstrap.createdAdmin).toBe(false);
  });
});

const compiledMain = join(projectRoot(), 'dist', 'server', 'main.js');

describe('the production process (npm test builds it first)', () => {
  it('starts, serves /healthz, and exits 0 within 10 s of SIGTERM, closing wall sockets with 1001', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'toile-proc-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(process.execPath, [compiledMain], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', TOILE_DATA_DIR: dataDir, TOILE_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));

    const started = Date.now();
    let healthy = false;
    while (!healthy && Date.now() - started < 15_000) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/healthz`);
        healthy = response.status === 200 && (await response.json()).status === 'ok';
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(healthy, stderr).toBe(true);
    expect(stdout).toContain('/w/capcomnet');
    expect(stdout).toMatch(/password: \S{12,}/);

    const viewer = await openSocket(`ws://127.0.0.1:${port}/ws/walls/capcomnet`);
    await viewer.next();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const signalled = Date.now();
    child.kill('SIGTERM');
    const closed = await viewer.closed;
    const code = await exited;
    expect(closed.code).toBe(1001);
    expect(code).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(10_000);
    // The generated password is printed on the terminal, never in the log lines.
    expect(stderr).not.toMatch(/password/i);
  });

  it('fails at start with one line naming a bad variable', async () => {
    const child = spawn(process.execPath, [compiledMain], { env: { ...process.env, PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('PORT');
  });

  it('resets a lost admin password from the command line, ending the old sessions', async () => {
    const first = await startServer();
    cleanups.push(() => rmSync(first.dataDir, { recursive: true, force: true }));
    const oldLogin = await first.request('POST', '/api/auth/login', { username: 'admin', password: first.adminPassword });
    const oldCookie = (oldLogin.headers.get('set-cookie') ?? '').split(';')[0]!;
    await first.close();

    const env: NodeJS.ProcessEnv = { ...process.env, TOILE_DATA_DIR: first.dataDir, TOILE_LOG_LEVEL: 'silent' };
    delete env.TOILE_ADMIN_PASSWORD;
    const child = spawn(process.execPath, [compiledMain, '--reset-admin-password'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    expect(await new Promise<number | null>((resolve) => child.once('exit', resolve))).toBe(0);
    const password = /The admin password is now: (\S+)/.exec(stdout)?.[1];
    expect(password).toMatch(/^\S{12,}$/);

    const second = await startServer({ dataDir: first.dataDir });
    cleanups.push(() => second.close());
    expect((await second.request('POST', '/api/auth/login', { username: 'admin', password: first.adminPassword })).status).toBe(401);
    expect((await second.request('POST', '/api/auth/login', { username: 'admin', password })).status).toBe(200);
    expect((await second.request('GET', '/api/auth/me', undefined, { cookie: oldCookie })).status).toBe(401);
  });
});
