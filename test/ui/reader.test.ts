import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Archive, openArchive } from '../../src/index.js';
import type { RunningServer } from '../../src/server/serve.js';
import { assistantInfo, userMessage } from '../helpers.js';
import { HAVE_CHROMIUM, type ServedArchive, servedArchive, withPage } from './browser.js';

let browser: Browser;
let server: RunningServer;
const ids = { rich: '', long: '', longMessages: [] as string[] };

const MARKDOWN = [
  'Please **fix** the `parser`.',
  '',
  '| file | lines |',
  '|------|-------|',
  '| a.ts | 12 |',
  '',
  '- [x] read the code',
  '- [ ] write the test',
  '',
  '[click me](javascript:alert(1)) and [docs](https://example.com/docs) <img src=x onerror=alert(1)>',
  '',
  '```ts',
  'const answer: number = 42;',
  '```',
  '',
  `A very long word: ${'x'.repeat(300)}`,
].join('\n');

const answer = (parentID: string, created: number) =>
  assistantInfo(parentID, {
    providerID: 'anthropic',
    modelID: 'claude-sonnet-4-5',
    path: { cwd: '/home/dev/app', root: '/home/dev/app' },
    cost: 0.0421,
    tokens: { input: 1234, output: 567, reasoning: 0, cache: { read: 2000, write: 0 } },
    time: { created, completed: created + 5000 },
  });

async function fill(archive: Archive): Promise<void> {
  const rich = await archive.sessions.create({ directory: '/home/dev/app', title: 'Fix the parser' });
  ids.rich = rich.id;
  const u = await archive.messages.append(rich.id, userMessage(MARKDOWN, { time: { created: 1_000 } }));
  const output = Array.from({ length: 100 }, (_, i) => `line ${i + 1} of the test run`).join('\n');
  await archive.messages.append(rich.id, {
    info: answer(u.info.id, 2_000),
    parts: [
      { type: 'text', text: 'Running the tests, then fixing the off-by-one.' },
      {
        type: 'tool',
        callID: 'c1',
        tool: 'bash',
        state: {
          status: 'completed',
          input: { command: 'npm test -- --run', description: 'run tests' },
          output,
          title: 'npm test',
          metadata: {},
          time: { start: 10_000, end: 11_200 },
        },
      },
      {
        type: 'tool',
        callID: 'c2',
        tool: 'edit',
        state: {
          status: 'completed',
          input: {
            filePath: '/home/dev/app/src/parse.ts',
            oldString: 'for (let i = 0; i <= n; i++) {',
            newString: 'for (let i = 0; i < n; i++) {',
          },
          output: 'Edit applied.',
          title: 'src/parse.ts',
          metadata: {},
          time: { start: 12_000, end: 12_050 },
        },
      },
      { type: 'patch', hash: '9a8b7c6d5e4f30211203f4e5d6c7b8a9f0e1d2c3', files: ['/home/dev/app/src/parse.ts'] },
    ],
  });
  await archive.sessions.modify(rich.id, (info) => ({
    ...info,
    summary: {
      additions: 1,
      deletions: 1,
      files: 1,
      diffs: [
        {
          file: 'src/parse.ts',
          patch: '@@ -3,1 +3,1 @@\n-  return i <= n;\n+  return i < n;',
          additions: 1,
          deletions: 1,
          status: 'modified',
        },
      ],
    },
  }));
  const long = await archive.sessions.create({ directory: '/home/dev/app', title: 'A long session' });
  ids.long = long.id;
  for (let i = 0; i < 250; i++) {
    const m = await archive.messages.append(long.id, userMessage(`message number ${i + 1}`, { time: { created: 10_000 + i } }));
    ids.longMessages.push(m.info.id);
  }
}

let served: ServedArchive;
beforeAll(async () => {
  served = await servedArchive('reader', fill);
  ({ browser, server } = served);
}, 120_000);

afterAll(() => served?.close());

/** True when the page does not scroll sideways. */
const fitsWidth = (page: Page) => page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');

