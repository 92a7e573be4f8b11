import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isArchiveError, openArchive } from '../../src/index.js';
import { ROOT, runWorker, tempArchive, userMessage } from '../helpers.js';

const WORKER = join(ROOT, 'test', 'fixtures', 'append-worker.ts');
const LOOP = join(ROOT, 'test', 'fixtures', 'append-loop-worker.ts');

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 5));
  }
  return check();
}

describe('session locks', () => {
  it('keep the lock folder between calls in quick succession and let it go when idle', async () => {
    const { archive, stateDir } = await tempArchive();
    const s = await archive.sessions.create();
    const lockPath = join(stateDir, 'locks', `${s.id}.lock`);
    await archive.messages.append(s.id, userMessage('one'));
    const first = statSync(lockPath, { throwIfNoEntry: false });
    expect(first?.isDirectory()).toBe(true);
    await archive.messages.append(s.id, userMessage('two'));
    // The same folder: not removed and made again for the second append.
    expect(statSync(lockPath).ino).toBe(first?.ino);
    expect(await until(() => !existsSync(lockPath), 2_000)).toBe(true);
    expect((await archive.messages.list(s.id)).length).toBe(2);
  });

  it('serve a writer in another process while this one appends without a pause', async () => {
    const { dir, stateDir, archive } = await tempArchive();
    const s = await archive.sessions.create();
    let ready!: () => void;
    const started = new Promise<void>((resolve) => {
      ready = resolve;
    });
    const loop = runWorker(LOOP, [dir, stateDir, s.id, '5000'], { onReady: () => ready() });
    await started;
    // This writer gives up after 2 s: the looping one must let it in well before it stops on its own.
    const other = await openArchive({ dir, stateDir, lock: { timeoutMs: 2_000 } });
    for (let i = 0; i < 3; i++) {
      const updated = await other.sessions.update(s.id, { title: `from the other process ${i}` });
      expect(updated.title).toBe(`from the other process ${i}`);
    }
    const run = await loop;
    expect(run.stderr).toBe('');
    const count = Number(/done (\d+)/.exec(run.stdout)?.[1]);
    expect(count).toBeGreaterThan(1);
    expect((await archive.messages.list(s.id)).length).toBe(count);
    expect((await archive.sessions.get(s.id)).title).toBe('from the other process 2');
  }, 60_000);

  it('a process that exits leaves no lock behind', async () => {
    const { dir, stateDir, archive } = await tempArchive();
    const s = await archive.sessions.create();
    const run = await runWorker(WORKER, [dir, stateDir, s.id, '3', 'x']);
    expect(run.stdout).toBe('done\n');
    expect(existsSync(join(stateDir, 'locks', `${s.id}.lock`))).toBe(false);
    // And the next writer takes it at once (a left lock would make it wait for the stale time, then fail).
    const next = await openArchive({ dir, stateDir, lock: { timeoutMs: 500 } });
    await expect(next.sessions.update(s.id, { title: 'next' })).resolves.toMatchObject({ title: 'next' });
  }, 60_000);

  it('a lock whose holder was killed is taken over at once, not after it goes stale', async () => {
    const { dir, stateDir, archive } = await tempArchive();
    const s = await archive.sessions.create();
    const lockPath = join(stateDir, 'locks', `${s.id}.lock`);
    // A writer killed while it holds the lock (it appends without a pause, so it almost always does).
    for (let attempt = 0; attempt < 5 && !existsSync(lockPath); attempt++) {
      const run = await runWorker(LOOP, [dir, stateDir, s.id, '60000'], { killAfter: 50 });
      expect(run.end).toBe('killed');
    }
    expect(existsSync(lockPath)).toBe(true);
    // Stale only after a minute, and this writer waits one second: only knowing the holder is gone lets it in.
    const next = await openArchive({ dir, stateDir, lock: { timeoutMs: 1_000, staleMs: 60_000 } });
    await expect(next.sessions.update(s.id, { title: 'after the kill' })).resolves.toMatchObject({ title: 'after the kill' });
  }, 60_000);

  it('a FIFO in a data file’s place is refused, not waited on', async () => {
    const { archive, dir } = await tempArchive();
    const s = await archive.sessions.create();
    const todos = join(dir, 'sessions', s.id, 'todos.json');
    execFileSync('mkfifo', [todos]);
    const error = await archive.todos.get(s.id).catch((e: unknown) => e);
    expect(isArchiveError(error, 'CORRUPT')).toBe(true);
    expect((error as Error).message).toContain('not a regular file');
  }, 20_000);
});
