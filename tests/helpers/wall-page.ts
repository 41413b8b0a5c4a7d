/**
 * A wall page watched the way an event's technician cannot: every request it makes, every console error,
 * every Content Security Policy violation, every dialog, and a trap that a payload reaching script would
 * touch. The wall tests open their pages through `openWallPage` and expect `problems(page)` to be empty.
 *
 * Pictures from `MEDIA_ORIGIN` (tests/helpers/channels.ts) are served here, as a CDN would serve them, so
 * that a wall test needs no network; that origin and the test server's are the only ones a wall may reach.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { launchBrowser, WAIT_MS } from './browser.js';
import { channelServerOptions, gradientPng, MEDIA_ORIGIN, seedEveryChannel, type SeededWall } from './channels.js';
import { startServer, type TestServer } from './server.js';

/** What went wrong on a page; every list is expected empty. */
export interface PageProblems {
  pageErrors: string[];
  consoleErrors: string[];
  cspViolations: string[];
  foreignRequests: string[];
  dialogs: string[];
  /** Touches of the trap globals (`window.__pwned`, `alert`, `confirm`, `prompt`, `print`). */
  trapped: string[];
}

export interface WallPage {
  page: Page;
  context: BrowserContext;
  /** Every URL the page requested, in order. */
  requests: string[];
  /** Everything that went wrong so far (the CSP and trap lists are read from the page). */
  problems(): Promise<PageProblems>;
  /** Forgets console errors logged so far (a test that stops the server expects the socket's). */
  clearConsoleErrors(): void;
}

export interface WallPageOptions {
  viewport?: { width: number; height: number };
  /** Origins besides the server's and MEDIA_ORIGIN that the page may reach (none by default). */
  allowOrigins?: string[];
  /** Runs on the fresh context before the page loads (e.g. `context.clock.install()` for a fake clock). */
  setUp?: (context: BrowserContext) => Promise<void>;
}

/**
 * Runs in every frame before the page's own scripts: records CSP violations, and defines the globals a
 * hostile payload would reach for, recording any touch.
 */
function installTraps(): void {
  const w = window as unknown as Record<string, unknown>;
  const csp: string[] = [];
  const trapped: string[] = [];
  w.__toileCsp = csp;
  w.__toileTrapped = trapped;
  // The number of items the layout says it can show (its `toile-capacity` event), for tests that fill it.
  document.addEventListener(
    'toile-capacity',
    (event) => {
      w.__toileCapacity = (event as CustomEvent<number>).detail;
    },
    true,
  );
  document.addEventListener('securitypolicyviolation', (event) => {
    csp.push(`${event.violatedDirective} blocked ${event.blockedURI || '(inline)'} at ${event.sourceFile}:${event.lineNumber}`);
  });
  Object.defineProperty(window, '__pwned', {
    configurable: false,
    get() {
      trapped.push('read window.__pwned');
      return undefined;
    },
    set(value: unknown) {
      trapped.push(`set window.__pwned = ${String(value)}`);
    },
  });
  for (const name of ['alert', 'confirm', 'prompt', 'print'] as const) {
    const original = window[name] as (...args: unknown[]) => unknown;
    Object.defineProperty(window, name, {
      configurable: false,
      writable: false,
      value: (...args: unknown[]) => {
        trapped.push(`${name}(${args.map(String).join(', ')})`);
        return original.apply(window, args);
      },
    });
  }
}

/** Opens `path` of `serverUrl` in a fresh browser context, watched. Waits for the page's `load` only. */
export async function openWallPage(browser: Browser, serverUrl: string, path: string, options: WallPageOptions = {}): Promise<WallPage> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1920, height: 1080 } });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const allowed = new Set([new URL(serverUrl).origin, MEDIA_ORIGIN, ...(options.allowOrigins ?? [])]);
  const requests: string[] = [];
  const pageErrors: string[] = [];
  let consoleErrors: string[] = [];
  const dialogs: string[] = [];

  await context.addInitScript(installTraps);
  await options.setUp?.(context);
  const png = gradientPng(120, 90);
  await context.route(`${MEDIA_ORIGIN}/**`, (route) => route.fulfill({ status: 200, contentType: 'image/png', body: png }));
  page.on('request', (request) => requests.push(request.url()));
  page.on('websocket', (socket) => requests.push(socket.url()));
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });

  await page.goto(serverUrl + path);
  return {
    page,
    context,
    requests,
    clearConsoleErrors: () => {
      consoleErrors = [];
    },
    async problems() {
      const fromPage = await page
        .evaluate(() => {
          const w = window as unknown as { __toileCsp?: string[]; __toileTrapped?: string[] };
          return { csp: [...(w.__toileCsp ?? [])], trapped: [...(w.__toileTrapped ?? [])] };
        })
        .catch((error: Error) => ({ csp: [`could not read the page: ${error.message}`], trapped: [] }));
      const cspConsole = consoleErrors.filter((line) => /Content Security Policy/i.test(line));
      return {
        pageErrors: [...pageErrors],
        consoleErrors: [...consoleErrors],
        cspViolations: [...fromPage.csp, ...cspConsole],
        foreignRequests: requests.filter((url) => !isAllowed(url, allowed)),
        dialogs: [...dialogs],
        trapped: fromPage.trapped,
      };
    },
  };
}

