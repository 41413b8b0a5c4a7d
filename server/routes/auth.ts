import type { FastifyInstance } from 'fastify';
import { ROLES, USERNAME_PATTERN, type Role } from '../db/repositories/users.js';
import { unauthorized } from '../errors.js';
import { requireRole, SESSION_COOKIE } from '../plugins/auth.js';
import { slugPattern } from './schemas.js';

/** The walls a moderator is limited to, by slug: none or an empty list means every wall. */
const wallList = { type: 'array', maxItems: 1000, uniqueItems: true, items: { type: 'string', pattern: slugPattern } } as const;

const credentials = {
  type: 'object',
  required: ['username', 'password'],
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 64 },
    password: { type: 'string', minLength: 1, maxLength: 1024 },
  },
} as const;

export async function authRoutes(app: FastifyInstance): Promise<void> {
  const { auth, config, limits } = app.toile;
  const secure = config.publicUrl.startsWith('https:');

  app.post<{ Body: { username: string; password: string } }>(
    '/api/auth/login',
    {
      schema: { body: credentials },
      config: { rateLimit: { max: limits.loginPerMinute, timeWindow: 60_000, keyGenerator: (request) => request.ip } },
    },
    async (request, reply) => {
      const { user, sessionId, csrfToken, expiresAt } = await app.toile.auth.login(request.body.username, request.body.password);
      // Any session the browser had is replaced: the id is new at every login (no session fixation).
      reply.setCookie(SESSION_COOKIE, sessionId, { path: '/', httpOnly: true, sameSite: 'strict', secure, expires: expiresAt });
      return { user: { username: user.username, role: user.role }, csrfToken };
    },
  );

  app.post('/api/auth/logout', { onRequest: requireRole('moderator', 'ingest') }, async (request, reply) => {
    auth.logout(request.principal!);
    if (request.principal!.sessionHash) app.toile.sockets.endSessions({ sessionHash: request.principal!.sessionHash });
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });

  app.post<{ Body: { currentPassword: string; newPassword: string } }>(
    '/api/auth/password',
    {
      onRequest: requireRole('moderator', 'ingest'),
      schema: {
        body: {
          type: 'object',
          required: ['currentPassword', 'newPassword'],
          additionalProperties: false,
          properties: {
            currentPassword: { type: 'string', minLength: 1, maxLength: 1024 },
            newPassword: { type: 'string', minLength: 1, maxLength: 1024 },
          },
        },
      },
      // Checking the current password is a login attempt: it is throttled like one.
      config: { rateLimit: { max: limits.loginPerMinute, timeWindow: 60_000, keyGenerator: (request) => request.ip } },
    },
    async (request, reply) => {
      const ended = await auth.changePassword(request.principal!, request.body.currentPassword, request.body.newPassword);
      for (const sessionHash of ended) app.toile.sockets.endSessions({ sessionHash });
      return reply.code(204).send();
    },
  );

  app.get('/api/sessions', { onRequest: requireRole('moderator', 'ingest') }, async (request) => ({
    items: auth.listSessions(request.principal!),
  }));

  app.delete<{ Params: { id: number } }>(
    '/api/sessions/:id',
    {
      onRequest: requireRole('moderator', 'ingest'),
      schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } },
    },
    async (request, reply) => {
      const sessionHash = auth.revokeSession(request.principal!, request.params.id);
      app.toile.sockets.endSessions({ sessionHash });
      return reply.code(204).send();
    },
  );

  app.get('/api/auth/me', async (request) => {
    const principal = request.principal;
    if (!principal) throw unauthorized();
    return { user: { username: principal.username, role: principal.role }, csrfToken: principal.csrfToken ?? null };
  });

  app.post<{ Body: { username: string; password: string; role: Role; walls?: string[] } }>(
    '/api/users',
    {
      onRequest: requireRole('admin'),
      schema: {
        body: {
          type: 'object',
          required: ['username', 'password', 'role'],
          properties: {
            username: { type: 'string', pattern: USERNAME_PATTERN },
            password: { type: 'string', minLength: 8, maxLength: 1024 },
            role: { type: 'string', enum: [...ROLES] },
            walls: wallList,
          },
        },
      },
    },
    async (request, reply) => {
      const { username, password, role, walls = [] } = request.body;
      const user = await auth.createUser(username, password, role, request.principal!.username, walls);
      const slugs = app.toile.repos.users.wallSlugs(user.username);
      return reply.code(201).send({ username: user.username, role: user.role, walls: slugs, createdAt: user.createdAt });
    },
  );

  // `walls`: the slugs a moderator is limited to; empty for every wall (and for admins and ingest users).
  app.get('/api/users', { onRequest: requireRole('admin') }, async () => {
    const walls = app.toile.repos.users.allWallSlugs();
    return {
      items: app.toile.repos.users.all().map((u) => ({ username: u.username, role: u.role, walls: walls.get(u.username) ?? [], createdAt: u.createdAt })),
    };
  });

  app.patch<{ Params: { name: string }; Body: { walls: string[] } }>(
    '/api/users/:name',
    {
      onRequest: requireRole('admin'),
      schema: {
        body: { type: 'object', required: ['walls'], additionalProperties: false, properties: { walls: wallList } },
      },
    },
    async (request) => {
      const walls = auth.setUserWalls(request.params.name, request.body.walls, request.principal!.username);
      // Their open moderator sockets close: the console reconnects, to the walls they may still moderate.
      app.toile.sockets.endSessions({ username: request.params.name });
      const user = app.toile.repos.users.byName(request.params.name)!;
      return { username: user.username, role: user.role, walls, createdAt: user.createdAt };
    },
  );

  app.delete<{ Params: { name: string } }>('/api/users/:name', { onRequest: requireRole('admin') }, async (request) => {
    auth.deleteUser(request.params.name, request.principal!.username);
    app.toile.sockets.endSessions({ username: request.params.name });
    return { ok: true };
  });

  app.post<{ Body: { name: string; role: Role } }>(
    '/api/tokens',
    {
      onRequest: requireRole('admin'),
      schema: {
        body: {
          type: 'object',
          required: ['name', 'role'],
          properties: { name: { type: 'string', minLength: 1, maxLength: 64 }, role: { type: 'string', enum: [...ROLES] } },
        },
      },
    },
    async (request, reply) => {
      const { token, id } = auth.createToken(request.body.name, request.body.role, request.principal!.username);
      return reply.code(201).send({ id, name: request.body.name, role: request.body.role, token });
    },
  );

  app.get('/api/tokens', { onRequest: requireRole('admin') }, async () => ({ items: app.toile.repos.tokens.all() }));

  app.delete<{ Params: { id: number } }>(
    '/api/tokens/:id',
    { onRequest: requireRole('admin'), schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } } },
    async (request, reply) => {
      const principalName = auth.revokeToken(request.params.id, request.principal!.username);
      // Sockets opened with the token close too (tokens are told apart by name only there).
      app.toile.sockets.endSessions({ username: principalName });
      return reply.code(204).send();
    },
  );
}
