import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let clientDir: string;

/**
 * A built client as Vite lays it out (pages, hashed assets, and the manifest that names the embed's
 * module), so that these tests do not depend on a build of the real client.
 */
function builtClient(options: { manifest?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'toile-client-'));
  mkdirSync(join(dir, 'assets'));
  for (const page of ['wall', 'moderate', 'contribute']) writeFileSync(join(dir, `${page}.html`), `<!doctype html><title>${page}</title>`);
  writeFileSync(join(dir, 'assets', 'embed-Ab12_cd.js'), 'export {};\n');
  writeFileSync(join(dir, 'assets', 'lit-9z.js'), 'export const lit = 1;\n');
  if (options.manifest !== false) {
    mkdirSync(join(dir, '.vite'));
    writeFileSync(
      join(dir, '.vite', 'manifest.json'),
      JSON.stringify({
        'wall.html': { file: 'assets/wall-1.js', name: 'wall', src: 'wall.html', isEntry: true },
        'src/embed/main.ts': { file: 'assets/embed-Ab12_cd.js', name: 'embed', src: 'src/embed/main.ts', isEntry: true, imports: ['_lit-9z.js'] },
        '_lit-9z.js': { file: 'assets/lit-9z.js', name: 'lit' },
      }),
    );
  }
  return dir;
}

async function start(options: { manifest?: boolean } = {}) {
  clientDir = builtClient(options);
  server = await startServer({ clientDir });
}

afterEach(async () => {
  await server.close({ removeData: true });
  rmSync(clientDir, { recursive: true, force: true });
});

function directives(policy: string | null): Map<string, string> {
  return new Map(
    (policy ?? '').split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name!, values.join(' ')] as [string, string];
    }),
  );
}

describe('the pages’ content security policy', () => {
  it('allows only Toile’s own scripts, styles, fonts and connections, and images from Toile or https', async () => {
    await start();
    const response = await fetch(`${server.url}/w/capcomnet`);
    expect(response.status).toBe(200);
    const policy = directives(response.headers.get('content-security-policy'));
    expect(Object.fromEntries(policy)).toEqual({
      'default-src': "'self'",
      'script-src': "'self'",
      'style-src': "'self'",
      'img-src': "'self' https:",
      'font-src': "'self'",
      'connect-src': "'self'",
      'object-src': "'none'",
      'base-uri': "'none'",
      'form-action': "'self'",
      'frame-ancestors': '*',
    });
    await response.text();
  });

  it('lets only the wall be framed by other sites', async () => {
    await start();
    for (const path of ['/moderate', '/c/capcomnet']) {
      const response = await fetch(server.url + path);
      expect(directives(response.headers.get('content-security-policy')).get('frame-ancestors'), path).toBe("'none'");
      expect(response.headers.get('content-security-policy')).not.toContain('unsafe-inline');
      await response.text();
    }
  });
});

describe('GET /embed.js', () => {
  it('redirects to the built embed module, and any site may load both', async () => {
    await start();
    const redirect = await fetch(`${server.url}/embed.js`, { redirect: 'manual', headers: { origin: 'https://event.example.org' } });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/assets/embed-Ab12_cd.js');
    expect(redirect.headers.get('access-control-allow-origin')).toBe('*');
    await redirect.text();

    const module = await fetch(`${server.url}/embed.js`, { headers: { origin: 'https://event.example.org' } });
    expect(module.status).toBe(200);
    expect(module.headers.get('content-type')).toMatch(/javascript/);
    expect(module.headers.get('access-control-allow-origin')).toBe('*');
    expect(module.headers.get('access-control-allow-credentials')).toBeNull();
    expect(await module.text()).toBe('export {};\n');
    // The chunks it imports are assets like any other: readable from other sites too.
    const chunk = await fetch(`${server.url}/assets/lit-9z.js`);
    expect(chunk.headers.get('access-control-allow-origin')).toBe('*');
    await chunk.text();
  });

  it('answers 503 while the embed is not built', async () => {
    await start({ manifest: false });
    const response = await fetch(`${server.url}/embed.js`, { redirect: 'manual' });
    expect(response.status).toBe(503);
    expect((await response.json()).code).toBe('client_not_built');
  });
});

describe('what other sites may read (CORS)', () => {
  it('lets any origin read the public wall, its events and its contribute address, without credentials', async () => {
    await start();
    for (const path of ['/api/walls/capcomnet', '/api/walls/capcomnet/events?since=0', '/api/walls/capcomnet/contribute-url']) {
      const response = await fetch(server.url + path, { headers: { origin: 'https://event.example.org' } });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('access-control-allow-origin'), path).toBe('*');
      expect(response.headers.get('access-control-allow-credentials'), path).toBeNull();
      await response.text();
    }
  });

  it('gives no such header to what is private', async () => {
    await start();
    const token = await server.adminToken();
    for (const path of ['/api/walls', '/api/walls/capcomnet/messages', '/api/walls/capcomnet/screens']) {
      const response = await fetch(server.url + path, { headers: { origin: 'https://event.example.org', authorization: `Bearer ${token}` } });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('access-control-allow-origin'), path).toBeNull();
      await response.text();
    }
  });
});
