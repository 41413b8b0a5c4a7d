import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Layout } from '../../client/src/shared/types.js';
import { skipBrowserTests } from '../helpers/browser.js';
import { MEDIA_ORIGIN, type SeededMessage } from '../helpers/channels.js';
import { until } from '../helpers/wait.js';
import { everyChannelWall, layoutCapacity, markWindow, NO_PROBLEMS, stillMarked } from '../helpers/wall-page.js';

/**
 * Every layout of the wall, on a Full HD screen and a 4K one, showing what the audience sent through every
 * channel (tests/helpers/channels.ts): it shows them, fits the screen's width, writes them large enough
 * to be read from the back of a room, and stays within its Content Security Policy and its own origin.
 */

const LAYOUTS: Layout[] = ['grid', 'columns', 'spotlight', 'ticker'];
const SCREENS = [
  { name: '1080p', width: 1920, height: 1080 },
  { name: '4K', width: 3840, height: 2160 },
];
/**
 * The smallest card text, in CSS pixels on a 1080-pixel-high screen (scaled with the screen's height): a
 * wall is read from across a room. The spotlight shows one item large; the others share the screen.
 */
const MIN_TEXT_PX: Record<Layout, number> = { grid: 24, columns: 22, spotlight: 32, ticker: 24 };
const CHANNELS = ['sms', 'email', 'social', 'web', 'api'];

