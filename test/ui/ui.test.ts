import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTime } from '../../src/index.js';
import type { RunningServer } from '../../src/server/serve.js';
import { SAMPLE, SAMPLES } from '../helpers.js';
import { HAVE_CHROMIUM, withPage as inPage, type ServedArchive, servedArchive } from './browser.js';

let browser: Browser;
let server: RunningServer;
let dir: string;

let root: string;

let served: ServedArchive;
beforeAll(async () => {
  served = await servedArchive('ui', undefined, SAMPLES);
  ({ browser, server, dir, root } = served);
}, 60_000);

afterAll(() => served?.close());

/** Runs a browser test; on failure a screenshot of the page goes to test-results/. */
const withPage = (name: string, fn: (page: Page) => Promise<void>, options: BrowserContextOptions = {}) =>
  inPage(browser, name, fn, options);

describe.skipIf(!HAVE_CHROMIUM)('the web UI in Chromium', () => {
  it('list → open a sample → fork at the 2nd message → the fork shows 1 message and where it came from → back', async () => {
    await withPage('fork-flow', async (page) => {
      await page.goto(server.url);
      await page.getByRole('link', { name: 'Add retries to the HTTP client', exact: true }).click();
      await expect.poll(() => page.url()).toBe(`${server.url}/ui/session/${SAMPLE.main}`);
      await page.waitForLoadState('load'); // the page streams in
      expect(await page.locator('div.msg').count()).toBe(5);
      await page.locator('summary[aria-label="Message 2 menu"]').click();
      await page.getByRole('button', { name: 'Fork before message 2' }).click();
      await page.waitForURL(/\/ui\/session\/ses_/);
      expect(page.url()).not.toContain(SAMPLE.main);
      expect(await page.locator('#title-text').textContent()).toBe('Add retries to the HTTP client (fork #2)');
      expect(await page.locator('div.msg').count()).toBe(1);
      const origin = page.locator('.forked-from');
      expect(await origin.textContent()).toBe('Forked from Add retries to the HTTP client at message 2');
      await origin.getByRole('link').click();
      await page.waitForURL(new RegExp(`/ui/session/${SAMPLE.main}`));
      expect(await page.locator('#title-text').textContent()).toBe('Add retries to the HTTP client');
    });
  }, 60_000);

  it('the search box searches message content and opens the session at the message', async () => {
    await withPage('search', async (page) => {
      await page.goto(server.url);
      // "retry loop" is only in the reasoning of the main session's second message.
      await page.getByLabel('Search messages, titles and todos').fill('"retry loop"');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForURL(/q=/);
      // One result: the main session, the fork's copy of the same message folded into it.
      const hits = page.locator('ol.hits > li');
      await expect.poll(() => hits.count()).toBe(1);
      expect(await hits.first().locator('.badge.fork').textContent()).toBe('+ 1 fork');
      expect(await hits.first().locator('mark').first().textContent()).toMatch(/retry/i);
      await hits.first().locator('a').first().click();
      await page.waitForURL(new RegExp(`/ui/session/${SAMPLE.main}\\?at=msg_019a8b7c6d02Zq8Wm3Nx5Rv7Tb#msg_019a8b7c6d02Zq8Wm3Nx5Rv7Tb`));
      await expect.poll(() => page.locator('#msg_019a8b7c6d02Zq8Wm3Nx5Rv7Tb').isVisible()).toBe(true);
      // Nothing found says so.
      await page.goto(`${server.url}/?q=zebra`);
      expect(await page.getByRole('status').textContent()).toContain('No matches.');
    });
  }, 60_000);

  it('a hand edit of the open session’s title appears without reloading', async () => {
    await withPage('live-title', async (page) => {
      await page.goto(`${server.url}/ui/session/${SAMPLE.child}`);
      await page.waitForLoadState('load');
      // The event stream is connected (a fixed wait lost the race on a busy machine).
      await page.locator('body[data-live="on"]').waitFor();
      const path = join(dir, 'sessions', SAMPLE.child, 'info.json');
      await writeFile(path, (await readFile(path, 'utf8')).replace('Find fetch callers (@explore subagent)', 'Renamed by hand'));
      await expect.poll(() => page.locator('#title-text').textContent(), { timeout: 10_000 }).toBe('Renamed by hand');
      expect(await page.getByLabel('Title').inputValue()).toBe('Renamed by hand');
    });
  }, 60_000);

  it('a message written by another process and a status change appear without reloading', async () => {
    await withPage('live-message', async (page) => {
      await page.goto(`${server.url}/ui/session/${SAMPLE.notes}`);
      await page.waitForLoadState('load');
      await page.locator('body[data-live="on"]').waitFor();
      const before = await page.locator('div.msg').count();
      const { openArchive } = await import('../../src/index.js');
      const other = await openArchive({ dir, stateDir: join(root, 'other-state') });
      await other.messages.append(SAMPLE.notes, {
        info: { role: 'user', agent: 'build', model: { providerID: 'p', modelID: 'm' } },
        parts: [{ type: 'text', text: 'written elsewhere <b>not bold</b>' }],
      });
      await expect.poll(() => page.locator('div.msg').count(), { timeout: 10_000 }).toBe(before + 1);
      expect(await page.locator('div.msg').last().textContent()).toContain('written elsewhere <b>not bold</b>');
      expect(await page.locator('div.msg b').count()).toBe(0);
      await fetch(`${server.url}/session/${SAMPLE.notes}/status`, {
        method: 'PUT',
        body: JSON.stringify({ type: 'busy' }),
        headers: { 'content-type': 'application/json' },
      });
      await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toBe('busy');
      await fetch(`${server.url}/session/${SAMPLE.notes}/status`, {
        method: 'PUT',
        body: JSON.stringify({ type: 'idle' }),
        headers: { 'content-type': 'application/json' },
      });
    });
  }, 60_000);

  it('forking at a message deleted meanwhile shows a readable error', async () => {
    // Without scripts, so the live update cannot take the deleted message off the page first.
    await withPage(
      'fork-error',
      async (page) => {
        await page.goto(`${server.url}/ui/session/${SAMPLE.fork}`);
        const second = await page.locator('div.msg').nth(1).getAttribute('data-message');
        await fetch(`${server.url}/session/${SAMPLE.fork}/message/${second}`, { method: 'DELETE' });
        await page.locator('summary[aria-label="Message 2 menu"]').click();
        await page.getByRole('button', { name: 'Fork before message 2' }).click();
        await page.waitForLoadState('load');
        expect(await page.locator('h1').textContent()).toBe('Not found');
        expect(await page.getByRole('alert').textContent()).toBe(`message not found: ${second} in session ${SAMPLE.fork}`);
      },
      { javaScriptEnabled: false },
    );
  }, 60_000);

  it('share, archive, export, import and delete with confirmation', async () => {
    await withPage('actions', async (page) => {
      await page.goto(`${server.url}/ui/session/${SAMPLE.main}`);
      await page.getByRole('button', { name: 'Share', exact: true }).click();
      await page.waitForLoadState('load');
      const url = await page.locator('#share-url').textContent();
      expect(url).toMatch(new RegExp(`^${server.url}/share/[A-Za-z0-9_-]{32}$`));
      await page.getByRole('button', { name: 'Archive', exact: true }).click();
      await page.waitForLoadState('load');
      expect(await page.getByRole('button', { name: 'Unarchive' }).count()).toBe(1);
      const download = page.waitForEvent('download');
      await page.getByRole('link', { name: 'Export' }).click();
      const file = join(root, 'export.json');
      await (await download).saveAs(file);
      expect(JSON.parse(await readFile(file, 'utf8')).sessions[0].info.id).toBe(SAMPLE.main);
      await page.goto(server.url);
      await page.locator('details.import summary').click();
      await page.getByLabel('Export file').setInputFiles(file);
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page.waitForURL(/\/ui\/session\/ses_/);
      expect(page.url()).not.toContain(SAMPLE.main);
      expect(await page.locator('#title-text').textContent()).toBe('Add retries to the HTTP client');
      page.once('dialog', (dialog) => void dialog.accept());
      await page.getByRole('button', { name: 'Delete' }).click();
      await page.waitForURL(`${server.url}/`);
      const gone = await fetch(`${server.url}${new URL(page.url()).pathname}`);
      expect(gone.status).toBe(200);
    });
  }, 60_000);

  it("times are in the reader's zone: exact on hover, the zone named; without scripts, the server's time with its zone", async () => {
    const created = JSON.parse(await readFile(join(dir, 'sessions', SAMPLE.child, 'info.json'), 'utf8')).time.created as number;
    await withPage(
      'local-times',
      async (page) => {
        await page.goto(`${server.url}/ui/session/${SAMPLE.child}`);
        const meta = page.locator('p.meta time').first();
        const expected = new Intl.DateTimeFormat('en-US', {
          timeZone: 'Asia/Tokyo',
          year: 'numeric',
          month: 'short',
          day: 'numeric',
          hour: '2-digit',
          minute: '2-digit',
          timeZoneName: 'short',
        }).format(created);
        expect(await meta.getAttribute('title')).toBe(expected);
        expect(await meta.getAttribute('datetime')).toBe(new Date(created).toISOString());
      },
      { timezoneId: 'Asia/Tokyo', locale: 'en-US' },
    );
    await withPage(
      'local-times-no-js',
      async (page) => {
        await page.goto(`${server.url}/ui/session/${SAMPLE.child}`);
        expect(await page.locator('p.meta time').first().textContent()).toBe(formatTime(created));
      },
      { javaScriptEnabled: false },
    );
  }, 60_000);

  it('an unknown session URL gives a clear not-found page', async () => {
    await withPage('not-found', async (page) => {
      const res = await page.goto(`${server.url}/ui/session/ses_0000000000000000000000000z`);
      expect(res?.status()).toBe(404);
      expect(await page.locator('h1').textContent()).toBe('Not found');
      expect(await page.getByRole('alert').textContent()).toBe('session not found: ses_0000000000000000000000000z');
      const bad = await page.goto(`${server.url}/ui/session/..%2F..%2Fetc`);
      expect(bad?.status()).toBe(400);
    });
  }, 60_000);

  it('reading works without JavaScript', async () => {
    await withPage(
      'no-js',
      async (page) => {
        await page.goto(`${server.url}/ui/session/${SAMPLE.main}`);
        expect(await page.locator('div.msg').count()).toBeGreaterThan(0);
        expect(await page.locator('ul.todos li.in_progress').textContent()).toContain('Retry only on 5xx and network errors');
      },
      { javaScriptEnabled: false },
    );
  }, 60_000);

  it('a page on another site can change nothing: fetch, form posts and a text/plain "JSON" post all fail', async () => {
    const snapshot = async () => {
      const files: Record<string, string> = {};
      const walk = async (folder: string) => {
        for (const e of await readdir(folder, { withFileTypes: true })) {
          const path = join(folder, e.name);
          if (e.isDirectory()) await walk(path);
          else files[path.slice(dir.length)] = await readFile(path, 'utf8');
        }
      };
      await walk(dir);
      return files;
    };
    const target = server.url;
    const sessions = await (await fetch(`${target}/session/history?archived=include`)).json();
    const victim = (sessions as Array<{ id: string }>)[0]?.id as string;
    const attack = `<!doctype html><html><body>
<iframe name="sink"></iframe>
<form id="f1" method="post" action="${target}/ui/session/${victim}/delete" target="sink"><input name="confirm" value="yes"></form>
<form id="f2" method="post" action="${target}/session/migrate" enctype="text/plain" target="sink"><input name='{"fromDir":"/","to":"/tmp/x","pad":"' value='"}'></form>
<form id="f3" method="post" action="${target}/ui/import" enctype="multipart/form-data" target="sink"><input name="file" value='{"format":"session-archive/export","version":1,"sessions":[]}'></form>
<script>
(async () => {
  const out = [];
  const tryIt = async (name, run) => { try { const r = await run(); out.push(name + ':' + r.type + ':' + r.status); } catch (e) { out.push(name + ':blocked'); } };
  await tryIt('text', () => fetch('${target}/session', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ title: 'planted' }) }));
  await tryIt('json', () => fetch('${target}/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'planted' }) }));
  await tryIt('delete', () => fetch('${target}/session/${victim}', { method: 'DELETE', mode: 'no-cors' }));
  await tryIt('read', () => fetch('${target}/session'));
  for (const id of ['f1', 'f2', 'f3']) { document.getElementById(id).submit(); await new Promise((r) => setTimeout(r, 300)); }
  document.title = 'done ' + out.join(' ');
})();
</script></body></html>`;
    // The attacker's server: another port, and another site name (localhost vs 127.0.0.1).
    const evil = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(attack);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const before = await snapshot();
    try {
      await withPage('cross-site-attack', async (page) => {
        await page.goto(`http://localhost:${(evil.address() as AddressInfo).port}/`);
        await expect.poll(() => page.title(), { timeout: 10_000 }).toMatch(/^done /);
        const title = await page.title();
        // A no-cors request may be sent, but is refused; a CORS one never gets an answer to read.
        expect(title).toContain('json:blocked');
        expect(title).toContain('read:blocked');
        await new Promise((r) => setTimeout(r, 500));
      });
    } finally {
      evil.close();
    }
    expect(await snapshot()).toEqual(before);
  }, 60_000);
});
