import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { browserSuite, logIn, skipBrowserTests } from '../helpers/browser.js';
import type { TestServer } from '../helpers/server.js';

describe.skipIf(skipBrowserTests())('the wall and the console in a real browser', () => {
  const suite = browserSuite({ client: 'wall.html' });
  const { open } = suite;
  let server: TestServer;
  let token: string;

  beforeEach(async () => {
    server = suite.server;
    token = await server.adminToken();
  });

  const ingest = (text: string, name = 'Ada'): Promise<number> => server.ingest(text, { name });

  const approve = (id: number): Promise<void> => server.approve(id);

  /** Marks the page, so that a test can tell that what it sees arrived live rather than by a reload. */
  async function markPage(page: Page): Promise<void> {
    await page.evaluate(() => Object.assign(window, { __toileMark: true }));
  }

  async function stillMarked(page: Page): Promise<boolean> {
    return page.evaluate(() => (window as unknown as { __toileMark?: boolean }).__toileMark === true);
  }

  it('shows a message approved through the API within two seconds, and hostile text as plain text', async () => {
    const wall = await open('/w/capcomnet');
    await wall.getByRole('heading', { name: 'Cap’Com' }).waitFor();
    await markPage(wall);

    const hostile = '<img src=x onerror="window.__pwned=1">';
    const id = await ingest(hostile, 'Mallory');
    await approve(id);
    const approvedAt = Date.now();

    const text = wall.locator(`[data-message-id="${id}"] .text`);
    await text.waitFor({ timeout: 2000 });
    expect(Date.now() - approvedAt).toBeLessThan(2000);
    expect(await text.textContent()).toBe(hostile);
    expect(await wall.locator(`[data-message-id="${id}"]`).getByText('Mallory').count()).toBe(1);
    expect(await wall.locator('img[src="x"]').count()).toBe(0);
    expect(await wall.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await stillMarked(wall)).toBe(true);
  });

  it('shows only the warning of a post behind a content warning, and drops a post its author deleted', async () => {
    const wall = await open('/w/capcomnet');
    await wall.getByRole('heading', { name: 'Cap’Com' }).waitFor();
    const auth = { authorization: `Bearer ${token}` };
    const posted = await server.request(
      'POST',
      '/api/walls/capcomnet/messages',
      {
        externalId: 'cw-1',
        author: { name: 'Claire', handle: '@claire@piaille.fr' },
        text: 'Spoiler: the serious game ends with a twist',
        media: [{ url: 'https://127.0.0.1:9/spoiler.jpg', alt: 'the final screen' }],
        contentWarning: 'résultats du jeu <b>SENA</b>',
      },
      auth,
    );
    await approve(posted.body.id);

    const card = wall.locator(`[data-message-id="${posted.body.id}"]`);
    await card.locator('.warning').waitFor();
    expect(await card.locator('.warning').textContent()).toContain('résultats du jeu <b>SENA</b>');
    expect(await card.locator('.text').count()).toBe(0);
    // Neither the picture (`img.media` on a card) nor any other image of the post is drawn behind the warning.
    expect(await card.locator('img.media').count()).toBe(0);
    expect(await wall.locator('img[src*="spoiler.jpg"]').count()).toBe(0);
    expect(await card.getByText('@claire@piaille.fr', { exact: false }).count()).toBe(1);

    await server.request('DELETE', '/api/walls/capcomnet/messages/cw-1', undefined, auth);
    await card.waitFor({ state: 'detached' });
  });

  const logInAsAdmin = (page: Page): Promise<void> => logIn(page, { username: 'admin', password: server.adminPassword });

  it('lets a moderator approve a web form contribution, which then appears on another screen', async () => {
    const moderator = await open('/moderate');
    await logInAsAdmin(moderator);
    expect(new URL(moderator.url()).hash).toBe('#capcomnet');

    const wall = await open('/w/capcomnet');
    await wall.getByRole('heading', { name: 'Cap’Com' }).waitFor();
    await markPage(wall);

    const form = await open('/c/capcomnet');
    await form.getByLabel('Your name').fill('Zoé');
    await form.getByLabel('Your message').fill('Bonjour depuis le formulaire !');
    await form.getByRole('button', { name: 'Send' }).click();
    await form.getByText('Thanks — a moderator will review it').waitFor();

    const card = moderator.locator('toile-moderation-card', { hasText: 'Bonjour depuis le formulaire !' });
    await card.waitFor();
    expect(await card.getByText('Zoé').count()).toBe(1);
    await moderator.getByRole('button', { name: 'Approve' }).click();
    await card.waitFor({ state: 'detached' });

    const shown = wall.locator('.text', { hasText: 'Bonjour depuis le formulaire !' });
    await shown.waitFor();
    expect(await stillMarked(wall)).toBe(true);

    // The decision is on the console's "Approved" tab, where it can be pinned.
    await moderator.getByRole('tab', { name: /Approved/ }).click();
    await moderator.getByRole('button', { name: 'Pin' }).click();
    await wall.getByText('Pinned').waitFor();
  });

  it('decides from the keyboard: J moves down, A approves, R rejects', async () => {
    const first = await ingest('First in the queue');
    const second = await ingest('Second in the queue');
    const third = await ingest('Third in the queue');
    const moderator = await open('/moderate');
    await logInAsAdmin(moderator);
    await moderator.locator(`[data-message-id="${third}"]`).waitFor();

    await moderator.keyboard.press('j');
    await moderator.keyboard.press('a');
    await moderator.locator(`[data-message-id="${second}"]`).waitFor({ state: 'detached' });
    // The selection stays in place, on the message that took the approved one's place.
    await moderator.keyboard.press('r');
    await moderator.locator(`[data-message-id="${third}"]`).waitFor({ state: 'detached' });
    await moderator.locator(`[data-message-id="${first}"]`).waitFor();

    const statuses = await server.request('GET', '/api/walls/capcomnet/messages', undefined, { authorization: `Bearer ${token}` });
    const byId = new Map((statuses.body.items as { id: number; status: string }[]).map((m) => [m.id, m.status]));
    expect([byId.get(first), byId.get(second), byId.get(third)]).toEqual(['pending', 'approved', 'rejected']);
  });

  it('tells a moderator who decided on a message someone else had just changed, then shows the newer version', async () => {
    const id = await ingest('Two moderators, one message');
    const moderator = await open('/moderate');
    // This moderator's socket lags: while `holding`, its frames wait until the test lets them through.
    let holding = false;
    const held: (string | Buffer)[] = [];
    let deliver: (frame: string | Buffer) => void = () => undefined;
    await moderator.routeWebSocket(/\/ws\/moderate\//, (socket) => {
      const upstream = socket.connectToServer();
      deliver = (frame) => socket.send(frame);
      upstream.onMessage((frame) => (holding ? held.push(frame) : deliver(frame)));
    });
    await moderator.reload();
    await logInAsAdmin(moderator);
    const card = moderator.locator(`[data-message-id="${id}"]`);
    await card.waitFor();

    holding = true;
    const rejected = await server.request('POST', `/api/messages/${id}/reject`, { expectedVersion: 1 }, { authorization: `Bearer ${token}` });
    expect(rejected.status).toBe(200);
    await moderator.getByRole('button', { name: 'Approve' }).click();
    await moderator.getByRole('alert').getByText(/was changed by/).waitFor();
    expect(await card.count()).toBe(1);

    holding = false;
    for (const frame of held.splice(0)) deliver(frame);
    await card.waitFor({ state: 'detached' });
    await moderator.getByRole('tab', { name: /Rejected/ }).click();
    await card.getByRole('button', { name: 'Approve' }).waitFor();
  });

  it('shows the server’s message when a login is refused', async () => {
    const moderator = await open('/moderate');
    await moderator.getByLabel('Username').fill('admin');
    await moderator.getByLabel('Password').fill('not the password');
    await moderator.getByRole('button', { name: 'Log in' }).click();
    await moderator.getByRole('alert').getByText('Wrong username or password.').waitFor();
  });

  it('reconnects after the server drops its socket and catches up with what it missed', async () => {
    const wall = await open('/w/capcomnet');
    const sockets: string[] = [];
    wall.on('websocket', (socket) => sockets.push(socket.url()));
    await wall.getByRole('heading', { name: 'Cap’Com' }).waitFor();
    const first = await ingest('Before the drop');
    await approve(first);
    await wall.locator(`[data-message-id="${first}"]`).waitFor();
    await markPage(wall);

    // Every socket of the server is cut; the message approved meanwhile must come with the resume.
    server.app.toile.sockets.terminateAll();
    const second = await ingest('While the wall was away');
    await approve(second);

    await wall.locator(`[data-message-id="${second}"] .text`).waitFor();
    expect(await wall.locator(`[data-message-id="${first}"]`).count()).toBe(1);
    expect(await stillMarked(wall)).toBe(true);
    const resumed = sockets.map((url) => new URL(url)).find((url) => url.searchParams.has('since'));
    expect(resumed?.searchParams.get('since')).toBe('1');
    expect(resumed?.searchParams.get('epoch')).toBeTruthy();
  });

  it('follows the panic switch: freeze holds new messages back, blank empties every screen', async () => {
    const wall = await open('/w/capcomnet');
    await wall.getByRole('heading', { name: 'Cap’Com' }).waitFor();
    const admin = { authorization: `Bearer ${token}` };
    const before = await ingest('Shown before the freeze');
    await approve(before);
    await wall.locator(`[data-message-id="${before}"]`).waitFor();

    expect((await server.request('PATCH', '/api/walls/capcomnet', { display: 'freeze' }, admin)).status).toBe(200);
    const held = await ingest('Held back by the freeze');
    await approve(held);
    // The freeze is one event and the approval the next: once a later event has shown up, both were folded.
    expect((await server.request('PATCH', '/api/walls/capcomnet', { title: 'Cap’Com 2026' }, admin)).status).toBe(200);
    await wall.getByRole('heading', { name: 'Cap’Com 2026' }).waitFor();
    expect(await wall.locator(`[data-message-id="${held}"]`).count()).toBe(0);

    expect((await server.request('PATCH', '/api/walls/capcomnet', { display: 'live' }, admin)).status).toBe(200);
    await wall.locator(`[data-message-id="${held}"]`).waitFor();

    expect((await server.request('PATCH', '/api/walls/capcomnet', { display: 'blank' }, admin)).status).toBe(200);
    // The title, the contribute panel and every card go: nothing is left on screen but the background.
    await wall.getByRole('heading', { name: 'Cap’Com 2026' }).waitFor({ state: 'detached' });
    expect(await wall.getByRole('heading').count()).toBe(0);
    expect(await wall.locator('[data-message-id]').count()).toBe(0);
    expect(await wall.locator('toile-contribute-panel').count()).toBe(0);
  });

  it('shows the wall’s instructions on the wall and above the web form, as text', async () => {
    const instructions = 'Envoyez « MUR » au 06 12 34 56 78\n<b>Merci</b> !';
    const patched = await server.request('PATCH', '/api/walls/capcomnet', { instructions }, { authorization: `Bearer ${token}` });
    expect(patched.status, patched.text).toBe(200);
    const wall = await open('/w/capcomnet');
    const onWall = wall.locator('.instructions');
    await onWall.waitFor();
    expect(await onWall.textContent()).toBe(instructions);
    const form = await open('/c/capcomnet');
    const onForm = form.locator('.instructions');
    await onForm.waitFor();
    expect(await onForm.textContent()).toBe(instructions);
    expect(await form.locator('b').count()).toBe(0);
  });

  it('says so when the wall does not exist', async () => {
    const wall = await open('/w/no-such-wall');
    await wall.getByText('There is no wall here').waitFor();
  });
});
