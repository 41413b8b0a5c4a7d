import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserSuite, launchBrowser, skipBrowserTests, submitLogIn } from '../helpers/browser.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';
import { cardIds, NO_PROBLEMS, openWallPage, type WallPage } from '../helpers/wall-page.js';

/**
 * The stats slide on a real wall page: with the setting on and a one-minute interval, the wall (on
 * Playwright's fake clock, moved a minute ahead) covers its layout with the counts and a drawn chart for
 * the slide's seconds, then shows the layout again as it was, cards and all; what a moderator approved
 * meanwhile enters once the slide has gone. Within its Content Security Policy and its own origin.
 */

describe.skipIf(skipBrowserTests())('the wall’s stats slide', () => {
  let browser: Browser;
  let server: TestServer;
  let auth: Record<string, string>;
  const pages: WallPage[] = [];

  beforeAll(async () => {
    const built = join(import.meta.dirname, '..', '..', 'dist', 'client', 'wall.html');
    if (!existsSync(built)) throw new Error(`The client is not built (${built} is missing): run npx vite build first.`);
    browser = await launchBrowser();
    server = await startServer();
    auth = { authorization: `Bearer ${await server.adminToken()}` };
    // Four contributions through the API and two through the form; one of the form's is never approved.
    for (const text of ['Bravo à toute l’équipe', 'Quelle belle table ronde', 'Une question pour la salle', 'Merci !']) {
      await server.approve(await server.ingest(text, { name: 'Léa' }));
    }
    for (const text of ['Depuis mon téléphone', 'Celui-ci attend']) {
      const response = await server.request('POST', '/api/walls/capcomnet/contribute', { name: 'Hugo', text });
      expect(response.status, response.text).toBe(201);
      if (text.startsWith('Depuis')) await server.approve(response.body.id as number);
    }
    const patched = await server.request('PATCH', '/api/walls/capcomnet', { statsSlide: { enabled: true, everyMinutes: 1, seconds: 5 } }, auth);
    expect(patched.status, patched.text).toBe(200);
  });

  afterEach(async () => {
    for (const wall of pages.splice(0)) await wall.context.close();
  });

  afterAll(async () => {
    await server?.close({ removeData: true });
    await browser?.close();
  });

  it('shows the counts and the chart every minute for its seconds, then the same cards, and what was approved meanwhile', async () => {
    const wall = await openWallPage(browser, server.url, '/w/capcomnet?layout=grid', { setUp: (context) => context.clock.install() });
    pages.push(wall);
    const { page } = wall;
    const cards = page.locator('toile-layout-grid toile-wall-card article[data-message-id]');
    await until(async () => (await cards.count()) === 5, 'the five approved cards');
    const before = (await cardIds(page)).sort();
    // Let the wall tick once with the setting known, so that it plans the first slide a minute ahead.
    await page.waitForTimeout(1_500);
    const slide = page.locator('toile-stats-slide');
    expect(await slide.count()).toBe(0);

    await page.clock.fastForward(61_000);
    await slide.waitFor();
    const figure = (name: string) => slide.locator(`[data-figure="${name}"] dd`).textContent();
    expect(await figure('received')).toBe('6');
    expect(await figure('shown')).toBe('5');
    expect(await figure('viewers')).toBe('1');
    expect(await slide.locator('li[data-channel="api"] strong').textContent()).toBe('4');
    expect(await slide.locator('li[data-channel="web"] strong').textContent()).toBe('1');
    // The chart is drawn: uPlot's canvas, large, with pixels on it.
    const canvas = slide.locator('.chart canvas');
    await canvas.waitFor();
    const size = await canvas.evaluate((node: HTMLCanvasElement) => {
      const context = node.getContext('2d')!;
      const pixels = context.getImageData(0, 0, node.width, node.height).data;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) painted += 1;
      return { width: node.getBoundingClientRect().width, height: node.getBoundingClientRect().height, painted };
    });
    expect(size.width).toBeGreaterThan(1000);
    expect(size.height).toBeGreaterThan(250);
    expect(size.painted).toBeGreaterThan(1000);
    // The slide covers the screen.
    const box = await slide.boundingBox();
    expect(box).toMatchObject({ x: 0, y: 0, width: 1920, height: 1080 });

    // Approved during the slide: it waits behind it rather than entering unseen.
    const late = await server.ingest('Approuvé pendant la diapositive', { name: 'Zoé' });
    await server.approve(late);
    await page.waitForTimeout(1_500);
    expect(await slide.count()).toBe(1);
    expect(await cardIds(page)).not.toContain(late);

    // After its seconds the slide goes, the chart with it; the cards are still there, and the new one enters.
    await page.clock.fastForward(5_000);
    await slide.waitFor({ state: 'detached' });
    await until(async () => (await cardIds(page)).includes(late), 'the card approved during the slide');
    const after = await cardIds(page);
    for (const id of before) expect(after).toContain(id);
    expect(await page.locator('canvas').count()).toBe(0);

    // The numbers were asked for once, when the slide opened.
    expect(wall.requests.filter((url) => url.includes('/stats/public'))).toHaveLength(1);
    expect(await wall.problems()).toEqual(NO_PROBLEMS);
  }, 30_000);

  it('is not shown on a blank wall, nor in the screen-reader mirror', async () => {
    const mirror = await openWallPage(browser, server.url, '/w/capcomnet?a11y=1', { setUp: (context) => context.clock.install() });
    pages.push(mirror);
    await mirror.page.locator('toile-wall-a11y').waitFor({ state: 'attached' });
    await mirror.page.waitForTimeout(1_500);
    await mirror.page.clock.fastForward(61_000);
    await mirror.page.waitForTimeout(1_000);
    expect(await mirror.page.locator('toile-stats-slide').count()).toBe(0);

    expect((await server.request('POST', '/api/walls/capcomnet/display', { display: 'blank' }, auth)).status).toBe(200);
    try {
      const blank = await openWallPage(browser, server.url, '/w/capcomnet', { setUp: (context) => context.clock.install() });
      pages.push(blank);
      await blank.page.locator('toile-wall .blank').waitFor();
      await blank.page.waitForTimeout(1_500);
      await blank.page.clock.fastForward(61_000);
      await blank.page.waitForTimeout(1_000);
      expect(await blank.page.locator('toile-stats-slide').count()).toBe(0);
      expect(blank.requests.filter((url) => url.includes('/stats/public'))).toHaveLength(0);
      expect(await blank.problems()).toEqual(NO_PROBLEMS);
    } finally {
      await server.request('POST', '/api/walls/capcomnet/display', { display: 'live' }, auth);
    }
    expect(mirror.requests.filter((url) => url.includes('/stats/public'))).toHaveLength(0);
    expect(await mirror.problems()).toEqual(NO_PROBLEMS);
  }, 30_000);
});

