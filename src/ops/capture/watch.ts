import { dirname } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import type { Archive } from '../../store/archive.js';
import { opencodeDbPath } from './opencode.js';
import { sourceRoot, syncAgent } from './sync.js';
import type { SyncOptions, SyncResult, SyncSourceName } from './write.js';

export interface WatchSyncOptions {
  /** Per source, where to read (default: the agent's own folder or database). */
  from?: Partial<Record<SyncSourceName, string>>;
  /** A change is taken this long after the last write to the source settles. @default 250 */
  delayMs?: number;
  /** Told after each sync run. */
  onSync?: (result: SyncResult) => void;
  /** Told of a run that failed (the watch goes on). */
  onError?: (source: SyncSourceName, error: unknown) => void;
}

export interface SyncWatcher {
  /** Resolves when the first run of every source is done and the watchers are ready. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Follows the sources and brings each change in: one sync run at the start,
 * then a run of a source a moment after its files change (runs of one source
 * never overlap; a change during a run starts another after it). Runs are
 * incremental, so a grown transcript costs reading that transcript.
 */
export function watchSync(archive: Archive, sources: readonly SyncSourceName[], options: WatchSyncOptions = {}): SyncWatcher {
  const watchers: FSWatcher[] = [];
  const timers = new Map<SyncSourceName, NodeJS.Timeout>();
  const running = new Map<SyncSourceName, Promise<void>>();
  const again = new Set<SyncSourceName>();
  let closed = false;

  const run = (source: SyncSourceName): Promise<void> => {
    if (running.has(source)) {
      again.add(source);
      return running.get(source) as Promise<void>;
    }
    const sync: SyncOptions = { from: options.from?.[source] };
    const task = syncAgent(archive, source, sync)
      .then((result) => options.onSync?.(result))
      .catch((error: unknown) => options.onError?.(source, error))
      .finally(() => {
        running.delete(source);
        if (again.delete(source) && !closed) void run(source);
      });
    running.set(source, task);
    return task;
  };
  const schedule = (source: SyncSourceName) => {
    if (closed) return;
    clearTimeout(timers.get(source));
    timers.set(
      source,
      setTimeout(() => {
        timers.delete(source);
        void run(source);
      }, options.delayMs ?? 250),
    );
  };

  const ready = (async () => {
    // Watching first, then the first runs: a change made while they run is not missed.
    for (const source of sources) {
      const from = options.from?.[source] ?? (source === 'opencode' ? opencodeDbPath() : sourceRoot(source));
      // OpenCode writes its database's write-ahead log: watch the folder, take only its files.
      const target = source === 'opencode' ? dirname(from) : from;
      const watcher = watch(target, {
        ignoreInitial: true,
        ...(source === 'opencode' ? { depth: 0 } : {}),
        ignored: source === 'opencode' ? (path: string) => path !== target && !path.startsWith(from) : undefined,
      });
      watcher.on('all', () => schedule(source));
      watcher.on('error', (error) => options.onError?.(source, error));
      watchers.push(watcher);
      await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    }
    await Promise.all(sources.map(run));
  })();

  return {
    ready,
    async close() {
      closed = true;
      for (const t of timers.values()) clearTimeout(t);
      await Promise.all(watchers.map((w) => w.close()));
      await Promise.all(running.values());
    },
  };
}
