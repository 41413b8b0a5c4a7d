import type { FastifyInstance } from 'fastify';

/** `POST /ingest/sendgrid` (being built). */
export async function sendgridRoutes(_app: FastifyInstance): Promise<void> {}
