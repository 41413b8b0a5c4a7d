import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../errors.js';
import { ensureContributorId } from './contributor-cookie.js';

/**
 * Pages are static HTML built by Vite; user text reaches them only as data over the API. The policy
 * forbids inline scripts and foreign origins, so even a rendering mistake could not run injected code.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' https: data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

export async function pageRoutes(app: FastifyInstance): Promise<void> {
  const clientDir = app.toile.clientDir;
  const built = existsSync(join(clientDir, 'wall.html'));

  if (built) {
    await app.register(fastifyStatic, {
      root: join(clientDir, 'assets'),
      prefix: '/assets/',
      // Vite puts a content hash in every asset name, so a browser may keep them for good.
      immutable: true,
      maxAge: '365d',
      decorateReply: true,
    });
  }

  function page(reply: FastifyReply, file: string, frameable: boolean) {
    if (!built) throw new AppError(503, 'client_not_built', 'The web client is not built yet: run npm run build.');
    reply
      .header('content-security-policy', `${CONTENT_SECURITY_POLICY}; frame-ancestors ${frameable ? '*' : "'none'"}`)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin')
      .header('cache-control', 'no-cache');
    return reply.sendFile(file, clientDir);
  }

  // A wall can be embedded in an event's website; the console and the form cannot be framed.
  app.get('/w/:slug', (_request, reply) => page(reply, 'wall.html', true));
  // The form's page gives the browser its contributor id, so that its first message already counts as its own.
  app.get('/c/:slug', (request, reply) => {
    ensureContributorId(request, reply, app.toile.config.publicUrl.startsWith('https:'));
    return page(reply, 'contribute.html', false);
  });
  app.get('/moderate', (_request, reply) => page(reply, 'moderate.html', false));
  app.get('/', (_request, reply) => {
    const wall = app.toile.repos.walls.defaultWall();
    return reply.redirect(wall ? `/w/${wall.slug}` : '/moderate');
  });
}
