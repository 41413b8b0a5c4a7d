import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { textFrame } from '../../server/realtime/sockets.js';

/**
 * The frames Toile writes straight to viewers' TCP sockets must be what a WebSocket client reads as text
 * messages, at every payload length the header encodes differently (RFC 6455 §5.2: 7 bits up to 125,
 * 16 bits up to 65,535, 64 bits beyond). A real ws server hands over its TCP socket; a real ws client reads.
 */
describe('textFrame', () => {
  let server: WebSocketServer;
  let raw: Socket;
  let client: WebSocket;

  beforeAll(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    await once(server, 'listening');
    const accepted = new Promise<Socket>((resolve) => server.once('connection', (_socket, request) => resolve(request.socket as Socket)));
    client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    raw = await accepted;
    await once(client, 'open');
  });

  afterAll(async () => {
    client.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  it.each([0, 1, 125, 126, 300, 65_535, 65_536, 200_000])('is read back as one text message of %i bytes', async (length) => {
    const payload = Buffer.from('é'.repeat(Math.floor(length / 2)) + 'x'.repeat(length % 2));
    const received = once(client, 'message') as Promise<[Buffer, boolean]>;
    raw.write(textFrame(payload));
    const [data, isBinary] = await received;
    expect(isBinary).toBe(false);
    expect(data.equals(payload)).toBe(true);
  });

  it('can carry several messages in one write, read back in order', async () => {
    const messages: string[] = [];
    const done = new Promise<void>((resolve) =>
      client.on('message', (data) => {
        messages.push(data.toString());
        if (messages.length === 3) resolve();
      }),
    );
    raw.write(Buffer.concat(['{"seq":1}', '{"seq":2}', '{"seq":3}'].map((text) => textFrame(Buffer.from(text)))));
    await done;
    expect(messages).toEqual(['{"seq":1}', '{"seq":2}', '{"seq":3}']);
  });
});
