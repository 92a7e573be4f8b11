import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { ArchiveError, errnoCode } from '../errors.js';

export interface LockOptions {
  /** How long to wait for a lock held by another process before `LOCKED`. @default 30000 */
  timeoutMs?: number;
  /** A lock not refreshed for this long belongs to a dead process and is taken over. @default 10000 */
  staleMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Per-session locks: an in-process queue in front of an inter-process
 * proper-lockfile lock whose lock folder lives in the state dir. The queue is
 * needed because proper-lockfile is not reentrant within one process.
 */
export class SessionLocks {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly folder: string;
  private readonly timeoutMs: number;
  private readonly staleMs: number;

  constructor(stateDir: string, options: LockOptions = {}) {
    this.folder = join(stateDir, 'locks');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.staleMs = options.staleMs ?? 10_000;
  }

  /** Runs `fn` holding the lock of `key` (a validated ID), in this process and across processes. */
  async with<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const run = previous.then(
      () => this.withFileLock(key, fn),
      () => this.withFileLock(key, fn),
    );
    const settled = run.catch(() => {});
    this.queues.set(key, settled);
    try {
      return await run;
    } finally {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    }
  }

  private async withFileLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    await mkdir(this.folder, { recursive: true });
    const lockPath = join(this.folder, `${key}.lock`);
    const release = await this.acquire(key, lockPath);
    try {
      return await fn();
    } finally {
      await release().catch(() => {
        // Released already because the lock was compromised; the guarded
        // writes (see writeFileAtomic's precondition) kept the data safe.
      });
    }
  }

  private async acquire(key: string, lockPath: string): Promise<() => Promise<void>> {
    const deadline = Date.now() + this.timeoutMs;
    let wait = 2;
    for (;;) {
      try {
        return await lockfile.lock(lockPath, {
          lockfilePath: lockPath,
          realpath: false,
          stale: this.staleMs,
          retries: 0,
          // The default throws from a timer, an uncatchable crash. A lost lock
          // is survivable: every final write re-checks its target.
          onCompromised: () => {},
        });
      } catch (error) {
        if (errnoCode(error) !== 'ELOCKED') {
          throw new ArchiveError('IO', `cannot lock session ${key} (${lockPath}): ${(error as Error).message}`, { cause: error });
        }
        if (Date.now() >= deadline) {
          throw new ArchiveError(
            'LOCKED',
            `session ${key} is locked by another writer (${lockPath}); try again, or remove the lock if no writer is running`,
            {
              path: lockPath,
              cause: error,
            },
          );
        }
        await sleep(wait + Math.random() * wait);
        wait = Math.min(wait * 1.5, 50);
      }
    }
  }
}
