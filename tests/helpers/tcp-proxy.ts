import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy the test controls, between Toile's processes and a real server (Redis): `cut()` is the
 * network failing (every open connection drops, and reconnects are dropped as soon as they are made),
 * `restore()` the network coming back on the same address. Nothing is mocked: both ends speak to real
 * sockets and see what they would see on a real failure.
 */
export interface TcpProxy {
  host: string;
  port: number;
  /** `redis://127.0.0.1:<port>` (with the target's database path, if any): the URL to give Toile. */
  url: string;
  /** Connections forwarded since the start (not counting those dropped while cut). */
  readonly accepted: number;
  /** Connections refused while cut (accepted and destroyed at once). */
  readonly refused: number;
  /** Connections being forwarded now. */
  readonly open: number;
  readonly isCut: boolean;
  /** Destroys every forwarded connection, and every new one as soon as it is accepted, until `restore()`. */
  cut(): void;
  /** Forwards new connections again. */
  restore(): void;
  /** Stops listening and destroys every connection. */
  close(): Promise<void>;
}

export interface TcpProxyOptions {
  /** Where to forward: 127.0.0.1:6379 unless told. */
  target?: { host: string; port: number };
  /** Listen on this port (a random free one otherwise). */
  port?: number;
}

export async function startTcpProxy(options: TcpProxyOptions = {}): Promise<TcpProxy> {
  const target = options.target ?? { host: '127.0.0.1', port: 6379 };
  const host = '127.0.0.1';
  const pairs = new Set<[Socket, Socket]>();
  let cut = false;
  let accepted = 0;
  let refused = 0;

  const server: Server = createServer((client) => {
    client.on('error', () => client.destroy());
    if (cut) {
      refused += 1;
      client.destroy();
      return;
    }
    accepted += 1;
    client.pause();
    const upstream = connect({ host: target.host, port: target.port });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', drop);
    client.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    upstream.once('connect', () => {
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the TCP proxy did not bind a port');
  const port = address.port;

  return {
    host,
    port,
    url: `redis://${host}:${port}`,
    get accepted() {
      return accepted;
    },
    get refused() {
      return refused;
    },
    get open() {
      return pairs.size;
    },
    get isCut() {
      return cut;
    },
    cut() {
      cut = true;
      for (const [client, upstream] of [...pairs]) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
    },
    restore() {
      cut = false;
    },
    async close() {
      cut = true;
      for (const [client, upstream] of [...pairs]) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
