import { describe, expect, it } from 'vitest';
import { browserSuite, skipBrowserTests, submitLogIn } from '../helpers/browser.js';
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
