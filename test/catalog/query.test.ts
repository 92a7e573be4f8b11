import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { directoryMatcher, isArchiveError, openIndex, type SessionIndex } from '../../src/index.js';
import { ROOT, runWorker, SAMPLE, tempArchive } from '../helpers.js';

const WORKER = join(ROOT, 'test', 'fixtures', 'index-worker.ts');
const open: SessionIndex[] = [];
afterEach(async () => {
  for (const index of open.splice(0)) await index.close();
});

async function indexed(options: { samples?: boolean; now?: () => number } = { samples: true }) {
  const t = await tempArchive(options);
  const index = await openIndex(t.archive, { watch: false });
  open.push(index);
  return { ...t, index };
}

describe('queries', () => {
  it('list: OpenCode order and filters', async () => {
    const { index } = await indexed();
    expect(index.list().map((s) => s.id)).toEqual([SAMPLE.notes, SAMPLE.fork, SAMPLE.child, SAMPLE.main]);
    expect(index.list({ roots: true }).map((s) => s.id)).toEqual([SAMPLE.notes, SAMPLE.fork, SAMPLE.main]);
    expect(index.list({ search: 'HTTP' }).map((s) => s.id)).toEqual([SAMPLE.fork, SAMPLE.main]);
    expect(index.list({ directory: '/home/dev/notes' }).map((s) => s.id)).toEqual([SAMPLE.notes]);
    expect(index.list({ directory: '/home/dev' }).length).toBe(4);
    expect(index.list({ start: Date.UTC(2026, 9, 3, 9, 20) }).map((s) => s.id)).toEqual([SAMPLE.notes, SAMPLE.fork]);
    expect(index.list({ limit: 1 }).map((s) => s.id)).toEqual([SAMPLE.notes]);
    expect(index.list({ project: 'global' }).map((s) => s.id)).toEqual([SAMPLE.notes]);
    expect(() => index.list({ limit: 0 })).toThrow('invalid limit 0: expected a whole number ≥ 1');
  });

  it('history: projects attached, archived excluded by default, filters', async () => {
    const { index } = await indexed();
    const page = index.history();
    expect(page.items.map((s) => s.id)).toEqual([SAMPLE.fork, SAMPLE.child, SAMPLE.main]);
    expect(page.items[0]?.project).toEqual({
      id: '8f3c2a1b9d7e6f5a4c3b2a1908f7e6d5c4b3a291',
      name: 'webapp',
      worktree: '/home/dev/src/webapp',
    });
    expect(page.nextCursor).toBeUndefined();
    expect(index.history({ archived: 'only' }).items.map((s) => s.id)).toEqual([SAMPLE.notes]);
    expect(index.history({ archived: 'include' }).items.length).toBe(4);
    expect(index.history({ archived: 'include', project: 'global' }).items[0]?.project).toEqual({ id: 'global', worktree: '/' });
    expect(index.history({ roots: true }).items.map((s) => s.id)).toEqual([SAMPLE.fork, SAMPLE.main]);
    expect(index.history({ directory: '/home/*/src/web*' }).items.length).toBe(3);
    expect(index.history({ directory: '/home/*/notes', archived: 'include' }).items.map((s) => s.id)).toEqual([SAMPLE.notes]);
    expect(index.history({ search: 'fetch' }).items.map((s) => s.id)).toEqual([SAMPLE.child]);
    expect(() => index.history({ cursor: 'garbage' })).toThrow('invalid cursor "garbage": pass the nextCursor of a previous page');
    expect(() => index.history({ archived: 'maybe' as never })).toThrow('invalid archived "maybe": expected exclude, include or only');
  });

  it('directory globs expand ~ and include sub-folders', () => {
    const home = homedir();
    expect(directoryMatcher('~/src/opencode*')(`${home}/src/opencode-2`)).toBe(true);
    expect(directoryMatcher('~/src/opencode*')(`${home}/src/opencode-2/packages/app`)).toBe(true);
    expect(directoryMatcher('~/src/opencode*')(`${home}/src/other`)).toBe(false);
    expect(directoryMatcher('/a/b')('/a/b/c')).toBe(true);
    expect(directoryMatcher('/a/b/')('/a/b')).toBe(true);
    expect(directoryMatcher('/a/b')('/a/bc')).toBe(false);
    expect(directoryMatcher('/')('/anything')).toBe(true);
  });

  it('children and forks', async () => {
    const { index } = await indexed();
    expect(index.children(SAMPLE.main).map((s) => s.id)).toEqual([SAMPLE.child]);
    expect(index.forks(SAMPLE.main).map((s) => s.id)).toEqual([SAMPLE.fork]);
    expect(index.children(SAMPLE.notes)).toEqual([]);
  });

  it('cursor paging never skips or repeats while another process updates sessions', async () => {
    let t = 1_000;
    const { archive, index, dir, stateDir } = await indexed({ now: () => (t += 7) });
    const ids: string[] = [];
    for (let i = 0; i < 120; i++) ids.push((await archive.sessions.create({ title: `s${i}` })).id);
    await index.reconcile();
    let churning!: () => void;
    const started = new Promise<void>((resolve) => {
      churning = resolve;
    });
    const churn = runWorker(WORKER, [dir, stateDir, 'churn', ids.join(',')], { killAfter: 2_000, onReady: () => churning() });
    await started;
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      await index.reconcile();
      const page = index.history({ limit: 7, cursor });
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
      await new Promise((r) => setTimeout(r, 20));
    } while (cursor);
    const run = await churn;
    expect(run.end).toBe('killed');
    expect(seen.length).toBe(120);
    expect(new Set(seen)).toEqual(new Set(ids));
    // Titles did change meanwhile: the churn was real.
    await index.reconcile();
    expect(index.list().filter((s) => s.title.startsWith('churn')).length).toBeGreaterThan(5);
  }, 30_000);
});