describe.skipIf(skipBrowserTests())('the stats slide in the console’s settings', () => {
  const suite = browserSuite({ client: 'moderate.html' });

  it('is switched on with its interval and duration, and a value out of range is refused next to its field', async () => {
    const admin = { authorization: `Bearer ${await suite.server.adminToken()}` };
    const page = await suite.open('/moderate#capcomnet/settings');
    await submitLogIn(page, { username: 'admin', password: suite.server.adminPassword });
    const panel = page.locator('toile-settings-panel');
    const every = panel.getByLabel('Stats slide every (minutes)');
    await every.waitFor();
    await panel.getByLabel('Show a stats slide between items (counts and a chart)').check();
    await every.fill('3');
    await panel.getByRole('button', { name: 'Save the settings' }).click();
    await until(async () => (await suite.server.request('GET', '/api/walls/capcomnet')).body.statsSlide.enabled === true, 'the slide switched on');
    expect((await suite.server.request('GET', '/api/walls/capcomnet')).body.statsSlide).toEqual({ enabled: true, everyMinutes: 3, seconds: 12 });

    const seconds = panel.getByLabel('Stats slide for (seconds)');
    await seconds.fill('90');
    await panel.getByRole('button', { name: 'Save the settings' }).click();
    const error = panel.getByRole('alert').filter({ hasText: 'statsSlide' });
    await error.waitFor();
    expect(await seconds.getAttribute('aria-invalid')).toBe('true');
    expect((await suite.server.request('GET', '/api/walls/capcomnet', undefined, admin)).body.statsSlide.seconds).toBe(12);
  });
});
