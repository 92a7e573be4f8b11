import { mkdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initArchive, openArchive } from '../../src/index.js';
import { sarc } from '../cli/helpers.js';
import { tempDir, within } from '../helpers.js';
import { HAVE_OPENCODE, OPENCODE, opencode } from './opencode-server.js';

describe('live capture from OpenCode (the plugin)', () => {
  it.skipIf(!HAVE_OPENCODE)(
    'sarc opencode install, then every change made through OpenCode is in the archive within 2 s, field for field; a deleted session is archived',
    async () => {
      const root = await tempDir();
      const dir = join(root, 'archive');
      const stateDir = join(root, 'state');
      await initArchive(dir);
      const oc = await opencode({ SARC_STATE_DIR: stateDir }, async (repo) => {
        // The installed OpenCode is 1.18: the plugin is written in the shape it loads.
        const bin = join(root, 'bin');
        await mkdir(bin);
        await symlink(OPENCODE, join(bin, 'opencode'));
        const run = await sarc(['opencode', 'install', '--to', dir], {
          cwd: repo,
          env: { SARC_STATE_DIR: stateDir, PATH: `${bin}:${process.env.PATH}` },
        });
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toContain('OpenCode 1.x plugin written to');
        expect(await readFile(join(repo, '.opencode', 'plugins', 'session-archive.ts'), 'utf8')).toContain('opencodePlugin(');
      });
      const archive = await openArchive({ dir, stateDir });
      const { call } = oc;
      /** The archive holds what OpenCode's own routes answer for these sessions. */
      const mirrored = (ids: string[]) =>
        within(2_000, async () => {
          for (const id of ids) {
            expect(await archive.sessions.get(id)).toEqual(await call('GET', `/session/${id}`));
            expect(await archive.messages.list(id)).toEqual(await call('GET', `/session/${id}/message`));
          }
        });
      const say = (id: string, text: string) => call('POST', `/session/${id}/message`, { noReply: true, parts: [{ type: 'text', text }] });

      const a = await call('POST', '/session', { title: 'Live' });
      await mirrored([a.id]);
      await say(a.id, 'First.');
      await say(a.id, 'Second.');
      await mirrored([a.id]);
      const fork = await call('POST', `/session/${a.id}/fork`, {});
      await mirrored([a.id, fork.id]);
      await call('PATCH', `/session/${a.id}`, { title: 'Live, renamed' });
      await call('PATCH', `/session/${fork.id}`, { time: { archived: Date.now() } });
      await mirrored([a.id, fork.id]);
      expect((await archive.sessions.get(a.id)).title).toBe('Live, renamed');
      expect((await archive.messages.list(fork.id)).length).toBe(2);

      await call('DELETE', `/session/${a.id}`);
      await within(2_000, async () => {
        expect((await archive.sessions.get(a.id)).time.archived).toBeGreaterThan(0);
      });
      expect((await archive.messages.list(a.id)).length).toBe(2);
      // Nothing went wrong on the way.
      expect(await readFile(join(stateDir, 'opencode-plugin.log'), 'utf8').catch(() => '')).toBe('');
      await oc.stop();
    },
    120_000,
  );
});
