import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ArchiveError, errnoCode } from '../errors.js';

/** proper-lockfile, loaded at the first lock: it patches `fs` (graceful-fs) as it loads, a cost every command that only reads would pay at its start. */
type ProperLockfile = typeof import('proper-lockfile');
let loaded: Promise<ProperLockfile> | undefined;
// Its functions are properties of its `module.exports`: named exports under Node, `default`'s under a bundler's interop.
const properLockfile = () =>
  (loaded ??= import('proper-lockfile').then((m) =>
    typeof m.lock === 'function' ? m : (m as unknown as { default: ProperLockfile }).default,
  ));

export interface LockOptions {
  /** How long to wait for a lock held by another process before `LOCKED`. @default 30000 */
  timeoutMs?: number;
  /** A lock not refreshed for this long belongs to a dead process and is taken over. @default 10000 */
  staleMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a process of this machine runs (EPERM: it does, as another user). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}

/**
 * Who holds a lock: `<lock>.owner` holds the lock folder's inode, the
 * holder's PID and host. A lock whose holder, on this machine, is gone is
 * taken over at once rather than after it goes stale (seconds, by its mtime):
 * the first write after a writer was killed does not wait for it. The inode
 * ties the note to the folder it was written for.
 */
function ownerNote(lockPath: string): string | undefined {
  try {
    return readFileSync(`${lockPath}.owner`, 'utf8');
  } catch {
    return undefined;
  }
}

const noteFor = (ino: number) => `${ino} ${process.pid} ${hostname()}`;

/** The notes this process wrote for the locks it holds: removed at exit, when proper-lockfile's hook removes their folders. */
const notes = new Set<string>();
let exitHook = false;
function noteWritten(path: string): void {
  notes.add(path);
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const note of notes) rmSync(note, { force: true });
  });
}

/**
 * Removes a lock whose holder on this machine is gone; true when it did. The
 * note is read again after the folder's inode is checked: a writer that took
 * the lock over meanwhile removed it first (a new folder may get the same
 * inode), so a changed or missing note means hands off. Every final write
 * checks its target anyway (see writeFileAtomic's precondition).
 */
function takeOverDead(lockPath: string): boolean {
  const note = ownerNote(lockPath);
  if (!note) return false;
  const [ino, pid, ...host] = note.split(' ');
  const holder = Number(pid);
  if (host.join(' ') !== hostname() || !Number.isInteger(holder) || holder === process.pid || running(holder)) return false;
  if (statSync(lockPath, { throwIfNoEntry: false })?.ino !== Number(ino) || ownerNote(lockPath) !== note) return false;
  rmSync(lockPath, { recursive: true, force: true });
  rmSync(`${lockPath}.owner`, { force: true });
  return true;
}

/** How long a lock is kept after its last call, unless another writer waits for it. */
const LINGER_MS = 25;

/** A lock this process holds. */
interface Held {
  release: () => Promise<void>;
  /** proper-lockfile found it taken over (it was not refreshed in time). */
  lost: boolean;
  /** The lock folder's inode: a folder removed and made again by another writer is not ours. */
  ino: number;
  linger?: NodeJS.Timeout;
}

/**
 * Per-session locks: an in-process queue in front of an inter-process
 * proper-lockfile lock whose lock folder lives in the state dir. The queue is
 * needed because proper-lockfile is not reentrant within one process.
 *
 * A lock is kept for {@link LINGER_MS} after its last call: an agent appends
 * message after message, and taking and releasing the lock folder each time
 * cost three round trips of an append's ~20. A writer in another process
 * that finds it taken leaves a marker (`<id>.lock.want`), and the holder lets
 * go at its next call; otherwise when it has been idle for LINGER_MS. A
 * process that exits releases what it holds (proper-lockfile's exit hook).
 */
