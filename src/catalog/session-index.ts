import { sep } from 'node:path';
import { ArchiveError } from '../errors.js';
import { isId } from '../model/ids.js';
import type { OnProgress } from '../progress.js';
import type { Archive } from '../store/archive.js';
import { ArchivePaths } from '../store/paths.js';
import type { SignalStore } from '../store/signals.js';
import { SQLITE_REMEDY } from '../store/sqlite.js';
import type { SessionStatus, StatusInput, StatusStore } from '../store/status.js';
import type { StrayFile } from '../store/strays.js';
import type { ArchiveEvent, HistoryItem, HistoryQuery, IndexedSession, IndexStats, ListQuery, OpenIndexOptions } from './index/index.js';
import {
  findSessionByPrefix,
  forkGrouping,
  INFO_SUFFIX,
  ListingCache,
  Reconciler,
  Runtime,
  type SessionSummary,
  StatScan,
  SummaryTable,
} from './index/index.js';
import type { PriceTable, UsageQuery, UsageResult } from './search/index.js';
import { type GroupedSearchResult, SearchIndex, type SearchQuery, type SearchResult } from './search/index.js';
import { LocalAnswers } from './socket/index.js';
import type { ArchiveWatcher } from './watch/index.js';
import { MessageFollower, WatchRouter } from './watch/index.js';

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
 * subscribed sessions) and the {@link Runtime} (status, abort, init).
 *
 * Where events come from: only from what is seen in files. A write through
 * the library emits nothing itself; the watcher sees the file change and the
 * part that owns the file announces it — so a change by this process, another
 * process, a hand edit or a `git pull` takes one path. (`refresh` reads at
 * once for a writer that must list its own write right away; without a
 * watcher, status and signals are announced when set.)
 */
