import type { FastifyInstance } from 'fastify';

/** Vonage SMS API inbound webhook: `POST|GET /ingest/vonage`. (Being built.) */
export async function vonageRoutes(_app: FastifyInstance): Promise<void> {}