describe.skipIf(!HAVE_CHROMIUM)('reading a conversation in Chromium', () => {
  it('renders markdown (tables, task lists, highlighted code) with raw HTML and unsafe links as text', async () => {
    await withPage(browser, 'reader-markdown', async (page) => {
      await page.goto(`${server.url}/ui/session/${ids.rich}`);
      await page.waitForLoadState('load');
      const user = page.locator('div.msg.user');
      expect(await user.locator('strong').textContent()).toBe('fix');
      expect(await user.locator('table td').allTextContents()).toEqual(['a.ts', '12']);
      expect(await user.locator('li.task input[type=checkbox]').count()).toBe(2);
      expect(await user.locator('li.task input[type=checkbox]:checked').count()).toBe(1);
      // Highlighted on the server: keyword spans inside the fence, no script needed.
      expect(await user.locator('pre code.language-ts .hljs-keyword').first().textContent()).toBe('const');
      expect(await user.locator('a[href^="javascript"]').count()).toBe(0);
      expect(await user.getByText('[click me](javascript:alert(1))').count()).toBe(1);
      expect(await user.locator('a[href="https://example.com/docs"]').getAttribute('rel')).toContain('noreferrer');
      expect(await page.locator('img').count()).toBe(0);
      expect(await user.textContent()).toContain('<img src=x onerror=alert(1)>');
    });
  }, 60_000);

  it('tool calls are one line each that opens to input and output; edits are diffs; long output folds; tokens and cost show', async () => {
    await withPage(browser, 'reader-tools', async (page) => {
      await page.goto(`${server.url}/ui/session/${ids.rich}`);
      await page.waitForLoadState('load');
      const bash = page.locator('details.tool').filter({ hasText: 'npm test -- --run' });
      const summary = (await bash.locator('summary').first().textContent())?.replace(/\s+/g, ' ').trim();
      expect(summary).toBe('bash npm test -- --run done 1.2 s');
      expect(
        await bash
          .locator('summary')
          .first()
          .evaluate((e) => e.getBoundingClientRect().height),
      ).toBeLessThan(40);
      expect(await bash.getAttribute('open')).toBeNull();
      await bash.locator('summary').first().click();
      const fold = bash.locator('details.fold');
      expect(await fold.locator('.show-all').textContent()).toBe('show all 100 lines');
      expect(await fold.isVisible()).toBe(true);
      // Folded: its head and its tail in sight (where a failure is), the middle behind "show all".
      expect(await bash.getByText('line 1 of the test run', { exact: false }).first().isVisible()).toBe(true);
      expect(await bash.getByText('line 100 of the test run').first().isVisible()).toBe(true);
      expect(await bash.getByText('line 50 of the test run').isVisible()).toBe(false);
      expect(await fold.locator('.skipped').textContent()).toBe('… 80 more lines …');
      await fold.locator('summary').click();
      expect(await bash.getByText('line 50 of the test run').isVisible()).toBe(true);
      const edit = page.locator('details.tool').filter({ hasText: 'src/parse.ts' });
      expect((await edit.locator('summary').textContent())?.replace(/\s+/g, ' ').trim()).toBe('edit src/parse.ts done 50 ms');
      await edit.locator('summary').click();
      expect(await edit.locator('.diff .del').textContent()).toBe('-for (let i = 0; i <= n; i++) {');
      expect(await edit.locator('.diff .add').textContent()).toBe('+for (let i = 0; i < n; i++) {');
      expect(await page.locator('details.patch summary').textContent()).toBe('Changed 1 file: src/parse.ts');
      // The patch and the session's changes show the diff the session's summary holds.
      await page.locator('details.patch summary').click();
      expect(await page.locator('details.patch .diff .add').textContent()).toBe('+  return i < n;');
      const change = page.locator('section[aria-label="Changes"] details.change');
      expect((await change.locator('summary').textContent())?.replace(/\s+/g, ' ')).toBe('src/parse.ts +1 −1');
      await change.locator('summary').click();
      expect(await change.locator('.diff .del').textContent()).toBe('-  return i <= n;');
      const header = await page.locator('.turn-head').last().textContent();
      expect(header?.replace(/\s+/g, ' ')).toContain('1.2k in / 567 out / 2.0k cached · $0.0421');
      expect(await page.locator('#totals').textContent()).toBe('2 messages · 1.2k tokens in / 567 out / 2.0k cached · $0.0421');
    });
  }, 60_000);

  it('a long session loads a page at a time as the reader scrolls; a link to a message opens its page', async () => {
    await withPage(browser, 'reader-paging', async (page) => {
      await page.goto(`${server.url}/ui/session/${ids.long}`);
      await page.waitForLoadState('load');
      const articles = page.locator('div.msg');
      expect(await articles.count()).toBe(100);
      for (const expected of [200, 250]) {
        await page.locator('#more').scrollIntoViewIfNeeded();
        await expect.poll(() => articles.count()).toBe(expected);
      }
      expect(await page.locator('#more').count()).toBe(0);
      expect(await articles.last().textContent()).toContain('message number 250');
      // A search hit's link: the page around message 180.
      const target = ids.longMessages[179] as string;
      await page.goto(`${server.url}/ui/session/${ids.long}?at=${target}#${target}`);
      await page.waitForLoadState('load');
      expect(await page.locator(`#${target}`).textContent()).toContain('message number 180');
      expect(await page.getByRole('link', { name: /Earlier messages/ }).count()).toBe(1);
      // Without scripts, the links page through.
    });
    await withPage(
      browser,
      'reader-paging-nojs',
      async (page) => {
        await page.goto(`${server.url}/ui/session/${ids.long}`);
        await page.getByRole('link', { name: /Later messages \(150 more\)/ }).click();
        await page.waitForLoadState('load');
        expect(await page.locator('div.msg').first().textContent()).toContain('message number 101');
      },
      { javaScriptEnabled: false },
    );
  }, 60_000);

  it('the list shows message counts, folders and the first message; nothing scrolls sideways at 390 px', async () => {
    await withPage(
      browser,
      'reader-390',
      async (page) => {
        await page.goto(server.url);
        const row = page.locator('tr').filter({ hasText: 'Fix the parser' });
        expect(await row.locator('td.c-n').textContent()).toBe('2');
        expect(await row.locator('td.c-folder').textContent()).toBe('/home/dev/app');
        expect(await row.locator('.preview-line').textContent()).toMatch(/^Please \*\*fix\*\* the `parser`\./);
        expect(await fitsWidth(page)).toBe(true);
        await page.goto(`${server.url}/ui/session/${ids.rich}`);
        await page.waitForLoadState('load');
        await page.locator('details.tool summary').first().click();
        expect(await fitsWidth(page)).toBe(true);
        const shared = (await (await fetch(`${server.url}/session/${ids.rich}/share`, { method: 'POST' })).json()) as {
          share: { url: string };
        };
        await page.goto(shared.share.url);
        await page.waitForLoadState('load');
        expect(await page.locator('div.msg').count()).toBe(2);
        expect(await fitsWidth(page)).toBe(true);
        await page.goto(`${server.url}/?q=parser`);
        expect(await page.locator('ol.hits > li').count()).toBeGreaterThan(0);
        expect(await fitsWidth(page)).toBe(true);
      },
      { viewport: { width: 390, height: 844 } },
    );
  }, 60_000);

  // Last in this file: it adds a message to the long session.
  it('a message written elsewhere keeps every page already loaded on screen, and adds itself', async () => {
    await withPage(browser, 'reader-live-long', async (page) => {
      await page.goto(`${server.url}/ui/session/${ids.long}`);
      await page.waitForLoadState('load');
      await page.locator('body[data-live="on"]').waitFor();
      const shown = page.locator('[data-message]');
      for (const expected of [200, 250]) {
        await page.locator('#more').scrollIntoViewIfNeeded();
        await expect.poll(() => shown.count()).toBe(expected);
      }
      const other = await openArchive({ dir: served.dir, stateDir: join(served.root, 'other-state') });
      await other.messages.append(ids.long, userMessage('written by another process', { time: { created: 20_000 } }));
      await expect.poll(() => shown.count(), { timeout: 10_000 }).toBe(251);
      expect(await shown.first().textContent()).toContain('message number 1');
      expect(await shown.last().textContent()).toContain('written by another process');
    });
  }, 60_000);
});
