import { networkInterfaces } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { badRequest, notFound } from '../errors.js';
import { slugParams, type SlugParams } from './schemas.js';

/**
 * A Host header as browsers send it: a DNS name or IPv4 address, or an IPv6 address in brackets, and an
 * optional port. Anything else (spaces, slashes, "@", quotes) is refused rather than copied into a URL
 * that a wall turns into a QR code.
 */
const HOST = /^(?:\[(?<v6>[0-9a-fA-F:.]{2,45})\]|(?<name>[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*))(?::(?<port>\d{1,5}))?$/;

export interface HostParts {
  /** The host as it goes back into a URL (an IPv6 address keeps its brackets). */
  host: string;
  port: string | undefined;
  loopback: boolean;
}

/** Splits and checks a Host header; null when it is not one a browser would send. */
export function parseHost(value: string | undefined): HostParts | null {
  if (value === undefined || value.length > 260) return null;
  const match = HOST.exec(value);
  if (!match?.groups) return null;
  const { v6, name, port } = match.groups;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return null;
  const hostname = (name ?? v6 ?? '').toLowerCase();
  const loopback =
    v6 !== undefined
      ? hostname === '::1' || /^::ffff:127\./.test(hostname)
      : hostname === 'localhost' || hostname.endsWith('.localhost') || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
  return { host: v6 !== undefined ? `[${hostname}]` : hostname, port, loopback };
}

/** This machine's first IPv4 address on a network (not loopback), as the interfaces list them. */
export function firstLanIpv4(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return undefined;
}

/**
 * `GET /api/walls/:slug/contribute-url` (public): the address of the web form for phones, which the wall's
 * QR code carries. A configured TOILE_PUBLIC_URL wins. Otherwise the wall was opened at some address: when
 * that is the laptop's own loopback (`localhost`, the organiser's usual first try), phones in the room could
 * not reach it, so the machine's LAN address is given with the same port; else the page's own origin.
 */
export interface ContributeUrlOptions {
  config: Config;
  /** Whether the wall exists: the primary asks SQLite, an edge its feeds. */
  wallExists: (slug: string) => boolean;
}

export async function contributeUrlRoutes(app: FastifyInstance, { config, wallExists }: ContributeUrlOptions): Promise<void> {
  app.get<{ Params: SlugParams }>(
    '/api/walls/:slug/contribute-url',
    { schema: { params: slugParams, response: { 200: { type: 'object', properties: { url: { type: 'string' } } } } } },
    async (request, reply) => {
      const { slug } = request.params;
      if (!wallExists(slug)) throw notFound(`Wall "${slug}"`);
      const path = `/c/${slug}`;
      // Public, and read by embeds on other sites; it depends on the Host, so it is not cached.
      reply.header('access-control-allow-origin', '*').header('cache-control', 'no-store');
      if (config.configuredPublicUrl !== undefined) return { url: config.configuredPublicUrl + path };
      const host = parseHost(request.host);
      if (host === null) throw badRequest('invalid_host', 'The Host header is not a host name or address.');
      const port = host.port === undefined ? '' : `:${host.port}`;
      const lan = host.loopback ? firstLanIpv4() : undefined;
      return { url: `${request.protocol}://${lan ?? host.host}${port}${path}` };
    },
  );
}
