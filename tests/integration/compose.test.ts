import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../server/paths.js';
import { until } from '../helpers/wait.js';
import { openSocket } from '../helpers/ws.js';

// The compose file and the proxy's configuration are checked as far as this machine allows: compose's own
// reading of both layouts, nginx's reading of deploy/nginx.conf, and nginx routing real requests to
// stand-ins for the edges and the primary. Running the containers needs a Docker engine, which CI has not.

const root = projectRoot();
const nginxConf = readFileSync(join(root, 'deploy', 'nginx.conf'), 'utf8');

/** Compose v2 (`docker compose`, which prints JSON), else Debian's docker-compose 1.29 (YAML only). */
function findCompose(): { command: string; args: string[]; json: boolean } | undefined {
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return { command: 'docker', args: ['compose'], json: true };
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return { command: 'docker-compose', args: [], json: false };
  return undefined;
}
const compose = findCompose();
const hasNginx = spawnSync('nginx', ['-v'], { stdio: 'ignore' }).status === 0;

/** What the assertions need of one service, whichever tool printed the configuration. */
interface ServiceView {
  image?: string;
  environment: Record<string, string>;
  /** `source:target`, with `:ro` when read-only; a bind mount's source is an absolute path. */
  volumes: string[];
  command: string[];
  ports: string[];
  profiles: string[];
}

/** The compose file as compose reads it, with only the given environment: a developer's `.env` is left out. */
function composeConfig(profiles: string[], env: Record<string, string>, emptyEnvFile: string): Record<string, ServiceView> {
  const tool = compose!;
  const config = (...options: string[]) => {
    const args = [...tool.args, '--env-file', emptyEnvFile, ...profiles.flatMap((profile) => ['--profile', profile]), 'config', ...options];
    const run = spawnSync(tool.command, args, { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } });
    if (run.status !== 0) throw new Error(`${tool.command} ${args.join(' ')} failed: ${run.stderr}`);
    return run.stdout;
  };
  if (tool.json) return fromJson(JSON.parse(config('--format', 'json')));
  // docker-compose 1.29 prints every service whatever the profiles, and applies them only when it runs
  // them: a service is active when it names no profile or one of those asked for.
  const services = Object.entries(fromYaml(config()));
  return Object.fromEntries(services.filter(([, service]) => service.profiles.length === 0 || service.profiles.some((p) => profiles.includes(p))));
}

/** Compose v2's JSON: the compose specification's canonical form (long-form volumes and ports). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function fromJson(config: { services?: Record<string, any> }): Record<string, ServiceView> {
  const services: Record<string, ServiceView> = {};
  for (const [name, service] of Object.entries(config.services ?? {})) {
    services[name] = {
      image: service.image,
      environment: Object.fromEntries(Object.entries<string | null>(service.environment ?? {}).map(([key, value]) => [key, value ?? ''])),
      volumes: (service.volumes ?? []).map((v: { source: string; target: string; read_only?: boolean }) => `${v.source}:${v.target}${v.read_only ? ':ro' : ''}`),
      command: service.command ?? [],
      ports: (service.ports ?? []).map((p: { published: string | number; target: number }) => `${p.published}:${p.target}`),
      profiles: service.profiles ?? [],
    };
  }
  return services;
}

/**
 * Reads docker-compose 1.29's YAML for the few keys above. Its output is regular (PyYAML's block style:
 * services at two spaces, their keys at four, lists at the key's own indent, maps two deeper), so a
 * line reader is enough; values that PyYAML folds over several lines (health checks) are not read.
 */
