import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, badRequest, notFound } from '../errors.js';
import { requireRole } from '../plugins/auth.js';
import { MEDIA_PREFIX } from '../services/media.js';
import { slugParams, type SlugParams } from './schemas.js';

/** The largest picture an organiser may upload for a wall: a logo or a background, not a photo album. */
export const MAX_WALL_IMAGE_BYTES = 5 * 1024 * 1024;

const imageTooLarge = () => new AppError(413, 'image_too_large', `The image is larger than ${MAX_WALL_IMAGE_BYTES / (1024 * 1024)} MiB.`);
const oneFile = () => badRequest('invalid_upload', 'Send one image as the multipart field "file", and nothing else.');

/** The bytes of the upload's one `file` part; any other part, a second file or an empty one is refused. */
async function readTheFile(request: FastifyRequest): Promise<Buffer> {
  let content: Buffer | null = null;
  for await (const part of request.parts()) {
    if (part.type === 'field' || part.fieldname !== 'file' || content !== null) throw oneFile();
    const chunks: Buffer[] = [];
    for await (const chunk of part.file as AsyncIterable<Buffer>) chunks.push(chunk);
    // The plugin stops reading a part at the size limit and marks it truncated.
    if (part.file.truncated) throw imageTooLarge();
    content = Buffer.concat(chunks);
  }
  if (content === null || content.length === 0) throw oneFile();
  return content;
}

/**
 * `POST /api/walls/:slug/images` (admin): a picture for a wall's look (logo, background, sponsor), stored
 * by the media store like any other picture (recognized by its bytes: JPEG, PNG, GIF or WebP; never SVG,
 * which can carry script) and public from then on, since the wall that shows it is public. The multipart
 * parser is registered in this plugin only: no other route takes multipart bodies by accident.
 */
export async function wallImageRoutes(app: FastifyInstance): Promise<void> {
  const { repos, media, now } = app.toile;

  await app.register(fastifyMultipart, {
    throwFileSizeLimit: false,
    limits: { fileSize: MAX_WALL_IMAGE_BYTES, files: 2, fields: 10, parts: 12, fieldSize: 1024 },
  });

  app.post<{ Params: SlugParams }>(
    '/api/walls/:slug/images',
    {
      onRequest: requireRole('admin'),
      schema: { params: slugParams, response: { 201: { type: 'object', properties: { url: { type: 'string' } } } } },
    },
    async (request, reply) => {
      const { slug } = request.params;
      const wall = repos.walls.bySlug(slug);
      if (!wall) throw notFound(`Wall "${slug}"`);
      if (!request.isMultipart()) {
        throw new AppError(415, 'unsupported_media_type', 'Send the image as multipart/form-data with one field "file".');
      }
      let content: Buffer;
      try {
        content = await readTheFile(request);
      } catch (error) {
        // The plugin's own errors carry their status (413 past a limit); the parser's (no boundary, a body
        // cut short) do not, and are the client's.
        if (error instanceof AppError || typeof (error as { statusCode?: unknown }).statusCode === 'number') throw error;
        throw badRequest('invalid_body', 'The multipart body could not be read.');
      }
      const stored = media.storeImage(content);
      if (!stored.ok) {
        if (stored.problem === 'media-too-large') throw imageTooLarge();
        throw new AppError(415, 'unsupported_image', 'The file is not a JPEG, PNG, GIF or WebP image (SVG is not accepted).');
      }
      const url = stored.item.url;
      const name = url.slice(MEDIA_PREFIX.length);
      const at = now().toISOString();
      const actor = request.principal!.username;
      repos.transaction(() => {
        repos.media.addWallImage(wall.id, name, actor, at);
        repos.audit.append({ actor, action: 'wall.image', wallId: wall.id, targetType: 'media', targetId: name, detail: { size: content.length } }, at);
      });
      return reply.code(201).send({ url });
    },
  );
}