describe.skipIf(skipBrowserTests())('the wall’s layouts, fed by every channel', () => {
  const suite = everyChannelWall();

  const byId = (id: number): SeededMessage => suite.seeded.messages.find((m) => m.id === id)!;

  for (const screen of SCREENS) {
    for (const layout of LAYOUTS) {
      it(`${layout} at ${screen.name}: every channel, within the screen’s width, readable, nothing foreign`, async () => {
        const wall = await suite.open(`/w/capcomnet?layout=${layout}`, { width: screen.width, height: screen.height });
        const { page } = wall;
        await page.locator(`toile-wall[data-layout="${layout}"]`).waitFor({ state: 'attached' });
        await page.locator(`toile-layout-${layout}`).waitFor({ state: 'attached' });
        await page.locator(`toile-layout-${layout} toile-wall-card article[data-message-id]`).first().waitFor();
        // Let the shell fill the layout up to its capacity.
        await page.waitForTimeout(300);

        if (layout === 'grid' || layout === 'columns') {
          // As many as the layout says it can show, the newest first: with six or more, every channel.
          const capacity = await layoutCapacity(page);
          expect(capacity, 'the layout never fired toile-capacity').not.toBeNull();
          const expected = suite.seeded.messages.slice(-Math.min(capacity!, suite.seeded.messages.length));
          for (const message of expected) {
            const card = page.locator(`toile-layout-${layout} toile-wall-card article[data-message-id="${message.id}"]`);
            await card.waitFor();
            expect(await card.getAttribute('data-channel')).toBe(message.channel);
            expect(await card.getAttribute('data-source')).toBe(message.source);
          }
          expect((await page.locator(`toile-layout-${layout} toile-wall-card article[data-message-id]`).count())).toBe(expected.length);
          if (capacity! >= 6) expect(new Set(expected.map((m) => m.channel)).size).toBe(CHANNELS.length);
          await expectCardContents(page, layout, expected);
        } else {
          // Fewer at once: what is shown is the wall's, and every channel comes up in the rotation or the timeline.
          const shown = await visibleCards(page, layout);
          expect(shown.length).toBeGreaterThan(0);
          for (const card of shown) expect(byId(card.id), `card ${card.id} is not one of the wall's`).toBeDefined();
          const channels = await everyChannelShown(page, layout);
          expect([...channels].sort()).toEqual([...CHANNELS].sort());
        }

        // Nothing spills over the screen's width (the ticker's band scrolls inside its own box).
        const widths = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          body: document.body.scrollWidth,
          viewport: window.innerWidth,
        }));
        expect(widths.scroll, 'the page scrolls sideways').toBeLessThanOrEqual(widths.viewport);
        expect(widths.body, 'the body is wider than the screen').toBeLessThanOrEqual(widths.viewport);
        if (layout !== 'ticker') {
          for (const card of await visibleCards(page, layout)) {
            expect(card.left, `card ${card.id} starts left of the screen`).toBeGreaterThanOrEqual(-1);
            expect(card.right, `card ${card.id} ends right of the screen`).toBeLessThanOrEqual(screen.width + 1);
          }
        }

        // Readable from the back of the room: the smallest text of a shown card, scaled to the screen.
        const sizes = await page
          .locator(`toile-layout-${layout} toile-wall-card article[data-message-id] .text`)
          .evaluateAll((nodes) =>
            nodes
              .filter((node) => {
                const rect = node.getBoundingClientRect();
                return rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.top < window.innerHeight && rect.right > 0 && rect.left < window.innerWidth;
              })
              .map((node) => parseFloat(getComputedStyle(node).fontSize)),
          );
        expect(sizes.length, 'no card text on screen').toBeGreaterThan(0);
        const minimum = MIN_TEXT_PX[layout] * (screen.height / 1080);
        expect(Math.min(...sizes), `card text smaller than ${minimum} px`).toBeGreaterThanOrEqual(minimum);

        // Pictures are Toile's or the https ones seeded; nothing else, no error, no CSP violation.
        const problems = await wall.problems();
        expect(problems).toEqual(NO_PROBLEMS);
        const foreign = wall.requests.filter((url) => !url.startsWith(suite.server.url) && !url.startsWith(suite.server.wsUrl));
        for (const url of foreign) expect(url.startsWith(`${MEDIA_ORIGIN}/`), url).toBe(true);
      });
    }
  }

  it('switches an open wall to the layout a moderator picks, live', async () => {
    const wall = await suite.open('/w/capcomnet');
    const { page } = wall;
    await page.locator('toile-wall[data-layout="grid"] toile-layout-grid').waitFor({ state: 'attached' });
    await page.locator('toile-wall-card article[data-message-id]').first().waitFor();
    await markWindow(page);

    try {
      const patched = await suite.server.request('PATCH', '/api/walls/capcomnet', { layout: 'columns' }, suite.auth);
      expect(patched.status, patched.text).toBe(200);
      await page.locator('toile-wall[data-layout="columns"] toile-layout-columns').waitFor({ state: 'attached' });
      await page.locator('toile-layout-columns toile-wall-card article[data-message-id]').first().waitFor();
      expect(await page.locator('toile-layout-grid').count()).toBe(0);

      expect((await suite.server.request('PATCH', '/api/walls/capcomnet', { layout: 'ticker' }, suite.auth)).status).toBe(200);
      await page.locator('toile-wall[data-layout="ticker"] toile-layout-ticker').waitFor({ state: 'attached' });
      expect(await stillMarked(page), 'the page reloaded instead of switching').toBe(true);
      expect(await wall.problems()).toEqual(NO_PROBLEMS);
    } finally {
      await suite.server.request('PATCH', '/api/walls/capcomnet', { layout: 'grid' }, suite.auth);
    }
  });

  it('marks a speaker’s messages with a badge on an open wall, and takes it off again', async () => {
    const wall = await suite.open('/w/capcomnet?layout=columns');
    const { page } = wall;
    const post = suite.seeded.messages.find((m) => m.source === 'mastodon')!;
    const article = page.locator(`toile-layout-columns toile-wall-card article[data-message-id="${post.id}"]`);
    await article.waitFor();
    await markWindow(page);
    expect(await article.locator('.badge').count()).toBe(0);

    const trusted = await suite.server.request('POST', '/api/walls/capcomnet/senders', { messageId: post.id, rule: 'trusted', badge: 'speaker' }, suite.auth);
    expect(trusted.status, trusted.text).toBe(201);
    await article.locator('.badge[data-badge="speaker"]').waitFor();
    expect((await article.locator('.badge').textContent())?.trim()).not.toBe('');
    // Only that sender's message: nobody else became a speaker.
    expect(await page.locator('toile-wall-card .badge').count()).toBe(1);

    const cleared = await suite.server.request('PATCH', `/api/walls/capcomnet/senders/${trusted.body.id}`, { badge: null }, suite.auth);
    expect(cleared.status, cleared.text).toBe(200);
    await article.locator('.badge').waitFor({ state: 'detached' });
    expect(await article.count(), 'the card left the wall instead of losing its badge').toBe(1);
    expect(await stillMarked(page)).toBe(true);
    expect(await wall.problems()).toEqual(NO_PROBLEMS);
  });

  /** The contract's parts of each card, on a layout that shows them all. */
  async function expectCardContents(page: Page, layout: Layout, shown: SeededMessage[]): Promise<void> {
    const card = (message: SeededMessage) => page.locator(`toile-layout-${layout} toile-wall-card article[data-message-id="${message.id}"]`);
    for (const message of shown) {
      const article = card(message);
      expect(await article.locator('.channel-icon[aria-label]').count(), `channel icon of ${message.marker}`).toBe(1);
      expect(await article.locator('.channel-icon').getAttribute('aria-label')).not.toBe('');
      expect(await article.locator('time[datetime]').count(), `time of ${message.marker}`).toBe(1);
      if (message.kind === 'warning') {
        expect(await article.locator('.warning').textContent()).toContain(message.contentWarning);
        expect(await article.locator('.text').count()).toBe(0);
        expect(await article.locator('img.media').count()).toBe(0);
        continue;
      }
      expect(await article.locator('.text').textContent(), `text of ${message.marker}`).toBe(message.text);
      if (message.kind === 'image') {
        const image = article.locator('img.media').first();
        expect(await image.getAttribute('src')).toBe(message.media[0]!.url);
        expect(await image.getAttribute('alt'), 'a picture without alt').not.toBeNull();
        expect(await image.getAttribute('loading')).toBe('lazy');
      }
      if (message.kind === 'hashtag') expect(await article.locator('.tag[data-tag="capcomnet"]').count()).toBe(1);
    }
    // A picture Toile stores is served by Toile and decodes (the email's PNG).
    const email = shown.find((m) => m.channel === 'email');
    if (email === undefined) return;
    const decoded = await card(email)
      .locator('img.media')
      .first()
      .evaluate(async (img: HTMLImageElement) => {
        img.scrollIntoView();
        await img.decode().catch(() => undefined);
        return img.naturalWidth;
      });
    expect(decoded).toBeGreaterThan(0);
  }
});

