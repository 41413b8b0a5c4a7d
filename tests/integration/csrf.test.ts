import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODERATION_ACTIONS } from '../../server/domain/moderation.js';
import { startServer, type TestServer } from '../helpers/server.js';

/**
 * Every route that changes state, enumerated from the running app rather than listed by hand, so that a
 * route added tomorrow is checked without anyone remembering to. Only these are exempt, each for a reason:
 */
const NOT_COOKIE_AUTHENTICATED: { method: string; path: string; why: string }[] = [
  { method: 'POST', path: '/api/auth/login', why: 'takes a username and password, and gives the session and its token' },
  { method: 'POST', path: '/api/walls/:slug/contribute', why: 'the public web form: anyone may post, and it never reads the session' },
];
/** Providers' webhooks, authenticated by their signatures or passwords, never by a cookie. */
const WEBHOOK_PREFIX = '/ingest/';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** What fills each path parameter; an action route is tried with every action it takes. */
const PARAMETER_VALUES: Record<string, string[]> = {
  slug: ['capcomnet'],
  id: ['1'],
  name: ['marie'],
  action: [...MODERATION_ACTIONS],
};

/**
 * The app's routes from Fastify's own route tree (`printRoutes`), one `[method, path]` per method. Each
 * line is one node: its depth is where its branch mark sits, its path the concatenation of its ancestors'.
 */
function routesOf(tree: string): [string, string][] {
  const routes: [string, string][] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + match[2]!;
    stack.push(path);
    for (const method of match[3]?.split(', ') ?? []) routes.push([method, path]);
  }
  return routes;
}

function concretePaths(path: string): string[] {
  return path.split('/').reduce<string[]>(
    (prefixes, segment, index) => {
      const values = segment.startsWith(':') ? (PARAMETER_VALUES[segment.slice(1)] ?? ['x']) : [segment];
      return prefixes.flatMap((prefix) => values.map((value) => (index === 0 ? value : `${prefix}/${value}`)));
    },
    [''],
  );
}

let server: TestServer;
let cookie: string;

beforeAll(async () => {
  // Every provider secret is set, so that every webhook route exists and is seen to be exempt by rule.
  server = await startServer({
    env: {
      TWILIO_AUTH_TOKEN: 'twilio-secret',
      VONAGE_SIGNATURE_SECRET: 'vonage-secret',
      SMS_GATEWAY_SIGNING_KEY: 'gateway-secret',
      MAILGUN_WEBHOOK_SIGNING_KEY: 'mailgun-secret',
      SENDGRID_INBOUND_PASSWORD: 'sendgrid-secret',
      POSTMARK_INBOUND_PASSWORD: 'postmark-secret',
    },
  });
  const admin = { authorization: `Bearer ${await server.adminToken()}` };
  await server.request('POST', '/api/users', { username: 'marie', password: 'moderation!', role: 'moderator' }, admin);
  await server.request('POST', '/api/walls/capcomnet/messages', { externalId: 'one', author: { name: 'Kim' }, text: 'hello' }, admin);
  const login = await server.request('POST', '/api/auth/login', { username: 'admin', password: server.adminPassword });
  cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
});

afterAll(async () => {
  await server.close({ removeData: true });
});

describe('CSRF protection on every route that changes state', () => {
  it('finds the routes it must check in the running app', () => {
    const routes = routesOf(server.app.printRoutes({ commonPrefix: false }));
    const keys = routes.map(([method, path]) => `${method} ${path}`);
    // Known routes of each kind are found, so a change in how Fastify prints its tree cannot empty the list.
    expect(keys).toEqual(expect.arrayContaining(['POST /api/messages/:id/:action', 'PATCH /api/walls/:slug', 'DELETE /api/users/:name', 'GET /healthz']));
    for (const exempt of NOT_COOKIE_AUTHENTICATED) expect(keys, `the exemption ${exempt.path} is stale`).toContain(`${exempt.method} ${exempt.path}`);
    expect(keys.some((key) => key.startsWith(`POST ${WEBHOOK_PREFIX}`))).toBe(true);
  });

  it('refuses each of them with 403 csrf when a logged-in admin’s cookie comes without x-csrf-token', async () => {
    const routes = routesOf(server.app.printRoutes({ commonPrefix: false })).filter(
      ([method, path]) =>
        UNSAFE.has(method) &&
        !path.startsWith(WEBHOOK_PREFIX) &&
        !NOT_COOKIE_AUTHENTICATED.some((exempt) => exempt.method === method && exempt.path === path),
    );
    expect(routes.length).toBeGreaterThan(15);
    const checked: string[] = [];
    for (const [method, path] of routes) {
      for (const concrete of concretePaths(path)) {
        const body = method === 'DELETE' ? undefined : {};
        const response = await server.request(method, concrete, body, { cookie, origin: server.url });
        expect({ route: `${method} ${concrete}`, status: response.status, code: response.body?.code }).toEqual({
          route: `${method} ${concrete}`,
          status: 403,
          code: 'csrf',
        });
        checked.push(`${method} ${concrete}`);
      }
    }
    expect(checked).toContain('POST /api/messages/1/requeue');
    expect(checked).toContain('POST /api/walls/capcomnet/display');
    expect(checked).toContain('POST /api/auth/password');
    expect(checked).toContain('POST /api/auth/logout');
    // Nothing was changed by any of them: the session and the user are still there, the message pending.
    expect((await server.request('GET', '/api/auth/me', undefined, { cookie })).status).toBe(200);
    const users = await server.request('GET', '/api/users', undefined, { cookie });
    expect(users.body.items.map((u: { username: string }) => u.username)).toContain('marie');
    const pending = await server.request('GET', '/api/walls/capcomnet/messages?status=pending', undefined, { cookie });
    expect(pending.body.items).toHaveLength(1);
  });
});
