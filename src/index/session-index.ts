import { mkdir, readdir } from 'node:fs/promises';
import { errnoCode, isArchiveError } from '../errors.js';
import { isId } from '../model/ids.js';
import type { Project } from '../model/project.js';
import type { Session } from '../model/session.js';
import type { OnProgress } from '../progress.js';
import type { Archive } from '../store/archive.js';
import { ArchivePaths } from '../store/paths.js';
import { type StrayFile, sessionStrays, topLevelStrays } from '../store/strays.js';
import { type ArchiveEvent, event } from './events.js';
import { MessageFollower } from './message-follow.js';
import { type HistoryItem, type HistoryQuery, history, type ListQuery, list } from './query.js';
import { Runtime } from './runtime.js';
import { inChunks, readSession, stampOf } from './scan.js';
import type { SignalStore } from './signals.js';
import { loadSnapshot, saveSnapshot } from './snapshot.js';
import { SortedList } from './sorted-list.js';
import type { SessionStatus, StatusInput, StatusStore } from './status.js';
import { byCreated, byUpdated, type FileStamp, type SessionSummary } from './summary.js';
import { ArchiveWatcher, type WatchNotice } from './watcher.js';

export interface OpenIndexOptions {
  /** Keep the index current with a file watcher. @default true */
  watch?: boolean;
  /** Full reconcile against the files this often while watching (a safety net). @default 60000 */
  reconcileMs?: number;
  /** Reconcile interval once the watch budget ran out. @default 5000 */
  degradedReconcileMs?: number;
  /** Quiet time after a file event before the file is re-read. @default 15 */
  debounceMs?: number;
  /** Ignore the persisted snapshot and read every `info.json`. @default false */
  rebuild?: boolean;
  /** Where warnings go (e.g. "watch budget exhausted"). @default console.warn */
  onWarning?: (message: string) => void;
  /** Sessions read (rebuild) or checked (reconcile) while opening, of all session folders. */
  onProgress?: OnProgress;
  /**
   * When the snapshot is checked against the files: `open` (default) before
   * `openIndex` resolves, so every answer is current; `background` after it —
   * the first page comes from the snapshot at once, and what changed while no
   * index watched (at 100k sessions: ~0.3 s of `stat`s) is corrected by
   * events (`session.created/updated/deleted`) soon after. `verified()`
   * resolves when the check is done.
   */
  verify?: 'open' | 'background';
}

export interface IndexStats {
  sessions: number;
  invalid: number;
  /** Conflict copies, temps and other non-data files seen (a full count after `scanStrays`). */
  strays: number;
  /** Folders under watch (0 when not watching). */
  watchedFolders: number;
  /** True when watching failed (inotify budget) and the index relies on periodic reconciling. */
  degraded: boolean;
}

/** A summary with the session's runtime status. */
export type IndexedSession = SessionSummary & { status: SessionStatus };

interface Entry {
  summary: SessionSummary;
  stamp: FileStamp;
}

/**
 * The index: session summaries for fast listing, kept in memory, persisted in
 * the state dir as a cache, reconciled against the files by `info.json`
 * mtime/size, and kept current by a folder watcher. It also carries runtime
 * status and emits OpenCode-named events for changes from any process.
 */
export class SessionIndex {
  private readonly entries = new Map<string, Entry>();
  private readonly updated = new SortedList<SessionSummary>(byUpdated);
  private readonly created = new SortedList<SessionSummary>(byCreated);
  private readonly strayFiles = new Map<string, StrayFile>();
  private readonly listeners = new Set<(e: ArchiveEvent) => void>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly messages: MessageFollower;
  private readonly runtime: Runtime;
  private projects = new Map<string, Project>();
  private watcher: ArchiveWatcher | undefined;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  private reconciling: Promise<number> | undefined;
  private verifying: Promise<void> = Promise.resolve();
  private degraded = false;
  private closed = false;
  readonly paths: ArchivePaths;
  readonly status: StatusStore;
  readonly signals: SignalStore;

