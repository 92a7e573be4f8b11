import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { askWatcher } from '../../src/index.js';
import { SAMPLE, SARC, tempArchive } from '../helpers.js';
import { sarc } from './helpers.js';

const ANSWERED = 'answered by the running watcher';
const running: ChildProcess[] = [];
afterEach(async () => {
  for (const child of running.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      await new Promise((resolve) => child.once('close', resolve));
    }
  }
});

/** `sarc watch --quiet` in its own process; resolves once it answers. */
async function startWatcher(env: Record<string, string>, extra: string[] = []): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...SARC, 'watch', '--quiet', ...extra], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.push(child);
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  // Until it answers (a socket left by a killed watcher is there before the new one listens).
  for (let i = 0; i < 500; i++) {
    if (child.exitCode !== null) throw new Error(`sarc watch exited: ${err}`);
    if (await askWatcher(env.SARC_ARCHIVE as string, { op: 'status' }, { stateDir: env.SARC_STATE_DIR })) return child;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`sarc watch did not answer within 10 s: ${err}`);
}

async function setup() {
  const t = await tempArchive({ samples: true });
  const env = { SARC_ARCHIVE: t.dir, SARC_STATE_DIR: t.stateDir };
  const run = (args: string[], more: Record<string, string> = {}) => sarc(args, { env: { ...env, ...more }, cwd: t.root });
  return { ...t, env, run };
}

describe('commands answered by a running watcher', () => {
  it('list, show, status, search and stats ask a running `sarc watch` and print what reading the archive prints', async () => {
    const { env, run } = await setup();
    await startWatcher(env, ['--search']);
    const questions = [
      ['list', '--all'],
      ['list', '--all', '--search', 'retries', '--limit', '1'],
      ['list', '--project', 'webapp'],
      ['show', 'fe5e0a1b2c3d'],
      ['show', 'latest'],
      ['status'],
      ['search', 'retry'],
      ['stats', '--by', 'day,model,session'],
    ];
    for (const args of questions) {
      // The search index catches up in the background after the watcher starts: until then, the command searches itself.
      let asked = await run([...args, '--json', '--debug']);
      for (let i = 0; i < 50 && (args[0] === 'search' || args[0] === 'stats') && !asked.stderr.includes(ANSWERED); i++) {
        await new Promise((r) => setTimeout(r, 100));
        asked = await run([...args, '--json', '--debug']);
      }
      expect(asked.code, asked.stderr).toBe(0);
      expect(asked.stderr, args.join(' ')).toContain(ANSWERED);
      const local = await run([...args, '--json', '--debug'], { SARC_NO_WATCHER: '1' });
      expect(local.code, local.stderr).toBe(0);
      expect(local.stderr).not.toContain(ANSWERED);
      expect(JSON.parse(asked.stdout), args.join(' ')).toEqual(JSON.parse(local.stdout));
    }
    // Errors come back as the same errors.
    const ambiguous = await run(['show', 'fe5e0a1b', '--debug']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('ambiguous session ID fe5e0a1b: 4 sessions start with it');
    const missing = await run(['show', 'fe5e0aff']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('session not found: fe5e0aff');
  }, 120_000);

  it('an answer includes every write that finished before the question, made by any process', async () => {
    const { env, run, dir, stateDir } = await setup();
    await startWatcher(env);
    expect(statSync(join(stateDir, 'watcher.sock')).mode & 0o777).toBe(0o600);
    for (let i = 0; i < 3; i++) {
      const made = await run(['create', '--title', `made just now ${i}`, '--json']);
      expect(made.code, made.stderr).toBe(0);
      const { id } = JSON.parse(made.stdout) as { id: string };
      const listed = await run(['list', '--all', '--json', '--debug', '--limit', '1']);
      expect(listed.stderr).toContain(ANSWERED);
      expect(JSON.parse(listed.stdout).items[0]).toMatchObject({ id, title: `made just now ${i}` });
    }
    // A hand edit in place (the folder's own mtime does not change), then at once a question.
    const info = join(dir, 'sessions', SAMPLE.main, 'info.json');
    writeFileSync(info, readFileSync(info, 'utf8').replace('"Add retries to the HTTP client"', '"Edited in place"'));
    const shown = await run(['list', '--all', '--json', '--debug', '--search', 'edited in place']);
    expect(shown.stderr).toContain(ANSWERED);
    expect(JSON.parse(shown.stdout).items.map((s: { id: string }) => s.id)).toEqual([SAMPLE.main]);
  }, 120_000);

  it('without a live watcher (none, or one killed that left its socket) commands read the archive; a new watcher takes the socket over', async () => {
    const { env, run, stateDir } = await setup();
    const first = await run(['list', '--all', '--json', '--debug']);
    expect(first.stderr).not.toContain(ANSWERED);
    const killed = await startWatcher(env);
    killed.kill('SIGKILL');
    await new Promise((resolve) => killed.once('close', resolve));
    expect(existsSync(join(stateDir, 'watcher.sock'))).toBe(true);
    const stale = await run(['list', '--all', '--json', '--debug']);
    expect(stale.code, stale.stderr).toBe(0);
    expect(stale.stderr).not.toContain(ANSWERED);
    expect(JSON.parse(stale.stdout)).toEqual(JSON.parse(first.stdout));
    await startWatcher(env);
    const asked = await run(['list', '--all', '--json', '--debug']);
    expect(asked.stderr).toContain(ANSWERED);
    expect(JSON.parse(asked.stdout)).toEqual(JSON.parse(first.stdout));
  }, 120_000);

  it('a watcher of another archive that shares the state dir is not asked', async () => {
    const a = await setup();
    const b = await tempArchive();
    await startWatcher(a.env);
    const other = await sarc(['list', '--all', '--json', '--debug'], {
      env: { SARC_ARCHIVE: b.dir, SARC_STATE_DIR: a.stateDir },
      cwd: b.root,
    });
    expect(other.code, other.stderr).toBe(0);
    expect(other.stderr).not.toContain(ANSWERED);
    expect(JSON.parse(other.stdout).items).toEqual([]);
  }, 60_000);
});
