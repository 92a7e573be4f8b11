// Long work tells how far it has come: the library through `onProgress`,
// the CLI as a bar on a terminal (and nothing extra when not on one).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pace } from '../src/cli/progress.js';
import { exportSessions, exportToFile, importSessions, migrate, openIndex, readImportFile } from '../src/index.js';
import { sarc } from './cli/helpers.js';
import { hasTool, ROOT, SARC, tempArchive, userMessage } from './helpers.js';

/** Records every call; checks they start at 0, never go back, and end at the total. */
function recorder() {
  const calls: Array<[number, number]> = [];
  return {
    calls,
    onProgress: (done: number, total: number) => {
      calls.push([done, total]);
    },
    check(total: number) {
      expect(calls[0]).toEqual([0, total]);
      expect(calls.at(-1)).toEqual([total, total]);
      for (const [i, [done, t]] of calls.entries()) {
        expect(t).toBe(total);
        if (i) expect(done).toBeGreaterThanOrEqual((calls[i - 1] as [number, number])[0]);
      }
    },
  };
}

async function withMessages(sessions: number, messages: number) {
  const t = await tempArchive();
  const ids: string[] = [];
  for (let i = 0; i < sessions; i++) {
    const s = await t.archive.sessions.create({ title: `s${i}` });
    for (let j = 0; j < messages; j++) await t.archive.messages.append(s.id, userMessage(`m${j}`));
    ids.push(s.id);
  }
  return { ...t, ids };
}

describe('onProgress', () => {
  it('export counts messages, one call per message after the total is known', async () => {
    const { archive, ids, root } = await withMessages(3, 4);
    const r = recorder();
    for await (const _ of exportSessions(archive, ids, { onProgress: r.onProgress }));
    r.check(12);
    expect(r.calls.length).toBe(13);
    const opencode = recorder();
    await exportToFile(archive, ids, join(root, 'o.json'), { format: 'opencode', onProgress: opencode.onProgress });
    opencode.check(12);
  });

  it('import counts sessions written', async () => {
    const { archive, ids, root } = await withMessages(5, 1);
    await exportToFile(archive, ids, join(root, 'e.json'));
    const r = recorder();
    await importSessions(archive, await readImportFile(join(root, 'e.json')), { onProgress: r.onProgress });
    r.check(5);
    expect(r.calls.map(([done]) => done)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('migrate reads every session, then moves the selected ones, naming each stage', async () => {
    const { archive } = await withMessages(2, 0);
    for (let i = 0; i < 3; i++) await archive.sessions.create({ title: `m${i}`, directory: `/old/${i}` });
    const calls: Array<[number, number, string | undefined]> = [];
    const result = await migrate(archive, { fromDir: '/old' }, { to: '/new', onProgress: (d, t, stage) => calls.push([d, t, stage]) });
    expect(result.moved.length).toBe(3);
    const reading = calls.filter(([, , stage]) => stage === 'reading');
    const moving = calls.filter(([, , stage]) => stage === 'moving');
    expect(reading[0]).toEqual([0, 5, 'reading']);
    expect(reading.at(-1)).toEqual([5, 5, 'reading']);
    expect(moving.map(([d, t]) => [d, t])).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(calls.indexOf(reading.at(-1) as never)).toBeLessThan(calls.indexOf(moving[0] as never));
  });

  it('opening the index counts session folders, rebuilding or reconciling', async () => {
    const { archive } = await withMessages(7, 0);
    const rebuild = recorder();
    const built = await openIndex(archive, { watch: false, rebuild: true, onProgress: rebuild.onProgress });
    await built.close();
    rebuild.check(7);
    const reconcile = recorder();
    const reopened = await openIndex(archive, { watch: false, onProgress: reconcile.onProgress });
    await reopened.close();
    reconcile.check(7);
  });
});

/** Runs the CLI inside a pseudo-terminal (util-linux `script`), so stderr is a TTY; returns everything it printed. */
function onTerminal(args: string[], env: Record<string, string>): string {
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, ...SARC, ...args].map(quote).join(' ');
  return execFileSync('script', ['-qfec', command, '/dev/null'], { env: { ...process.env, ...env, NO_COLOR: '1' }, cwd: ROOT }).toString();
}

describe('the pace of a bar', () => {
  it('is the rate since the first unit and the time the rest takes at it', () => {
    expect(pace(0, 100, 0, 1000)).toBe('');
    expect(pace(50, 100, 0, 10_000)).toBe('· 5.0/s · 10 s left');
    expect(pace(3000, 63_000, 0, 60_000)).toBe('· 50/s · 20 min left');
    expect(pace(100, 100, 0, 2_000)).toBe('· 50/s · 0 s left');
  });
});

describe.skipIf(!hasTool('script'))('progress bars in the CLI', () => {
  it('export, import, index rebuild and migrate show a bar on a terminal and none when piped', async () => {
    const { dir, stateDir, root, ids } = await withMessages(3, 2);
    const env = { SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir };
    const file = join(root, 'backup.json');
    // The bar tells the rate and the time left.
    expect(onTerminal(['export', ...ids, '-o', file], env)).toMatch(/exporting \[[^\]]+\] 6\/6 messages · [\d.]+k?\/s · 0 s left/);
    expect(onTerminal(['import', file], env)).toMatch(/importing \[[^\]]+\] 3\/3 \S*backup\.json/);
    expect(onTerminal(['index', 'rebuild'], env)).toMatch(/indexing \[[^\]]+\] 6\/6 sessions/);
    const migrating = onTerminal(['migrate', '--from-dir', '/', '--to', '/elsewhere'], env);
    // The CLI selects from the index, so there is no reading stage.
    expect(migrating).not.toContain('reading sessions');
    expect(migrating).toMatch(/migrate \[[^\]]+\] 6\/6 moving sessions/);
    // Not a terminal: only the result lines.
    const piped = await sarc(['import', file], { env });
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).not.toContain('[');
    const rebuilt = await sarc(['index', 'rebuild'], { env });
    expect(rebuilt.stdout.trim()).toBe('indexed 9 sessions');
  }, 60_000);
});
