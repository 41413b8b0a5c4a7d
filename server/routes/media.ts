import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { notFound } from '../errors.js';
import { MEDIA_NAME } from '../services/media.js';

/**
 * `GET /media/:name`: pictures fetched from providers, and pictures uploaded for a wall's look. The public
 * sees a message's picture only while a message that carries it is approved, and a wall's pictures from
 * their upload on; moderators (signed in) see it before, to decide. Anything else is a 404 that
 * does not say whether the file exists.
 */
export async function mediaRoutes(app: FastifyInstance): Promise<void> {
  const { repos, media } = app.toile;

  app.get<{ Params: { name: string } }>('/media/:name', async (request, reply) => {
    const { name } = request.params;
    if (!MEDIA_NAME.test(name)) throw notFound('Media');
    const role = request.principal?.role;
    const moderator = role === 'admin' || role === 'moderator';
    const file = moderator ? repos.media.byName(name) : repos.media.publicByName(name);
    if (!file) throw notFound('Media');
    // The name is the content's hash: the same name is always the same bytes.
    const etag = `"${name.slice(0, 64)}"`;
    reply
      .header('etag', etag)
      // Revalidated each time: a picture hidden by a moderator must stop being served at once.
      .header('cache-control', moderator ? 'private, no-store' : 'public, no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'");
    // A public picture may be shown by an embedded wall on another site; a moderator's view stays private.
    if (!moderator) reply.header('access-control-allow-origin', '*');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    // Read whole (at most a few MiB, from the page cache) rather than streamed: a streamed response can
    // leave its keep-alive connection looking busy to the server, and a shutdown then waits for it.
    return reply.type(file.contentType).send(await readFile(join(media.dir, name)));
  });
}