export class SessionIndex {
  private readonly listeners = new Set<(e: ArchiveEvent) => void>();
  private readonly table: SummaryTable;
  private readonly reconciler: Reconciler;
  private readonly messages: MessageFollower;
  private readonly runtime: Runtime;
  private router: WatchRouter | undefined;
  private local: LocalAnswers | undefined;
  private verifying: Promise<void> = Promise.resolve();
  private searchIndex: SearchIndex | undefined;
  private searchProblem: Error | undefined;
  private searchSynced: Promise<void> = Promise.resolve();
  private searchComplete = false;
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
    this.paths = new ArchivePaths(archive.dir);
    const emit = (e: ArchiveEvent) => this.emit(e);
    this.table = new SummaryTable(archive.stateDir, archive.dir, options.onWarning);
    this.reconciler = new Reconciler(this.paths, this.table, emit);
    this.runtime = new Runtime(archive, emit, () => this.router !== undefined);
    this.status = this.runtime.status;
    this.signals = this.runtime.signals;
    this.messages = new MessageFollower(archive, emit, () => this.router?.watcher);
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
    const { onProgress } = options;
    // One listing of `sessions/` serves the check below, the watcher's start, the search index's
    // catch-up and the periodic rounds, each using it again only while the folder's mtime vouches.
    const listings = new ListingCache(index.paths);
    // The listing is read off this thread while the snapshot loads here; the stats of the snapshot's
    // sessions start as soon as it is read (its rows are decoded only when asked for).
    const first = listings.current();
    // Settled here so that a failed listing is not reported unhandled while the snapshot loads (it is awaited below).
    first.catch(() => {});
    const loaded = !options.rebuild && (await index.table.loadSnapshot());
    const background = loaded && options.verify === 'background';
    // A row damaged by hand, found while the table is checked or decoded, is no reason not to open:
    // the index is then read from the files (the damaged snapshot is gone by then).
    const fromFiles = async (error?: unknown) => {
      if (error !== undefined) {
        if (!index.table.snapshotDamaged) throw error;
        index.options.onWarning((error as Error).message);
      }
      await index.reconciler.rebuild({ onProgress, listing: await listings.current() });
    };
    if (!loaded) await fromFiles();
    else if (!background) {
      const rows = index.table.snapshotIds;
      const scan = rows && new StatScan(`${index.paths.sessions}${sep}`, rows, [INFO_SUFFIX]);
      const listing = await first.catch((error: unknown) => {
        void scan?.cancel();
        throw error;
      });
      await index.reconciler.reconcile({ quiet: true, onProgress, listing, scan }).catch(fromFiles);
    }
    // A watching process keeps the table for long: decoded whole, it holds no copy of the snapshot's text.
    if (loaded && index.options.watch) {
      try {
        index.table.whole();
      } catch (error) {
        await fromFiles(error);
      }
    }
    await index.loadProjects();
    await index.runtime.load();
    if (options.search) {
      if (SearchIndex.available()) index.searchIndex = await SearchIndex.open(archive, { onWarning: index.options.onWarning });
      // Only a broken install: SQLite in WebAssembly is a dependency. Everything but search still works, and search says why.
      else index.searchProblem = new ArchiveError('IO', `full-text search needs SQLite, and none loads here: ${SQLITE_REMEDY}`);
    }
    if (index.options.watch) {
      index.router = await WatchRouter.start(
        archive,
        {
          reconciler: index.reconciler,
          messages: index.messages,
          runtime: index.runtime,
          search: index.searchIndex,
          listings,
          loadProjects: () => index.loadProjects(),
          emit: (e) => index.emit(e),
        },
        index.options,
      );
      const watcher = index.router.watcher;
      archive.messages.watchedBy((id) => watcher.messagesToken(id));
    }
    const search = index.searchIndex;
    if (search) {
      // Watch first (above), then catch up: a change after the catch-up read is always seen.
      index.searchSynced = new Promise<void>((resolve) => setImmediate(resolve))
        .then(async () => search.catchUp({ onProgress: options.onSearchProgress, listing: await listings.current() }))
        .then(
          () => {
            index.searchComplete = true;
          },
          (error: unknown) => index.options.onWarning(`building the search index failed: ${(error as Error).message}`),
        );
    }
    if (options.localSocket && index.router) index.local = await LocalAnswers.start(index, archive, index.options.onWarning);
    if (background) {
      // After the caller has had a turn to listen: corrections arrive as events.
      index.verifying = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => index.reconciler.reconcile({ onProgress }).catch(fromFiles))
        .then(
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
   * Full-text search over titles, todos and messages (see {@link SearchQuery}),
   * when the index was opened with `search: true`. While the search index is
   * still catching up with the files (its first build), hits come from what
   * it has so far and `complete` is false.
   */
  search(query: SearchQuery): SearchResult & { complete: boolean } {
    return { ...this.searchOrThrow().search(query), complete: this.searchComplete };
  }

  /**
   * {@link search} with the hits grouped per session (see
   * {@link SearchIndex.searchGroups}): a fork's messages from before it was
   * made (copies of its source's) are folded into its source's group, so a
   * fork never doubles a hit.
   */
  searchGroups(query: SearchQuery): GroupedSearchResult & { complete: boolean } {
    const groupOf = forkGrouping((id) => this.table.entry(id)?.summary);
    return { ...this.searchOrThrow().searchGroups(query, groupOf), complete: this.searchComplete };
  }

  private searchOrThrow(): SearchIndex {
    if (this.searchIndex) return this.searchIndex;
    throw (
      this.searchProblem ?? new ArchiveError('INVALID_INPUT', 'this index was opened without search (openIndex(archive, { search: true }))')
    );
  }

  /** Messages and failed tool calls per session (see {@link SearchIndex.sessionFacts}), or undefined without search or before its first build is done. */
  sessionFacts(ids: readonly string[]): Map<string, { messages: number; failed: number }> | undefined {
    return this.searchIndex && this.searchComplete ? this.searchIndex.sessionFacts(ids) : undefined;
  }

  /** Usage figures from the search index (see {@link SearchIndex.usage}); the index must have been opened with `search: true`. */
  usage(query: UsageQuery, prices?: PriceTable): UsageResult {
    return this.searchOrThrow().usage(query, prices);
  }

  /**
   * Resolves when the search index has caught up with the files (at once
   * without search) — or after `withinMs`, for an answer that would rather
   * come from what the index has so far than wait for a first build.
   */
  searchReady(withinMs?: number): Promise<void> {
    if (withinMs === undefined) return this.searchSynced;
    return Promise.race([this.searchSynced, new Promise<void>((resolve) => setTimeout(resolve, withinMs).unref())]);
  }

  /** Makes what the watcher noticed searchable now (tests and writers that search their own write at once). */
  async flushSearch(): Promise<void> {
    await this.searchIndex?.flush();
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
    if (this.searchIndex && this.searchComplete) await this.searchIndex.flush();
    return !router.degraded && !this.closed;
  }

  /** True when the index was opened with search (and it could be opened): `search` and `usage` answer. */
  get searchEnabled(): boolean {
    return this.searchIndex !== undefined;
  }

  /** True once the search index has caught up with the files (false without search). */
  get searchCurrent(): boolean {
    return this.searchComplete;
  }

  /**
   * The session a person named: a full ID, a unique prefix of one
   * (`fe5e0a` or `ses_fe5e0a`), or `latest` (the newest session created).
   * See {@link findSessionByPrefix} for the errors.
   */
  async findSession(arg: string): Promise<string> {
    if (arg === 'latest') {
      const newest = this.history({ limit: 1 }).items[0];
      if (!newest) throw new ArchiveError('NOT_FOUND', 'no sessions yet: `latest` names none');
      return newest.id;
    }
    return findSessionByPrefix(
      arg,
      this.all().map((s) => s.id),
      (id) => this.get(id)?.title,
    );
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
  subscribe(sessionID: string): Promise<() => void> {
    return this.messages.subscribe(sessionID);
  }

  /** One session's summary, or undefined. */
  /** The stamp (mtime, size) of a session's `info.json` when the index last read it: a cache of full infos can be checked against it. */
  stamp(id: string): { mtimeMs: number; size: number } | undefined {
    return this.table.stamp(id);
  }

  get(id: string): IndexedSession | undefined {
    const entry = this.table.entry(id);
    return entry && this.withStatus(entry.summary);
  }

  /** Sessions as OpenCode's `GET /session` lists them (see {@link ListQuery}). */
  list(query: ListQuery = {}): IndexedSession[] {
    return this.table.list(query).map((s) => this.withStatus(s));
  }

  /** The global history across projects, paged by an opaque cursor (see {@link HistoryQuery}). */
  history(query: HistoryQuery = {}): { items: Array<HistoryItem & IndexedSession>; nextCursor?: string } {
    const page = this.table.history(query);
    return { ...page, items: page.items.map((s) => ({ ...s, status: this.statusOf(s.id) })) };
  }

  /** Child sessions (by `parentID`), oldest first. */
  children(id: string): IndexedSession[] {
    return this.table.oldestFirst((s) => s.parentID === id).map((s) => this.withStatus(s));
  }

  /** IDs of the direct children, oldest first: `sessions.delete(id, {children: (p) => index.childIds(p)})` then reads no files to find them. */
  childIds(id: string): string[] {
    return this.table.oldestFirst((s) => s.parentID === id).map((s) => s.id);
  }

  /** Forks of a session (by `forkedFrom`), oldest first. */
  forks(id: string): IndexedSession[] {
    return this.table.oldestFirst((s) => s.forkedFrom?.sessionID === id).map((s) => this.withStatus(s));
  }

  /** Every summary, valid or not, newest created first. */
  all(): SessionSummary[] {
    return this.table.all();
  }

  /** Sessions whose `info.json` is broken, with their errors. */
  invalid(): SessionSummary[] {
    return this.table.all().filter((s) => !s.valid);
  }

  /** Conflict copies, temps and other non-data files (as far as seen; see `scanStrays`). */
  strays(): StrayFile[] {
    return this.reconciler.strays();
  }

  /** Looks into every session folder for strays (reads every folder: for doctor, not for listing). */
  async scanStrays(): Promise<StrayFile[]> {
    return this.reconciler.scanStrays();
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

  /** Sets a session's runtime status (the session must exist) and tells listeners. */
  setStatus(sessionID: string, status: StatusInput): Promise<SessionStatus> {
    return this.runtime.set(sessionID, status);
  }

  /**
   * OpenCode's abort: the session becomes idle, the abort is recorded, and
   * listeners (here and, through their watchers, in other processes) get
   * `session.status` and `session.aborted`. True, as OpenCode answers.
   */
  abort(sessionID: string): Promise<boolean> {
    return this.runtime.abort(sessionID);
  }

  /**
   * OpenCode's init (analyse the project, write AGENTS.md) cannot run here:
   * the request is recorded and announced as `session.init` for an agent that
   * listens. True, as OpenCode answers.
   */
  init(sessionID: string, request: Record<string, unknown> = {}): Promise<boolean> {
    return this.runtime.init(sessionID, request);
  }

  /** A session's runtime status from memory (kept current by the watcher); a dead owner's busy is idle. */
  statusOf(sessionID: string): SessionStatus {
    return this.runtime.of(sessionID);
  }

  private withStatus(s: SessionSummary): IndexedSession {
    return { ...s, status: this.statusOf(s.id) };
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
    await this.searchIndex?.close();
    await this.searchSynced;
    await this.reconciler.settled();
    await this.save();
  }
}

/** Opens the index of an archive (see {@link SessionIndex.open}). */
export function openIndex(archive: Archive, options: OpenIndexOptions = {}): Promise<SessionIndex> {
  return SessionIndex.open(archive, options);
}
