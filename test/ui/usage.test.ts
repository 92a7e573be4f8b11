import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SearchIndex } from '../../src/index.js';
import { type RunningServer, startServer } from '../../src/server/serve.js';
import { fixture } from '../catalog/usage-fixture.js';
import { hasTool } from '../helpers.js';
import { HAVE_CHROMIUM, launchBrowser, withPage } from './browser.js';

const HAVE_SQLITE = hasTool('SQLite', () => SearchIndex.available(), 'node-sqlite3-wasm is a dependency: npm install');

let server: RunningServer;
let browser: Browser | undefined;

beforeAll(async () => {
  if (HAVE_SQLITE && HAVE_CHROMIUM) browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

// The fixture's folders go after each test: each test serves its own.
beforeEach(async () => {
  if (!HAVE_SQLITE) return;
  const f = await fixture();
  server = await startServer({ dir: f.dir, stateDir: f.archive.stateDir, port: 0, onWarning: () => {} });
});

afterEach(async () => {
  await server?.close();
});

const get = async (path: string) => {
  const res = await fetch(`${server.url}${path}`);
  // biome-ignore lint/suspicious/noExplicitAny: a JSON answer, checked field by field below.
  return { status: res.status, body: (await res.json()) as any };
};

describe.skipIf(!HAVE_SQLITE)('usage over HTTP', () => {
  it('GET /usage answers the figures of sarc stats: one table by the dimensions asked, filters by project name and agent', async () => {
    const all = await get('/usage?by=day,agent&timeZone=UTC');
    expect(all.status).toBe(200);
    expect(all.body.total.cost).toBe(1.827075);
    expect(all.body.complete).toBe(true);
    const rows = Object.fromEntries(
      all.body.tables['day,agent'].map((r: { key: string[]; figures: { cost: number } }) => [r.key.join(' '), r.figures.cost]),
    );
    expect(rows).toEqual({
      '2026-03-10 claude-code': 1.533975,
      '2026-03-11 claude-code': 0.0006,
      '2026-03-12 codex': 0.0425,
      '2026-03-12 opencode': 0.25,
    });
    expect((await get('/usage?project=shop')).body.total.cost).toBe(1.534575);
    expect((await get('/usage?agent=codex,opencode')).body.total.cost).toBe(0.2925);
    const unknown = await get('/usage?project=nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.data?.message ?? unknown.body.message ?? JSON.stringify(unknown.body)).toContain('no project named "nope"');
    expect((await get('/usage?by=hour')).status).toBe(400);
    // It is in the OpenAPI document with its query.
    const doc = (await get('/doc')).body;
    expect(doc.paths['/usage'].get.parameters.map((p: { name: string }) => p.name)).toEqual([
      'since',
      'until',
      'project',
      'agent',
      'by',
      'top',
      'timeZone',
    ]);
  });
});

describe.skipIf(!HAVE_SQLITE || !HAVE_CHROMIUM)('the usage page in Chromium', () => {
  it('shows totals, charts split by agent or model and tables; the filters narrow them; nothing breaks the CSP; it fits a phone', async () => {
    await withPage(browser as Browser, 'usage', async (page) => {
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' && !m.text().includes('404')) problems.push(m.text());
      });
      await page.goto(`${server.url}/`);
      await page.getByRole('link', { name: 'Usage' }).click();
      await page.waitForURL(/\/ui\/usage$/);
      const totals = page.locator('p.totals');
      expect(await totals.textContent()).toMatch(
        /^\$1\.83 \(~\$1\.58 of it reckoned from list prices\) \+ 1 unpriced reply over 4 sessions, 11 messages, 3 tool calls \(1 failed\), 4 min active\./,
      );
      expect(await page.locator('.warning').textContent()).toContain('mystery-model-9 (1 reply, 777 tokens)');
      // Two charts, split by agent; a bar's title gives its figure.
      expect(await page.locator('figure.chart').count()).toBe(2);
      expect(await page.locator('figure.chart').first().locator('.legend li').allTextContents()).toEqual([
        ' claude-code',
        ' opencode',
        ' codex',
      ]);
      const titles = await page.locator('figure.chart').first().locator('rect title').allTextContents();
      expect(titles.some((t) => /· codex: ~?\$0\.0425$/.test(t))).toBe(true);
      const agentTable = page.locator('table.usage-table', { hasText: 'By agent' });
      expect(await agentTable.locator('tbody tr').first().locator('td').allTextContents()).toEqual([
        'claude-code',
        '2',
        '6',
        '2 (1 failed)',
        '251k',
        '1.6k',
        '2.1k',
        '~$1.53',
        '3 min',
      ]);
      // Projects by name, heaviest sessions linked.
      expect(await page.locator('table.usage-table', { hasText: 'By project' }).locator('tbody td:first-child').allTextContents()).toEqual([
        'shop',
        'global',
      ]);
      expect(await page.locator('table.usage-table', { hasText: 'Heaviest sessions' }).getByRole('link').first().textContent()).toBe('A');

      // The filters: one agent, split by model.
      await page.locator('select[name=agent]').selectOption('claude-code');
      await page.locator('select[name=split]').selectOption('model');
      await page.getByRole('button', { name: 'Show' }).click();
      await page.waitForURL(/agent=claude-code/);
      expect(await totals.textContent()).toMatch(/^~\$1\.53 over 2 sessions/);
      expect(await page.locator('figure.chart').first().locator('.legend li').allTextContents()).toEqual([
        ' claude-sonnet-4-5',
        ' claude-sonnet-4-5-20250929',
        ' claude-haiku-4-5',
      ]);
      expect(problems).toEqual([]);
    });
    await withPage(
      browser as Browser,
      'usage-phone',
      async (page) => {
        await page.goto(`${server.url}/ui/usage`);
        expect(await page.locator('html').evaluate((e) => e.scrollWidth)).toBeLessThanOrEqual(390);
        expect(await page.locator('figure.chart').first().isVisible()).toBe(true);
      },
      { viewport: { width: 390, height: 844 } },
    );
  }, 60_000);
});
