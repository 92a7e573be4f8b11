import { execFileSync } from 'node:child_process';
import { mkdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initArchive, openArchive } from '../../src/index.js';
import { startMockModel } from '../agents/mock-model.js';
import { sarc } from '../cli/helpers.js';
import { opencodeEnv } from '../fixtures/opencode-env.js';
import { hasNativeSqlite, within } from '../helpers.js';
import { HAVE_OPENCODE2, mockProviderConfig, OPENCODE2, opencodeHome } from './opencode-server.js';

// Syncing OpenCode reads its database: a native SQLite.
const NATIVE_SQLITE = hasNativeSqlite();

// Live capture from the real OpenCode 2.1.2: `sarc opencode install --global` writes the plugin shape OpenCode 2
// loads; OpenCode 2's own background service (what its terminal interface uses) loads it for a project, and every
// change made there is in the archive within 2 s.

describe.skipIf(!HAVE_OPENCODE2 || !NATIVE_SQLITE)('live capture from OpenCode 2 (the plugin)', () => {
  it('sarc opencode install writes the OpenCode 2 plugin; a session made, prompted and renamed in OpenCode 2 is in the archive within 2 s of each change', async () => {
    const mock = await startMockModel({ reply: 'answered live' });
    const at = await opencodeHome(mockProviderConfig(mock.url));
    const dir = join(at.home, 'archive');
    const stateDir = join(at.home, 'sarc-state');
    await initArchive(dir);
    const bin = join(at.home, 'bin');
    await mkdir(bin);
    await symlink(OPENCODE2, join(bin, 'opencode'));
    const env = { ...(opencodeEnv(at.home) as Record<string, string>), PATH: `${bin}:${process.env.PATH}`, SARC_STATE_DIR: stateDir };
    const installed = await sarc(['opencode', 'install', '--global', '--to', dir], { cwd: at.repo, env });
    expect(installed.code, installed.stderr).toBe(0);
    const plugin = join(at.home, 'config', 'opencode', 'plugins', 'session-archive.js');
    expect(installed.stdout).toContain(`OpenCode 2 plugin written to ${plugin}`);
    expect(await readFile(plugin, 'utf8')).toContain('export default {');
    const oc = (...args: string[]) => execFileSync(OPENCODE2, args, { cwd: at.repo, env, encoding: 'utf8', timeout: 60_000 });
    const archive = await openArchive({ dir, stateDir });
    try {
      oc('service', 'start');
      const service = JSON.parse(await readFile(join(at.home, 'state', 'opencode', 'service.json'), 'utf8')) as {
        url: string;
        password: string;
      };
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${service.url}${path}`, {
          method,
          headers: {
            authorization: `Basic ${Buffer.from(`opencode:${service.password}`).toString('base64')}`,
            'content-type': 'application/json',
            'x-opencode-directory': at.repo,
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
        const text = await res.text();
        return text ? (JSON.parse(text) as { data: unknown }).data : undefined;
      };
      // OpenCode 2 loads a project's plugins when it first serves that project (its terminal interface does this at
      // start): the first request for the project boots it, and the plugins load a moment later.
      await within(15_000, async () => {
        expect(oc('plugin', 'list')).toContain(plugin);
      });
      const s = (await call('POST', '/api/session', { title: 'Live in 2', location: { directory: at.repo } })) as { id: string };
      await within(2_000, async () => {
        expect((await archive.sessions.get(s.id)).title).toBe('Live in 2');
      });
      await call('POST', `/api/session/${s.id}/prompt`, { text: 'Run echo hi, please' });
      let idle = 0;
      for (let i = 0; i < 300 && !idle; i++) {
        const list = (await call('GET', `/api/session/${s.id}/message?limit=200`)) as Array<{ type: string }>;
        if (list.some((m) => m.type === 'idle')) idle = Date.now();
        else await new Promise((r) => setTimeout(r, 50));
      }
      expect(idle).toBeGreaterThan(0);
      const took = await within(2_000, async () => {
        const texts = (await archive.messages.list(s.id)).flatMap((m) => m.parts.map((p) => (p.type === 'text' ? p.text : p.type)));
        expect(texts).toContain('Run echo hi, please');
        expect(texts).toContain('answered live');
      });
      expect(took).toBeLessThan(2_000);
      await call('PATCH', `/api/session/${s.id}`, { title: 'Renamed live' });
      await within(2_000, async () => {
        expect((await archive.sessions.get(s.id)).title).toBe('Renamed live');
      });
    } finally {
      try {
        oc('service', 'stop');
      } catch {}
      const pid = await readFile(join(at.home, 'state', 'opencode', 'service.json'), 'utf8').then(
        (t) => (JSON.parse(t) as { pid?: number }).pid,
        () => undefined,
      );
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
      await mock.close();
    }
    // Nothing failed in the plugin's syncs.
    expect(await readFile(join(at.home, 'state', 'session-archive', 'opencode-plugin.log'), 'utf8').catch(() => '')).toBe('');
  }, 120_000);
});
