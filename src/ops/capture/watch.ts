import { lstat } from 'node:fs/promises';
import { type FSWatcher, watch } from 'chokidar';
import type { Archive } from '../../store/archive.js';
import type { AgentAdapter, WatchTarget } from './contract.js';
import { pull, type SyncResult, whereFor } from './engine.js';
import { loadAgent } from './registry.js';

// The one watch loop, for every agent: it follows what each adapter names
// (never through a symbolic link), and a moment after a change runs that
// agent's pull, which is incremental. A store that is not there yet is looked
// for again every few seconds; a run that fails is retried later and later
// (up to a minute) rather than several times a second.

export interface WatchSyncOptions {
  /** Per agent, where to read (default: the agent's own folder or database). */
  from?: Partial<Record<string, string>>;
  /** A change is taken this long after the last write to the source settles. @default 250 */
  delayMs?: number;
  /** Told after each run. */
  onSync?: (result: SyncResult) => void;
  /** Told of a run that failed (the watch goes on, backing off). */
  onError?: (agent: string, error: unknown) => void;
  /** Replace secrets with markers (unless the archive turned it off). @default true */
  redact?: boolean;
}

export interface SyncWatcher {
  /** Resolves when the first run of every agent is done and the watchers are ready. */
  ready: Promise<void>;
  close(): Promise<void>;
}

const LOOK_AGAIN_MS = 3_000;
const MAX_BACKOFF_MS = 60_000;

/** One agent followed: its watchers, its runs (never two at once), its back-off. */
class Follower {
  private watchers: FSWatcher[] = [];
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private failures = 0;
  private closed = false;
  private lookTimer?: NodeJS.Timeout;
  /** Each changed file's size and mtime as last taken. */
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly archive: Archive,
    private readonly adapter: AgentAdapter,
    private readonly from: string,
    private readonly options: WatchSyncOptions,
  ) {}

  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = pull(this.archive, this.adapter, { from: this.from, redact: this.options.redact })
      .then((result) => {
        this.failures = 0;
        this.options.onSync?.(result);
      })
      .catch((error: unknown) => {
        this.failures++;
        this.options.onError?.(this.adapter.name, error);
      })
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.closed) {
          this.again = false;
          this.schedule();
        }
      });
    return this.running;
  }

  schedule(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    const backoff = this.failures ? Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (this.failures - 1)) : 0;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        void this.run();
      },
      Math.max(this.options.delayMs ?? 250, backoff),
    );
  }

  private async follow(target: WatchTarget): Promise<boolean> {
    const there = await lstat(target.path).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!there) return false;
    const w = watch(target.path, {
      ignoreInitial: true,
      followSymlinks: false,
      alwaysStat: true,
      depth: target.depth ?? 99,
      ...(target.accept ? { ignored: (path: string) => path !== target.path && !(target.accept as (p: string) => boolean)(path) } : {}),
    });
    w.on('all', (event, path, stats) => {
      // A change that left the file's size and mtime as they were (a reader touched it: SQLite's readers
      // do, this sync's too) is no change; taking it would run again after every run of our own.
      if (stats && (event === 'change' || event === 'add')) {
        const seen = `${stats.size}:${stats.mtimeMs}`;
        if (this.seen.get(path) === seen) return;
        this.seen.set(path, seen);
      } else this.seen.delete(path);
      this.schedule();
    });
    w.on('error', (error) => this.options.onError?.(this.adapter.name, error));
    this.watchers.push(w);
    await new Promise<void>((resolve) => w.once('ready', () => resolve()));
    return true;
  }

  /** Watches what the adapter names; a target not there yet is looked for again, and found, runs a sync. */
  async start(): Promise<void> {
    const missing: WatchTarget[] = [];
    for (const target of this.adapter.watchTargets(this.from)) if (!(await this.follow(target))) missing.push(target);
    if (missing.length) {
      const look = async () => {
        for (const target of [...missing]) {
          if (this.closed) return;
          if (await this.follow(target)) {
            missing.splice(missing.indexOf(target), 1);
            this.schedule();
          }
        }
        if (missing.length && !this.closed) this.lookTimer = setTimeout(() => void look(), LOOK_AGAIN_MS);
      };
      this.lookTimer = setTimeout(() => void look(), LOOK_AGAIN_MS);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.lookTimer);
    await Promise.all(this.watchers.map((w) => w.close()));
    await this.running;
  }
}

/**
 * Follows the named agents' stores and brings each change in: one run of
 * each at the start, then a run of an agent a moment after its files change
 * (runs of one agent never overlap; a change during a run starts another
 * after it).
 */
export function watchSync(archive: Archive, agents: readonly string[], options: WatchSyncOptions = {}): SyncWatcher {
  const followers: Follower[] = [];
  let closed = false;
  const ready = (async () => {
    for (const name of agents) {
      const adapter = await loadAgent(name);
      if (closed) return;
      const follower = new Follower(archive, adapter, options.from?.[name] ?? (await whereFor(adapter, archive)), options);
      followers.push(follower);
      // Watching first, then the first run: a change made while it runs is not missed.
      await follower.start();
    }
    await Promise.all(followers.map((f) => f.run()));
  })();
  return {
    ready,
    async close() {
      closed = true;
      await ready.catch(() => undefined);
      await Promise.all(followers.map((f) => f.close()));
    },
  };
}
