import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../errors.js';
import { ensureContributorId } from './contributor-cookie.js';

/**
 * Pages are static HTML built by Vite; user text reaches them only as data over the API. The policy
 * forbids inline scripts, inline styles and foreign origins for everything but images, so even a rendering
 * mistake could not run injected code. Lit's styles are constructable stylesheets, which style-src 'self'
 * allows; a wall's colours are set as custom properties from script, never as a style attribute. Pictures
 * may come from Toile or from https (the avatars and images of accepted social posts, an organiser's logo).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' https:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** Where Vite's manifest names the built embed module (`build.manifest` and the `embed` input in vite.config.ts). */
const EMBED_SOURCE = 'src/embed/main.ts';

interface ManifestChunk {
  file: string;
  name?: string;
  src?: string;
  isEntry?: boolean;
}

/** The built embed module's path under the client folder (`assets/embed-<hash>.js`), or null when not built. */
function embedModule(clientDir: string): string | null {
  const path = join(clientDir, '.vite', 'manifest.json');
  if (!existsSync(path)) return null;
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as Record<string, ManifestChunk>;
  const chunk = manifest[EMBED_SOURCE] ?? Object.values(manifest).find((entry) => entry.isEntry && entry.name === 'embed');
  return chunk && /^assets\/[\w.-]+\.js$/.test(chunk.file) ? chunk.file : null;
}

export interface PageOptions {
  clientDir: string;
  /** An edge serves the wall's page, its assets and the embed, and nothing else. */
  wallsOnly?: boolean;
}

export async function pageRoutes(app: FastifyInstance, { clientDir, wallsOnly = false }: PageOptions): Promise<void> {
  const built = existsSync(join(clientDir, 'wall.html'));

  if (built) {
    await app.register(fastifyStatic, {
      root: join(clientDir, 'assets'),
      prefix: '/assets/',
      // Vite puts a content hash in every asset name, so a browser may keep them for good.
      immutable: true,
      maxAge: '365d',
      decorateReply: true,
      // The `<toile-wall>` embed runs on other sites: its module, chunks and fonts are fetched with CORS.
      // Assets are the same public files for everyone, and no credentials are allowed with "*".
      setHeaders: (response) => response.setHeader('access-control-allow-origin', '*'),
    });
  }
  // Kept once found: the built client does not change while the server runs (a missing one is looked for again).
  let embed: string | null | undefined;

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
  /**
   * `<script type="module" src="https://host/embed.js">` on an event's website: a stable address that
   * redirects to the built module, whose name carries its content hash. Both answers allow any origin, as
   * a module script is fetched with CORS.
   */
  app.get('/embed.js', (_request, reply) => {
    embed ??= built ? embedModule(clientDir) : null;
    if (embed === null) throw new AppError(503, 'client_not_built', 'The embed is not built yet: run npm run build.');
    return reply.header('access-control-allow-origin', '*').header('cache-control', 'no-cache').redirect(`/${embed}`, 302);
  });
  if (wallsOnly) return;

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
