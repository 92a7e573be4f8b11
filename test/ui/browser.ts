import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
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
