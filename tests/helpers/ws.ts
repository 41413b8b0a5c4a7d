import WebSocket from 'ws';

/** A frame as the client received it, parsed from JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Frame = any;

export interface TestSocket {
  socket: WebSocket;
  frames: Frame[];
  /** Resolves with the first frame (from the start of the stream) matching `predicate` not yet taken. */
  next(predicate?: (frame: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  /** Waits until `count` frames have arrived in total. */
  waitForCount(count: number, timeoutMs?: number): Promise<Frame[]>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/** Opens a real WebSocket and records every frame, so that tests can assert on order and gaps. */
export function openSocket(url: string, headers: Record<string, string> = {}): Promise<TestSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    const frames: Frame[] = [];
    const taken = new Set<number>();
    const waiters = new Set<() => void>();
    const closed = new Promise<{ code: number; reason: string }>((done) =>
      socket.once('close', (code, reason) => done({ code, reason: reason.toString() })),
    );
    socket.on('message', (data, isBinary) => {
      if (isBinary) throw new Error('the server sent a binary frame; walls expect text frames');
      frames.push(JSON.parse(data.toString()));
      for (const waiter of [...waiters]) waiter();
    });
    socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused with ${response.statusCode}`)));
    socket.once('error', reject);
    socket.once('open', () => {
      const wait = <T>(check: () => T | undefined, timeoutMs: number, what: string) =>
        new Promise<T>((done, fail) => {
          const attempt = () => {
            const result = check();
            if (result === undefined) return false;
            clearTimeout(timer);
            waiters.delete(listener);
            done(result);
            return true;
          };
          const listener = () => void attempt();
          const timer = setTimeout(() => {
            waiters.delete(listener);
            fail(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(frames).slice(0, 800)}`));
          }, timeoutMs);
          if (!attempt()) waiters.add(listener);
        });
      resolve({
        socket,
        frames,
        closed,
        next(predicate = () => true, timeoutMs = 3000) {
          return wait(
            () => {
              const index = frames.findIndex((frame, i) => !taken.has(i) && predicate(frame));
              if (index === -1) return undefined;
              taken.add(index);
              return frames[index];
            },
            timeoutMs,
            'a matching frame',
          );
        },
        waitForCount(count, timeoutMs = 3000) {
          return wait(() => (frames.length >= count ? frames.slice() : undefined), timeoutMs, `${count} frames`);
        },
        close() {
          socket.close();
        },
      });
    });
  });
}
