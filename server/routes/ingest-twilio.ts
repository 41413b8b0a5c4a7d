import type { FastifyInstance } from 'fastify';

export async function twilioRoutes(_app: FastifyInstance): Promise<void> {}
