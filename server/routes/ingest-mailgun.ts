import type { FastifyInstance } from 'fastify';

/** `POST /ingest/mailgun` (being built). */
export async function mailgunRoutes(_app: FastifyInstance): Promise<void> {}
