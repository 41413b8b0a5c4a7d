import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config.js';
import { buildEdgeApp } from '../../server/edge.js';
import { launchBrowser, skipBrowserTests } from '../helpers/browser.js';
import { deleteRedisKeys, ensureRedis, redisAvailable, skipRedisTests } from '../helpers/cluster.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { NO_PROBLEMS, openWallPage, type WallPage } from '../helpers/wall-page.js';

/**
 * A wall page served by a cluster edge, in a real Chromium: it opens with nothing but the edge (its
 * page, its assets, its settings and its socket), shows what the primary approves, marks itself stale
 * while the edge has lost Redis, and catches up when Redis is back, without a reload.
 */
const redisUp = await redisAvailable();

describe.skipIf(skipBrowserTests() || skipRedisTests(redisUp))('a wall watched through a cluster edge', () => {
  const prefix = `toile-test-${randomBytes(6).toString('hex')}`;
  let browser: Browser;
  let proxy: TcpProxy;
  let primary: TestServer;
  let edge: FastifyInstance;
  let edgeUrl: string;
  let wall: WallPage;

  beforeAll(async () => {
    const built = join(import.meta.dirname, '..', '..', 'dist', 'client', 'wall.html');
    if (!existsSync(built)) throw new Error(`The client is not built (${built} is missing): run npx vite build first.`);
    await ensureRedis();
    browser = await launchBrowser();
    // The primary and the edge reach Redis through a proxy the test can cut.
    proxy = await startTcpProxy();
    primary = await startServer({ env: { REDIS_URL: proxy.url, TOILE_REDIS_PREFIX: prefix } });
    edge = await buildEdgeApp({ config: parseConfig({ TOILE_ROLE: 'edge', REDIS_URL: proxy.url, TOILE_REDIS_PREFIX: prefix, PORT: '0' }), logger: false });
    await edge.listen({ port: 0, host: '127.0.0.1' });
    const address = edge.server.address();
    if (address === null || typeof address === 'string') throw new Error('the edge did not bind a TCP port');
    edgeUrl = `http://127.0.0.1:${address.port}`;
    for (let i = 0; (await edge.inject('/healthz')).statusCode !== 200; i += 1) {
      if (i > 100) throw new Error('the edge did not load the walls from Redis');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  afterAll(async () => {
    await wall?.context.close();
    await edge?.close();
    await primary?.close({ removeData: true });
    await proxy?.close();
    await browser?.close();
    await deleteRedisKeys(prefix);
  });

  const card = (page: Page, id: number) => page.locator(`toile-wall-card article[data-message-id="${id}"]`);

  async function approved(text: string): Promise<number> {
    const id = await primary.ingest(text);
    await primary.approve(id);
    return id;
  }

  it('opens on the edge alone and shows what the primary approves', async () => {
    wall = await openWallPage(browser, edgeUrl, '/w/capcomnet');
    await wall.page.locator('toile-wall[data-layout]').waitFor({ state: 'attached' });
    const id = await approved('Bonjour depuis la salle plénière');
    await card(wall.page, id).locator('.text').waitFor({ timeout: 3000 });
    expect(await card(wall.page, id).locator('.text').textContent()).toContain('Bonjour depuis la salle plénière');
    // Nothing came from the primary: the page, its assets, its settings and its socket are the edge's.
    expect(wall.requests.every((url) => new URL(url).port === new URL(edgeUrl).port)).toBe(true);
    expect(await wall.problems()).toEqual(NO_PROBLEMS);
  });

  it('says it is stale while the edge has lost Redis, and catches up without a reload when it is back', async () => {
    const { page } = wall;
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    expect(await page.locator('toile-wall .stale').count()).toBe(0);

    proxy.cut();
    // The socket to the edge stays open; the edge tells the page, which marks itself after 3 s.
    await page.locator('toile-wall .stale[role="status"]').waitFor({ timeout: 8000 });
    const during = await approved('Approuvé pendant la coupure');
    expect(await card(page, during).count()).toBe(0);

    proxy.restore();
    await card(page, during).locator('.text').waitFor({ timeout: 15_000 });
    await page.locator('toile-wall .stale').waitFor({ state: 'detached', timeout: 10_000 });
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(await card(page, during).count()).toBe(1);
    expect(await wall.problems()).toEqual(NO_PROBLEMS);
  }, 60_000);
});