export class SessionLocks {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly folder: string;
  private readonly timeoutMs: number;
  private readonly staleMs: number;
  /** The lock folder was made (by this object): not made again for every lock. */
  private made = false;
  /** Locks this object holds, also between calls (see {@link linger}). */
  private readonly held = new Map<string, Held>();

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
      if (this.queues.get(key) === settled) {
        this.queues.delete(key);
        this.linger(key);
      }
    }
  }

  private async withFileLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    if (!this.made) {
      mkdirSync(this.folder, { recursive: true });
      this.made = true;
    }
    const lockPath = join(this.folder, `${key}.lock`);
    let held = this.held.get(key);
    if (held) {
      clearTimeout(held.linger);
      const wanted = this.wanted(lockPath);
      if (wanted || !this.stillOurs(held, lockPath)) {
        await this.drop(key);
        held = undefined;
        // Give way: the waiter polls, so taking the lock again at once would win every time.
        if (wanted) await this.giveWay(lockPath);
      }
    }
    if (!held) held = await this.acquire(key, lockPath);
    this.held.set(key, held);
    try {
      return await fn();
    } finally {
      if (held.lost) await this.drop(key);
    }
  }

  /** True while the lock folder is the one this process made (and proper-lockfile has not reported it lost). */
  private stillOurs(held: Held, lockPath: string): boolean {
    return !held.lost && statSync(lockPath, { throwIfNoEntry: false })?.ino === held.ino;
  }

  /** True when another writer waits for this lock (its marker is fresh). */
  private wanted(lockPath: string): boolean {
    const marker = statSync(`${lockPath}.want`, { throwIfNoEntry: false });
    if (!marker) return false;
    if (marker.mtimeMs >= Date.now() - this.staleMs) return true;
    rmSync(`${lockPath}.want`, { force: true }); // left by a waiter that is gone
    return false;
  }

  /** Waits (at most ~250 ms) until the writer that asked for the lock has taken it (its marker goes when it has). */
  private async giveWay(lockPath: string): Promise<void> {
    for (let i = 0; i < 50 && statSync(`${lockPath}.want`, { throwIfNoEntry: false }); i++) await sleep(5);
  }

  /** Releases the lock of `key` if this process holds it. */
  private async drop(key: string): Promise<void> {
    const held = this.held.get(key);
    if (!held) return;
    this.held.delete(key);
    clearTimeout(held.linger);
    // The note goes first (if it is still ours): a lock folder made next, perhaps with the same inode, has none until its holder writes one.
    const lockPath = join(this.folder, `${key}.lock`);
    if (ownerNote(lockPath) === noteFor(held.ino)) rmSync(`${lockPath}.owner`, { force: true });
    notes.delete(`${lockPath}.owner`);
    await held.release().catch(() => {
      // Released already because the lock was compromised; the guarded
      // writes (see writeFileAtomic's precondition) kept the data safe.
    });
  }

  /** Keeps the lock of an idle key for {@link LINGER_MS}, so that the next call (an agent's next message) needs no new lock. */
  private linger(key: string): void {
    const held = this.held.get(key);
    if (!held) return;
    held.linger = setTimeout(() => {
      if (!this.queues.has(key)) void this.drop(key);
    }, LINGER_MS);
    held.linger.unref();
  }

  private async acquire(key: string, lockPath: string): Promise<Held> {
    const deadline = Date.now() + this.timeoutMs;
    const marker = `${lockPath}.want`;
    let wait = 2;
    let remade = false;
    let waited = false;
    try {
      for (;;) {
        try {
          const held: Held = { release: async () => {}, lost: false, ino: 0 };
          held.release = await (await properLockfile()).lock(lockPath, {
            lockfilePath: lockPath,
            realpath: false,
            stale: this.staleMs,
            retries: 0,
            // The default throws from a timer, an uncatchable crash. A lost lock
            // is survivable: every final write re-checks its target.
            onCompromised: () => {
              held.lost = true;
            },
          });
          held.ino = statSync(lockPath).ino;
          try {
            writeFileSync(`${lockPath}.owner`, noteFor(held.ino));
            noteWritten(`${lockPath}.owner`);
          } catch {
            // Without the note a dead holder's lock is taken over when it goes stale, as before.
          }
          return held;
        } catch (error) {
          if (errnoCode(error) === 'ENOENT' && !remade) {
            // The lock folder went (a user cleared the state dir): make it again, once.
            remade = true;
            mkdirSync(this.folder, { recursive: true });
            continue;
          }
          if (errnoCode(error) !== 'ELOCKED') {
            throw new ArchiveError('IO', `cannot lock session ${key} (${lockPath}): ${(error as Error).message}`, { cause: error });
          }
          if (takeOverDead(lockPath)) continue;
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
          // Tell a holder that keeps its lock between calls that somebody waits (refreshed while waiting).
          waited = true;
          try {
            writeFileSync(marker, '');
          } catch {
            // Without the marker the holder still lets go after LINGER_MS idle.
          }
          await sleep(wait + Math.random() * wait);
          wait = Math.min(wait * 1.5, 50);
        }
      }
    } finally {
      if (waited) rmSync(marker, { force: true });
    }
  }
}