function fromYaml(text: string): Record<string, ServiceView> {
  const unquote = (value: string) => value.trim().replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
  const lines = text.split('\n');
  const start = lines.indexOf('services:');
  const services: Record<string, ServiceView> = {};
  let service: ServiceView | undefined;
  let key = '';
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    const serviceName = /^ {2}(\S+):$/.exec(line)?.[1];
    if (serviceName !== undefined) {
      service = services[serviceName] = { environment: {}, volumes: [], command: [], ports: [], profiles: [] };
      continue;
    }
    if (service === undefined) continue;
    const field = /^ {4}([a-z_]+):(.*)$/.exec(line);
    if (field) {
      key = field[1]!;
      if (key === 'image') service.image = unquote(field[2]!);
      continue;
    }
    const item = /^ {4}- (.*)$/.exec(line)?.[1];
    const entry = /^ {6}([A-Za-z0-9_]+): ?(.*)$/.exec(line);
    if (key === 'environment' && entry) service.environment[entry[1]!] = unquote(entry[2]!);
    else if (key === 'volumes' && item !== undefined) service.volumes.push(unquote(item).replace(/:rw$/, ''));
    else if (key === 'command' && item !== undefined) service.command.push(unquote(item));
    else if (key === 'profiles' && item !== undefined) service.profiles.push(unquote(item));
    else if (key === 'ports' && item !== undefined) service.ports.push(`${/published: (\S+)/.exec(item)?.[1]}:`);
    else if (key === 'ports' && entry?.[1] === 'target') service.ports[service.ports.length - 1] += entry[2]!;
  }
  return services;
}

describe.skipIf(compose === undefined)(`docker-compose.yml, as compose reads it${compose ? '' : ' (skipped: neither `docker compose` nor `docker-compose` is installed)'}`, () => {
  let envDir: string;
  let layout: (profiles: string[], env: Record<string, string>) => Record<string, ServiceView>;
  beforeAll(() => {
    envDir = mkdtempSync(join(tmpdir(), 'toile-compose-'));
    writeFileSync(join(envDir, 'empty.env'), '');
    layout = (profiles, env) => composeConfig(profiles, env, join(envDir, 'empty.env'));
  });
  afterAll(() => rmSync(envDir, { recursive: true, force: true }));

  it('runs Toile alone by default: one service, its data in the toile-data volume, no Redis', () => {
    const services = layout([], {});
    expect(Object.keys(services)).toEqual(['toile']);
    const toile = services.toile!;
    expect(toile.image).toBe('toile:latest');
    expect(toile.volumes).toContain('toile-data:/app/data');
    expect(toile.ports).toEqual(['3000:3000']);
    expect(toile.environment).toMatchObject({ TOILE_DATA_DIR: '/app/data', REDIS_URL: '' });
    expect(toile.environment.TOILE_ROLE).toBeUndefined();
  });

  it('adds Redis, two edges and nginx with the cluster profile, the primary unchanged but for REDIS_URL', () => {
    const services = layout(['cluster'], { REDIS_URL: 'redis://redis:6379', TOILE_PROXY_PORT: '8088' });
    expect(Object.keys(services).sort()).toEqual(['edge-1', 'edge-2', 'proxy', 'redis', 'toile']);

    const toile = services.toile!;
    expect(toile.volumes).toContain('toile-data:/app/data');
    expect(toile.environment.REDIS_URL).toBe('redis://redis:6379');
    expect(toile.environment.TOILE_ROLE).toBeUndefined();

    for (const name of ['edge-1', 'edge-2']) {
      const edge = services[name]!;
      expect(edge.image, name).toBe('toile:latest');
      expect(edge.environment, name).toMatchObject({ TOILE_ROLE: 'edge', REDIS_URL: 'redis://redis:6379', TOILE_TRUST_PROXY: 'true', PORT: '3000' });
      // An edge holds no SQLite: a data volume on it would only suggest otherwise.
      expect(edge.volumes, name).toEqual([]);
      expect(edge.ports, name).toEqual([]);
    }

    const redis = services.redis!;
    expect(redis.image).toMatch(/^redis:7/);
    expect(redis.command.join(' ')).toContain('--appendonly yes');
    expect(redis.volumes).toContain('redis-data:/data');

    const proxy = services.proxy!;
    expect(proxy.image).toMatch(/^nginx:/);
    expect(proxy.volumes).toContain(`${join(root, 'deploy', 'nginx.conf')}:/etc/nginx/conf.d/default.conf:ro`);
    expect(proxy.ports).toEqual(['8088:80']);
  });
});

/** The body of each `location … {` block of the configuration, by its argument. */
function locations(conf: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of conf.matchAll(/^\s*location\s+([^{]+?)\s*\{([^}]*)\}/gm)) found.set(match[1]!, match[2]!);
  return found;
}

