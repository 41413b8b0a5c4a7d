import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite, logIn, skipBrowserTests, submitLogIn } from '../helpers/browser.js';
import { channelServerOptions } from '../helpers/channels.js';
import { postTwilio, twilioParams } from '../helpers/twilio.js';
import { openSocket } from '../helpers/ws.js';

const PHONE = '+33611110001';

describe.skipIf(skipBrowserTests())('forgetting a contributor from the console', () => {
  const suite = browserSuite({ client: 'moderate.html', server: channelServerOptions() });

  it('asks for a confirmation, then removes their messages from the wall and says what was removed', async () => {
    const server = suite.server;
    const admin = { authorization: `Bearer ${await server.adminToken()}` };
    // Unrouted, an SMS reaches the default wall.
    expect((await postTwilio(server, twilioParams({ MessageSid: 'SM000000000000000000000000000000e1', From: PHONE, Body: 'FORGETME Bonjour' }))).status).toBe(200);
    const { body } = await server.request('GET', '/api/walls/capcomnet/messages', undefined, admin);
    const id = body.items[0].id as number;
    await server.approve(id);
    const wall = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
    await wall.next((frame) => frame.type === 'snapshot' && frame.items.some((item: { id: number }) => item.id === id));

    const page = await suite.open('/moderate#capcomnet/settings');
    await submitLogIn(page, { username: 'admin', password: server.adminPassword });
    const form = page.locator('toile-forget-contributor');
    await form.getByLabel('Phone number, email address or account').fill('+33 6 11 11 00 01');
    await form.getByRole('button', { name: 'Forget…' }).click();
    await expect.poll(() => form.getByRole('group', { name: 'Confirm forgetting this contributor' }).textContent()).toContain('+33 6 11 11 00 01');
    // Cancelling forgets nothing.
    await form.getByRole('button', { name: 'Cancel' }).click();
    expect((await server.request('GET', '/api/walls/capcomnet/messages', undefined, admin)).body.items).toHaveLength(1);

    await form.getByRole('button', { name: 'Forget…' }).click();
    await form.getByRole('button', { name: 'Forget for good' }).click();
    await wall.next((frame) => frame.type === 'removed' && frame.id === id);
    await expect.poll(() => form.getByRole('status').textContent()).toContain('Forgotten: 1 message on 1 wall, 0 pictures deleted.');
    expect((await server.request('GET', '/api/walls/capcomnet/messages', undefined, admin)).body.items).toHaveLength(0);

    // Again: nothing is stored under it any more.
    await form.getByLabel('Phone number, email address or account').fill(PHONE);
    await form.getByRole('button', { name: 'Forget…' }).click();
    await form.getByRole('button', { name: 'Forget for good' }).click();
    await expect.poll(() => form.getByRole('status').textContent()).toContain('Nothing is stored under this address');
    wall.close();
  });
});

describe.skipIf(skipBrowserTests())('erasing one message from the queue', () => {
  const suite = browserSuite({ client: 'moderate.html' });

  const card = (page: Page, id: number) => page.locator(`toile-moderation-card:has([data-message-id="${id}"])`);

  /** A console logged in as `username`, on the queue's Approved tab. */
  async function approvedTab(username: string, password: string): Promise<Page> {
    const page = await suite.open('/moderate');
    await logIn(page, { username, password });
    await page.getByRole('tab', { name: /Approved/ }).click();
    return page;
  }

  it('lets an admin erase an approved message after a confirmation, from every screen and console; a moderator cannot', async () => {
    const server = suite.server;
    const admin = { authorization: `Bearer ${await server.adminToken()}` };
    expect((await server.request('POST', '/api/users', { username: 'mo', password: 'moderator password', role: 'moderator' }, admin)).status).toBe(201);
    const id = await server.ingest('Erase me, please', { name: 'Zoé' });
    await server.approve(id);
    const wall = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
    await wall.next((frame) => frame.type === 'snapshot' && frame.items.some((item: { id: number }) => item.id === id));
    const messages = async () => (await server.request('GET', '/api/walls/capcomnet/messages', undefined, admin)).body.items as { id: number }[];

    // A moderator's card has no such button.
    const moderator = await approvedTab('mo', 'moderator password');
    await card(moderator, id).getByRole('button', { name: 'Hide' }).waitFor();
    expect(await card(moderator, id).getByRole('button', { name: 'Erase this message' }).count()).toBe(0);

    const page = await approvedTab('admin', server.adminPassword);
    const erase = card(page, id).getByRole('button', { name: 'Erase this message' });
    const confirm = card(page, id).getByRole('group', { name: 'Confirm erasing this message' });
    // Cancelling erases nothing.
    await erase.click();
    expect(await confirm.textContent()).toContain('This cannot be undone.');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect((await messages()).map((m) => m.id)).toContain(id);

    // A refusal is shown on the card, which stays.
    await page.route('**/api/messages/*', (route) =>
      route.request().method() === 'DELETE'
        ? route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ code: 'unavailable', message: 'Try again in a moment.' }) })
        : route.fallback(),
    );
    await erase.click();
    await confirm.getByRole('button', { name: 'Erase for good' }).click();
    await card(page, id).getByRole('alert').getByText('Try again in a moment.').waitFor();
    await confirm.waitFor({ state: 'detached' });
    expect((await messages()).map((m) => m.id)).toContain(id);
    await page.unroute('**/api/messages/*');

    const deleted = page.waitForRequest((request) => request.method() === 'DELETE');
    await erase.click();
    await confirm.getByRole('button', { name: 'Erase for good' }).click();
    const request = await deleted;
    expect(new URL(request.url()).pathname).toBe(`/api/messages/${id}`);
    expect(request.headers()['x-csrf-token']).toBeTruthy();
    await wall.next((frame) => frame.type === 'removed' && frame.id === id);
    await card(page, id).waitFor({ state: 'detached' });
    await card(moderator, id).waitFor({ state: 'detached' });
    await page.getByRole('status').getByText('Erased for good: “Erase me, please”.').waitFor();
    expect((await messages()).map((m) => m.id)).not.toContain(id);
    wall.close();
  });
});
