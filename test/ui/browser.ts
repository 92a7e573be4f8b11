import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { type Archive, initArchive, openArchive } from '../../src/index.js';
import { type RunningServer, startServer } from '../../src/server/serve.js';
import { hasTool, ROOT } from '../helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(ROOT, 'test-results');

/** True when Debian's Chromium is there (skips with a printed reason otherwise; a failure under CI=true). */
export const HAVE_CHROMIUM = hasTool('chromium', () => existsSync(CHROMIUM));

/** Debian's Chromium, headless, through playwright-core (no browser download). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Runs a browser test; on failure a screenshot of the page goes to test-results/. */
export async function withPage(
  browser: Browser,
  name: string,
  fn: (page: Page) => Promise<void>,
  options: BrowserContextOptions = {},
): Promise<void> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  try {
    await fn(page);
  } catch (error) {
    await mkdir(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true }).catch(() => {});
    throw error;
  } finally {
    await context.close();
  }
}

/** An archive in a temp folder, filled by `fill`, served on 127.0.0.1, and Chromium: for a file of browser tests. */
export interface ServedArchive {
  root: string;
  dir: string;
  server: RunningServer;
  browser: Browser;
  close(): Promise<void>;
}

/** Makes the archive (`fill` writes into it; `from` copies a folder in first), starts the server and the browser. */
export async function servedArchive(
  name: string,
  fill: (archive: Archive) => Promise<void> = async () => {},
  from?: string,
): Promise<ServedArchive> {
  // Not tempArchive(): its folders go after each test, and this archive serves the whole file.
  const root = await mkdtemp(join(tmpdir(), `sarc-${name}-`));
  const dir = join(root, 'archive');
  if (from) await cp(from, dir, { recursive: true });
  else await initArchive(dir);
  await fill(await openArchive({ dir, stateDir: join(root, 'state') }));
  const server = await startServer({ dir, stateDir: join(root, 'state'), port: 0, onWarning: () => {} });
  const browser = await launchBrowser();
  return {
    root,
    dir,
    server,
    browser,
    async close() {
      await browser.close();
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
