import { isId } from '../model/ids.js';
import type { OnProgress } from '../progress.js';
import type { Archive } from '../store/archive.js';
import { ArchivePaths } from '../store/paths.js';
import type { SignalStore } from '../store/signals.js';
import type { StatusStore } from '../store/status.js';
import type { ArchiveEvent, IndexStats, OpenIndexOptions } from './index/index.js';
import { ListingCache, loadTable, Reconciler, Runtime, SummaryTable } from './index/index.js';
import { SearchingQueries } from './searching-queries.js';
import type { LocalAnswers } from './socket/index.js';
import type { ArchiveWatcher, MessageFollower, WatchRouter } from './watch/index.js';

/**
 * The index: session summaries for fast listing, kept in memory, persisted in
 * the state dir as a cache, reconciled against the files by `info.json`
 * mtime/size, and kept current by a folder watcher. It also carries runtime
 * status and emits OpenCode-named events for changes from any process.
 *
 * A facade over parts with one reason to change each: the {@link SummaryTable}
 * (summaries, their orders, the snapshot), the {@link Reconciler} (files →
 * table, and the session events), the {@link WatchRouter} (watch notices →
 * re-reads), the {@link MessageFollower} (message and part events of
 * subscribed sessions) and the {@link Runtime} (status, abort, init). The
 * search, watch and socket rooms are loaded only when asked for: an index
 * opened to list loads none of them.
 *
 * Where events come from: only from what is seen in files. A write through
 * the library emits nothing itself; the watcher sees the file change and the
 * part that owns the file announces it — so a change by this process, another
 * process, a hand edit or a `git pull` takes one path. (`refresh` reads at
 * once for a writer that must list its own write right away; without a
 * watcher, status and signals are announced when set.)
 */
export class SessionIndex extends SearchingQueries {
  private readonly listeners = new Set<(e: ArchiveEvent) => void>();
  protected readonly table: SummaryTable;
  protected readonly reconciler: Reconciler;
  protected readonly runtime: Runtime;
  private messages: Promise<MessageFollower> | undefined;
  private router: WatchRouter | undefined;
  private local: LocalAnswers | undefined;
  private verifying: Promise<void> = Promise.resolve();
  private closed = false;
  readonly paths: ArchivePaths;
  readonly status: StatusStore;
  readonly signals: SignalStore;

  private constructor(
    readonly archive: Archive,
    private readonly options: Required<
      Omit<OpenIndexOptions, 'rebuild' | 'onProgress' | 'verify' | 'search' | 'onSearchProgress' | 'messageWatchLimit' | 'localSocket'>
    > &
      Pick<OpenIndexOptions, 'messageWatchLimit'>,
  ) {
    super();
    this.paths = new ArchivePaths(archive.dir);
    const emit = (e: ArchiveEvent) => this.emit(e);
    this.table = new SummaryTable(archive.stateDir, archive.dir, options.onWarning);
    this.reconciler = new Reconciler(this.paths, this.table, emit);
    this.runtime = new Runtime(archive, emit, () => this.router !== undefined);
    this.status = this.runtime.status;
    this.signals = this.runtime.signals;
  }

  /** The follower of subscribed sessions' messages (the watch room, loaded on first use). */
  private follower(): Promise<MessageFollower> {
    this.messages ??= import('./watch/index.js').then(
      ({ MessageFollower }) =>
        new MessageFollower(
          this.archive,
          (e) => this.emit(e),
          () => this.router?.watcher,
        ),
    );
    return this.messages;
  }

  /** Opens the index of an archive: snapshot + reconcile (or a rebuild), then the watcher. */
  static async open(archive: Archive, options: OpenIndexOptions = {}): Promise<SessionIndex> {
    const index = new SessionIndex(archive, {
      watch: options.watch ?? true,
      reconcileMs: options.reconcileMs ?? 60_000,
      degradedReconcileMs: options.degradedReconcileMs ?? 5_000,
      debounceMs: options.debounceMs ?? 15,
      onWarning: options.onWarning ?? ((m) => console.warn(`session-archive: ${m}`)),
      messageWatchLimit: options.messageWatchLimit,
    });
    // One listing of `sessions/` serves the check below, the watcher's start, the search index's
    // catch-up and the periodic rounds, each using it again only while the folder's mtime vouches.
    const listings = new ListingCache(index.paths);
    const check = await loadTable(
      { table: index.table, reconciler: index.reconciler, paths: index.paths, listings },
      { ...options, watch: index.options.watch, onWarning: index.options.onWarning },
    );
    await index.loadProjects();
    await index.runtime.load();
    if (options.search === true)
      index.searching = await (await import('./search/index.js')).IndexSearch.open(archive, index.options.onWarning);
    if (index.options.watch) {
      index.router = await (await import('./watch/index.js')).WatchRouter.start(
        archive,
        {
          reconciler: index.reconciler,
          messages: await index.follower(),
          runtime: index.runtime,
          search: index.searching?.engine,
          listings,
          loadProjects: () => index.loadProjects(),
          emit: (e) => index.emit(e),
        },
        index.options,
      );
      const watcher = index.router.watcher;
      archive.messages.watchedBy((id) => watcher.messagesToken(id));
    }
    index.searching?.startCatchUp(() => listings.current(), options.onSearchProgress, index.options.onWarning);
    if (options.localSocket && index.router)
      index.local = await (await import('./socket/index.js')).LocalAnswers.start(index, archive, index.options.onWarning);
    if (check) {
      // After the caller has had a turn to listen: corrections arrive as events.
      index.verifying = new Promise<void>((resolve) => setImmediate(resolve)).then(check).then(
        () => undefined,
        (error: unknown) => index.options.onWarning(`checking the index against the files failed: ${(error as Error).message}`),
      );
    }
    return index;
  }

