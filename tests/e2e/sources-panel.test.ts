import { createServer, type AddressInfo } from 'node:net';
import type { Locator, Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { browserSuite, logIn, skipBrowserTests } from '../helpers/browser.js';
import type { TestServer } from '../helpers/server.js';

/** A credential that must go to the server once and never come back to any page. */
const ACCESS_TOKEN = 'e2e-mastodon-token-4f9c2a71d3';

/** Sources fail, retry and report quickly, so that their state moves within a test's wait. */
const SOURCE_TIMING = { pollMs: 50, backoffMs: 50, maxBackoffMs: 400, timeoutMs: 2000, cursorFlushMs: 100 };

/** A local Jetstream that accepts subscribers and never says anything: a quiet hashtag. */
async function silentJetstream(): Promise<{ url: string; paths: string[]; connected: Promise<void>; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const paths: string[] = [];
  const connected = new Promise<void>((resolve) =>
    server.on('connection', (_socket, request) => {
      paths.push(request.url ?? '');
      resolve();
    }),
  );
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths,
    connected,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

/** A local port nothing listens on: an instance that cannot be reached. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Every text, attribute and field value of the page, shadow roots included: what a person could see or copy. */
function everythingOnThePage(page: Page): Promise<string> {
  return page.evaluate(() => {
    const parts: string[] = [];
    const visit = (root: Document | ShadowRoot) => {
      parts.push(root instanceof Document ? (root.documentElement.textContent ?? '') : (root.textContent ?? ''));
      for (const element of root.querySelectorAll('*')) {
        for (const name of element.getAttributeNames()) parts.push(element.getAttribute(name) ?? '');
        if (element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement) parts.push(element.value);
        if (element.shadowRoot) visit(element.shadowRoot);
      }
    };
    visit(document);
    return parts.join('\n');
  });
}

describe.skipIf(skipBrowserTests())('the console’s social sources panel in a real browser', () => {
  const suite = browserSuite({ client: 'moderate.html', server: { sourceTiming: SOURCE_TIMING } });
  let server: TestServer;
  let admin: Record<string, string>;

  beforeEach(async () => {
    server = suite.server;
    admin = { authorization: `Bearer ${await server.adminToken()}` };
  });

  /** A console page, logged in as `username`, showing the queue. */
  async function consoleAs(username: string, password: string): Promise<Page> {
    const page = await suite.open('/moderate');
    await logIn(page, { username, password });
    return page;
  }

  /** Logs in as the admin and opens the panel of the default wall. */
  async function openPanel(): Promise<{ page: Page; panel: Locator }> {
    const page = await consoleAs('admin', server.adminPassword);
    await page.getByRole('link', { name: 'Sources', exact: true }).click();
    const panel = page.locator('toile-sources-panel');
    await panel.getByRole('heading', { name: 'Social sources' }).waitFor();
    return { page, panel };
  }

  async function sourcesInTheApi(): Promise<{ id: number; kind: string; paused: boolean; state: string }[]> {
    const response = await server.request('GET', '/api/walls/capcomnet/sources', undefined, admin);
    expect(response.status, response.text).toBe(200);
    return response.body.items;
  }

  it('adds a Bluesky source, shows it running, pauses, resumes and deletes it after a confirmation', async () => {
    const jetstream = await silentJetstream();
    try {
      const { panel } = await openPanel();
      await panel.getByText('This wall follows no social network yet').waitFor();

      await panel.getByLabel('Network').selectOption('bluesky');
      await panel.getByLabel('Hashtag').fill('#capcomnet');
      await panel.getByText('Advanced').click();
      await panel.getByLabel('Jetstream URL').fill(jetstream.url);
      await panel.getByRole('button', { name: 'Add the source' }).click();

      await panel.getByRole('status').getByText('Added the Bluesky source #capcomnet.').waitFor();
      const source = panel.getByRole('listitem').filter({ hasText: 'Bluesky · #capcomnet' });
      await source.getByText('Running', { exact: true }).waitFor();
      // The source really reads the Jetstream the form named, and the form is ready for the next one.
      await jetstream.connected;
      expect(jetstream.paths[0]).toMatch(/^\/subscribe\?/);
      expect(await panel.getByLabel('Hashtag').inputValue()).toBe('');
      const [stored] = await sourcesInTheApi();
      expect(stored).toMatchObject({ kind: 'bluesky', paused: false });

      await source.getByRole('button', { name: 'Pause' }).click();
      await source.getByText('Paused', { exact: true }).waitFor();
      await panel.getByRole('status').getByText('Paused the Bluesky source #capcomnet.').waitFor();
      expect((await sourcesInTheApi())[0]).toMatchObject({ paused: true, state: 'paused' });

      await source.getByRole('button', { name: 'Resume' }).click();
      await source.getByText('Running', { exact: true }).waitFor();
      expect((await sourcesInTheApi())[0]).toMatchObject({ paused: false });

      // A change made elsewhere (another admin, a script) shows up by itself while the panel is open.
      const paused = await server.request('POST', `/api/walls/capcomnet/sources/${stored!.id}/pause`, undefined, admin);
      expect(paused.status, paused.text).toBe(200);
      await source.getByText('Paused', { exact: true }).waitFor();

      // Delete asks first, inside the panel; keeping it changes nothing.
      await source.getByRole('button', { name: 'Delete' }).click();
      await source.getByRole('button', { name: 'Keep it' }).click();
      await source.getByRole('button', { name: 'Delete' }).click();
      expect(await sourcesInTheApi()).toHaveLength(1);
      await source.getByRole('button', { name: 'Yes, delete' }).click();
      await source.waitFor({ state: 'detached' });
      await panel.getByRole('status').getByText('Deleted the Bluesky source #capcomnet.').waitFor();
      await panel.getByText('This wall follows no social network yet').waitFor();
      expect(await sourcesInTheApi()).toEqual([]);
    } finally {
      await jetstream.close();
    }
  });

  it('adds a Mastodon source with an access token, says a token is set and never shows it, nor the API', async () => {
    const answers: string[] = [];
    const { page, panel } = await openPanel();
    page.on('response', (response) => {
      if (response.url().includes('/sources')) void response.text().then((text) => answers.push(text), () => undefined);
    });
    const port = await closedPort();

    await panel.getByLabel('Instance URL').fill(`http://127.0.0.1:${port}`);
    await panel.getByLabel('Hashtag').fill('capcomnet');
    const tokenField = panel.getByLabel('Access token');
    expect(await tokenField.getAttribute('type')).toBe('password');
    await tokenField.fill(ACCESS_TOKEN);
    await panel.getByRole('button', { name: 'Add the source' }).click();

    const source = panel.getByRole('listitem').filter({ hasText: `Mastodon · #capcomnet on 127.0.0.1:${port}` });
    await source.waitFor();
    expect(await source.locator('dl div', { hasText: 'Access token' }).locator('dd').textContent()).toBe('set');
    expect(await tokenField.inputValue()).toBe('');
    // The instance cannot be reached: the panel says so in words, with the error the server recorded.
    await source.getByText('Failing', { exact: true }).waitFor();
    await source.getByText('Last error').waitFor();
    // It keeps retrying (each try has its own error); paused, its last error stays put, to be compared in full.
    const id = (await sourcesInTheApi())[0]!.id;
    expect((await server.request('POST', `/api/walls/capcomnet/sources/${id}/pause`, undefined, admin)).status).toBe(200);
    await source.getByText('Paused', { exact: true }).waitFor();
    const [stored] = (await server.request('GET', '/api/walls/capcomnet/sources', undefined, admin)).body.items;
    expect(stored.lastError).toContain(`127.0.0.1:${port}`);
    expect(await source.locator('.last-error pre').textContent()).toBe(stored.lastError);

    // After several refreshes, the token is nowhere on the page and in no answer the page received.
    await expect.poll(() => answers.length, { timeout: 12_000 }).toBeGreaterThanOrEqual(3);
    expect(await everythingOnThePage(page)).not.toContain(ACCESS_TOKEN);
    expect(answers.join('\n')).not.toContain(ACCESS_TOKEN);
  });

  it('shows the server’s message when it refuses a source, and keeps what was typed', async () => {
    const { panel } = await openPanel();
    // Plain http to a remote instance would send the token in clear: the server refuses it.
    const body = { kind: 'mastodon', instance: 'http://mastodon.example', hashtag: 'capcomnet', accessToken: 'typed-once' };
    const refused = await server.request('POST', '/api/walls/capcomnet/sources', body, admin);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toBeTruthy();

    await panel.getByLabel('Instance URL').fill(body.instance);
    await panel.getByLabel('Hashtag').fill(body.hashtag);
    await panel.getByLabel('Access token').fill(body.accessToken);
    await panel.getByRole('button', { name: 'Add the source' }).click();

    await panel.getByRole('alert').getByText(refused.body.message, { exact: true }).waitFor();
    expect(await panel.getByLabel('Instance URL').inputValue()).toBe(body.instance);
    expect(await panel.getByLabel('Hashtag').inputValue()).toBe(body.hashtag);
    expect(await panel.getByLabel('Access token').inputValue()).toBe(body.accessToken);
    expect(await panel.getByRole('listitem').count()).toBe(0);
    expect(await sourcesInTheApi()).toEqual([]);
  });

  it('says that X’s API is paid before asking for its bearer token', async () => {
    const { panel } = await openPanel();
    await panel.getByLabel('Network').selectOption('x');
    await panel.getByText('X’s API is paid').waitFor();
    expect(await panel.getByLabel('Search query').count()).toBe(1);
    expect(await panel.getByLabel('Bearer token').getAttribute('type')).toBe('password');
  });

  it('is not offered to a moderator who is not an admin, whom the API refuses anyway', async () => {
    const created = await server.request('POST', '/api/users', { username: 'mo', password: 'moderator password', role: 'moderator' }, admin);
    expect(created.status, created.text).toBe(201);
    const page = await consoleAs('mo', 'moderator password');

    expect(await page.getByRole('link', { name: 'Sources', exact: true }).count()).toBe(0);
    expect(await page.locator('toile-sources-panel').count()).toBe(0);
    const status = await page.evaluate(async () => (await fetch('/api/walls/capcomnet/sources')).status);
    expect(status).toBe(403);
  });
});
