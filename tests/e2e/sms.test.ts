import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { browserSuite, logIn, skipBrowserTests } from '../helpers/browser.js';
import type { TestServer } from '../helpers/server.js';
import { postTwilio, TWILIO_TOKEN, twilioParams } from '../helpers/twilio.js';

/** A 1×1 PNG, as a phone's MMS picture would be (only much smaller). */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4d10000000049454e44ae426082',
  'hex',
);

describe.skipIf(skipBrowserTests())('an SMS with a picture, from the provider to the projector', () => {
  const suite = browserSuite({ client: 'wall.html', server: { env: { TWILIO_AUTH_TOKEN: TWILIO_TOKEN } } });
  const { open } = suite;
  let server: TestServer;
  let media: Server;
  let mediaUrl: string;

  beforeAll(async () => {
    media = createServer((_request, response) => response.writeHead(200, { 'content-type': 'image/png' }).end(PNG));
    await new Promise<void>((done) => media.listen(0, '127.0.0.1', done));
    mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}/Media/ME1`;
  });

  afterAll(async () => {
    await new Promise((done) => media?.close(done));
  });

  beforeEach(() => {
    server = suite.server;
  });

  /** Whether every picture in the element has loaded (a broken or refused image has no natural width). */
  const picturesLoaded = (page: Page, selector: string) =>
    page.locator(`${selector} img`).evaluateAll((images) => images.length > 0 && images.every((i) => (i as HTMLImageElement).naturalWidth > 0));

  it('shows the picture to the moderator at once, and on the wall only after approval, never with the number', async () => {
    const moderator = await open('/moderate');
    await logIn(moderator, { username: 'admin', password: server.adminPassword });
    const wall = await open('/w/capcomnet');
    await wall.getByRole('heading', { name: 'Cap’Com' }).waitFor();

    const sent = await postTwilio(server, twilioParams({ MessageSid: 'MMe2e', Body: 'La salle vue du fond', NumMedia: '1', MediaUrl0: mediaUrl }));
    expect(sent.status).toBe(200);
    await postTwilio(server, twilioParams({ MessageSid: 'SMstop', From: '+33699999999', Body: 'STOP' }));

    const card = moderator.locator('toile-moderation-card', { hasText: 'La salle vue du fond' });
    await card.waitFor();
    await expect.poll(() => picturesLoaded(moderator, 'toile-moderation-card')).toBe(true);
    expect(await card.getByText('SMS ••78').count()).toBe(1);
    expect(await moderator.locator('toile-moderation-card', { hasText: 'STOP' }).count()).toBe(0);

    // Not approved yet: the wall has nothing, and the picture's address is refused to the public.
    const src = await card.locator('img').getAttribute('src');
    expect(src).toMatch(/^\/media\/[a-f0-9]{64}\.png$/);
    expect((await fetch(server.url + src!)).status).toBe(404);
    expect(await wall.locator('.text', { hasText: 'La salle vue du fond' }).count()).toBe(0);

    await card.getByRole('button', { name: 'Approve' }).click();
    await wall.locator('.text', { hasText: 'La salle vue du fond' }).waitFor();
    await expect.poll(() => picturesLoaded(wall, '[data-message-id]')).toBe(true);
    expect(await wall.getByText('SMS ••78').count()).toBe(1);
    const html = await wall.content();
    expect(html).not.toContain('612345678');
  });
});
