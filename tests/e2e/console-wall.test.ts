import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import type { Locator, Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { browserSuite, skipBrowserTests, submitLogIn } from '../helpers/browser.js';
import type { TestServer } from '../helpers/server.js';

/** The web form's contributor without a cookie (a request from Node): a hash of its IP, as the server keeps it. */
const NODE_CLIENT = createHash('sha256').update('ip:127.0.0.1').digest('hex').slice(0, 32);

/** A real 8×8 PNG, one colour, built here (signature, IHDR, IDAT, IEND, each with its CRC). */
function png(red: number, green: number, blue: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([length, body, sum]);
  };
  const size = 8;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, RGB, no interlace
  const rows = Buffer.concat(Array.from({ length: size }, () => Buffer.from([0, ...Array.from({ length: size }, () => [red, green, blue]).flat()])));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe.skipIf(skipBrowserTests())('the console’s wall views in a real browser: appearance, badges, screens, sharing', () => {
  const suite = browserSuite({ client: 'moderate.html', server: { limits: { contributePerMinute: 1000, contributePerIpPerMinute: 1000 } } });
  const { open } = suite;
  let server: TestServer;
  let admin: Record<string, string>;

  beforeEach(async () => {
    server = suite.server;
    admin = { authorization: `Bearer ${await server.adminToken()}` };
  });

  /** The console as the admin, at `path`, once its navigation shows. */
  async function consoleAt(path: string): Promise<Page> {
    const page = await open(path);
    await submitLogIn(page, { username: 'admin', password: server.adminPassword });
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    return page;
  }

  /** An open wall page, once its shell has drawn the wall. */
  async function wallPage(path = '/w/capcomnet'): Promise<{ page: Page; shell: Locator }> {
    const page = await open(path);
    const shell = page.locator('toile-wall[data-layout]');
    await shell.waitFor();
    return { page, shell };
  }

  /** A message sent through the ingest API and approved: the wall draws its layout only around items. */
  async function approvedMessage(text: string): Promise<number> {
    const id = await server.ingest(text);
    await server.approve(id);
    return id;
  }

  async function wallInTheApi(): Promise<Record<string, unknown>> {
    const { body } = await server.request('GET', '/api/walls', undefined, admin);
    return body.items.find((wall: { slug: string }) => wall.slug === 'capcomnet');
  }

  it('restyles an open wall live when an admin changes its layout, theme, language and colours', async () => {
    const id = await approvedMessage('Bienvenue à la plénière');
    const { page: wall, shell } = await wallPage();
    await wall.locator(`toile-layout-grid [data-message-id="${id}"]`).waitFor();
    expect(await shell.getAttribute('data-layout')).toBe('grid');
    expect(await shell.getAttribute('data-theme')).toBe('dark');
    await wall.evaluate(() => Object.assign(window, { __toileMark: true }));

    const page = await consoleAt('/moderate#capcomnet/settings');
    const settings = page.locator('toile-settings-panel');
    await settings.getByLabel('Layout', { exact: true }).selectOption('columns');
    await settings.getByLabel('Theme', { exact: true }).selectOption('light');
    await settings.getByLabel('Language of the wall').selectOption('fr');
    const saved = page.waitForRequest((request) => request.method() === 'PATCH');
    await settings.getByRole('button', { name: 'Save the settings' }).click();
    expect((await saved).postDataJSON()).toEqual({ layout: 'columns', theme: 'light', language: 'fr' });
    await settings.getByRole('status').getByText('Saved: Layout, Theme', { exact: false }).waitFor();

    await wall.locator('toile-wall[data-layout="columns"][data-theme="light"][data-lang="fr"]').waitFor();
    await wall.locator(`toile-layout-columns [data-message-id="${id}"]`).waitFor();

    // The appearance: a colour, then back to the theme's own, and the pacing, each saved as a partial change.
    const appearance = page.locator('toile-appearance-panel');
    await appearance.getByLabel('Accent colour', { exact: true }).fill('#0050c8');
    await appearance.getByLabel('Font', { exact: true }).selectOption('atkinson');
    await appearance.getByLabel('Seconds on screen, at least').fill('12');
    const patched = page.waitForRequest((request) => request.method() === 'PATCH');
    await appearance.getByRole('button', { name: 'Save the appearance' }).click();
    expect((await patched).postDataJSON()).toEqual({ appearance: { accent: '#0050c8', font: 'atkinson' }, pacing: { minSeconds: 12 } });
    await appearance.getByRole('status').getByText('Saved: accent colour, font, seconds on screen', { exact: false }).waitFor();
    await wall.waitForFunction(() => document.querySelector('toile-wall')?.style.getPropertyValue('--toile-accent') === '#0050c8');
    expect(await shell.evaluate((element) => (element as HTMLElement).style.getPropertyValue('--toile-font'))).toContain('Atkinson');
    expect(await wallInTheApi()).toMatchObject({ appearance: { accent: '#0050c8', font: 'atkinson' }, pacing: { minSeconds: 12 } });

    // A text colour too close to the light background is saved (the organiser decides) with a warning first.
    await appearance.getByLabel('Text colour', { exact: true }).fill('#d0d0d0');
    await appearance.getByText('Contrast below WCAG AA', { exact: false }).waitFor();
    await appearance.getByLabel('Text colour', { exact: true }).fill('#101010');
    await appearance.getByText('Contrast below WCAG AA', { exact: false }).waitFor({ state: 'hidden' });

    await appearance.getByRole('button', { name: 'Accent colour: use the theme default' }).click();
    const reset = page.waitForRequest((request) => request.method() === 'PATCH');
    await appearance.getByRole('button', { name: 'Save the appearance' }).click();
    expect((await reset).postDataJSON()).toEqual({ appearance: { accent: null, text: '#101010' } });
    await wall.waitForFunction(() => document.querySelector('toile-wall')?.style.getPropertyValue('--toile-accent') !== '#0050c8');
    expect(await shell.evaluate((element) => (element as HTMLElement).style.getPropertyValue('--toile-text'))).toBe('#101010');

    // All of it live: the wall page was never reloaded.
    expect(await wall.evaluate(() => (window as unknown as { __toileMark?: boolean }).__toileMark)).toBe(true);
  });

  it('uploads a logo and a sponsor logo that the wall then shows, and refuses a file that is not an image', async () => {
    const { page: wall } = await wallPage();
    const page = await consoleAt('/moderate#capcomnet/settings');
    const appearance = page.locator('toile-appearance-panel');

    await appearance.getByLabel('Upload a logo').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png(200, 40, 40) });
    await appearance.getByRole('status').getByText('Uploaded logo.png', { exact: false }).waitFor();
    const address = await appearance.getByLabel('Logo address (https)', { exact: true }).inputValue();
    expect(address).toMatch(/^\/media\/[A-Za-z0-9._~-]+$/);
    await appearance.getByRole('img', { name: 'Logo (preview)' }).waitFor();

    await appearance.getByLabel('Upload a sponsor logo').setInputFiles({ name: 'sponsor.png', mimeType: 'image/png', buffer: png(40, 200, 40) });
    await appearance.getByRole('img', { name: 'Sponsor logo 1' }).waitFor();

    // Not an image: refused in the page before any upload, next to the control.
    await appearance.getByLabel('Upload a logo').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await appearance.getByRole('alert').getByText('Choose a JPEG, PNG, GIF or WebP image.').waitFor();
    expect(await appearance.getByLabel('Logo address (https)', { exact: true }).inputValue()).toBe(address);

    const saved = page.waitForRequest((request) => request.method() === 'PATCH');
    await appearance.getByRole('button', { name: 'Save the appearance' }).click();
    const body = (await saved).postDataJSON();
    expect(body.appearance.logo).toBe(address);
    expect(body.appearance.sponsors).toHaveLength(1);

    const logo = wall.locator('toile-wall img.logo');
    await logo.waitFor();
    expect(await logo.getAttribute('src')).toBe(address);
    await wall.waitForFunction(() => {
      const img = document.querySelector('toile-wall')?.shadowRoot?.querySelector<HTMLImageElement>('img.logo');
      return img !== null && img !== undefined && img.complete && img.naturalWidth === 8;
    });
    await wall.locator('toile-wall .sponsors img').waitFor();

    // A plain-http address is not taken: it would be mixed content on the wall.
    await appearance.getByLabel('Logo address (https)', { exact: true }).fill('http://example.org/logo.png');
    await appearance.getByRole('button', { name: 'Save the appearance' }).click();
    await appearance.getByRole('alert').getByText('Use an https:// address, or upload the image.').waitFor();
    expect((await wallInTheApi()).appearance).toMatchObject({ logo: address });
  });

  it('trusts a sender with a speaker badge, which the wall shows on their message, and changes it to organiser', async () => {
    const { page: wall } = await wallPage();
    const page = await consoleAt('/moderate#capcomnet/settings');
    const senders = page.locator('toile-senders-panel');
    await senders.getByText('No trusted sender', { exact: false }).waitFor();

    await senders.getByLabel('List').selectOption('trusted');
    await senders.getByLabel('Kind').selectOption('client');
    await senders.getByLabel('Sender', { exact: true }).fill(NODE_CLIENT);
    await senders.getByRole('form', { name: 'Add a sender' }).getByLabel('Badge').selectOption('speaker');
    await senders.getByRole('button', { name: 'Add the sender' }).click();
    const row = senders.getByRole('region', { name: 'Trusted senders' }).getByRole('row').filter({ hasText: 'Web form client' });
    await row.waitFor();
    const listed = (await server.request('GET', '/api/walls/capcomnet/senders', undefined, admin)).body.items;
    expect(listed).toMatchObject([{ rule: 'trusted', kind: 'client', badge: 'speaker' }]);

    // A trusted sender's message is approved at once, with the badge.
    const sent = await server.request('POST', '/api/walls/capcomnet/contribute', { name: 'Dr Léa', text: 'Merci à toutes et à tous' });
    expect(sent.status, sent.text).toBe(201);
    const card = wall.locator(`[data-message-id="${sent.body.id}"]`);
    await card.locator('.badge[data-badge="speaker"]').waitFor();

    const badge = row.getByRole('combobox', { name: /^Badge of / });
    expect(await badge.inputValue()).toBe('speaker');
    await badge.selectOption('organiser');
    await senders.getByRole('status').getByText('now shows as: Organiser.', { exact: false }).waitFor();
    await card.locator('.badge[data-badge="organiser"]').waitFor();
    expect(await card.locator('.badge[data-badge="speaker"]').count()).toBe(0);

    await badge.selectOption('none');
    await senders.getByRole('status').getByText('now shows as: No badge.', { exact: false }).waitFor();
    await card.locator('.badge').waitFor({ state: 'detached' });
    expect((await server.request('GET', '/api/walls/capcomnet/senders', undefined, admin)).body.items[0].badge ?? null).toBeNull();
  });

  it('lists an open wall page in the Screens view, and reloads it alone, then every screen after a confirmation', async () => {
    await server.request('PATCH', '/api/walls/capcomnet', { layout: 'spotlight' }, admin);
    const { page: wall } = await wallPage('/w/capcomnet?layout=ticker');
    const page = await consoleAt('/moderate#capcomnet');
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Screens' }).click();
    expect(new URL(page.url()).hash).toBe('#capcomnet/screens');
    const panel = page.locator('toile-screens-panel');

    const row = panel.locator('tbody tr[data-screen]');
    await row.waitFor();
    expect(await row.count()).toBe(1);
    const cells = await row.locator('th, td').allTextContents();
    expect(cells[1]?.trim()).toBe('Ticker (one line)');
    expect(cells[2]?.trim()).toBe('1280 × 800');
    expect(cells[6]).toContain('Connected');
    const screen = await row.getAttribute('data-screen');
    const api = (await server.request('GET', '/api/walls/capcomnet/screens', undefined, admin)).body.screens;
    expect(api).toMatchObject([{ screen, layout: 'ticker', width: 1280, height: 800, mode: 'wall', connected: true }]);

    await wall.evaluate(() => Object.assign(window, { __toileMark: true }));
    const reloaded = wall.waitForEvent('load');
    await row.getByRole('button', { name: /^Reload Screen / }).click();
    await reloaded;
    expect(await wall.evaluate(() => (window as unknown as { __toileMark?: boolean }).__toileMark)).toBeUndefined();
    await panel.getByRole('status').getByText('Reload sent to', { exact: false }).waitFor();

    // The reloaded page is a new screen; the list follows (it is read every five seconds).
    await panel.locator(`tbody tr[data-screen]:not([data-screen="${screen}"])`).first().waitFor({ timeout: 8000 });

    await wall.evaluate(() => Object.assign(window, { __toileMark: true }));
    await panel.getByRole('button', { name: 'Reload all screens' }).click();
    const confirm = panel.getByRole('group', { name: 'Confirm the reload of every screen' });
    await confirm.waitFor();
    const again = wall.waitForEvent('load');
    await confirm.getByRole('button', { name: 'Yes, reload them' }).click();
    await again;
    expect(await wall.evaluate(() => (window as unknown as { __toileMark?: boolean }).__toileMark)).toBeUndefined();
    await confirm.waitFor({ state: 'detached' });

    // The console itself stays where it was: it follows the wall's socket without being one of its screens.
    expect(new URL(page.url()).hash).toBe('#capcomnet/screens');
    const audit = (await server.request('GET', '/api/audit?wall=capcomnet', undefined, admin)).body.items;
    expect(audit.filter((entry: { action: string }) => entry.action === 'wall.reload')).toHaveLength(2);
  });

  it('shares the wall’s addresses and the embed snippets as text, with working Copy buttons', async () => {
    const page = await consoleAt('/moderate#capcomnet/screens');
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const share = page.locator('toile-share-panel');
    const { url: formUrl } = (await server.request('GET', '/api/walls/capcomnet/contribute-url')).body;
    const base = formUrl.replace(/\/c\/capcomnet$/, '');
    const text = (id: string) => share.locator(`code#${id}`).textContent();

    await share.locator('code#form', { hasText: formUrl }).waitFor();
    expect(await text('wall')).toBe(`${base}/w/capcomnet`);
    expect(await text('wall-ticker')).toBe(`${base}/w/capcomnet?layout=ticker`);
    expect(await text('a11y')).toBe(`${base}/w/capcomnet?a11y=1`);
    expect(await text('iframe')).toBe(
      `<iframe src="${base}/w/capcomnet?embed=1&layout=ticker" title="Cap’Com" width="100%" height="120" loading="lazy"></iframe>`,
    );
    expect(await text('element')).toBe(
      `<script type="module" src="${base}/embed.js"></script>\n<toile-wall server="${base}" slug="capcomnet" layout="ticker"></toile-wall>`,
    );
    // Text, not markup: the page holds no iframe and no second toile-wall.
    expect(await page.locator('iframe').count()).toBe(0);
    expect(await page.locator('toile-wall').count()).toBe(0);

    await share.getByLabel('Layout of the embedded wall').selectOption('grid');
    expect(await text('iframe')).toContain(`/w/capcomnet?embed=1&layout=grid" title="Cap’Com" width="100%" height="720"`);

    await share.getByRole('button', { name: 'Copy: Iframe snippet' }).click();
    await share.getByRole('status').getByText('Copied: Iframe snippet.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await text('iframe'));

    // The snippet works: the element script is served, and the iframe's page may be framed.
    expect((await server.request('GET', '/embed.js')).status).toBe(200);
    const framed = await server.request('GET', '/w/capcomnet?embed=1&layout=ticker');
    expect(framed.headers.get('content-security-policy')).toContain('frame-ancestors *');
  });

  it('speaks French after the EN/FR switch, and remembers it', async () => {
    const page = await consoleAt('/moderate#capcomnet/screens');
    const languages = page.getByRole('group', { name: 'Console language' });
    expect(await languages.getByRole('button', { name: 'English' }).getAttribute('aria-pressed')).toBe('true');
    await languages.getByRole('button', { name: 'Français' }).click();

    const nav = page.getByRole('navigation', { name: 'Console' });
    await nav.getByRole('link', { name: 'Écrans' }).waitFor();
    expect((await nav.getByRole('link').allTextContents()).map((label) => label.trim())).toEqual([
      'File',
      'Sources',
      'Réglages',
      'Écrans',
      'Stats',
      'Journal',
      'Murs',
      'Comptes',
    ]);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
    await page.locator('toile-screens-panel').getByRole('heading', { name: 'Écrans' }).waitFor();
    await page.locator('toile-share-panel').getByRole('heading', { name: 'Partager et intégrer' }).waitFor();

    await page.reload();
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Réglages' }).click();
    await page.locator('toile-appearance-panel').getByRole('heading', { name: 'Apparence et rythme' }).waitFor();
    await page.locator('toile-senders-panel').getByRole('heading', { name: 'Expéditeurs de confiance et bloqués' }).waitFor();
    await page.locator('toile-settings-panel').getByRole('button', { name: 'Enregistrer les réglages' }).waitFor();
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'File' }).click();
    await page.getByRole('tab', { name: /En attente/ }).waitFor();
    await page.locator('toile-panic-control').getByRole('button', { name: 'En direct', pressed: true }).waitFor();

    await page.getByRole('group', { name: 'Langue de la console' }).getByRole('button', { name: 'English' }).click();
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Settings' }).waitFor();
  });
});
