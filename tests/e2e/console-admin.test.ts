import type { Locator, Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { browserSuite, skipBrowserTests, submitLogIn } from '../helpers/browser.js';
import type { TestServer } from '../helpers/server.js';

describe.skipIf(skipBrowserTests())('the console’s admin views in a real browser', () => {
  const suite = browserSuite({ client: 'moderate.html' });
  const { open } = suite;
  let server: TestServer;
  let admin: Record<string, string>;

  beforeEach(async () => {
    server = suite.server;
    admin = { authorization: `Bearer ${await server.adminToken()}` };
  });

  /**
   * Logs in through the form, in a browser of its own, at `path` (a place in the console, kept across the
   * login), and waits for the console's navigation, which every view shows.
   */
  async function logIn(username: string, password: string, path = '/moderate'): Promise<Page> {
    const page = await open(path);
    await submitLogIn(page, { username, password });
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    return page;
  }

  function nav(page: Page): Locator {
    return page.getByRole('navigation', { name: 'Console' });
  }

  async function createModerator(username: string, password: string): Promise<void> {
    const created = await server.request('POST', '/api/users', { username, password, role: 'moderator' }, admin);
    expect(created.status, created.text).toBe(201);
  }

  async function wallInTheApi(): Promise<Record<string, unknown>> {
    const { body } = await server.request('GET', '/api/walls', undefined, admin);
    return body.items.find((wall: { slug: string }) => wall.slug === 'capcomnet');
  }

  async function approvedMessage(text: string): Promise<number> {
    const id = await server.ingest(text);
    await server.approve(id);
    return id;
  }

  async function loginStatus(username: string, password: string): Promise<number> {
    return (await server.request('POST', '/api/auth/login', { username, password })).status;
  }

  it('saves only the settings an admin changed, and the API answers with them', async () => {
    const page = await logIn('admin', server.adminPassword);
    await nav(page).getByRole('link', { name: 'Settings' }).click();
    expect(new URL(page.url()).hash).toBe('#capcomnet/settings');
    const panel = page.locator('toile-settings-panel');

    await panel.getByLabel('Title').fill('Cap’Com 2026, plénière');
    await panel.getByLabel('Blocked terms').fill('arnaque\n  spam  \n');
    await panel.getByLabel('Moderation', { exact: true }).selectOption('post');
    await panel.getByLabel('Hold messages with links').uncheck();
    await panel.getByLabel('Hold repeated text for (minutes)').fill('30');
    await panel.getByLabel('How to take part').fill('Envoyez « MUR » suivi de votre message au 06 12 34 56 78');
    const saved = page.waitForRequest((request) => request.method() === 'PATCH');
    await panel.getByRole('button', { name: 'Save the settings' }).click();

    const expected = {
      title: 'Cap’Com 2026, plénière',
      moderation: 'post',
      blockedTerms: ['arnaque', 'spam'],
      holdLinks: false,
      duplicateWindowMinutes: 30,
      instructions: 'Envoyez « MUR » suivi de votre message au 06 12 34 56 78',
    };
    expect((await saved).postDataJSON()).toEqual(expected);
    await panel.getByRole('status').getByText('Saved: Title, Moderation, Blocked terms, Hold messages with links', { exact: false }).waitFor();
    expect(await wallInTheApi()).toMatchObject({ ...expected, profanityFilter: true, senderPerMinute: 3 });

    // A reload opens the same view, with what was saved.
    await page.reload();
    const reloaded = page.locator('toile-settings-panel');
    await reloaded.getByLabel('Title').waitFor();
    expect(await reloaded.getByLabel('Title').inputValue()).toBe(expected.title);
    expect(await reloaded.getByLabel('Hold messages with links').isChecked()).toBe(false);
    expect(await reloaded.getByLabel('Hold repeated text for (minutes)').inputValue()).toBe('30');
  });

  it('blocks a sender from the settings, lists them, and removes them again (the undo)', async () => {
    const page = await logIn('admin', server.adminPassword, '/moderate#capcomnet/settings');
    const senders = page.locator('toile-senders-panel');
    await senders.getByText('No blocked sender.').waitFor();

    await senders.getByLabel('List').selectOption('blocked');
    await senders.getByLabel('Kind').selectOption('phone');
    await senders.getByLabel('Sender', { exact: true }).fill('+33612345678');
    await senders.getByRole('button', { name: 'Add the sender' }).click();
    const blocked = senders.getByRole('region', { name: 'Blocked senders' });
    const row = blocked.getByRole('row').filter({ hasText: 'Phone number' });
    await row.waitFor();
    const listed = await server.request('GET', '/api/walls/capcomnet/senders', undefined, admin);
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).toMatchObject({ rule: 'blocked', kind: 'phone', createdBy: 'admin' });
    expect(await row.textContent()).toContain(listed.body.items[0].address);

    await row.getByRole('button', { name: 'Remove' }).click();
    await row.waitFor({ state: 'detached' });
    await senders.getByRole('status').getByText('Removed', { exact: false }).waitFor();
    expect((await server.request('GET', '/api/walls/capcomnet/senders', undefined, admin)).body.items).toEqual([]);
  });

  it('shows the server’s refusal next to the field it names, and keeps what was typed', async () => {
    const refused = await server.request('PATCH', '/api/walls/capcomnet', { smsNumbers: ['06 12 34 56 78'] }, admin);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('smsNumbers');

    const page = await logIn('admin', server.adminPassword, '/moderate#capcomnet/settings');
    const panel = page.locator('toile-settings-panel');
    const field = panel.getByLabel('SMS numbers');
    await field.fill('06 12 34 56 78');
    await panel.getByRole('button', { name: 'Save the settings' }).click();

    const error = panel.getByRole('alert').filter({ hasText: 'smsNumbers' });
    await error.waitFor();
    expect(await error.textContent()).toBe(refused.body.message);
    // Next to the field: it describes the field, which is marked invalid and has the focus.
    const errorId = await error.getAttribute('id');
    expect((await field.getAttribute('aria-describedby'))?.split(' ')).toContain(errorId);
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.evaluate((element) => element === (element.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    expect(await field.inputValue()).toBe('06 12 34 56 78');
    expect(await panel.getByRole('button', { name: 'Save the settings' }).isEnabled()).toBe(true);
    expect((await wallInTheApi()).smsNumbers).toEqual([]);
  });

  it('blanks an open wall after a confirmation in the page, sets it live with one click, and audits both', async () => {
    const wall = await open('/w/capcomnet');
    const id = await approvedMessage('Bienvenue à la plénière');
    const card = wall.locator(`[data-message-id="${id}"]`);
    await card.waitFor();

    const page = await logIn('admin', server.adminPassword);
    const panic = page.locator('toile-panic-control');
    await panic.getByRole('button', { name: 'Live', pressed: true }).waitFor();

    // Blank asks first; cancelling changes nothing.
    await panic.getByRole('button', { name: 'Blank' }).click();
    await panic.getByRole('button', { name: 'Cancel' }).click();
    expect((await server.request('GET', '/api/walls/capcomnet')).body.display).toBe('live');
    expect(await card.isVisible()).toBe(true);

    await panic.getByRole('button', { name: 'Blank' }).click();
    await panic.getByRole('button', { name: 'Yes, blank the wall' }).click();
    await card.waitFor({ state: 'detached' });
    await panic.getByRole('status').getByText('The wall is BLANK').waitFor();
    await panic.getByRole('button', { name: 'Blank', pressed: true }).waitFor();
    expect((await server.request('GET', '/api/walls/capcomnet')).body.display).toBe('blank');

    await panic.getByRole('button', { name: 'Live' }).click();
    await card.waitFor();
    await panic.getByRole('button', { name: 'Live', pressed: true }).waitFor();
    expect(await panic.getByRole('status').textContent()).toBe('');

    await nav(page).getByRole('link', { name: 'Audit' }).click();
    const rows = page.locator('toile-audit-panel tbody tr[data-action="display"]');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    // Newest first: the restore, then the blank, each with who did it.
    expect(await rows.nth(0).locator('td').nth(4).textContent()).toBe('Blank → Live');
    expect(await rows.nth(1).locator('td').nth(4).textContent()).toBe('Live → Blank');
    expect(await rows.nth(1).locator('td').nth(1).textContent()).toBe('admin');
    const csv = page.locator('toile-audit-panel').getByRole('link', { name: 'Export CSV' });
    expect(await csv.getAttribute('href')).toBe('/api/audit?limit=1000&wall=capcomnet&format=csv');
    expect(await page.locator('toile-audit-panel').getByRole('link', { name: 'Export JSON' }).getAttribute('href')).toBe(
      '/api/audit?limit=1000&wall=capcomnet&format=json',
    );
    // The link works with the page's own session: the browser downloads the same rows as CSV.
    const download = await page.evaluate(async (href) => {
      const response = await fetch(href!);
      return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
    }, await csv.getAttribute('href'));
    expect(download.status).toBe(200);
    expect(download.type).toContain('text/csv');
    expect(download.text.split(/\r?\n/)[0]).toBe('at,actor,action,wall,targetType,targetId,detail');
    expect(download.text.match(/,display,/g)).toHaveLength(2);
  });

  it('follows a panic switch made elsewhere, and lets a moderator freeze the wall', async () => {
    await createModerator('mo', 'moderator password');
    const page = await logIn('mo', 'moderator password');
    const panic = page.locator('toile-panic-control');
    await panic.getByRole('button', { name: 'Live', pressed: true }).waitFor();

    // Another moderator, through the API: this console's banner says so without a reload.
    expect((await server.request('POST', '/api/walls/capcomnet/display', { display: 'blank' }, admin)).status).toBe(200);
    await panic.getByRole('status').getByText('The wall is BLANK').waitFor();

    await panic.getByRole('button', { name: 'Freeze' }).click();
    await panic.getByRole('button', { name: 'Yes, freeze the wall' }).click();
    await panic.getByRole('status').getByText('The wall is FROZEN').waitFor();
    expect((await server.request('GET', '/api/walls/capcomnet')).body.display).toBe('freeze');
    const audit = await server.request('GET', '/api/audit?wall=capcomnet', undefined, admin);
    expect(audit.body.items[0]).toMatchObject({ actor: 'mo', action: 'display', detail: { from: 'blank', to: 'freeze' } });
  });

  it('shows a moderator the queue, the panic switch, the screens and their own account, and none of the admin views', async () => {
    await createModerator('mo', 'moderator password');
    const page = await logIn('mo', 'moderator password', '/moderate#capcomnet/settings');

    // A view the role does not have falls back to the queue.
    expect(new URL(page.url()).hash).toBe('#capcomnet');
    const links = await nav(page).getByRole('link').allTextContents();
    expect(links.map((text) => text.trim())).toEqual(['Queue', 'Screens', 'Stats', 'Your account']);
    expect(await page.locator('toile-panic-control').getByRole('button', { name: 'Blank' }).isEnabled()).toBe(true);
    for (const element of ['toile-settings-panel', 'toile-audit-panel', 'toile-sources-panel', 'toile-users-panel']) {
      expect(await page.locator(element).count(), element).toBe(0);
    }

    await nav(page).getByRole('link', { name: 'Your account' }).click();
    await page.getByRole('heading', { name: 'Your password' }).waitFor();
    await page.getByRole('heading', { name: 'Your sessions' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Accounts' }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'API tokens' }).count()).toBe(0);
  });

  it('adds an account that can then log in, and deletes it after a confirmation', async () => {
    const page = await logIn('admin', server.adminPassword, '/moderate#capcomnet/accounts');
    const users = page.locator('toile-users-panel');
    await users.getByRole('cell', { name: 'admin (you)' }).waitFor();

    await users.getByLabel('Name').fill('claire');
    await users.getByLabel('Role').selectOption('moderator');
    await users.getByLabel('First password').fill('première clé 2026');
    await users.getByRole('button', { name: 'Add the account' }).click();
    await users.getByRole('status').getByText('Added the moderator account claire.').waitFor();
    await users.locator('tr[data-username="claire"]').waitFor();

    const claire = await logIn('claire', 'première clé 2026');
    await claire.getByText('claire · moderator').waitFor();

    await users.getByRole('button', { name: 'Delete claire' }).click();
    await users.getByRole('button', { name: 'Yes, delete' }).click();
    await users.locator('tr[data-username="claire"]').waitFor({ state: 'detached' });
    expect(await loginStatus('claire', 'première clé 2026')).toBe(401);
    // Her open console is logged out: deleting an account ends its sessions.
    await claire.getByLabel('Username').waitFor();
  });

  it('creates an API token, shows it once, the token works until it is revoked', async () => {
    const page = await logIn('admin', server.adminPassword, '/moderate#capcomnet/accounts');
    const tokens = page.locator('toile-tokens-panel');
    await tokens.getByLabel('Token name').fill('sms-bridge');
    await tokens.getByLabel('Token role').selectOption('ingest');
    await tokens.getByRole('button', { name: 'Create the token' }).click();

    const secret = tokens.getByLabel('Token', { exact: true });
    await secret.waitFor();
    const token = await secret.inputValue();
    expect(token).toMatch(/^toile_/);
    await tokens.getByRole('cell', { name: 'sms-bridge' }).waitFor();
    const posted = await server.request(
      'POST',
      '/api/walls/capcomnet/messages',
      { externalId: 'bridge-1', author: { name: 'Bridge' }, text: 'Par le pont SMS' },
      { authorization: `Bearer ${token}` },
    );
    expect(posted.status, posted.text).toBe(201);

    // Leaving the view forgets the secret: it is never shown again.
    await nav(page).getByRole('link', { name: 'Queue' }).click();
    await nav(page).getByRole('link', { name: 'Accounts' }).click();
    await page.locator('toile-tokens-panel').getByRole('cell', { name: 'sms-bridge' }).waitFor();
    expect(await page.locator('toile-tokens-panel').getByLabel('Token', { exact: true }).count()).toBe(0);

    // Revoking asks once more, then the bridge is refused at once.
    const panel = page.locator('toile-tokens-panel');
    await panel.getByRole('row', { name: /sms-bridge/ }).getByRole('button', { name: 'Revoke' }).click();
    await panel.getByRole('button', { name: 'Yes, revoke sms-bridge' }).click();
    await panel.getByRole('cell', { name: 'sms-bridge', exact: true }).waitFor({ state: 'detached' });
    const refused = await server.request(
      'POST',
      '/api/walls/capcomnet/messages',
      { externalId: 'bridge-2', author: { name: 'Bridge' }, text: 'Encore' },
      { authorization: `Bearer ${token}` },
    );
    expect(refused.status).toBe(401);
  });

  it('changes a moderator’s own password: the old one is refused, the other sessions end, this one stays', async () => {
    await createModerator('mo', 'old moderator password');
    const elsewhere = await logIn('mo', 'old moderator password');
    const page = await logIn('mo', 'old moderator password', '/moderate#capcomnet/accounts');
    const sessions = page.locator('toile-sessions-panel');
    await sessions.getByRole('button', { name: /Revoke/ }).waitFor();
    expect(await sessions.getByText('This session').count()).toBe(1);

    const form = page.locator('toile-password-form');
    await form.getByLabel('Current password').fill('wrong password');
    await form.getByLabel('New password', { exact: true }).fill('new moderator password');
    await form.getByLabel('New password, again').fill('new moderator password');
    await form.getByRole('button', { name: 'Change the password' }).click();
    await form.getByRole('alert').waitFor();
    expect(await loginStatus('mo', 'old moderator password')).toBe(200);

    await form.getByLabel('Current password').fill('old moderator password');
    await form.getByRole('button', { name: 'Change the password' }).click();
    await form.getByRole('status').getByText('Your password has been changed.', { exact: false }).waitFor();

    expect(await loginStatus('mo', 'old moderator password')).toBe(401);
    expect(await loginStatus('mo', 'new moderator password')).toBe(200);
    // The other browser is logged out; this one still works, and its list now holds only itself.
    await elsewhere.getByLabel('Username').waitFor();
    await sessions.getByRole('button', { name: /Revoke/ }).waitFor({ state: 'detached' });
    expect(await page.evaluate(async () => (await fetch('/api/auth/me')).status)).toBe(200);
  });

  it('revokes another session of the same person, which logs that browser out', async () => {
    await createModerator('mo', 'moderator password');
    const elsewhere = await logIn('mo', 'moderator password');
    const page = await logIn('mo', 'moderator password', '/moderate#capcomnet/accounts');
    const sessions = page.locator('toile-sessions-panel');
    await sessions.getByRole('button', { name: /Revoke/ }).click();
    await sessions.getByRole('status').getByText('Revoked a session of mo').waitFor();
    await elsewhere.getByLabel('Username').waitFor();
    expect(await page.evaluate(async () => (await fetch('/api/auth/me')).status)).toBe(200);
  });
});
