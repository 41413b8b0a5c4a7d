import type { FastifyInstance } from 'fastify';
import { ROLES, type Role } from '../db/repositories/users.js';
import { unauthorized } from '../errors.js';
import { requireRole, SESSION_COOKIE } from '../plugins/auth.js';

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

  app.get('/api/auth/me', async (request) => {
    const principal = request.principal;
    if (!principal) throw unauthorized();
    return { user: { username: principal.username, role: principal.role }, csrfToken: principal.csrfToken ?? null };
  });

  app.post<{ Body: { username: string; password: string; role: Role } }>(
    '/api/users',
    {
      onRequest: requireRole('admin'),
      schema: {
        body: {
          type: 'object',
          required: ['username', 'password', 'role'],
          properties: {
            username: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
            password: { type: 'string', minLength: 8, maxLength: 1024 },
            role: { type: 'string', enum: [...ROLES] },
          },
        },
      },
    },
    async (request, reply) => {
      const { username, password, role } = request.body;
      const user = await auth.createUser(username, password, role, request.principal!.username);
      return reply.code(201).send({ username: user.username, role: user.role, createdAt: user.createdAt });
    },
  );

  app.get('/api/users', { onRequest: requireRole('admin') }, async () => ({
    items: app.toile.repos.users.all().map((u) => ({ username: u.username, role: u.role, createdAt: u.createdAt })),
  }));

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
}
