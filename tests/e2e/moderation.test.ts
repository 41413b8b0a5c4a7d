import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { browserSuite, logIn, skipBrowserTests, type Credentials } from '../helpers/browser.js';
import type { TestServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';
import { openSocket, type Frame, type TestSocket } from '../helpers/ws.js';

/** The second moderator, created by the admin through the API at the start of every test. */
const ADA = { username: 'ada', password: 'ada moderates the keynote' };

describe.skipIf(skipBrowserTests())('two moderators on one wall, in real browsers', () => {
  const suite = browserSuite({ client: 'moderate.html' });
  let server: TestServer;
  let auth: Record<string, string>;
  let wall: TestSocket;

  beforeEach(async () => {
    server = suite.server;
    auth = { authorization: `Bearer ${await server.adminToken()}` };
    const created = await server.request('POST', '/api/users', { ...ADA, role: 'moderator' }, auth);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // The wall as a projector sees it: every event it is sent, in order.
    wall = await openSocket(`${server.wsUrl}/ws/walls/capcomnet`);
  });

  afterEach(() => {
    wall.close();
  });

  const ingest = (text: string, name = 'Zoé'): Promise<number> => server.ingest(text, { name });

  async function statusOf(id: number): Promise<string> {
    const response = await server.request('GET', '/api/walls/capcomnet/messages', undefined, auth);
    return (response.body.items as { id: number; status: string }[]).find((m) => m.id === id)?.status ?? 'missing';
  }

  /** A console page, logged in as `who`, showing the queue. */
  async function consoleAs(who: Credentials): Promise<Page> {
    const page = await suite.open('/moderate');
    await logIn(page, who);
    return page;
  }

  const admin = () => consoleAs({ username: 'admin', password: server.adminPassword });

  /**
   * A console whose moderator socket lags on demand: while held, the frames the server sends it wait
   * until released, so that it decides on a version another moderator has already changed.
   */
  async function laggingConsole(who: Credentials) {
    const page = await suite.open('/moderate');
    let holding = false;
    const held: (string | Buffer)[] = [];
    let deliver: (frame: string | Buffer) => void = () => undefined;
    await page.routeWebSocket(/\/ws\/moderate\//, (socket) => {
      const upstream = socket.connectToServer();
      deliver = (frame) => socket.send(frame);
      upstream.onMessage((frame) => (holding ? held.push(frame) : deliver(frame)));
    });
    await page.reload();
    await logIn(page, who);
    return {
      page,
      hold: () => void (holding = true),
      release: () => {
        holding = false;
        for (const frame of held.splice(0)) deliver(frame);
      },
    };
  }

  /** The wall's events about one message, once a later event shows that every earlier one has arrived. */
  async function wallEventsAbout(id: number): Promise<Frame[]> {
    const marker = await ingest('A later message, to mark the end of the stream');
    expect((await server.request('POST', `/api/messages/${marker}/approve`, {}, auth)).status).toBe(200);
    await wall.next((frame) => frame.type === 'approved' && frame.message.id === marker);
    return wall.frames.filter((frame) => frame.message?.id === id || frame.id === id);
  }

  const card = (page: Page, id: number) => page.locator(`toile-moderation-card:has([data-message-id="${id}"])`);

  it('shows one moderator’s keyboard approval to the other within a second, and the wall gets it once', async () => {
    const id = await ingest('Bravo pour la keynote !');
    const first = await admin();
    const second = await consoleAs(ADA);
    await card(first, id).waitFor();
    await card(second, id).waitFor();

    await first.keyboard.press('a');
    const pressedAt = Date.now();
    await card(second, id).waitFor({ state: 'detached', timeout: 1000 });
    expect(Date.now() - pressedAt).toBeLessThan(1000);

    await second.getByRole('tab', { name: /Approved/ }).click();
    await card(second, id).getByText('approved by admin').waitFor();
    expect((await wallEventsAbout(id)).map((frame) => frame.type)).toEqual(['approved']);
  });

  it('shows who is moderating, and marks the card another moderator has open', async () => {
    const older = await ingest('First to arrive');
    const newer = await ingest('Second to arrive');
    const first = await admin();
    // The admin's console opens on the oldest pending message: that card is theirs now.
    await card(first, older).waitFor();
    const second = await consoleAs(ADA);

    const present = second.getByRole('group', { name: 'Moderating this wall now' });
    await present.getByText('admin').waitFor();
    expect((await present.textContent())?.replace(/\s+/g, ' ')).toBe('Moderating now: ada (you), admin');
    await card(second, older).getByText('admin is on this').waitFor();
    expect(await card(second, newer).getByText(/is on this/).count()).toBe(0);

    // Each moves on: the marks follow the cards they have open.
    await second.keyboard.press('j');
    await card(first, newer).getByText('ada is on this').waitFor();
    await first.keyboard.press('j');
    await card(second, newer).getByText('admin is on this').waitFor();
    await card(second, older).getByText(/is on this/).waitFor({ state: 'detached' });

    // A moderator who leaves no longer marks anything.
    await first.close();
    await card(second, newer).getByText(/is on this/).waitFor({ state: 'detached' });
    expect(await present.textContent()).not.toMatch(/admin/);
  });

  it('tells the second moderator of a conflicting decision, and the wall receives exactly one approval', async () => {
    const id = await ingest('Both moderators want this one');
    const first = await admin();
    const second = await laggingConsole(ADA);
    await card(first, id).waitFor();
    await card(second.page, id).waitFor();

    second.hold();
    await first.keyboard.press('a');
    await card(first, id).waitFor({ state: 'detached' });
    await until(async () => (await statusOf(id)) === 'approved', 'the admin’s approval');

    // Ada still sees the version she opened, and approves it too.
    await second.page.keyboard.press('a');
    const alert = second.page.getByRole('alert');
    await alert.getByText(/was changed by admin/).waitFor();
    expect(await card(second.page, id).count()).toBe(1);

    second.release();
    await card(second.page, id).waitFor({ state: 'detached' });
    expect((await wallEventsAbout(id)).filter((frame) => frame.type === 'approved')).toHaveLength(1);
  });

  it('undoes this moderator’s last approval with U: back to pending, and off the wall', async () => {
    const id = await ingest('Approved a little too fast');
    const first = await admin();
    const second = await consoleAs(ADA);
    await card(first, id).waitFor();

    await first.keyboard.press('a');
    await wall.next((frame) => frame.type === 'approved' && frame.message.id === id);
    await card(first, id).waitFor({ state: 'detached' });

    await first.keyboard.press('u');
    await wall.next((frame) => frame.type === 'removed' && frame.id === id);
    await first.getByRole('status').getByText(/Undone: “Approved a little too fast” is back to pending/).waitFor();
    await card(first, id).waitFor();
    await card(second, id).waitFor();
    expect(await statusOf(id)).toBe('pending');

    // There is nothing older to undo: U says so rather than touching anything.
    await first.keyboard.press('u');
    await first.getByText(/Nothing to undo/).waitFor();
    expect(await statusOf(id)).toBe('pending');
  });

  it('pins with P, undoes the pin with U, and hides with H, on the approved tab', async () => {
    const id = await ingest('Pin me, then hide me');
    expect((await server.request('POST', `/api/messages/${id}/approve`, {}, auth)).status).toBe(200);
    const page = await admin();
    await page.getByRole('tab', { name: /Approved/ }).click();
    const hide = card(page, id).getByRole('button', { name: 'Hide' });
    await hide.waitFor();
    /** A key acts on a card with nothing in flight: wait for its buttons to come back. */
    const settled = () => until(() => hide.isEnabled(), 'the card’s buttons to be enabled again');

    await page.keyboard.press('p');
    await wall.next((frame) => frame.type === 'pinned' && frame.id === id);
    await card(page, id).getByRole('button', { name: 'Unpin' }).waitFor();
    await settled();
    await page.keyboard.press('u');
    await wall.next((frame) => frame.type === 'unpinned' && frame.id === id);
    await card(page, id).getByRole('button', { name: 'Pin' }).waitFor();
    await settled();
    await page.keyboard.press('h');
    await wall.next((frame) => frame.type === 'removed' && frame.id === id);
    expect(await statusOf(id)).toBe('hidden');
  });

  it('shows the keys with ?, ignores decisions while they are shown, and closes them with Escape', async () => {
    const id = await ingest('Not while reading the keys');
    const first = await admin();
    await card(first, id).waitFor();

    await first.keyboard.press('?');
    const help = first.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    expect(await help.textContent()).toContain('Undo my last decision');
    await first.keyboard.press('a');
    await first.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });
    expect(await statusOf(id)).toBe('pending');
  });

  it('narrows the queue as a filter is typed, never deciding while typing, and keeps the filter across a reload', async () => {
    const match = await ingest('Rendez-vous au stand 12', 'Bernard');
    const other = await ingest('Where is the coffee?', 'Ada');
    const first = await admin();
    await card(first, other).waitFor();

    // "rendez" has an R in it: typed in the search field, it must not reject anything.
    await first.getByLabel('Search text', { exact: true }).pressSequentially('rendez');
    await card(first, other).waitFor({ state: 'detached' });
    expect(await card(first, match).count()).toBe(1);
    expect(await first.getByRole('tab', { name: /Pending/ }).textContent()).toContain('1 of 2');
    expect([await statusOf(match), await statusOf(other)]).toEqual(['pending', 'pending']);

    await first.reload();
    await card(first, match).waitFor();
    expect(await card(first, other).count()).toBe(0);
    expect(await first.getByLabel('Search text', { exact: true }).inputValue()).toBe('rendez');

    await first.getByRole('button', { name: 'Clear filters' }).click();
    await card(first, other).waitFor();
    const sender = first.getByLabel('Sender', { exact: true });
    await sender.fill('bern');
    await card(first, other).waitFor({ state: 'detached' });

    // Escape leaves the field with the filter kept, and the keys act on the queue again.
    await sender.press('Escape');
    expect(await sender.inputValue()).toBe('bern');
    await first.keyboard.press('a');
    await until(async () => (await statusOf(match)) === 'approved', 'the filtered message to be approved');
    expect(await statusOf(other)).toBe('pending');
  });

  /** A contribution through the web form's endpoint: every one from this test comes from the same client. */
  async function contribute(text: string): Promise<{ id: number; status: string }> {
    const response = await server.request('POST', '/api/walls/capcomnet/contribute', { name: 'Flooder', text });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body as { id: number; status: string };
  }

  it('blocks a sender from a card: their pending messages go to Rejected, the next is held silently, and Undo lifts it', async () => {
    const first = await contribute('Buy my stuff');
    const second = await contribute('Buy it now');
    const other = await ingest('A real question for the panel');
    const page = await admin();
    await card(page, first.id).waitFor();

    await card(page, first.id).getByRole('button', { name: 'Block sender' }).click();
    const notice = page.getByRole('status').filter({ hasText: 'Blocked the sender of “Buy my stuff”' });
    await notice.waitFor();
    await card(page, first.id).waitFor({ state: 'detached' });
    await card(page, second.id).waitFor({ state: 'detached' });
    expect(await card(page, other).count()).toBe(1);

    const held = await contribute('Buy it again');
    expect(held.status).toBe('rejected');
    await page.getByRole('tab', { name: /Rejected/ }).click();
    for (const id of [first.id, second.id, held.id]) await card(page, id).getByText('Blocked sender: held silently').waitFor();
    await card(page, first.id).getByText(/Sender blocked: their messages are held silently/).waitFor();

    await notice.getByRole('button', { name: 'Undo' }).click();
    await page.getByRole('status').filter({ hasText: 'Undone: the sender is neither trusted nor blocked any more.' }).first().waitFor();
    expect((await contribute('Sorry, a real question now')).status).toBe('pending');
  });

  it('trusts a sender from a card: their next message goes straight to the wall', async () => {
    const first = await contribute('Hello from the front row');
    const page = await admin();
    await card(page, first.id).getByRole('button', { name: 'Trust sender' }).click();
    await card(page, first.id).getByText(/Sender trusted: their next messages go straight to the wall/).waitFor();
    // Trusting is about what comes next: the message on screen still waits for a decision.
    expect(await statusOf(first.id)).toBe('pending');

    const next = await contribute('And again from the front row');
    expect(next.status).toBe('approved');
    await wall.next((frame) => frame.type === 'approved' && frame.message.id === next.id);
  });

  it('offers no sender buttons on a message that has no private sender', async () => {
    const id = await ingest('From a bridge, with no sender address');
    const page = await admin();
    await card(page, id).waitFor();
    // A message without a private sender offers no sender buttons at all.
    expect(await card(page, id).getByRole('button', { name: /sender/ }).count()).toBe(0);
  });

  it('approves a selection in one go with X and Shift+A, and lists the message someone else changed first', async () => {
    const ids = [await ingest('One'), await ingest('Two'), await ingest('Three')];
    const second = await laggingConsole(ADA);
    await card(second.page, ids[2]!).waitFor();

    await second.page.keyboard.press('x');
    await second.page.keyboard.press('j');
    await second.page.keyboard.press('x');
    await second.page.keyboard.press('j');
    await second.page.keyboard.press('x');
    await second.page.getByText('3 selected').waitFor();

    // Meanwhile a bridge's API token rejects the second one, and Ada's console has not heard of it yet.
    second.hold();
    expect((await server.request('POST', `/api/messages/${ids[1]}/reject`, {}, auth)).status).toBe(200);
    await second.page.keyboard.press('Shift+A');
    const summary = second.page.getByRole('alert');
    await summary.getByText('Approved 2 of 3 selected. 1 refused:').waitFor();
    expect(await summary.getByRole('listitem').textContent()).toMatch(/^“Two”: Message \d+ was changed by token:tests \(now rejected/);
    second.release();

    expect(await Promise.all(ids.map(statusOf))).toEqual(['approved', 'rejected', 'approved']);
    // What was refused stays selected, to be looked at again.
    await second.page.getByText('1 selected').waitFor();
  });
});
