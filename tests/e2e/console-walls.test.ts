import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { browserSuite, skipBrowserTests, submitLogIn } from '../helpers/browser.js';
import type { TestServer } from '../helpers/server.js';

describe.skipIf(skipBrowserTests())('the console’s Walls view in a real browser', () => {
  const suite = browserSuite({ client: 'moderate.html' });
  const { open } = suite;
  let server: TestServer;
  let admin: Record<string, string>;

  beforeEach(async () => {
    server = suite.server;
    admin = { authorization: `Bearer ${await server.adminToken()}` };
  });

  async function logInAsAdmin(path = '/moderate'): Promise<Page> {
    const page = await open(path);
    await submitLogIn(page, { username: 'admin', password: server.adminPassword });
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    return page;
  }

  it('lists the walls in the admin’s navigation, creates one, archives it, and the picker marks it', async () => {
    await server.approve(await server.ingest('Bonjour'));
    await server.ingest('En attente');
    const page = await logInAsAdmin();
    const nav = page.getByRole('navigation', { name: 'Console' });
    const links = (await nav.getByRole('link').allTextContents()).map((text) => text.trim());
    expect(links).toEqual(['Queue', 'Sources', 'Settings', 'Screens', 'Stats', 'Audit', 'Walls', 'Accounts']);
    await nav.getByRole('link', { name: 'Walls' }).click();
    expect(new URL(page.url()).hash).toBe('#capcomnet/walls');
    const panel = page.locator('toile-walls-panel');
    await expect.poll(() => panel.locator('tr[data-slug="capcomnet"]').textContent()).toContain('Live');
    expect(await panel.locator('tr[data-slug="capcomnet"] .counts').textContent()).toBe('1 shown, 1 waiting');

    const form = panel.getByRole('form', { name: 'Create a wall' });
    await form.getByLabel('Title').fill('Atelier numérique');
    await form.getByLabel('Address').fill('atelier');
    await form.getByLabel('Hashtags').fill('#Atelier, numerique');
    await form.getByLabel('Moderation').selectOption('post');
    await form.getByRole('button', { name: 'Create the wall' }).click();
    await expect.poll(() => panel.getByRole('status').textContent()).toBe('Atelier numérique created.');
    const created = (await server.request('GET', '/api/walls/atelier')).body;
    expect(created).toMatchObject({ title: 'Atelier numérique', hashtags: ['atelier', 'numerique'], moderation: 'post', archived: false });
    const picker = page.locator('toile-console header select');
    await expect.poll(async () => (await picker.locator('option').allTextContents()).map((text) => text.trim())).toEqual(['Cap’Com', 'Atelier numérique']);

    const row = panel.locator('tr[data-slug="atelier"]');
    await row.getByRole('button', { name: 'Archive Atelier numérique' }).click();
    // Nothing happens before the confirmation.
    expect((await server.request('GET', '/api/walls/atelier')).body.archived).toBe(false);
    await row.getByRole('button', { name: 'Yes, archive' }).click();
    await expect.poll(() => row.locator('.state').textContent()).toBe('Archived');
    expect((await server.request('GET', '/api/walls/atelier')).body.archived).toBe(true);
    await expect.poll(async () => (await picker.locator('option[value="atelier"]').textContent())?.trim()).toBe('Atelier numérique (archived)');

    // The wall's own page shows the discreet mark.
    const wallPage = await open('/w/atelier');
    await expect.poll(() => wallPage.locator('toile-wall').locator('.archived').textContent(), { timeout: 10_000 }).toBe('Archived');
    // It invites no contributions any more.
    expect(await wallPage.locator('toile-contribute-panel').count()).toBe(0);

    await row.getByRole('button', { name: 'Unarchive Atelier numérique' }).click();
    await row.getByRole('button', { name: 'Yes, unarchive' }).click();
    await expect.poll(() => row.locator('.state').textContent()).toBe('Live');
    expect((await server.request('GET', '/api/walls/atelier', undefined, admin)).body.archived).toBe(false);
    await expect.poll(async () => (await picker.locator('option[value="atelier"]').textContent())?.trim()).toBe('Atelier numérique');
  });

  it('shows the server’s refusal of a wall whose address is taken', async () => {
    const page = await logInAsAdmin('/moderate#capcomnet/walls');
    const form = page.locator('toile-walls-panel').getByRole('form', { name: 'Create a wall' });
    await form.getByLabel('Title').fill('Doublon');
    await form.getByLabel('Address').fill('capcomnet');
    await form.getByRole('button', { name: 'Create the wall' }).click();
    await expect.poll(() => page.locator('toile-walls-panel').getByRole('alert').textContent()).toContain('already exists');
  });
});