describe('deploy/nginx.conf', () => {
  it('sends the viewers’ routes to the edges and everything else to the primary', () => {
    const routes = locations(nginxConf);
    const target = (location: string) => /proxy_pass\s+http:\/\/(\w+);/.exec(routes.get(location) ?? '')?.[1];
    expect(target('/ws/walls/')).toBe('toile_edges');
    expect(target('/w/')).toBe('toile_edges');
    expect(target('~ ^/api/walls/[^/]+/events$')).toBe('toile_edges');
    expect(target('/ws/moderate/')).toBe('toile_primary');
    expect(target('/')).toBe('toile_primary');
    expect(nginxConf).toMatch(/upstream toile_edges \{[^}]*server edge-1:3000[^}]*server edge-2:3000[^}]*\}/);
    expect(nginxConf).toMatch(/upstream toile_primary \{[^}]*server toile:3000[^}]*\}/);
  });

  it('passes both sockets’ upgrade on, and waits on them for longer than nginx’s default minute', () => {
    expect(nginxConf).toMatch(/map \$http_upgrade \$connection_upgrade \{\s*default\s+upgrade;\s*''\s+close;\s*\}/);
    // Set at the server's level, where every location inherits them, unless it sets a header of its own.
    expect(nginxConf).toMatch(/^ {4}proxy_http_version 1\.1;$/m);
    expect(nginxConf).toMatch(/^ {4}proxy_set_header Upgrade \$http_upgrade;$/m);
    expect(nginxConf).toMatch(/^ {4}proxy_set_header Connection \$connection_upgrade;$/m);
    for (const [location, body] of locations(nginxConf)) expect(body, location).not.toContain('proxy_set_header');
    for (const socket of ['/ws/walls/', '/ws/moderate/']) expect(locations(nginxConf).get(socket)).toMatch(/proxy_read_timeout\s+1h;/);
  });

  it('lets through an inbound email with its pictures', () => {
    const size = /client_max_body_size\s+(\d+)m;/.exec(nginxConf)?.[1];
    expect(Number(size)).toBeGreaterThanOrEqual(12);
  });
});

/** The configuration with the containers' names replaced by local ports, for an nginx outside Docker. */
function localCopy(ports: { edges: [number, number]; primary: number; listen: number; health: number }): string {
  return nginxConf
    .replace('edge-1:3000', `127.0.0.1:${ports.edges[0]}`)
    .replace('edge-2:3000', `127.0.0.1:${ports.edges[1]}`)
    .replace('toile:3000', `127.0.0.1:${ports.primary}`)
    .replace(/listen 80;/, `listen 127.0.0.1:${ports.listen};`)
    .replace('listen 127.0.0.1:8081;', `listen 127.0.0.1:${ports.health};`)
    // `resolve` re-asks Docker's DNS for a container's address; an address needs no asking, and nginx
    // only knows the flag from 1.27.3 on (Debian 12 has 1.22).
    .replace(/ resolve\b/g, '');
}

/** A whole nginx configuration around the copy, with every path in `dir` so that no root is needed. */
function mainConf(dir: string, conf: string): string {
  writeFileSync(join(dir, 'toile.conf'), conf);
  return [
    `pid ${dir}/nginx.pid;`, 'error_log stderr;', 'daemon off;', 'master_process off;', 'events {}',
    'http {', '  access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${dir}/${kind};`),
    `  include ${dir}/toile.conf;`, '}', '',
  ].join('\n');
}

async function freePort(): Promise<number> {
  const server = createNetServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  return port;
}

interface Seen { name: string; method: string; url: string; bytes: number; headers: Record<string, unknown> }

/** A stand-in for an edge or the primary: answers every request and socket with its name and what it got. */
async function standIn(name: string): Promise<Server> {
  const server = createServer((request, response) => {
    let bytes = 0;
    request.on('data', (chunk: Buffer) => (bytes += chunk.length));
    request.on('end', () => {
      // The edges run the previous release's client: the newer build's files are on the primary only.
      if (name.startsWith('edge') && request.url?.includes('newer-build')) return void response.writeHead(404).end();
      const seen: Seen = { name, method: request.method ?? '', url: request.url ?? '', bytes, headers: request.headers };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(seen));
    });
  });
  const sockets = new WebSocketServer({ server });
  sockets.on('connection', (socket, request) => socket.send(JSON.stringify({ name, method: 'GET', url: request.url, bytes: 0, headers: request.headers })));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;

