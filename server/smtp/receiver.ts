import type { FastifyInstance } from 'fastify';

/** Toile's own SMTP receiver (being built): started with the HTTP server when TOILE_SMTP_PORT is set. */
export function registerSmtpReceiver(_app: FastifyInstance): void {}
