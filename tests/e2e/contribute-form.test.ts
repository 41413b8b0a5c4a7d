import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { browserSuite, launchBrowser, skipBrowserTests, WAIT_MS } from '../helpers/browser.js';
import type { TestServer } from '../helpers/server.js';

/** A small phone, held upright: the form's first audience. */
const PHONE = { width: 360, height: 740 };

/** The smallest touch target WCAG 2.2 asks for at AAA (2.5.5), which the form's controls meet. */
const TOUCH_TARGET_PX = 44;

describe.skipIf(skipBrowserTests())('the web form on a phone, in a real browser', () => {
  // The suite gives each test its own server; the phones are contexts of this file's own browser, since
  // they need a locale, a size and a network switch of their own.
  const suite = browserSuite({ client: 'contribute.html', server: { limits: { contributePerMinute: 2, contributePerIpPerMinute: 1000 } } });
  let server: TestServer;
  let admin: Record<string, string>;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let problems: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    server = suite.server;
    admin = { authorization: `Bearer ${await server.adminToken()}` };
    problems = [];
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    expect(problems).toEqual([]);
  });

  /** The form at `path` on a phone with the browser language `locale`, once the wall's title shows. */
  async function phone(path = '/c/capcomnet', locale = 'en-GB'): Promise<Page> {
    const context = await browser.newContext({ viewport: PHONE, locale, hasTouch: true, isMobile: true });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) problems.push(message.text());
    });
    await page.goto(server.url + path);
    return page;
  }

  async function waitForTitle(page: Page): Promise<void> {
    await page.getByRole('heading', { level: 1, name: 'Cap’Com' }).waitFor();
  }

  /** Whatever has the focus, through shadow roots: its tag, name and text. */
  function focused(page: Page): Promise<{ tag: string; name: string; text: string } | null> {
    return page.evaluate(() => {
      let element: Element | null = document.activeElement;
      while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
      if (!element || element === document.body) return null;
      return { tag: element.tagName.toLowerCase(), name: element.getAttribute('name') ?? '', text: (element.textContent ?? '').trim() };
    });
  }

  it('sends a message with the keyboard alone, confirms it and says a moderator reviews it, then takes another', async () => {
    const page = await phone();
    await waitForTitle(page);

    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'input', name: 'name' });
    await page.keyboard.type('Zoé');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'textarea', name: 'text' });
    await page.keyboard.type('Bravo pour la plénière !');
    await page.getByText('24 / 500').waitFor();
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'button', text: 'Send' });
    await page.keyboard.press('Enter');

    const done = page.getByRole('status').filter({ hasText: 'Message sent' });
    await done.getByText('Thanks — a moderator will review it before it appears on the wall.').waitFor();
    // The answer has the focus, so that a screen reader reads it at once.
    expect((await focused(page))?.text).toContain('Message sent');
    const { items } = (await server.request('GET', '/api/walls/capcomnet/messages?status=pending', undefined, admin)).body;
    expect(items).toMatchObject([{ channel: 'web', text: 'Bravo pour la plénière !', author: { name: 'Zoé' } }]);

    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'button', text: 'Send another message' });
    await page.keyboard.press('Enter');
    expect(await focused(page)).toMatchObject({ tag: 'textarea', name: 'text' });
    expect(await page.getByLabel('Your message').inputValue()).toBe('');
  });

  it('names every control, and fits a 360-pixel screen with large touch targets', async () => {
    const page = await phone();
    await waitForTitle(page);

    const unnamed = await page.evaluate(() => {
      const form = document.querySelector('toile-contribute-form')!.shadowRoot!;
      return [...form.querySelectorAll('input, textarea, select, button')].flatMap((control) => {
        const labels = (control as HTMLInputElement).labels ?? [];
        const label = [...labels].map((element) => element.textContent ?? '').join(' ').trim();
        const name = label || control.getAttribute('aria-label') || (control.tagName === 'BUTTON' ? (control.textContent ?? '').trim() : '');
        return name === '' ? [control.outerHTML] : [];
      });
    });
    expect(unnamed).toEqual([]);
    expect(await page.getByRole('textbox', { name: 'Your name (optional)' }).count()).toBe(1);
    expect(await page.getByRole('textbox', { name: 'Your message' }).count()).toBe(1);
    // The counter is how the message describes itself to a screen reader.
    expect(await page.getByLabel('Your message').getAttribute('aria-describedby')).toBe('counter');

    const layout = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
    expect(layout.scrollWidth).toBeLessThanOrEqual(layout.clientWidth);
    for (const control of [page.getByLabel('Your name'), page.getByLabel('Your message'), page.getByRole('button', { name: 'Send' })]) {
      const box = await control.boundingBox();
      expect(box!.height).toBeGreaterThanOrEqual(TOUCH_TARGET_PX);
      expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
    }
    const fontSize = await page.getByLabel('Your message').evaluate((element) => parseFloat(getComputedStyle(element).fontSize));
    // 16 px or more: a phone does not zoom into the field when it gets the focus.
    expect(fontSize).toBeGreaterThanOrEqual(16);
  });

  it('speaks French when the phone is French, and says a message on a post-moderated wall is on the wall', async () => {
    await server.request('PATCH', '/api/walls/capcomnet', { moderation: 'post', publishDelaySeconds: 0, holdLinks: false }, admin);
    const page = await phone('/c/capcomnet', 'fr-FR');
    await waitForTitle(page);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
    expect(await page.title()).toBe('Cap’Com · partagez votre message');

    await page.getByLabel('Votre nom').fill('Zoé');
    await page.getByLabel('Votre message').fill('Merci pour cette journée');
    await page.getByRole('button', { name: 'Envoyer' }).click();
    await page.getByText('Merci — votre message est sur le mur.').waitFor();
    await page.getByRole('button', { name: 'Envoyer un autre message' }).waitFor();
  });

  it('follows the wall’s language over the phone’s', async () => {
    await server.request('PATCH', '/api/walls/capcomnet', { language: 'en' }, admin);
    const page = await phone('/c/capcomnet', 'fr-FR');
    await page.getByRole('button', { name: 'Send' }).waitFor();
    await waitForTitle(page);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
  });

  it('says when to try again after the rate limit, and keeps the text', async () => {
    const page = await phone();
    await waitForTitle(page);
    const message = page.getByLabel('Your message');
    for (const text of ['Un', 'Deux']) {
      await message.fill(text);
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await page.getByRole('button', { name: 'Send another message' }).click();
    }
    await message.fill('Trois');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.getByText('You are sending messages quickly. Try again', { exact: false }).waitFor();
    expect(await alert.textContent()).toMatch(/Try again (in a minute|in \d+ seconds?)\.$/);
    expect(await message.inputValue()).toBe('Trois');
  });

  it('tells a phone that lost its network, a refused message and a missing wall apart', async () => {
    const page = await phone();
    await waitForTitle(page);
    await page.context().setOffline(true);
    await page.getByLabel('Your message').fill('Sans réseau');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('alert').getByText('your phone seems to be offline', { exact: false }).waitFor();
    expect(await page.getByLabel('Your message').inputValue()).toBe('Sans réseau');
    await page.context().setOffline(false);

    // Only invisible characters: the server refuses it (400), and the form says why in its own words.
    await page.getByLabel('Your message').fill('\u200b\u200b');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('alert').getByText('Your message has no words the wall can show', { exact: false }).waitFor();

    await page.getByLabel('Your message').fill('');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('alert').getByText('Write a message first.').waitFor();
    expect(await focused(page)).toMatchObject({ tag: 'textarea' });

    const missing = await phone('/c/nowhere');
    await missing.getByRole('heading', { name: 'No wall here' }).waitFor();
    await missing.getByRole('alert').getByText('No wall is called “nowhere”.', { exact: false }).waitFor();
  });
});
