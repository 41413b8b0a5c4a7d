import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { startServer, type StartOptions, type TestServer } from './server.js';

/**
 * Real Chromium for the end-to-end tests: the system's (Debian's /usr/bin/chromium) or CHROMIUM_PATH,
 * never a browser download. Without one, browser tests skip, except when TOILE_REQUIRE_BROWSER=1 (CI),
 * where a missing browser fails them instead of quietly hiding them.
 *
 * Usage:
 *   describe.skipIf(skipBrowserTests())('…', () => { const suite = browserSuite({ client: 'wall.html' }); … });
 */

/** The names Chromium goes by on the PATH, in the order they are tried. */
const CHROMIUM_NAMES = ['chromium', 'chromium-browser'];

/** Flags for a quiet, reproducible headless run in a container (no sandbox: tests often run as root). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

/** The Chromium executable to use: CHROMIUM_PATH when set, else the first `chromium` on the PATH. */
export function chromiumPath(): string | null {
  const configured = process.env.CHROMIUM_PATH;
  if (configured !== undefined && configured !== '') return isExecutable(configured) ? configured : null;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const name of CHROMIUM_NAMES) {
      const candidate = join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return null;
}

export function browserAvailable(): boolean {
  return chromiumPath() !== null;
}

/** True when a missing browser must fail the run (TOILE_REQUIRE_BROWSER=1) rather than skip it. */
export function browserRequired(): boolean {
  return process.env.TOILE_REQUIRE_BROWSER === '1';
}

/**
 * Whether browser tests should skip here: only when there is no browser and none is required. When one
 * is required but missing, the tests run and `launchBrowser()` throws, so the run fails and says why.
 */
export function skipBrowserTests(): boolean {
  return !browserAvailable() && !browserRequired();
}

/**
 * Launches headless Chromium. Each launch gets a fresh temporary profile: Playwright creates one under
 * the system's temp directory and deletes it when the browser closes (it refuses a `--user-data-dir`
 * argument to `launch()`), so no state leaks from one run, or one test file, to the next.
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (executablePath === null) {
    const where = process.env.CHROMIUM_PATH ? `CHROMIUM_PATH=${process.env.CHROMIUM_PATH} is not an executable` : 'no chromium on the PATH';
    throw new Error(
      `Browser tests need Chromium, but ${where}. Install it (apt-get install chromium) or set CHROMIUM_PATH` +
        (browserRequired() ? '; TOILE_REQUIRE_BROWSER=1 makes this a failure rather than a skip.' : '.'),
    );
  }
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

/** Every Playwright wait gives up well before vitest's own 30 s, so a failure says what it waited for. */
export const WAIT_MS = 10_000;

/**
 * A page in its own browser context (a separate person, with separate cookies), at `url`. Its uncaught
 * exceptions and Content Security Policy violations are pushed to `problems`, which a test expects empty;
 * its context is pushed to `contexts`, for the test to close.
 */
export async function openPage(browser: Browser, url: string, contexts: BrowserContext[], problems: string[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const path = new URL(url).pathname;
  page.on('pageerror', (error) => problems.push(`${path}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) problems.push(`${path}: ${message.text()}`);
  });
  await page.goto(url);
  return page;
}

/** What a browser suite gives its tests: this test's server, and pages on it. */
export interface BrowserSuite {
  /** The server of the running test: a fresh app on a fresh SQLite file, started before each test. */
  readonly server: TestServer;
  /** A page at `path` of the test's server, in a browser context of its own (a separate person). */
  open(path: string): Promise<Page>;
}

export interface BrowserSuiteOptions {
  /**
   * The built page the suite needs (`wall.html`, `moderate.html`): the server serves what `vite build`
   * wrote, and `npm test` builds it first.
   */
  client: string;
  /** How each test's server is started. */
  server?: StartOptions;
}

/**
 * Registers, in the calling `describe`, what every browser test file needs: a check that the client is
 * built, one Chromium for the file, a fresh server for each test, and after each test its browser
 * contexts closed, its server closed with its data, and no uncaught exception or CSP violation on any of
 * its pages. Call it first in the `describe`: vitest runs after-hooks in the reverse order, so a file's
 * own `afterEach` still runs while the server is up. A file that uses the server often takes it in its own
 * `beforeEach` (`server = suite.server`), so that its tests read `server.url`.
 */
export function browserSuite(options: BrowserSuiteOptions): BrowserSuite {
  const built = join(import.meta.dirname, '..', '..', 'dist', 'client', options.client);
  let browser: Browser;
  let server: TestServer | undefined;
  const contexts: BrowserContext[] = [];
  /** Uncaught exceptions and CSP violations of every page of the test: none is expected. */
  let pageProblems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(built)) throw new Error(`The client is not built (${built} is missing): run npx vite build first.`);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    server = await startServer(options.server);
    pageProblems = [];
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    await server?.close({ removeData: true });
    server = undefined;
    expect(pageProblems).toEqual([]);
  });

  const suite: BrowserSuite = {
    get server() {
      if (server === undefined) throw new Error('The test server runs only during a test (from beforeEach to afterEach).');
      return server;
    },
    open: (path) => openPage(browser, suite.server.url + path, contexts, pageProblems),
  };
  return suite;
}

/** Someone with an account on the console. */
export interface Credentials {
  username: string;
  password: string;
}

/** Fills the console's login form on `page` and sends it; the caller waits for what the login should show. */
export async function submitLogIn(page: Page, who: Credentials): Promise<void> {
  await page.getByLabel('Username').fill(who.username);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Logs in to the console on `page` and waits for the queue it opens on (its Pending tab). */
export async function logIn(page: Page, who: Credentials): Promise<void> {
  await submitLogIn(page, who);
  await page.getByRole('tab', { name: /Pending/ }).waitFor();
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
