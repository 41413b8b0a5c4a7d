import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../server/paths.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { openSocket } from '../helpers/ws.js';

/** The compiled CLI, as `npm run toile` runs it (npm test builds it first, like the production server). */
const compiledCli = join(projectRoot(), 'dist', 'server', 'cli.js');
const npmEntry = join(projectRoot(), 'scripts', 'toile.mjs');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function toile(args: string[], env: Record<string, string>, entry = compiledCli): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let server: TestServer;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startServer();
  env = { TOILE_DATA_DIR: server.dataDir };
});

afterAll(async () => {
  await server.close({ removeData: true });
});

const login = (username: string, password: string) => server.request('POST', '/api/auth/login', { username, password });

// The steps build on each other, as an organiser's would: one server and one data directory throughout.
describe('the accounts CLI, on the data directory of a running server', () => {
  it('adds a moderator with a generated password, printed once, that logs in to the running server', async () => {
    const run = await toile(['user', 'add', 'marie', '--role', 'moderator'], env);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const password = /Password \(shown only this once\): (\S+)/.exec(run.stdout)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(run.stdout.split(password!)).toHaveLength(2);
    const response = await login('marie', password!);
    expect(response.status).toBe(200);
    expect(response.body.user).toEqual({ username: 'marie', role: 'moderator' });
  });

  it('never prints a password it was given, nor any hash', async () => {
    const add = await toile(['user', 'add', 'alex', '--role', 'admin', '--password', 'chosen by alex'], env);
    expect(add.code).toBe(0);
    const list = await toile(['user', 'list'], env);
    expect(list.code).toBe(0);
    for (const output of [add.stdout, add.stderr, list.stdout, list.stderr]) {
      expect(output).not.toContain('chosen by alex');
      expect(output).not.toContain('$argon2');
    }
    const lines = list.stdout.trim().split('\n').map((line) => line.split(/\s+/).slice(0, 2));
    expect(lines).toEqual([
      ['NAME', 'ROLE'],
      ['admin', 'admin'],
      ['alex', 'admin'],
      ['marie', 'moderator'],
    ]);
    expect((await login('alex', 'chosen by alex')).status).toBe(200);
  });

  it('sets a new password, ending the user’s sessions and closing their open console', async () => {
    const before = await login('alex', 'chosen by alex');
    const cookie = (before.headers.get('set-cookie') ?? '').split(';')[0]!;
    const socket = await openSocket(`${server.wsUrl}/ws/moderate/capcomnet`, { cookie, origin: server.url });
    await socket.next((f) => f.type === 'snapshot');

    const run = await toile(['user', 'passwd', 'alex', '--password', 'alex changed it'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('alex changed it');
    // This one, and the one alex opened in the test before.
    expect(run.stdout).toContain('2 sessions have ended');
    expect((await socket.closed).code).toBe(4401);
    expect((await server.request('GET', '/api/auth/me', undefined, { cookie })).status).toBe(401);
    expect((await login('alex', 'chosen by alex')).status).toBe(401);
    expect((await login('alex', 'alex changed it')).status).toBe(200);

    const generated = await toile(['user', 'passwd', 'alex'], env);
    expect(generated.code).toBe(0);
    const password = /Password \(shown only this once\): (\S+)/.exec(generated.stdout)?.[1];
    expect((await login('alex', password!)).status).toBe(200);
  });

  it('deletes a user, who can no longer log in, and records every change in the audit log as the CLI', async () => {
    const run = await toile(['user', 'delete', 'marie'], env);
    expect(run.code).toBe(0);
    expect((await server.request('POST', '/api/auth/login', { username: 'marie', password: 'whatever-it-was' })).status).toBe(401);
    const audit = await server.request('GET', '/api/audit', undefined, { authorization: `Bearer ${await server.adminToken()}` });
    const byCli = audit.body.items.filter((row: { actor: string }) => row.actor === 'cli').map((row: { action: string; targetId: string }) => `${row.action} ${row.targetId}`);
    expect(byCli.reverse()).toEqual(['user.create marie', 'user.create alex', 'user.password alex', 'user.password alex', 'user.delete marie']);
  });

  it('says what went wrong, with exit code 1 for a refusal and 2 for a wrong command line', async () => {
    const cases: [string[], number, RegExp][] = [
      [['user', 'add', 'alex', '--role', 'moderator'], 1, /A user named "alex" already exists/],
      [['user', 'delete', 'ghost'], 1, /User "ghost" not found/],
      [['user', 'passwd', 'alex', '--password', 'short'], 1, /--password must be at least 8 characters long/],
      [['user', 'add', 'bob', '--role', 'boss'], 2, /--role must be one of admin, moderator, ingest, not "boss"/],
      [['user', 'add', 'bob'], 2, /user add needs --role/],
      [['user', 'add', 'bad name!', '--role', 'moderator'], 2, /user name "bad name!" may hold only/],
      [['user', 'list', '--password', 'x'], 2, /user list takes no --password/],
      [['user', 'rename', 'alex'], 2, /unknown command "user rename"/],
      [['frobnicate'], 2, /unknown command "frobnicate"/],
      [['user', 'add', 'bob', '--role', 'moderator', '--colour', 'red'], 2, /colour/],
    ];
    for (const [args, code, message] of cases) {
      const run = await toile(args, env);
      expect({ args, code: run.code }).toEqual({ args, code });
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
      if (code === 2) expect(run.stderr).toContain('Usage: npm run toile --');
    }
  });

  it('refuses to delete the last admin', async () => {
    await toile(['user', 'delete', 'alex'], env);
    const run = await toile(['user', 'delete', 'admin'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/last admin/);
    expect((await login('admin', server.adminPassword)).status).toBe(200);
  });

  it('refuses a data directory without a database, rather than starting an empty one', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'toile-cli-'));
    try {
      const run = await toile(['user', 'list'], { TOILE_DATA_DIR: empty });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/no database in .*TOILE_DATA_DIR/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('runs through the npm entry script, printing its usage', async () => {
    const run = await toile(['--help'], env, npmEntry);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: npm run toile -- <command>/);
  }, 120_000);
});
