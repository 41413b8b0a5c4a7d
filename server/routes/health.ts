import type { FastifyInstance } from 'fastify';

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', { schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } }, async () => {
    // A query proves the database is open and answering, not merely that the process is up.
    app.toile.repos.walls.count();
    return { status: 'ok' };
  });
}
