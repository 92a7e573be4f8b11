import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { syncAgent } from '../../src/index.js';
import { gitRepo, hasTool, ROOT, tempArchive, tempDir } from '../helpers.js';

/** The real OpenCode binary: $OPENCODE_BIN, or the one .ci/run installs. */
const OPENCODE = process.env.OPENCODE_BIN || join(ROOT, '.ci', 'tools', 'node_modules', 'opencode-linux-x64', 'bin', 'opencode');
const HAVE =
  hasTool(
    'the opencode binary',
    () => existsSync(OPENCODE),
    'npm install --prefix .ci/tools opencode-linux-x64@1.18.33, or set OPENCODE_BIN',
  ) && hasTool('git');

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** `opencode serve` in a fresh git repository with its own HOME; its URL and where its database is. */
async function opencode(): Promise<{ url: string; db: string }> {
  const home = await tempDir();
  const repo = join(home, 'repo');
  await mkdir(repo);
  gitRepo(repo);
  const port = await freePort();
  // Only what it needs: the test runner's own variables (NODE_OPTIONS and the like) are not OpenCode's business.
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_STATE_HOME: join(home, 'state'),
    XDG_CACHE_HOME: join(home, 'cache'),
  };
  const child = spawn(OPENCODE, ['serve', '--port', String(port), '--hostname', '127.0.0.1'], { cwd: repo, env, stdio: 'ignore' });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    // A request that arrives while OpenCode 1.18.33 is still starting never gets an answer: each try has its own time limit.
    const up = await fetch(`${url}/session`, { signal: AbortSignal.timeout(3_000) }).then(
      async (r) => {
        await r.arrayBuffer();
        return r.ok;
      },
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, db: join(home, 'data', 'opencode', 'opencode.db') };
}

describe('sarc sync opencode', () => {
  it.skipIf(!HAVE)(
    'mirrors a real OpenCode: sessions, messages, parts, forks, renames and archives equal what its own routes answer; re-runs change nothing; a deleted session is archived here',
    async () => {
      const oc = await opencode();
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${oc.url}${path}`, {
          method,
          headers: { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        expect(res.ok, `${method} ${path}: ${res.status}`).toBe(true);
        return res.json() as Promise<{ id: string } & Record<string, unknown>>;
      };
      const say = (id: string, text: string) => call('POST', `/session/${id}/message`, { noReply: true, parts: [{ type: 'text', text }] });
      const a = await call('POST', '/session', { title: 'Add retries' });
      await say(a.id, 'The client gives up after one failure.');
      await say(a.id, 'Use exponential backoff.');
      const b = await call('POST', '/session', { title: 'Notes' });
      await say(b.id, 'Remember the release.');
      const fork = await call('POST', `/session/${a.id}/fork`, {});
      await call('PATCH', `/session/${b.id}`, { title: 'Release notes' });
      await call('PATCH', `/session/${fork.id}`, { time: { archived: Date.now() } });

      const { archive } = await tempArchive();
      const first = await syncAgent(archive, 'opencode', { from: oc.db });
      expect(first.sessions).toEqual({ new: 3, updated: 0, unchanged: 0, failed: 0 });

      /** Every session, and its messages, as OpenCode's GET routes answer them, against the archive. */
      const same = async (ids: string[]) => {
        for (const id of ids) {
          const info = await call('GET', `/session/${id}`);
          expect(await archive.sessions.get(id)).toEqual(info);
          expect(await archive.messages.list(id)).toEqual(await call('GET', `/session/${id}/message`));
        }
      };
      await same([a.id, b.id, fork.id]);
      expect((await archive.sessions.get(fork.id)).time.archived).toBeGreaterThan(0);

      const again = await syncAgent(archive, 'opencode', { from: oc.db });
      expect(again.sessions).toEqual({ new: 0, updated: 0, unchanged: 0, failed: 0 });
      expect(again.files).toEqual({ found: 3, read: 0, skipped: 3 });

      // A session that gains a message and a new title is updated in place.
      await say(b.id, 'And the changelog.');
      await call('PATCH', `/session/${b.id}`, { title: 'Release notes and changelog' });
      const grown = await syncAgent(archive, 'opencode', { from: oc.db });
      expect(grown.sessions).toEqual({ new: 0, updated: 1, unchanged: 0, failed: 0 });
      await same([a.id, b.id, fork.id]);
      expect((await archive.sessions.list()).length).toBe(3);

      // Deleted in OpenCode: archived here, not deleted.
      await call('DELETE', `/session/${b.id}`);
      const afterDelete = await syncAgent(archive, 'opencode', { from: oc.db });
      expect(afterDelete.sessions.updated).toBe(1);
      const kept = await archive.sessions.get(b.id);
      expect(kept.title).toBe('Release notes and changelog');
      expect(kept.time.archived).toBeGreaterThan(0);
      expect((await archive.messages.list(b.id)).length).toBe(2);
    },
    120_000,
  );
});