describe('status', () => {
  it('a busy status of a killed process reads idle; errors stay; the map lists non-idle sessions', async () => {
    const { index, dir, stateDir } = await indexed();
    const run = await runWorker(WORKER, [dir, stateDir, 'busy', SAMPLE.main], { killAfter: 0 });
    expect(run.end).toBe('killed');
    expect(await index.status.get(SAMPLE.main)).toEqual({ type: 'idle' });
    await index.setStatus(SAMPLE.notes, { type: 'busy' });
    await index.setStatus(SAMPLE.fork, { type: 'error', message: 'provider down' });
    await index.setStatus(SAMPLE.child, { type: 'retry', attempt: 2, message: 'overloaded', next: 5 });
    const map = await index.status.map();
    expect(Object.keys(map).sort()).toEqual([SAMPLE.child, SAMPLE.fork, SAMPLE.notes].sort());
    expect(map[SAMPLE.notes]).toMatchObject({ type: 'busy', pid: process.pid });
    expect(map[SAMPLE.fork]).toMatchObject({ type: 'error', message: 'provider down' });
    // Listing carries each session's status; the killed owner's busy is idle there too.
    expect(index.get(SAMPLE.notes)?.status.type).toBe('busy');
    expect(index.list({ search: 'fetch' })[0]?.status).toMatchObject({ type: 'retry', attempt: 2 });
    expect(index.history().items.find((s) => s.id === SAMPLE.main)?.status).toEqual({ type: 'idle' });
    await index.setStatus(SAMPLE.notes, { type: 'idle' });
    expect(await index.status.get(SAMPLE.notes)).toEqual({ type: 'idle' });
    const bad = await index.setStatus(SAMPLE.notes, { type: 'sleeping' } as never).catch((e: unknown) => e);
    expect(isArchiveError(bad, 'INVALID_INPUT')).toBe(true);
    expect(
      isArchiveError(await index.setStatus('ses_00000000000000000000000000', { type: 'busy' }).catch((e: unknown) => e), 'NOT_FOUND'),
    ).toBe(true);
  });
});

describe('conflict and stray files', () => {
  it('are listed with their paths and kinds, never loaded', async () => {
    const { index, dir } = await indexed();
    const sessions = join(dir, 'sessions');
    const info = await readFile(join(sessions, SAMPLE.main, 'info.json'), 'utf8');
    const msgs = join(sessions, SAMPLE.main, 'messages');
    const msg = await readFile(join(msgs, 'msg_019a8b7c6d01Zq8Wm3Nx5Rv7Tb.json'), 'utf8');
    await mkdir(join(sessions, `${SAMPLE.main} (Laptop's conflicted copy 2026-11-02)`));
    await writeFile(join(sessions, `${SAMPLE.main} (Laptop's conflicted copy 2026-11-02)`, 'info.json'), info);
    await writeFile(join(sessions, SAMPLE.main, "info (Laptop's conflicted copy 2026-11-02).json"), info);
    await writeFile(join(sessions, SAMPLE.main, 'info.sync-conflict-20261102-101010-ABCDEFG.json'), info);
    await writeFile(join(msgs, '.msg_019a8b7c6d01Zq8Wm3Nx5Rv7Tb.json.Xy12Ab'), msg);
    await writeFile(join(msgs, '.msg_019a8b7c6d01Zq8Wm3Nx5Rv7Tb.json.swp'), 'x');
    await writeFile(join(msgs, 'notes.txt'), 'x');
    await index.rebuild();
    expect(index.list().length).toBe(4);
    const strays = await index.scanStrays();
    expect(strays.map((s) => [s.path, s.kind])).toEqual([
      [`sessions/${SAMPLE.main} (Laptop's conflicted copy 2026-11-02)`, 'conflict'],
      [`sessions/${SAMPLE.main}/info (Laptop's conflicted copy 2026-11-02).json`, 'conflict'],
      [`sessions/${SAMPLE.main}/info.sync-conflict-20261102-101010-ABCDEFG.json`, 'conflict'],
      [`sessions/${SAMPLE.main}/messages/.msg_019a8b7c6d01Zq8Wm3Nx5Rv7Tb.json.Xy12Ab`, 'temp'],
      [`sessions/${SAMPLE.main}/messages/.msg_019a8b7c6d01Zq8Wm3Nx5Rv7Tb.json.swp`, 'swap'],
      [`sessions/${SAMPLE.main}/messages/notes.txt`, 'unknown'],
    ]);
    expect(index.stats().strays).toBe(6);
  });
});
