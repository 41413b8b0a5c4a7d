import { describe, expect, it } from 'vitest';
import { browserSuite, skipBrowserTests, submitLogIn } from '../helpers/browser.js';

/**
 * The console's stats view in a real browser: the figures a moderator reads are the API's, the chart is
 * drawn by the bundled uPlot (no request leaves the server, no CSP violation), and a decision shows up at
 * the next refresh.
 */
describe.skipIf(skipBrowserTests())('the console’s stats in a real browser', () => {
  const suite = browserSuite({ client: 'moderate.html' });

  it('shows the wall’s numbers, its chart and its top lists, all from the same server', async () => {
    const server = suite.server;
    const approved: number[] = [];
    for (const [index, text] of ['Bravo #capcomnet', 'Super table ronde #IA', 'Merci ! #capcomnet', 'Une question sur le budget'].entries()) {
      const id = await server.ingest(text, { name: index % 2 === 0 ? 'Léa' : 'Hugo' });
      if (index < 3) {
        await server.approve(id);
        approved.push(id);
      }
    }
    const page = await suite.open('/moderate#capcomnet/stats');
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await submitLogIn(page, { username: 'admin', password: server.adminPassword });
    const panel = page.locator('toile-stats-panel');
    await panel.getByRole('heading', { name: 'Stats' }).waitFor();

    const figure = (name: string) => panel.locator(`[data-figure="stats.${name}"] dd`);
    await figure('received').waitFor();
    expect(await figure('received').textContent()).toBe('4');
    expect(await figure('approved').textContent()).toBe('3');
    expect(await figure('pending').textContent()).toBe('1');
    expect(await figure('approvalRate').textContent()).toBe('100%');
    expect(await panel.locator('tr[data-channel="api"] td').first().textContent()).toBe('4');
    // The chart: uPlot's canvas, drawn with the page's own code.
    await panel.locator('.chart canvas').waitFor();
    expect(await panel.locator('.chart canvas').evaluate((canvas) => (canvas as HTMLCanvasElement).width)).toBeGreaterThan(0);
    expect(await panel.locator('ol.contributors li').allTextContents()).toEqual(['Léa — 2', 'Hugo — 1']);
    expect(await panel.locator('ol.hashtags li').first().textContent()).toBe('#capcomnet — 2');
    for (const url of requests) expect(new URL(url).origin).toBe(server.url);
  });
});