  private constructor(
    readonly archive: Archive,
    private readonly options: Required<Omit<OpenIndexOptions, 'rebuild' | 'onProgress' | 'verify'>>,
  ) {
    this.paths = new ArchivePaths(archive.dir);
    this.runtime = new Runtime(
      archive,
      (e) => this.emit(e),
      () => this.watcher !== undefined,
    );
    this.status = this.runtime.status;
    this.signals = this.runtime.signals;
    this.messages = new MessageFollower(
      archive,
      (e) => this.emit(e),
      () => this.watcher,
    );
  }

  /** Opens the index of an archive: snapshot + reconcile (or a rebuild), then the watcher. */
  static async open(archive: Archive, options: OpenIndexOptions = {}): Promise<SessionIndex> {
    const index = new SessionIndex(archive, {
      watch: options.watch ?? true,
      reconcileMs: options.reconcileMs ?? 60_000,
      degradedReconcileMs: options.degradedReconcileMs ?? 5_000,
      debounceMs: options.debounceMs ?? 15,
      onWarning: options.onWarning ?? ((m) => console.warn(`session-archive: ${m}`)),
    });
    const snapshot = options.rebuild ? undefined : await loadSnapshot(archive.stateDir, archive.dir);
    const { onProgress } = options;
    const background = Boolean(snapshot) && options.verify === 'background';
    if (snapshot) {
      index.load(snapshot);
      if (!background) await index.reconcile({ quiet: true, onProgress });
    } else {
      await index.rebuild({ onProgress });
    }
    await index.loadProjects();
    await index.runtime.load();
    if (index.options.watch) await index.startWatching();
    if (background) {
      // After the caller has had a turn to listen: corrections arrive as events.
      index.verifying = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => index.reconcile({ onProgress }))
        .then(
          () => undefined,
          (error: unknown) => index.options.onWarning(`checking the index against the files failed: ${(error as Error).message}`),
        );
    }
    return index;
  }

  // ---------------------------------------------------------------- state

  private load(entries: Iterable<Entry>): void {
    this.entries.clear();
    for (const e of entries) this.entries.set(e.summary.id, e);
    const all = [...this.entries.values()].map((e) => e.summary);
    this.updated.reset(all);
    this.created.reset(all);
  }

  private put(entry: Entry): void {
    const old = this.entries.get(entry.summary.id);
    if (old) {
      this.updated.remove(old.summary);
      this.created.remove(old.summary);
    }
    this.entries.set(entry.summary.id, entry);
    this.updated.insert(entry.summary);
    this.created.insert(entry.summary);
    this.scheduleSave();
  }

  private drop(id: string): Entry | undefined {
    const old = this.entries.get(id);
    if (!old) return undefined;
    this.entries.delete(id);
    this.updated.remove(old.summary);
    this.created.remove(old.summary);
    this.scheduleSave();
    return old;
  }

  private scheduleSave(): void {
    if (this.saveTimer || this.closed) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.save().catch((error: unknown) => this.options.onWarning(`cannot save the index snapshot: ${(error as Error).message}`));
    }, 2_000);
    this.saveTimer.unref();
  }

  /** Writes the snapshot now. */
  async save(): Promise<void> {
    await saveSnapshot(this.archive.stateDir, this.archive.dir, this.entries);
  }

  private async loadProjects(): Promise<void> {
    this.projects = new Map((await this.archive.projects.list()).map((p) => [p.id, p]));
  }

  // ------------------------------------------------------------- building

  /** Reads every `info.json` from scratch. */
  async rebuild(options: { onProgress?: OnProgress } = {}): Promise<void> {
    const { ids, strays } = await this.folders();
    const found: Entry[] = [];
    await inChunks(ids, options.onProgress, (id) => {
      const s = readSession(this.paths, id);
      if (s) found.push({ summary: s.summary, stamp: s.stamp });
    });
    this.load(found);
    this.setTopLevelStrays(strays);
    // Persisted soon and on close; the caller need not wait for the fsync.
    this.scheduleSave();
  }

  private async folders(): Promise<{ ids: string[]; strays: StrayFile[] }> {
    let names: string[];
    try {
      names = await readdir(this.paths.sessions);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') names = [];
      else throw error;
    }
    return { ids: names.filter((n) => isId('session', n)), strays: topLevelStrays(this.paths, names) };
  }

  private setTopLevelStrays(strays: StrayFile[]): void {
    for (const [path, s] of this.strayFiles) if (!s.sessionID) this.strayFiles.delete(path);
    for (const s of strays) this.strayFiles.set(s.path, s);
  }

  /**
   * Brings the index in line with the files: stats every `info.json` and
   * re-reads only those whose mtime or size changed. Emits events for what it
   * finds unless `quiet`. Returns the number of sessions that changed.
   */
  reconcile(options: { quiet?: boolean; onProgress?: OnProgress } = {}): Promise<number> {
    this.reconciling ??= this.doReconcile(options.quiet ?? false, options.onProgress).finally(() => {
      this.reconciling = undefined;
    });
    return this.reconciling;
  }

  private async doReconcile(quiet: boolean, onProgress?: OnProgress): Promise<number> {
    const { ids, strays } = await this.folders();
    this.setTopLevelStrays(strays);
    const present = new Set(ids);
    let changes = 0;
    const stale: string[] = [];
    await inChunks(ids, onProgress, (id) => {
      const stamp = stampOf(this.paths, id);
      const known = this.entries.get(id);
      if (!stamp) {
        if (known) stale.push(id);
      } else if (!known || known.stamp.mtimeMs !== stamp.mtimeMs || known.stamp.size !== stamp.size) {
        stale.push(id);
      }
    });
    for (const id of stale) if (await this.refreshSession(id, quiet)) changes++;
    for (const id of [...this.entries.keys()]) {
      if (!present.has(id)) {
        this.removeSession(id, quiet);
        changes++;
      }
    }
    return changes;
  }

  /** Re-reads one session's `info.json` and updates the index; true when the summary changed. */
  private async refreshSession(id: string, quiet = false): Promise<boolean> {
    const scanned = readSession(this.paths, id);
    const known = this.entries.get(id);
    if (!scanned) {
      if (!known) return false;
      this.removeSession(id, quiet);
      return true;
    }
    this.put({ summary: scanned.summary, stamp: scanned.stamp });
    const changed = !known || JSON.stringify(known.summary) !== JSON.stringify(scanned.summary);
    if (!quiet && scanned.info && (changed || known?.stamp.mtimeMs !== scanned.stamp.mtimeMs)) {
      this.emit(event(known?.summary.valid ? 'session.updated' : 'session.created', { sessionID: id, info: scanned.info }));
    }
    return changed;
  }

  private removeSession(id: string, quiet: boolean): void {
    const old = this.drop(id);
    for (const [path, s] of this.strayFiles) if (s.sessionID === id) this.strayFiles.delete(path);
    if (old && !quiet) this.emit(event('session.deleted', { sessionID: id, info: summaryAsInfo(old.summary) }));
  }

  // ------------------------------------------------------------- watching

  private async startWatching(): Promise<void> {
    // Folders must exist before their watch starts, or the first write into a
    // folder created later can come before its watch and go unseen.
    await mkdir(this.status.folder, { recursive: true });
    await mkdir(this.signals.folder, { recursive: true });
    await mkdir(this.paths.projects, { recursive: true });
    this.watcher = new ArchiveWatcher(
      this.paths,
      { status: this.status.folder, signals: this.signals.folder },
      {
        notice: (n) => this.onNotice(n),
        error: (error, exhausted) => this.onWatchError(error, exhausted),
      },
    );
    this.setReconcileInterval(this.options.reconcileMs);
  }

  /** Resolves when the snapshot has been checked against the files (at once unless opened with `verify: 'background'`). */
  verified(): Promise<void> {
    return this.verifying;
  }

  /** Resolves when the watcher has set up its watches (listing works before). */
  async ready(): Promise<void> {
    await this.watcher?.ready;
  }

  private setReconcileInterval(ms: number): void {
    clearInterval(this.reconcileTimer);
    this.reconcileTimer = setInterval(() => {
      void this.reconcile().catch((error: unknown) => this.options.onWarning(`reconcile failed: ${(error as Error).message}`));
    }, ms);
    this.reconcileTimer.unref();
  }

  private onWatchError(error: Error, exhausted: boolean): void {
    if (exhausted) {
      if (this.degraded) return;
      this.degraded = true;
      this.options.onWarning(
        `file watching is out of budget (${errnoCode(error) ?? error.message}); changes are picked up by reconciling every ${this.options.degradedReconcileMs} ms instead. Raise fs.inotify.max_user_watches to watch everything.`,
      );
      this.setReconcileInterval(this.options.degradedReconcileMs);
    } else {
      this.options.onWarning(`file watcher: ${error.message}`);
    }
  }

  /** Re-reads after a quiet period per key: chokidar's events are not the last word (see PITFALLS). */
  private debounce(key: string, fn: () => Promise<unknown>): void {
    clearTimeout(this.timers.get(key));
    const timer = setTimeout(() => {
      this.timers.delete(key);
      if (this.closed) return;
      fn().catch((error: unknown) => this.options.onWarning(`${key}: ${(error as Error).message}`));
    }, this.options.debounceMs);
    this.timers.set(key, timer);
  }

  private onNotice(n: WatchNotice): void {
    switch (n.kind) {
      case 'sessions':
        if (isId('session', n.name)) this.debounce(`session:${n.name}`, () => this.refreshSession(n.name));
        else this.debounce(`stray:${n.name}`, () => this.refreshTopLevelStrays());
        return;
      case 'session':
        if (n.name === 'info.json') this.debounce(`session:${n.sessionID}`, () => this.refreshSession(n.sessionID));
        else if (n.name === 'todos.json') this.debounce(`todos:${n.sessionID}`, () => this.refreshTodos(n.sessionID));
        else if (n.name === 'messages' && this.messages.follows(n.sessionID)) void this.watcher?.subscribe(n.sessionID);
        else if (n.name !== 'messages') this.debounce(`strays:${n.sessionID}`, () => this.refreshSessionStrays(n.sessionID));
        return;
      case 'messages':
        if (n.name.endsWith('.json') && isId('message', n.name.slice(0, -5))) {
          const messageID = n.name.slice(0, -5);
          this.debounce(`message:${n.sessionID}:${messageID}`, () => this.messages.refresh(n.sessionID, messageID));
        } else {
          this.debounce(`strays:${n.sessionID}`, () => this.refreshSessionStrays(n.sessionID));
        }
        return;
      case 'signals':
        this.debounce(`signal:${n.name}`, async () => {
          const signal = await this.signals.read(n.name);
          if (signal) this.runtime.signaled(signal);
        });
        return;
      case 'projects':
        this.debounce('projects', () => this.loadProjects());
        return;
      case 'status':
        if (n.name.endsWith('.json') && isId('session', n.name.slice(0, -5))) {
          const sessionID = n.name.slice(0, -5);
          this.debounce(`status:${sessionID}`, async () => this.runtime.noted(sessionID, await this.status.get(sessionID)));
        }
        return;
    }
  }

  private async refreshTopLevelStrays(): Promise<void> {
    this.setTopLevelStrays((await this.folders()).strays);
  }

  private async refreshSessionStrays(sessionID: string): Promise<void> {
    for (const [path, s] of this.strayFiles) if (s.sessionID === sessionID) this.strayFiles.delete(path);
    for (const s of await sessionStrays(this.paths, sessionID)) this.strayFiles.set(s.path, s);
  }

  private async refreshTodos(sessionID: string): Promise<void> {
    try {
      this.emit(event('todo.updated', { sessionID, todos: await this.archive.todos.get(sessionID) }));
    } catch (error) {
      if (!isArchiveError(error, 'NOT_FOUND', 'CORRUPT')) throw error;
    }
  }

  // --------------------------------------------------------------- public

  /**
   * Re-reads these sessions now, without waiting for the watcher: for a
   * writer that lists right after its own write (the watcher's event follows
   * and changes nothing then).
   */
  async refresh(...ids: string[]): Promise<void> {
    for (const id of ids) if (isId('session', id)) await this.refreshSession(id);
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
  get(id: string): IndexedSession | undefined {
    const entry = this.entries.get(id);
    return entry && this.withStatus(entry.summary);
  }

  /** Sessions as OpenCode's `GET /session` lists them (see {@link ListQuery}). */
  list(query: ListQuery = {}): IndexedSession[] {
    return list(this.updated.items, query).map((s) => this.withStatus(s));
  }

  /** The global history across projects, paged by an opaque cursor (see {@link HistoryQuery}). */
  history(query: HistoryQuery = {}): { items: Array<HistoryItem & IndexedSession>; nextCursor?: string } {
    const page = history(this.created, this.projects, query);
    return { ...page, items: page.items.map((s) => ({ ...s, status: this.statusOf(s.id) })) };
  }

  /** Child sessions (by `parentID`), oldest first. */
  children(id: string): IndexedSession[] {
    return this.created.items
      .filter((s) => s.parentID === id)
      .reverse()
      .map((s) => this.withStatus(s));
  }

  /** IDs of the direct children, oldest first: `sessions.delete(id, {children: (p) => index.childIds(p)})` then reads no files to find them. */
  childIds(id: string): string[] {
    return this.created.items
      .filter((s) => s.parentID === id)
      .map((s) => s.id)
      .reverse();
  }

  /** Forks of a session (by `forkedFrom`), oldest first. */
  forks(id: string): IndexedSession[] {
    return this.created.items
      .filter((s) => s.forkedFrom?.sessionID === id)
      .reverse()
      .map((s) => this.withStatus(s));
  }

  /** Every summary, valid or not, newest created first. */
  all(): SessionSummary[] {
    return [...this.created.items];
  }

  /** Sessions whose `info.json` is broken, with their errors. */
  invalid(): SessionSummary[] {
    return this.created.items.filter((s) => !s.valid);
  }

  /** Conflict copies, temps and other non-data files (as far as seen; see `scanStrays`). */
  strays(): StrayFile[] {
    return [...this.strayFiles.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  /** Looks into every session folder for strays (reads every folder: for doctor, not for listing). */
  async scanStrays(): Promise<StrayFile[]> {
    await this.refreshTopLevelStrays();
    for (const id of this.entries.keys()) await this.refreshSessionStrays(id);
    return this.strays();
  }

  stats(): IndexStats {
    let invalid = 0;
    for (const e of this.entries.values()) if (!e.summary.valid) invalid++;
    return {
      sessions: this.entries.size - invalid,
      invalid,
      strays: this.strayFiles.size,
      watchedFolders: this.watcher?.watchedFolders() ?? 0,
      degraded: this.degraded,
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

  /** For tests: the chokidar watcher underneath, or undefined when not watching. */
  get watcherForTests(): ArchiveWatcher | undefined {
    return this.watcher;
  }

  /** Stops watching and saves the snapshot. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.reconcileTimer);
    clearTimeout(this.saveTimer);
    for (const t of this.timers.values()) clearTimeout(t);
    await this.verifying;
    await this.watcher?.close();
    await this.reconciling?.catch(() => {});
    await this.save();
  }
}

/** Opens the index of an archive (see {@link SessionIndex.open}). */
export function openIndex(archive: Archive, options: OpenIndexOptions = {}): Promise<SessionIndex> {
  return SessionIndex.open(archive, options);
}

/** The little a deleted session's event can say about it: what the index knew. */
function summaryAsInfo(s: SessionSummary): Session {
  const info: Session = {
    id: s.id,
    slug: s.slug,
    projectID: s.projectID,
    directory: s.directory,
    title: s.title,
    version: '',
    time: { ...s.time },
  };
  if (s.parentID) info.parentID = s.parentID;
  return info;
}
