import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { skipBrowserTests } from '../helpers/browser.js';
import { everyChannelWall, NO_PROBLEMS } from '../helpers/wall-page.js';

/**
 * The wall for people who read it from afar or through a screen reader: its default themes' colours, as
 * the browser computes them on real cards, pass WCAG AA (4.5:1); the a11y mirror announces a new message
 * politely; and every picture and the QR code have an accessible name.
 */

const THEMES = ['dark', 'light'] as const;

describe.skipIf(skipBrowserTests())('the wall’s accessibility', () => {
  const suite = everyChannelWall();

  for (const theme of THEMES) {
    it(`the ${theme} theme’s text contrasts at least 4.5:1 with what it is written on`, async ({ annotate }) => {
      const patched = await suite.server.request('PATCH', '/api/walls/capcomnet', { theme }, suite.auth);
      expect(patched.status, patched.text).toBe(200);
      const wall = await suite.open('/w/capcomnet?layout=grid');
      const { page } = wall;
      await page.locator(`toile-wall[data-theme="${theme}"]`).waitFor({ state: 'attached' });
      const plain = suite.seeded.messages.find((m) => m.kind === 'plain')!;
      const tagged = suite.seeded.messages.find((m) => m.kind === 'hashtag')!;
      const article = page.locator(`toile-wall-card article[data-message-id="${plain.id}"]`);
      await article.locator('.text').waitFor();

      const measured = {
        'card text on its card': await contrast(article.locator('.text')),
        'muted text (the time) on its card': await contrast(article.locator('time[datetime]')),
        'the header’s title on the page': await contrast(page.locator('toile-wall h1').first()),
        'a hashtag chip': await contrast(page.locator(`toile-wall-card article[data-message-id="${tagged.id}"] .tag[data-tag="capcomnet"]`)),
      };
      await annotate(Object.entries(measured).map(([what, ratio]) => `${what}: ${ratio.toFixed(2)}:1`).join('; '));
      for (const [what, ratio] of Object.entries(measured)) expect(ratio, `${theme}: ${what} is ${ratio.toFixed(2)}:1`).toBeGreaterThanOrEqual(4.5);
      expect(await wall.problems()).toEqual(NO_PROBLEMS);
    });
  }

  it('announces a newly approved message in the mirror’s polite live region', async () => {
    const wall = await suite.open('/w/capcomnet?a11y=1');
    const { page } = wall;
    const region = page.locator('toile-wall-a11y [aria-live="polite"]');
    await region.waitFor({ state: 'attached' });
    // The mirror lists what the wall holds already, one item per message.
    for (const message of suite.seeded.messages) await page.locator(`toile-wall-a11y li[data-message-id="${message.id}"]`).waitFor({ state: 'attached' });

    const { token } = suite.server.app.toile.auth.createToken('a11y-bridge', 'ingest', 'tests');
    const posted = await suite.server.request(
      'POST',
      '/api/walls/capcomnet/messages',
      { externalId: 'a11y-live', author: { name: 'Nadia' }, text: 'Annonce pour les lecteurs d’écran' },
      { authorization: `Bearer ${token}` },
    );
    expect(posted.status, posted.text).toBe(201);
    expect((await suite.server.request('POST', `/api/messages/${posted.body.id}/approve`, {}, suite.auth)).status).toBe(200);

    await page.locator(`toile-wall-a11y li[data-message-id="${posted.body.id}"]`).waitFor({ state: 'attached' });
    await expect.poll(async () => (await region.allTextContents()).join(' '), { timeout: 5000 }).toContain('Annonce pour les lecteurs d’écran');
    expect(await wall.problems()).toEqual(NO_PROBLEMS);
  });

  it('names every picture and the QR code, and every control on the wall', async () => {
    const wall = await suite.open('/w/capcomnet?layout=grid');
    const { page } = wall;
    // The grid shows the newest six: the email's photo and the API's are among them.
    const email = suite.seeded.messages.find((m) => m.channel === 'email')!;
    await page.locator(`toile-wall-card article[data-message-id="${email.id}"] img.media`).waitFor({ state: 'attached' });

    const images = await page.locator('body img').evaluateAll((nodes) =>
      nodes.map((node) => ({ src: node.getAttribute('src'), alt: node.getAttribute('alt'), hidden: node.closest('[aria-hidden="true"]') !== null })),
    );
    expect(images.length, 'the suite.seeded pictures are on the wall').toBeGreaterThan(0);
    for (const image of images) expect(image.alt !== null || image.hidden, `img ${image.src} has neither alt nor aria-hidden`).toBe(true);
    // The pictures the audience sent keep the alt text they came with.
    expect(await page.locator(`toile-wall-card article[data-message-id="${email.id}"] img.media`).getAttribute('alt')).not.toBeNull();

    const qr = page.locator('toile-contribute-panel svg.qr[role="img"]');
    await qr.waitFor({ state: 'attached' });
    expect((await qr.getAttribute('aria-label'))?.trim(), 'the QR code has no accessible name').toBeTruthy();

    const icons = await page.locator('toile-wall-card .channel-icon').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('aria-label') ?? ''));
    expect(icons.length).toBeGreaterThan(0);
    for (const label of icons) expect(label.trim()).not.toBe('');

    const controls = await page.locator('body button, body a[href], body input, body select').evaluateAll((nodes) =>
      nodes.map((node) => {
        const labelledBy = node.getAttribute('aria-labelledby');
        const root = node.getRootNode() as Document | ShadowRoot;
        const byId = labelledBy === null ? '' : labelledBy.split(' ').map((id) => root.getElementById?.(id)?.textContent ?? '').join(' ');
        return { tag: node.tagName, name: (node.getAttribute('aria-label') ?? '') + (node.textContent ?? '') + byId + (node.getAttribute('title') ?? '') };
      }),
    );
    for (const control of controls) expect(control.name.trim(), `a ${control.tag} without an accessible name`).not.toBe('');
    expect(await wall.problems()).toEqual(NO_PROBLEMS);
  });
});

