import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { browserSuite, logIn, skipBrowserTests } from '../helpers/browser.js';
import type { TestServer } from '../helpers/server.js';

/**
 * A post behind a content warning, in Chromium: the wall shows only the warning until a moderator chooses to
 * show it; then the wall shows the text and images under the warning, live, without a reload; hidden again,
 * only the warning is left.
 */
describe.skipIf(skipBrowserTests())('a post behind a content warning on the wall', () => {
  const suite = browserSuite({ client: 'wall.html' });
  const { open } = suite;
  let server: TestServer;
  let auth: Record<string, string>;

  beforeEach(async () => {
    server = suite.server;
    auth = { authorization: `Bearer ${await server.adminToken()}` };
  });

  /** A post with a warning and a picture, approved; returns its id. */
  async function approvedWarningPost(externalId: string): Promise<number> {
    const posted = await server.request(
      'POST',
      '/api/walls/capcomnet/messages',
      {
        externalId,
        author: { name: 'Claire' },
        text: 'The serious game ends with a twist',
        media: [{ url: 'https://127.0.0.1:9/twist.jpg', alt: 'the final screen' }],
        contentWarning: 'game results <b>SENA</b>',
      },
      auth,
    );
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    const approved = await server.request('POST', `/api/messages/${posted.body.id}/approve`, {}, auth);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    return posted.body.id as number;
  }

  async function openWall(): Promise<Page> {
    const wall = await open('/w/capcomnet');
    await wall.getByRole('heading', { name: 'Cap’Com' }).waitFor();
    await wall.evaluate(() => Object.assign(window, { __toileMark: true }));
    return wall;
  }

  const stillMarked = (page: Page) => page.evaluate(() => (window as unknown as { __toileMark?: boolean }).__toileMark === true);

  it('shows only the warning, then the text under the warning once a moderator shows it, without a reload', async () => {
    const wall = await openWall();
    const id = await approvedWarningPost('cw-reveal');
    const card = wall.locator(`article[data-message-id="${id}"]`);
    await card.locator('.warning').waitFor();
    expect(await card.locator('.text').count()).toBe(0);
    expect(await card.locator('img.media').count()).toBe(0);

    const revealed = await server.request('POST', `/api/messages/${id}/reveal`, { revealed: true }, auth);
    expect(revealed.status, JSON.stringify(revealed.body)).toBe(200);
    await card.locator('.text').waitFor();
    expect(await card.locator('.text').textContent()).toBe('The serious game ends with a twist');
    expect(await card.locator('.warning-label').textContent()).toContain('game results <b>SENA</b>');
    expect(await card.locator('.warning').count()).toBe(0);
    expect(await card.locator('img.media').getAttribute('alt')).toBe('the final screen');
    // The label is above the picture and the text.
    const labelBox = (await card.locator('.warning-label').boundingBox())!;
    const textBox = (await card.locator('.text').boundingBox())!;
    expect(labelBox.y).toBeLessThan(textBox.y);
    expect(await stillMarked(wall)).toBe(true);

    await server.request('POST', `/api/messages/${id}/reveal`, { revealed: false }, auth);
    await card.locator('.warning').waitFor();
    expect(await card.locator('.text').count()).toBe(0);
    expect(await card.locator('.warning-label').count()).toBe(0);
    expect(await stillMarked(wall)).toBe(true);
  });

  it('lets a moderator show it from the console', async () => {
    const wall = await openWall();
    const id = await approvedWarningPost('cw-console');
    await wall.locator(`article[data-message-id="${id}"] .warning`).waitFor();

    const moderator = await open('/moderate');
    await logIn(moderator, { username: 'admin', password: server.adminPassword });
    await moderator.getByRole('tab', { name: /Approved/ }).click();
    const card = moderator.locator('toile-moderation-card', { hasText: 'game results' });
    await card.getByRole('button', { name: 'Show on the wall' }).click();
    await wall.locator(`article[data-message-id="${id}"] .text`).waitFor();
    await card.getByRole('button', { name: 'Hide behind the warning' }).waitFor();
    expect(await stillMarked(wall)).toBe(true);
  });
});
