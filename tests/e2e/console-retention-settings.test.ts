import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite, skipBrowserTests, submitLogIn } from '../helpers/browser.js';

describe.skipIf(skipBrowserTests())('the event’s end in the console’s settings', () => {
  const suite = browserSuite({ client: 'moderate.html' });

  /** The admin's settings view, in a browser whose clock reads Paris time (winter: UTC+1). */
  async function settingsInParis(): Promise<Page> {
    const page = await suite.open('/moderate#capcomnet/settings');
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setTimezoneOverride', { timezoneId: 'Europe/Paris' });
    await page.reload();
    await submitLogIn(page, { username: 'admin', password: suite.server.adminPassword });
    await page.locator('toile-settings-panel').getByLabel('Event ends at').waitFor();
    return page;
  }

  async function wallInTheApi(): Promise<Record<string, unknown>> {
    const server = suite.server;
    const { body } = await server.request('GET', '/api/walls', undefined, { authorization: `Bearer ${await server.adminToken()}` });
    return body.items.find((wall: { slug: string }) => wall.slug === 'capcomnet');
  }

  it('sends the local time with its offset, reads the same instant back, and clears it to null', async () => {
    const page = await settingsInParis();
    expect(await page.evaluate(() => new Date(2026, 10, 29, 18).getTimezoneOffset())).toBe(-60);
    const panel = page.locator('toile-settings-panel');
    const field = panel.getByLabel('Event ends at');
    expect(await field.getAttribute('type')).toBe('datetime-local');
    expect(await field.inputValue()).toBe('');
    // The hint says when retention runs, and describes the field.
    const hint = panel.locator('#eventEndsAt-hint');
    expect(await hint.textContent()).toContain('only when both');
    expect(await field.getAttribute('aria-describedby')).toBe('eventEndsAt-hint');
    const save = panel.getByRole('button', { name: 'Save the settings' });

    await field.fill('2026-11-29T18:00');
    await panel.getByLabel('Keep private sender data for (days)').fill('30');
    let patched = page.waitForRequest((request) => request.method() === 'PATCH');
    await save.click();
    expect((await patched).postDataJSON()).toEqual({ eventEndsAt: '2026-11-29T18:00:00+01:00', retentionDays: 30 });
    await panel.getByRole('status').getByText('Saved: Event ends at, Keep private sender data for (days)', { exact: false }).waitFor();
    expect(await wallInTheApi()).toMatchObject({ eventEndsAt: '2026-11-29T17:00:00.000Z', retentionDays: 30 });

    // The server keeps it in UTC; the form shows it in local time again, and saving it again changes nothing.
    expect(await field.inputValue()).toBe('2026-11-29T18:00');
    await page.reload();
    await panel.getByLabel('Event ends at').waitFor();
    expect(await field.inputValue()).toBe('2026-11-29T18:00');
    await save.click();
    await panel.getByRole('status').getByText('Nothing has changed', { exact: false }).waitFor();

    // Emptied, it goes as null: retention no longer runs for the wall.
    await field.fill('');
    patched = page.waitForRequest((request) => request.method() === 'PATCH');
    await save.click();
    expect((await patched).postDataJSON()).toEqual({ eventEndsAt: null });
    await panel.getByRole('status').getByText('Saved: Event ends at', { exact: false }).waitFor();
    expect(await wallInTheApi()).toMatchObject({ eventEndsAt: null, retentionDays: 30 });
    expect(await field.inputValue()).toBe('');
  });
});
