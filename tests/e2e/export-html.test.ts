import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { browserSuite, launchBrowser, skipBrowserTests, submitLogIn, WAIT_MS } from '../helpers/browser.js';
import { channelServerOptions, MEDIA_ORIGIN, seedEveryChannel, type SeededWall } from '../helpers/channels.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { postTwilio, twilioParams } from '../helpers/twilio.js';

/**
 * The HTML archive as the organiser uses it: downloaded by a moderator, saved as a file, opened in a
 * browser with no server behind it (or put on the event's website). It must show every approved message
 * of a wall fed by every channel, its stored picture included, and ask for nothing outside the file.
 */

const HOSTILE_TEXT = '"><img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> مرحبا 🎉';

interface Shown {
  id: number;
  text: string;
  contentWarning?: string;
  author: { name: string };
  media: { url: string; alt?: string }[];
}

describe.skipIf(skipBrowserTests())('the HTML archive in Chromium', () => {
  let browser: Browser;
  let context: BrowserContext;
  let server: TestServer;
  let seeded: SeededWall;
  let dir: string;
  let fileUrl: string;
  let page: Page;
  /** Every request the page made, in order. */
  const requests: string[] = [];
  const problems: string[] = [];
  let approved: Shown[];

  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startServer(channelServerOptions());
    seeded = await seedEveryChannel(server);
    const admin = { authorization: `Bearer ${await server.adminToken()}` };
    // One message still waiting, and a hostile one approved.
    const pending = await postTwilio(server, twilioParams({ MessageSid: 'SM8888888888888888888888888888pend', From: '+33698765432', Body: 'NOTAPPROVED still waiting' }));
    expect(pending.status).toBe(200);
    await server.approve(await server.ingest(HOSTILE_TEXT, { name: '<b>Mallory</b>' }));
    approved = (await server.request('GET', '/api/walls/capcomnet/messages?status=approved&limit=500', undefined, admin)).body.items as Shown[];
    expect(approved.length).toBe(seeded.messages.length + 1);

    // Exported by a moderator, as the console's button would, and saved where no server answers for it.
    const moderator = { authorization: `Bearer ${server.app.toile.auth.createToken('moderator', 'moderator', 'tests').token}` };
    const exported = await server.request('GET', '/api/walls/capcomnet/export?format=html', undefined, moderator);
    expect(exported.status).toBe(200);
    dir = mkdtempSync(join(tmpdir(), 'toile-archive-'));
    const file = join(dir, 'capcomnet.html');
    writeFileSync(file, exported.text);
    fileUrl = pathToFileURL(file).href;
    // The server is gone before the page opens: nothing the page shows can come from it.
    await seeded.close();
    await server.close({ removeData: true });

    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        (window as unknown as { __csp: string[] }).__csp ??= [];
        (window as unknown as { __csp: string[] }).__csp.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
      });
    });
    await page.goto(fileUrl, { waitUntil: 'load' });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('makes no request outside the file: no server, no CDN, no social network', async () => {
    expect(requests.length).toBeGreaterThan(0);
    const outside = requests.filter((url) => url !== fileUrl && !url.startsWith('data:'));
    expect(outside).toEqual([]);
    expect(requests.join('\n')).not.toContain(MEDIA_ORIGIN);
    expect(await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? [])).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('shows every approved message, newest first, and not the one still waiting', async () => {
    await expect.poll(() => page.title()).toBe('Cap’Com');
    const cards = page.locator('li.card');
    expect(await cards.count()).toBe(approved.length);
    const shownIds = await cards.evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-id'))));
    expect([...shownIds].sort((a, b) => a - b)).toEqual(approved.map((m) => m.id).sort((a, b) => a - b));

    for (const message of approved) {
      const card = page.locator(`li.card[data-id="${message.id}"]`);
      await card.scrollIntoViewIfNeeded();
      expect(await card.locator('.name').innerText()).toBe(message.author.name);
      if (message.contentWarning !== undefined) {
        // Behind its warning, as on the wall, until the reader opens it.
        const summary = card.locator('summary');
        expect(await summary.innerText()).toBe(message.contentWarning);
        expect(await card.locator('.text').isVisible()).toBe(false);
        await summary.click();
      }
      const text = card.locator('.text');
      expect(await text.isVisible(), `message ${message.id} is visible`).toBe(true);
      expect(await text.innerText()).toBe(message.text);
    }
    expect(await page.locator('body').innerText()).not.toContain('NOTAPPROVED');
  });

  it('shows hostile text as text, and runs none of it', async () => {
    const hostile = approved.find((m) => m.text.includes('__pwned'))!;
    const card = page.locator(`li.card[data-id="${hostile.id}"]`);
    expect(await card.locator('.text').innerText()).toBe(hostile.text);
    expect(await card.locator('.name').innerText()).toBe('<b>Mallory</b>');
    expect(await card.locator('img, script, b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(problems).toEqual([]);
  });

  it('renders the picture Toile stored, from inside the file', async () => {
    const mail = seeded.messages.find((m) => m.channel === 'email' && m.kind === 'image')!;
    const img = page.locator(`li.card[data-id="${mail.id}"] img`);
    await img.scrollIntoViewIfNeeded();
    await expect.poll(() => img.evaluate((element: HTMLImageElement) => element.complete && element.naturalWidth)).toBe(96);
    expect(await img.evaluate((element: HTMLImageElement) => element.naturalHeight)).toBe(64);
    expect(await img.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    // A picture that lives on a social network is named by its description instead.
    const mastodon = seeded.messages.find((m) => m.source === 'mastodon')!;
    expect(await page.locator(`li.card[data-id="${mastodon.id}"] .missing`).innerText()).toBe('Picture not included: La scène, vue du troisième rang');
    expect(await page.locator(`li.card[data-id="${mastodon.id}"] img`).count()).toBe(0);
    const outside = requests.filter((url) => url !== fileUrl && !url.startsWith('data:'));
    expect(outside).toEqual([]);
  });
});

describe.skipIf(skipBrowserTests())('the archive’s downloads in the console', () => {
  const suite = browserSuite({ client: 'moderate.html' });
  let server: TestServer;
  let admin: Record<string, string>;
  let downloads: string;

  beforeEach(async () => {
    server = suite.server;
    admin = { authorization: `Bearer ${await server.adminToken()}` };
    downloads = mkdtempSync(join(tmpdir(), 'toile-downloads-'));
    return () => rmSync(downloads, { recursive: true, force: true });
  });

  async function logIn(username: string, password: string, path: string): Promise<Page> {
    const page = await suite.open(path);
    await submitLogIn(page, { username, password });
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    return page;
  }

  /** Clicks a download link and returns the file's name and content as the browser saved them. */
  async function download(page: Page, link: ReturnType<Page['getByRole']>): Promise<{ name: string; text: string }> {
    const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const path = join(downloads, file.suggestedFilename());
    await file.saveAs(path);
    return { name: file.suggestedFilename(), text: readFileSync(path, 'utf8') };
  }

  it('lets a moderator download the approved messages as a web page, a spreadsheet or JSON from the Screens view', async () => {
    await server.approve(await server.ingest('ARCHIVED on the wall'));
    await server.ingest('WAITING in the queue');
    expect((await server.request('POST', '/api/users', { username: 'mo', password: 'moderator password', role: 'moderator' }, admin)).status).toBe(201);
    const page = await logIn('mo', 'moderator password', '/moderate#capcomnet/screens');
    const panel = page.locator('toile-export-panel');
    await panel.getByRole('heading', { name: 'Archive' }).waitFor();
    const date = new Date().toISOString().slice(0, 10);

    const html = await download(page, panel.getByRole('link', { name: 'Web page (HTML)' }));
    expect(html.name).toBe(`capcomnet-${date}.html`);
    expect(html.text).toContain('ARCHIVED on the wall');
    expect(html.text).not.toContain('WAITING');
    const csv = await download(page, panel.getByRole('link', { name: 'Spreadsheet (CSV)' }));
    expect(csv.name).toBe(`capcomnet-${date}.csv`);
    expect(csv.text).toContain('ARCHIVED on the wall');
    const json = await download(page, panel.getByRole('link', { name: 'Data (JSON)' }));
    expect(json.name).toBe(`capcomnet-${date}.json`);
    expect(JSON.parse(json.text).messages.map((m: { text: string }) => m.text)).toEqual(['ARCHIVED on the wall']);
    // The complete archive is the admins': a moderator is not offered it.
    expect(await page.locator('toile-export-panel[complete]').count()).toBe(0);
  });

  it('offers an admin the complete archive, every message with its decision, in the Audit view', async () => {
    await server.approve(await server.ingest('ARCHIVED on the wall'));
    await server.ingest('WAITING in the queue');
    const page = await logIn('admin', server.adminPassword, '/moderate#capcomnet/audit');
    const panel = page.locator('toile-audit-panel toile-export-panel');
    await panel.getByRole('heading', { name: 'Complete archive' }).waitFor();
    expect(await panel.getByRole('link', { name: 'Spreadsheet (CSV)' }).getAttribute('href')).toBe('/api/walls/capcomnet/export?format=csv&all=1');
    const json = await download(page, panel.getByRole('link', { name: 'Data (JSON)' }));
    expect(json.name).toBe(`capcomnet-all-${new Date().toISOString().slice(0, 10)}.json`);
    const archive = JSON.parse(json.text) as { scope: string; messages: { text: string; status: string }[]; audit: unknown[] };
    expect(archive.scope).toBe('all');
    expect(archive.messages.map((m) => [m.text, m.status])).toEqual([
      ['WAITING in the queue', 'pending'],
      ['ARCHIVED on the wall', 'approved'],
    ]);
    expect(archive.audit.length).toBeGreaterThan(0);
  });
});
