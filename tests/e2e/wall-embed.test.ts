import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, skipBrowserTests, WAIT_MS } from '../helpers/browser.js';
import { startServer, type TestServer } from '../helpers/server.js';

/**
 * A wall on an organiser's own website, the two ways Toile offers: the `<toile-wall>` element loaded from
 * `/embed.js`, and an iframe of `/w/:slug?embed=1`. The organiser's page is served by a second, plain
 * HTTP server on another port, so everything the wall does there crosses origins as it would on a real
 * event's site: the module, its chunks and fonts, the API and the socket.
 */

const SLUG = 'capcomnet';
/** The organiser's page colour: an embedded wall lets it show through. */
const HOST_BACKGROUND = 'rgb(255, 214, 0)';

/** The organiser's website: a few static pages on another origin than Toile's. */
interface HostSite {
  url: string;
  close(): Promise<void>;
}

async function startHostSite(pages: Record<string, string>): Promise<HostSite> {
  const server: Server = createServer((request, response) => {
    const body = pages[new URL(request.url ?? '/', 'http://host').pathname];
    if (body === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** A page of the organiser's site: its own title, text and colours around whatever Toile puts in it. */
function hostPage(content: string): string {
  return `<!doctype html>
<html lang="fr">
  <head>
    <meta charset="utf-8" />
    <title>Capcom'net 2026</title>
    <link rel="icon" href="data:," />
    <style>
      body { margin: 0; background: ${HOST_BACKGROUND}; font-family: Georgia, serif; }
      main { padding: 24px; }
      .wall { height: 480px; }
      iframe { display: block; width: 960px; height: 360px; border: 0; }
    </style>
  </head>
  <body>
    <main>
      <h1>Les rencontres de la communication publique</h1>
      ${content}
    </main>
  </body>
</html>`;
}

/** What a visitor's browser saw go wrong on the organiser's page. */
interface Watched {
  page: Page;
  pageErrors: string[];
  consoleErrors: string[];
  /** Every font file fetched from Toile, with the status it was answered. */
  fonts: { url: string; status: number }[];
}

describe.skipIf(skipBrowserTests())('a wall embedded on an organiser’s website', () => {
  let browser: Browser;
  let toile: TestServer;
  let site: HostSite;
  let ingest: Record<string, string>;
  const contexts: BrowserContext[] = [];
  let posted = 0;

  beforeAll(async () => {
    const dist = join(import.meta.dirname, '..', '..', 'dist', 'client');
    for (const file of ['wall.html', join('.vite', 'manifest.json')]) {
      if (!existsSync(join(dist, file))) throw new Error(`The client is not built (${join(dist, file)} is missing): run npx vite build first.`);
    }
    browser = await launchBrowser();
    toile = await startServer();
    const admin = { authorization: `Bearer ${await toile.adminToken()}` };
    // Post-moderated, without pacing: what a bridge posts is on every screen at once.
    const patched = await toile.request('PATCH', `/api/walls/${SLUG}`, { moderation: 'post', pacing: { minSeconds: 0, replay: false } }, admin);
    expect(patched.status, patched.text).toBe(200);
    ingest = { authorization: `Bearer ${toile.app.toile.auth.createToken('bridge', 'ingest', 'tests').token}` };

    site = await startHostSite({
      '/element.html': hostPage(`
      <script type="module" src="${toile.url}/embed.js"></script>
      <section class="wall" id="implicit"><toile-wall slug="${SLUG}" layout="grid"></toile-wall></section>
      <section class="wall" id="explicit"><toile-wall server="${toile.url}" slug="${SLUG}" layout="ticker"></toile-wall></section>`),
      '/frames.html': hostPage(`
      <iframe id="wall" title="Le mur" src="${toile.url}/w/${SLUG}?embed=1&amp;layout=ticker"></iframe>
      <iframe id="console" title="La console" src="${toile.url}/moderate"></iframe>`),
    });
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });

  afterAll(async () => {
    await site?.close();
    await toile?.close({ removeData: true });
    await browser?.close();
  });

  /** Posts a message as a bridge would; on this post-moderated wall it is approved at once. */
  async function post(text: string): Promise<number> {
    posted += 1;
    const response = await toile.request('POST', `/api/walls/${SLUG}/messages`, { externalId: `embed:${posted}`, author: { name: `Invité ${posted}` }, text }, ingest);
    expect(response.status, response.text).toBe(201);
    expect(response.body.status, 'a post-moderated wall shows a message at once').toBe('approved');
    return response.body.id as number;
  }

  /** Opens `path` of the organiser's site in a fresh browser context, watching what goes wrong. */
  async function visit(path: string): Promise<Watched> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    const watched: Watched = { page, pageErrors: [], consoleErrors: [], fonts: [] };
    page.on('pageerror', (error) => watched.pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') watched.consoleErrors.push(`${message.text()} (${message.location().url})`);
    });
    page.on('response', (response) => {
      if (response.url().startsWith(`${toile.url}/`) && /\.woff2?$/.test(new URL(response.url()).pathname)) {
        watched.fonts.push({ url: response.url(), status: response.status() });
      }
    });
    await page.goto(site.url + path);
    return watched;
  }

  it('shows approved messages in <toile-wall> from /embed.js, live, with Toile’s fonts and no error', async () => {
    const first = [await post('Bienvenue à toutes et à tous !'), await post('La salle est pleine')];
    const { page, pageErrors, consoleErrors, fonts } = await visit('/element.html');

    for (const section of ['#implicit', '#explicit']) {
      await page.locator(`${section} toile-wall[data-mode="embed"]`).waitFor({ state: 'attached' });
      // (The ticker repeats its band to scroll it seamlessly: a card may be there twice.)
      for (const id of first) await page.locator(`${section} toile-wall-card article[data-message-id="${id}"]`).first().waitFor({ state: 'attached' });
      // An embed is the wall alone: no header, no "how to take part" panel.
      expect(await page.locator(`${section} toile-wall header`).count()).toBe(0);
      expect(await page.locator(`${section} toile-wall toile-contribute-panel`).count()).toBe(0);
    }
    expect(await page.locator('#implicit toile-wall').getAttribute('data-layout')).toBe('grid');
    expect(await page.locator('#explicit toile-wall').getAttribute('data-layout')).toBe('ticker');
    const card = page.locator(`#implicit toile-wall-card article[data-message-id="${first[1]}"]`);
    await card.waitFor();
    expect(await card.locator('.text').textContent()).toContain('La salle est pleine');

    // A message approved while the page is open reaches both walls over their sockets.
    const later = await post('Et voici la suite en direct');
    for (const section of ['#implicit', '#explicit']) {
      await page.locator(`${section} toile-wall-card article[data-message-id="${later}"]`).first().waitFor({ state: 'attached' });
    }
    await page.locator(`#implicit toile-wall-card article[data-message-id="${later}"] .text`).waitFor();

    // Inter, added to the host document by the embed and fetched from Toile (with CORS, as fonts need).
    await page.waitForFunction(() => [...document.fonts].some((face) => face.family.replace(/["']/g, '') === 'Inter Variable' && face.status === 'loaded'), undefined, {
      timeout: WAIT_MS,
    });
    const inter = await page.evaluate(() => [...document.fonts].filter((face) => face.family.replace(/["']/g, '') === 'Inter Variable').map((face) => face.status));
    expect(inter).not.toContain('error');
    expect(fonts.length, 'no font was fetched from Toile').toBeGreaterThan(0);
    for (const font of fonts) expect(font.status, font.url).toBe(200);
    const family = await card.locator('.text').evaluate((node) => getComputedStyle(node).fontFamily);
    expect(family).toMatch(/^["']?Inter Variable/);

    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('frames the wall page with ?embed=1 (no header, transparent) and refuses to frame the console', async () => {
    const shown = await post('Vu depuis le site de l’événement');
    const { page, pageErrors, consoleErrors } = await visit('/frames.html');

    const wall = page.frameLocator('#wall');
    await wall.locator('toile-wall[data-mode="embed"][data-layout="ticker"]').waitFor({ state: 'attached' });
    await wall.locator(`toile-layout-ticker toile-wall-card article[data-message-id="${shown}"]`).first().waitFor({ state: 'attached' });
    expect(await wall.locator('toile-wall header').count()).toBe(0);
    const later = await post('Et une de plus');
    await wall.locator(`toile-wall-card article[data-message-id="${later}"]`).first().waitFor({ state: 'attached' });

    // The frame's page, its body and the wall itself paint nothing: the organiser's yellow shows through.
    const frame = await (await page.locator('#wall').elementHandle())!.contentFrame();
    expect(frame).not.toBeNull();
    const backgrounds = await frame!.evaluate(() =>
      [document.documentElement, document.body, document.querySelector('toile-wall')!].map((node) => getComputedStyle(node).backgroundColor),
    );
    expect(backgrounds).toEqual(['rgba(0, 0, 0, 0)', 'rgba(0, 0, 0, 0)', 'rgba(0, 0, 0, 0)']);
    // What the visitor sees: the top of the frame (above the ticker's band) is the page's own colour, pixel
    // for pixel the same as the page beside the frame (Chromium paints a frame opaque on a colour-scheme mismatch).
    const box = (await page.locator('#wall').boundingBox())!;
    const inside = await page.screenshot({ clip: { x: box.x + 4, y: box.y + 4, width: 24, height: 24 } });
    const outside = await page.screenshot({ clip: { x: box.x + box.width + 8, y: box.y + 4, width: 24, height: 24 } });
    expect.soft(inside.equals(outside), 'the embedded wall is painted opaque over the page').toBe(true);

    // The console's CSP (frame-ancestors 'none') keeps it out of another site's frame: nothing of it loads.
    await expect.poll(() => consoleErrors.some((line) => /frame-ancestors/.test(line)), { timeout: WAIT_MS }).toBe(true);
    const consoleFrame = await (await page.locator('#console').elementHandle())!.contentFrame();
    expect(consoleFrame?.url() ?? '').not.toContain('/moderate');
    expect(await page.frameLocator('#console').locator('toile-console, toile-login-form').count()).toBe(0);

    expect(pageErrors).toEqual([]);
    // The one expected error: Chromium's note that it refused to frame the console.
    expect(consoleErrors.filter((line) => !/frame-ancestors 'none'/.test(line))).toEqual([]);
  });
});