describe.skipIf(!hasNginx)(`deploy/nginx.conf in a real nginx, with stand-ins for the containers${hasNginx ? '' : ' (skipped: no `nginx` on the PATH)'}`, () => {
  let dir: string;
  let servers: Server[];
  let nginx: ReturnType<typeof spawn> | undefined;
  let listen: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'toile-nginx-'));
    // nginx started as root hands requests to an unprivileged user, which must be able to write its temp files.
    chmodSync(dir, 0o777);
    servers = await Promise.all(['edge-1', 'edge-2', 'toile'].map(standIn));
    listen = await freePort();
    const health = await freePort();
    writeFileSync(join(dir, 'nginx.conf'), mainConf(dir, localCopy({ edges: [portOf(servers[0]!), portOf(servers[1]!)], primary: portOf(servers[2]!), listen, health })));
    const check = spawnSync('nginx', ['-t', '-p', dir, '-e', 'stderr', '-c', join(dir, 'nginx.conf')], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`nginx -t refused the configuration:\n${check.stderr}`);
    nginx = spawn('nginx', ['-p', dir, '-e', 'stderr', '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    await until(async () => (await fetch(`http://127.0.0.1:${health}/ping`).catch(() => undefined))?.ok, 'nginx to answer');
  });

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      nginx.kill('SIGQUIT');
      await once(nginx, 'exit');
    }
    await Promise.all((servers ?? []).map((server) => new Promise((done) => server.close(done))));
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (path: string, init?: RequestInit): Promise<Seen> => {
    const response = await fetch(`http://127.0.0.1:${listen}${path}`, init);
    expect(response.status, path).toBe(200);
    return (await response.json()) as Seen;
  };

  it('sends the wall page and the events catch-up to the edges, spread over both', async () => {
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await get('/w/capcomnet'), await get('/api/walls/capcomnet/events?since=12&epoch=3'));
    expect(new Set(seen.map((s) => s.name))).toEqual(new Set(['edge-1', 'edge-2']));
    expect(seen[1]!.url).toBe('/api/walls/capcomnet/events?since=12&epoch=3');
  });

  it('serves the built client from the edges, and a file they lack from the primary', async () => {
    expect((await get('/assets/wall-abc123.js')).name).toMatch(/^edge-[12]$/);
    expect((await get('/embed.js')).name).toMatch(/^edge-[12]$/);
    expect(await get('/assets/moderate-newer-build.js')).toMatchObject({ name: 'toile', url: '/assets/moderate-newer-build.js' });
  });

  it('sends the rest to the primary: the wall’s own API, the console, ingest and media', async () => {
    for (const path of ['/api/walls/capcomnet', '/api/walls/capcomnet/events/x', '/api/walls', '/moderate', '/c/capcomnet', '/media/a.png', '/healthz']) {
      expect((await get(path)).name, path).toBe('toile');
    }
    expect((await get('/ingest/twilio', { method: 'POST', body: 'Body=hi' })).name).toBe('toile');
  });

  it('passes a 12 MB inbound email on to the primary whole', async () => {
    const seen = await get('/ingest/postmark', { method: 'POST', body: Buffer.alloc(12 * 1024 * 1024, 'a'), headers: { 'content-type': 'application/json' } });
    expect(seen).toMatchObject({ name: 'toile', bytes: 12 * 1024 * 1024 });
  });

  it('upgrades a wall socket on an edge and a moderator socket on the primary, saying who asked', async () => {
    const wall = await openSocket(`ws://127.0.0.1:${listen}/ws/walls/capcomnet?since=4&epoch=1`);
    const moderator = await openSocket(`ws://127.0.0.1:${listen}/ws/moderate/capcomnet`);
    try {
      const [atEdge, atPrimary] = [(await wall.next()) as Seen, (await moderator.next()) as Seen];
      expect(atEdge.name).toMatch(/^edge-[12]$/);
      expect(atEdge.url).toBe('/ws/walls/capcomnet?since=4&epoch=1');
      expect(atPrimary.name).toBe('toile');
      for (const seen of [atEdge, atPrimary]) {
        expect(seen.headers).toMatchObject({ 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'http', 'x-forwarded-host': '127.0.0.1' });
      }
    } finally {
      wall.close();
      moderator.close();
    }
  });

  it('keeps the scheme a TLS terminator in front of it saw', async () => {
    const seen = await get('/api/walls', { headers: { 'x-forwarded-proto': 'https' } });
    expect(seen.headers['x-forwarded-proto']).toBe('https');
  });
});