  private async loadProjects(): Promise<void> {
    this.table.projects = new Map((await this.archive.projects.list()).map((p) => [p.id, p]));
  }

  /** Writes the snapshot now. */
  save(): Promise<void> {
    return this.table.save();
  }

  /** Reads every `info.json` from scratch. */
  rebuild(options: { onProgress?: OnProgress } = {}): Promise<void> {
    return this.reconciler.rebuild(options);
  }

  /**
   * Brings the index in line with the files: stats every `info.json` and
   * re-reads only those whose mtime or size changed. Emits events for what it
   * finds unless `quiet`. Returns the number of sessions that changed.
   */
  reconcile(options: { quiet?: boolean; onProgress?: OnProgress } = {}): Promise<number> {
    return this.reconciler.reconcile(options);
  }

  /** Resolves when the snapshot has been checked against the files (at once unless opened with `verify: 'background'`). */
  verified(): Promise<void> {
    return this.verifying;
  }

  /**
   * Waits until everything the watcher was told before this call is in the
   * index (and, with search, searchable): watch events already queued are
   * taken in, and re-reads still in their quiet time run now. For answers
   * that must include a write finished before the question (the CLI asking
   * a running watcher). False when this index cannot vouch for that: it does
   * not watch, watching fell back to periodic checks (inotify budget), or it
   * is closed.
   */
  async settle(): Promise<boolean> {
    const router = this.router;
    // Still setting up its watches (seconds at 100k sessions): the asker had better not wait.
    if (!router || this.closed || !router.watcher.started) return false;
    await this.verifying;
    // A watch event queued before the question is delivered by the time this turn of the loop ends.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await router.flush();
    await this.searching?.flush(true);
    return !router.degraded && !this.closed;
  }

  /** Resolves when the watcher has set up its watches (listing works before). */
  async ready(): Promise<void> {
    await this.router?.watcher.ready;
  }

  /**
   * Re-reads these sessions now, without waiting for the watcher: for a
   * writer that lists right after its own write (the watcher's event follows
   * and changes nothing then).
   */
  async refresh(...ids: string[]): Promise<void> {
    for (const id of ids) if (isId('session', id)) await this.reconciler.refreshSession(id);
  }

  /** Listens to every event; returns the function that stops listening. */
  on(listener: (event: ArchiveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: ArchiveEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(e);
      } catch (error) {
        this.options.onWarning(`event listener failed: ${(error as Error).message}`);
      }
    }
  }

  /**
   * Follows one session's messages too (message and part events): watches
   * its messages folder while at least one subscriber is there. Returns the
   * function that ends the subscription.
   */
  async subscribe(sessionID: string): Promise<() => void> {
    return (await this.follower()).subscribe(sessionID);
  }

  stats(): IndexStats {
    const invalid = this.table.invalidCount();
    return {
      sessions: this.table.size - invalid,
      invalid,
      strays: this.reconciler.strayCount,
      watchedFolders: this.router?.watcher.watchedFolders() ?? 0,
      degraded: this.router?.degraded ?? false,
    };
  }

  /** For tests: the folder watcher underneath, or undefined when not watching. */
  get watcherForTests(): ArchiveWatcher | undefined {
    return this.router?.watcher;
  }

  /** Stops watching and saves the snapshot. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.local?.close();
    this.table.close();
    if (this.router) this.archive.messages.watchedBy(undefined);
    await this.router?.close();
    await this.verifying;
    await this.searching?.close();
    await this.reconciler.settled();
    await this.save();
  }
}

/** Opens the index of an archive (see {@link SessionIndex.open}). */
export function openIndex(archive: Archive, options: OpenIndexOptions = {}): Promise<SessionIndex> {
  return SessionIndex.open(archive, options);
}
