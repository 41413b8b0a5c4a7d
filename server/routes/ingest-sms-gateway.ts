import type { FastifyInstance } from 'fastify';

export async function smsGatewayRoutes(_app: FastifyInstance): Promise<void> {}