function isAllowed(url: string, allowed: Set<string>): boolean {
  if (url.startsWith('data:') || url.startsWith('blob:')) return true;
  const parsed = new URL(url);
  // The wall's socket is the server's origin under ws: instead of http:.
  const origin = parsed.protocol === 'ws:' || parsed.protocol === 'wss:' ? `${parsed.protocol === 'ws:' ? 'http' : 'https'}://${parsed.host}` : parsed.origin;
  return allowed.has(origin);
}

export const NO_PROBLEMS: PageProblems = { pageErrors: [], consoleErrors: [], cspViolations: [], foreignRequests: [], dialogs: [], trapped: [] };

/** Marks the page's window, so that a test can tell later whether the page was reloaded meanwhile. */
export async function markWindow(page: Page): Promise<void> {
  await page.evaluate(() => Object.assign(window, { __toileMark: true }));
}

/** Whether the mark set by `markWindow` is still there (false after a reload, or while the page navigates). */
export async function stillMarked(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __toileMark?: boolean }).__toileMark === true).catch(() => false);
}

/** What the layout last said it can show at once (its `toile-capacity` event), or null if it has not said. */
export async function layoutCapacity(page: Page): Promise<number | null> {
  return page.evaluate(() => {
    const capacity = (window as unknown as { __toileCapacity?: unknown }).__toileCapacity;
    return typeof capacity === 'number' ? capacity : null;
  });
}

/** The ids of the cards in the page (`toile-wall-card article[data-message-id]`, through shadow roots). */
export async function cardIds(page: Page): Promise<number[]> {
  return page.locator('toile-wall-card article[data-message-id]').evaluateAll((nodes) => nodes.map((node) => Number(node.getAttribute('data-message-id'))));
}

/** What `everyChannelWall()` gives a test file: set in `beforeAll`, so read inside tests only. */
export interface EveryChannelWall {
  browser: Browser;
  server: TestServer;
  seeded: SeededWall;
  /** An admin's bearer header. */
  auth: Record<string, string>;
  /** Opens a watched wall page; it is closed after the test. */
  open(path: string, viewport?: { width: number; height: number }): Promise<WallPage>;
}

/**
 * One Chromium and one server for a test file, its wall fed through every channel (seedEveryChannel), and
 * the pages each test opened closed after it. Call it at the top of a `describe`.
 */
export function everyChannelWall(): EveryChannelWall {
  const pages: WallPage[] = [];
  const suite = {} as EveryChannelWall;
  suite.open = async (path, viewport = { width: 1920, height: 1080 }) => {
    const wall = await openWallPage(suite.browser, suite.server.url, path, { viewport });
    pages.push(wall);
    return wall;
  };

  beforeAll(async () => {
    const built = join(import.meta.dirname, '..', '..', 'dist', 'client', 'wall.html');
    if (!existsSync(built)) throw new Error(`The client is not built (${built} is missing): run npx vite build first.`);
    suite.browser = await launchBrowser();
    suite.server = await startServer(channelServerOptions());
    suite.auth = { authorization: `Bearer ${await suite.server.adminToken()}` };
    suite.seeded = await seedEveryChannel(suite.server);
  });

  afterEach(async () => {
    for (const wall of pages.splice(0)) await wall.context.close();
  });

  afterAll(async () => {
    await suite.seeded?.close();
    await suite.server?.close({ removeData: true });
    await suite.browser?.close();
  });

  return suite;
}
