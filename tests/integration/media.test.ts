import { describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server.js';

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4d10000000049454e44ae426082',
  'hex',
);

describe('GET /media/:name', () => {
  it('serves a picture to a moderator, and the server still shuts down at once afterwards', async () => {
    // A streamed response once left its keep-alive connection looking busy, and shutdown waited 70 s for it.
    for (let i = 0; i < 5; i++) {
      const server = await startServer();
      const stored = server.app.toile.media.storeImage(PNG);
      if (!stored.ok) throw new Error(`the test picture was refused: ${stored.problem}`);
      const response = await fetch(server.url + stored.item.url, { headers: { authorization: `Bearer ${await server.adminToken()}` } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await response.arrayBuffer())).toEqual(PNG);
      const started = performance.now();
      await server.close({ removeData: true });
      expect(performance.now() - started).toBeLessThan(2000);
    }
  });

  it('answers 404 for a name that is not a stored picture, without saying why', async () => {
    const server = await startServer();
    try {
      for (const path of ['/media/..%2Ftoile.db', '/media/abc.png', `/media/${'a'.repeat(64)}.png`]) {
        const response = await fetch(server.url + path);
        expect(response.status).toBe(404);
        await response.arrayBuffer();
      }
    } finally {
      await server.close({ removeData: true });
    }
  });
});
