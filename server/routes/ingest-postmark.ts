import type { FastifyInstance } from 'fastify';

/** `POST /ingest/postmark` (being built). */
export async function postmarkRoutes(_app: FastifyInstance): Promise<void> {}