/**
 * The WCAG contrast ratio of an element's text colour against what is behind it: the background colours
 * of it and its ancestors (across shadow roots), composited from the page's down. Colours are read back
 * through a canvas, so any CSS colour syntax the browser computes (rgb, color(), oklch…) is measured.
 */
async function contrast(target: Locator): Promise<number> {
  await target.waitFor({ state: 'attached' });
  return target.evaluate((element) => {
    const canvas = document.createElement('canvas');
    canvas.width = 1;
    canvas.height = 1;
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    const rgba = (css: string): [number, number, number, number] => {
      context.clearRect(0, 0, 1, 1);
      context.fillStyle = '#000';
      context.fillStyle = css;
      context.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = context.getImageData(0, 0, 1, 1).data;
      return [r!, g!, b!, a! / 255];
    };
    const layers: [number, number, number, number][] = [];
    for (let node: Element | null = element; node !== null; ) {
      const background = getComputedStyle(node).backgroundColor;
      const colour = rgba(background);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] >= 1) break;
      node = node.parentElement ?? ((node.getRootNode() as ShadowRoot).host ?? null);
    }
    // The canvas of a page with no opaque background anywhere is white.
    let behind: [number, number, number] = [255, 255, 255];
    for (const [r, g, b, a] of layers.reverse()) behind = [r * a + behind[0] * (1 - a), g * a + behind[1] * (1 - a), b * a + behind[2] * (1 - a)];
    const [fr, fg, fb, fa] = rgba(getComputedStyle(element).color);
    const text: [number, number, number] = [fr * fa + behind[0] * (1 - fa), fg * fa + behind[1] * (1 - fa), fb * fa + behind[2] * (1 - fa)];
    const luminance = ([r, g, b]: [number, number, number]) => {
      const channel = (v: number) => {
        const s = v / 255;
        return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const [light, dark] = [luminance(text), luminance(behind)].sort((a, b) => b - a) as [number, number];
    return (light + 0.05) / (dark + 0.05);
  });
}
