import { deflateSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Archive } from '../../src/index.js';
import type { RunningServer } from '../../src/server/serve.js';
import { assistantInfo, userMessage } from '../helpers.js';
import { HAVE_CHROMIUM, type ServedArchive, servedArchive, withPage } from './browser.js';

let served: ServedArchive;
const ids = { steps: '', plain: '', parent: '', child: '', continuation: '' };

/** A real PNG of `w`×`h` pixels, all one colour, as a data: URL. */
function pngDataUrl(w: number, h: number): string {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = (crcTable[(c ^ x) & 0xff] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = Buffer.concat(Array.from({ length: h }, () => Buffer.from([0, ...Array.from({ length: w }, () => [40, 120, 220]).flat()])));
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  return `data:image/png;base64,${png.toString('base64')}`;
}

const tokens = { input: 1000, output: 200, reasoning: 0, cache: { read: 0, write: 0 } };
const tool = (callID: string, status: 'completed' | 'error', command: string, output: string) => ({
  type: 'tool',
  callID,
  tool: 'bash',
  state:
    status === 'completed'
      ? { status, input: { command }, output, title: command, metadata: {}, time: { start: 1, end: 2 } }
      : { status, input: { command }, error: output, time: { start: 1, end: 2 } },
});

async function fill(archive: Archive): Promise<void> {
  // Two turns: the first is a prompt with a screenshot, then three API steps (tool calls, one failing at the end
  // of a long output) and an environment notice in between; the second a prompt and one answer.
  const s = await archive.sessions.create({ directory: '/home/dev/src/shop-frontend/packages/checkout', title: 'Fix the checkout' });
  ids.steps = s.id;
  const p1 = await archive.messages.append(s.id, {
    ...userMessage('Why does checkout fail? Screenshot attached.', { time: { created: 1_000 } }),
    parts: [
      { type: 'text', text: 'Why does checkout fail? Screenshot attached.' },
      { type: 'file', mime: 'image/png', filename: 'checkout.png', url: pngDataUrl(64, 40) },
    ],
  } as never);
  const step = (created: number, parts: unknown[]) =>
    archive.messages.append(s.id, {
      info: assistantInfo(p1.info.id, {
        providerID: 'anthropic',
        modelID: 'claude-sonnet-4-5',
        tokens,
        time: { created, completed: created + 500 },
      }),
      parts,
    } as never);
  await step(2_000, [tool('c1', 'completed', 'git status', 'clean')]);
  await archive.messages.append(s.id, {
    info: {
      role: 'user',
      agent: 'build',
      model: { providerID: 'p', modelID: 'm' },
      synthetic: true,
      origin: 'environment',
      time: { created: 2_600 },
    },
    parts: [{ type: 'text', text: '<environment_context>cwd: /home/dev</environment_context>', synthetic: true }],
  } as never);
  const log = Array.from({ length: 60 }, (_, i) => `test ${i + 1} passed`).join('\n');
  await step(3_000, [tool('c2', 'error', 'npm test -- --run', `${log}\nError: expected 200, got 500 in checkout.spec.ts`)]);
  await step(4_000, [{ type: 'text', text: 'The payment call returns 500: the **currency** is missing.' }]);
  const p2 = await archive.messages.append(s.id, userMessage('Fix it.', { time: { created: 10_000 } }));
  await archive.messages.append(s.id, {
    info: assistantInfo(p2.info.id, {
      providerID: 'anthropic',
      modelID: 'claude-sonnet-4-5',
      tokens,
      time: { created: 11_000, completed: 12_000 },
    }),
    parts: [{ type: 'text', text: 'Done.' }],
  } as never);
  const plain = await archive.sessions.create({ directory: '/home/dev/notes', title: 'Notes' });
  ids.plain = plain.id;
  await archive.messages.append(plain.id, {
    ...userMessage('nothing failed here', { time: { created: 500 } }),
    parts: [
      { type: 'text', text: 'nothing failed here' },
      // An SVG can carry script: never shown inline nor served.
      {
        type: 'file',
        mime: 'image/svg+xml',
        filename: 'evil.svg',
        url: `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>').toString('base64')}`,
      },
    ],
  } as never);
  // What sync makes of a session resumed in Claude Code: a continuation forked from it.
  const continuation = await archive.sessions.create({ directory: '/home/dev/app', title: 'Checkout, resumed elsewhere' });
  await archive.sessions.modify(continuation.id, (info) => ({
    ...info,
    forkedFrom: { sessionID: s.id },
    metadata: { source: 'claude-code', resumedFrom: { session: s.id, at: 20_000, agentID: 'a-claude-id' } },
  }));
  ids.continuation = continuation.id;
  // A sub-agent: the task call ran while its child session began.
  const parent = await archive.sessions.create({ directory: '/home/dev/app', title: 'Delegates' });
  const ask = await archive.messages.append(parent.id, userMessage('find the callers', { time: { created: 100 } }));
  const child = await archive.sessions.create({ directory: '/home/dev/app', title: 'Explore: find callers', parentID: parent.id });
  Object.assign(ids, { parent: parent.id, child: child.id });
  const start = child.time.created - 50;
  await archive.messages.append(parent.id, {
    info: assistantInfo(ask.info.id, { tokens, time: { created: 200, completed: 300 } }),
    parts: [
      {
        type: 'tool',
        callID: 't1',
        tool: 'task',
        state: {
          status: 'completed',
          input: { description: 'find callers', prompt: 'find them' },
          output: 'found 3',
          title: 'find callers',
          metadata: {},
          time: { start, end: start + 500 },
        },
      },
    ],
  } as never);
}

let browser: Browser;
let server: RunningServer;
beforeAll(async () => {
  served = await servedArchive('turns', fill);
  ({ browser, server } = served);
}, 120_000);

afterAll(() => served?.close());

/** Elements whose text takes more than one line (a column broken inside a word, "Messa ges", shows as two lines of text). */
const brokenCells = (page: Page, selector: string) =>
  page.evaluate<string[]>(`[...document.querySelectorAll(${JSON.stringify(selector)})]
    .filter((el) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1;
    })
    .map((el) => el.textContent)`);

describe.skipIf(!HAVE_CHROMIUM)('the reader in Chromium: turns, images, failures, lists, dark mode', () => {
  for (const [name, viewport] of [
    ['desktop', { width: 1280, height: 900 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    it(`${name}: a multi-step session reads as its turns; the screenshot shows; the failed call's tail is in sight`, async () => {
      await withPage(
        browser,
        `turns-${name}`,
        async (page) => {
          await page.goto(`${server.url}/ui/session/${ids.steps}`);
          await page.waitForLoadState('load');
          // 7 messages, 2 turns: one header each, the steps inside.
          expect(await page.locator('[data-message]').count()).toBe(7);
          expect(await page.locator('article.turn').count()).toBe(2);
          expect(await page.locator('.turn-head').count()).toBe(2);
          const first = page.locator('article.turn').first();
          const head = (await first.locator('.turn-head').textContent())?.replace(/\s+/g, ' ');
          expect(head).toContain('claude-sonnet-4-5');
          expect(head).toContain('3.0k in / 600 out');
          expect(head).toContain('2 tool calls');
          expect(await first.locator('.turn-head .badge.error').textContent()).toBe('1 failed');
          expect(await first.getAttribute('class')).toContain('failed');
          // The environment notice is there, quietly (folded, not the user's words).
          expect(await first.locator('.msg.quiet[data-kind="environment"] > details:not(.menu) > summary').textContent()).toBe(
            'environment message',
          );
          // The screenshot is drawn from the archive's bytes, at its size, under the page's CSP.
          const img = first.locator('figure.file img');
          await img.scrollIntoViewIfNeeded();
          await expect
            .poll(() =>
              page.evaluate<number>(
                `(() => { const i = document.querySelector('figure.file img'); return i.complete ? i.naturalWidth : 0; })()`,
              ),
            )
            .toBe(64);
          expect(await img.getAttribute('width')).toBe('64');
          // Served as what it is, for this server's own pages only, with nothing that could run.
          const served = await fetch(`${server.url}${await img.getAttribute('src')}`);
          expect(served.headers.get('content-type')).toBe('image/png');
          expect(served.headers.get('cross-origin-resource-policy')).toBe('same-origin');
          expect(served.headers.get('content-security-policy')).toContain('sandbox');
          expect(served.headers.get('x-content-type-options')).toBe('nosniff');
          expect(await img.getAttribute('height')).toBe('40');
          // The failed call is open, its badge in sight on its line, the end of its output visible without a click.
          const failed = page.locator('details.tool.error');
          expect(await failed.getAttribute('open')).not.toBeNull();
          const badge = failed.locator('summary .badge').first();
          expect(await badge.textContent()).toBe('failed');
          expect(await badge.isVisible()).toBe(true);
          const summaryBox = await failed.locator('summary').first().boundingBox();
          const badgeBox = await badge.boundingBox();
          expect((badgeBox?.x ?? 0) + (badgeBox?.width ?? 0)).toBeLessThanOrEqual((summaryBox?.x ?? 0) + (summaryBox?.width ?? 0) + 1);
          const tail = failed.getByText('Error: expected 200, got 500').first();
          await tail.scrollIntoViewIfNeeded();
          expect(await tail.isVisible()).toBe(true);
          expect(await failed.getByText('test 30 passed').isVisible()).toBe(false);
          expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
        },
        { viewport },
      );
    }, 60_000);

    it(`${name}: the list's columns are never broken inside a word; the failed session is marked`, async () => {
      await withPage(
        browser,
        `list-${name}`,
        async (page) => {
          await page.goto(server.url);
          await page.waitForLoadState('load');
          const cells =
            'table.sessions td.c-agent .nowrap, table.sessions td.c-folder .nowrap, table.sessions td.c-n .nowrap, table.sessions td.c-when .nowrap';
          expect(await page.locator(cells).count()).toBe(20);
          expect(await brokenCells(page, cells)).toEqual([]);
          expect(await brokenCells(page, 'table.sessions th')).toEqual([]);
          // The folder is shortened at a slash, its last name whole.
          const folder = await page.locator('tr', { hasText: 'Fix the checkout' }).locator('td.c-folder').textContent();
          expect(folder?.endsWith('/checkout')).toBe(true);
          expect(folder === '/home/dev/src/shop-frontend/packages/checkout' || folder?.startsWith('…/')).toBe(true);
          expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
        },
        { viewport },
      );
    }, 60_000);
  }

  it('the list marks the session with a failed tool call (once the search index has read it)', async () => {
    await withPage(browser, 'list-failed', async (page) => {
      await expect
        .poll(
          async () => {
            await page.goto(server.url);
            return page.locator('tr.has-failed .badge.error').allTextContents();
          },
          { timeout: 20_000 },
        )
        .toEqual(['1 failed']);
      expect(await page.locator('tr.has-failed').textContent()).toContain('Fix the checkout');
    });
  }, 60_000);

  it('dark mode follows the system; j and k move between turns, / goes to the search box', async () => {
    await withPage(
      browser,
      'dark-keys',
      async (page) => {
        await page.goto(`${server.url}/ui/session/${ids.steps}`);
        await page.waitForLoadState('load');
        const luminance = async (selector: string) => {
          const bg = await page.evaluate<string>(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).backgroundColor`);
          const [r, g, b] = (bg.match(/\d+/g) ?? []).map(Number);
          return (0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0)) / 255;
        };
        expect(await luminance('body')).toBeLessThan(0.15);
        expect(await luminance('article.turn')).toBeLessThan(0.2);
        await page.keyboard.press('j');
        const active = (what: string) => page.evaluate<string | null>(`document.activeElement && document.activeElement.${what}`);
        expect(await active('className')).toContain('turn');
        const firstTurn = await active('id');
        await page.keyboard.press('j');
        const second = await active('id');
        expect(second).not.toBe(firstTurn);
        expect(second).toMatch(/^turn-/);
        await page.keyboard.press('k');
        expect(await active('id')).toBe(firstTurn);
        await page.goto(server.url);
        await page.keyboard.press('/');
        expect(await active("getAttribute('type')")).toBe('search');
        // The favicon is served, as an image.
        const icon = await fetch(`${server.url}/favicon.svg`);
        expect(icon.headers.get('content-type')).toBe('image/svg+xml');
      },
      { colorScheme: 'dark' },
    );
  }, 60_000);

  it('an SVG attachment is named, never drawn or served', async () => {
    await withPage(browser, 'svg', async (page) => {
      await page.goto(`${server.url}/ui/session/${ids.plain}`);
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('.file').textContent()).toContain('evil.svg');
      const message = await page.locator('[data-message]').first().getAttribute('data-message');
      const part = (await (await fetch(`${server.url}/session/${ids.plain}/message/${message}`)).json()) as {
        parts: Array<{ id: string; type: string }>;
      };
      const file = part.parts.find((p) => p.type === 'file')?.id;
      expect((await fetch(`${server.url}/ui/session/${ids.plain}/file/${message}/${file}`)).status).toBe(404);
    });
  }, 60_000);

  it('a continuation says where it was resumed', async () => {
    await withPage(browser, 'resumed-in', async (page) => {
      await page.goto(`${server.url}/ui/session/${ids.continuation}`);
      expect(await page.locator('.forked-from a').getAttribute('href')).toBe(`/ui/session/${ids.steps}`);
      expect(await page.locator('.resumed-in').textContent()).toMatch(
        /^Resumed in Claude Code .*: this session holds what was added there\.$/,
      );
    });
  }, 60_000);

  it('a sub-agent call links to the child session it started, in place', async () => {
    await withPage(browser, 'sub-agent', async (page) => {
      await page.goto(`${server.url}/ui/session/${ids.parent}`);
      const call = page.locator('details.tool', { hasText: 'find callers' });
      await call.locator('summary').first().click();
      const link = call.locator('.child-link a');
      expect(await link.textContent()).toBe('Explore: find callers');
      expect(await link.getAttribute('href')).toBe(`/ui/session/${ids.child}`);
    });
  }, 60_000);

  it('pages do not shift as they load (cumulative layout shift well under 0.1)', async () => {
    await withPage(browser, 'layout-shift', async (page) => {
      await page.addInitScript(`window.__shift = 0;
        new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value; })
          .observe({ type: 'layout-shift', buffered: true });`);
      // The measure itself: a page that pushes its text down does count.
      await page.goto('data:text/html,<body style="font:16px sans-serif"><p>one</p><p>two</p><p>three</p></body>');
      await page.waitForTimeout(200);
      await page.evaluate(`document.body.insertAdjacentHTML('afterbegin', '<div style="height:300px"></div>')`);
      await page.waitForTimeout(300);
      expect(await page.evaluate<number>('window.__shift')).toBeGreaterThan(0.01);
      for (const path of ['/', `/ui/session/${ids.steps}`, '/?q=checkout']) {
        await page.goto(`${server.url}${path}`);
        await page.waitForLoadState('load');
        await page.waitForTimeout(300);
        expect(await page.evaluate<number>('window.__shift'), path).toBeLessThan(0.01);
      }
    });
  }, 60_000);

  it('in light mode the page is light', async () => {
    await withPage(
      browser,
      'light',
      async (page) => {
        await page.goto(server.url);
        const bg = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
        expect((bg.match(/\d+/g) ?? []).map(Number).every((v) => v > 200)).toBe(true);
      },
      { colorScheme: 'light' },
    );
  }, 60_000);
});