interface VisibleCard {
  id: number;
  channel: string;
  left: number;
  right: number;
}

/** The cards of the layout that are on screen now. */
async function visibleCards(page: Page, layout: Layout): Promise<VisibleCard[]> {
  return page.locator(`toile-layout-${layout} toile-wall-card article[data-message-id]`).evaluateAll((nodes) =>
    nodes
      .map((node) => ({ node, rect: node.getBoundingClientRect() }))
      .filter(({ rect }) => rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.top < window.innerHeight && rect.right > 0 && rect.left < window.innerWidth)
      .map(({ node, rect }) => ({ id: Number(node.getAttribute('data-message-id')), channel: node.getAttribute('data-channel') ?? '', left: rect.left, right: rect.right })),
  );
}

/**
 * The channels a layout that shows few at once puts in front of the room over time: its cards and its
 * timeline (any element with `data-message-id` and `data-channel` in it), watched for up to 20 s.
 */
async function everyChannelShown(page: Page, layout: Layout): Promise<Set<string>> {
  const seen = new Set<string>();
  await until(
    async () => {
      const channels = await page
        .locator(`toile-layout-${layout} [data-message-id][data-channel]`)
        .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-channel') ?? ''));
      for (const channel of channels) seen.add(channel);
      return CHANNELS.every((channel) => seen.has(channel));
    },
    `every channel on the ${layout} (seen so far: ${[...seen].join(', ')})`,
    20_000,
    250,
  ).catch(() => undefined);
  return seen;
}
