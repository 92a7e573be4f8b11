import { mkdir } from 'node:fs/promises';
import { sep } from 'node:path';
import { errnoCode, isArchiveError } from '../../errors.js';
import { isId } from '../../model/ids.js';
import type { Archive } from '../../store/archive.js';
import { ArchivePaths } from '../../store/paths.js';
import type { ListingCache, Reconciler, Runtime, SessionListing } from '../index/index.js';
import { type ArchiveEvent, event, INFO_SUFFIX, StatScan } from '../index/index.js';
import type { SearchIndex } from '../search/index.js';
import { SESSION_PATHS } from '../search/index.js';
import type { MessageFollower } from './message-follow.js';
import { ArchiveWatcher, type WatchNotice } from './watcher.js';

/** Sessions whose stamps one periodic reconcile checks (more are spread over several rounds). */
const SESSIONS_PER_ROUND = 10_000;

export interface WatchRouterOptions {
  reconcileMs: number;
  degradedReconcileMs: number;
  debounceMs: number;
  onWarning: (message: string) => void;
  messageWatchLimit?: number;
}

/**
 * Runs the folder watcher and routes what it notices: every notice names a
 * folder and an entry, and is turned, after a short quiet time per key, into
 * a re-read by the part that owns it (a session's info → the reconciler, a
 * message → the message follower, status and signals → the runtime, todos →
 * a `todo.updated` event). A periodic full reconcile is the safety net, more
 * often once the inotify budget ran out.
 */
export class WatchRouter {
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; fn: () => Promise<unknown> }>();
  /** Re-reads under way (for {@link flush}). */
  private readonly running = new Set<Promise<void>>();
  private reconcileTimer: NodeJS.Timeout | undefined;
  private round = 0;
  private closed = false;
  readonly watcher: ArchiveWatcher;
  private readonly paths: ArchivePaths;
  degraded = false;

  private constructor(
    private readonly archive: Archive,
    private readonly parts: {
      reconciler: Reconciler;
      messages: MessageFollower;
      runtime: Runtime;
      search?: SearchIndex;
      /** The listing of `sessions/`, shared with the index. */
      listings: ListingCache;
      loadProjects: () => Promise<void>;
      emit: (e: ArchiveEvent) => void;
    },
    private readonly options: WatchRouterOptions,
  ) {
    this.paths = new ArchivePaths(archive.dir);
    this.watcher = new ArchiveWatcher(
      this.paths,
      { status: archive.status.folder, signals: archive.signals.folder },
      {
        notice: (n) => this.onNotice(n),
        error: (error, exhausted) => this.onWatchError(error, exhausted),
      },
      { allMessages: parts.search !== undefined, messageWatchLimit: options.messageWatchLimit, listing: () => parts.listings.current() },
    );
    this.setReconcileInterval(options.reconcileMs);
  }

  /** Starts watching; the folders must exist before their watch starts, or a first write into one made later can go unseen. */
  static async start(archive: Archive, parts: WatchRouter['parts'], options: WatchRouterOptions): Promise<WatchRouter> {
    await mkdir(archive.status.folder, { recursive: true });
    await mkdir(archive.signals.folder, { recursive: true });
    await mkdir(new ArchivePaths(archive.dir).projects, { recursive: true });
    return new WatchRouter(archive, parts, options);
  }

  private setReconcileInterval(ms: number): void {
    clearInterval(this.reconcileTimer);
    this.reconcileTimer = setInterval(() => void this.checkRound(), ms);
    this.reconcileTimer.unref();
  }

  /**
   * One round of the safety net. Spread over rounds in a large archive: each
   * round checks the stamps of at most ~10,000 sessions (so a session at
   * least every `of` rounds), and removals in every round. The index and the
   * search index share one listing of `sessions/`, kept between rounds while
   * the folder's mtime vouches for it (read anew at least every `of` rounds),
   * and one set of stats of the round's share: the search index's paths,
   * `info.json` first, which is all the index looks at.
   */
  private async checkRound(): Promise<void> {
    const slice = { index: this.round++, of: Math.max(1, Math.ceil(this.parts.reconciler.sessionCount / SESSIONS_PER_ROUND)) };
    let listing: SessionListing;
    try {
      listing = await this.parts.listings.current(slice.of);
    } catch (error) {
      this.options.onWarning(`reconcile failed: ${(error as Error).message}`);
      return;
    }
    if (this.closed) return;
    const search = this.parts.search;
    const scan = new StatScan(`${this.paths.sessions}${sep}`, listing.share(slice), search ? SESSION_PATHS : [INFO_SUFFIX]);
    await Promise.all([
      this.parts.reconciler
        .reconcile({ slice, listing, scan })
        .catch((error: unknown) => this.options.onWarning(`reconcile failed: ${(error as Error).message}`)),
      search
        ?.catchUp({ slice, listing, scan })
        .catch((error: unknown) => this.options.onWarning(`search index: ${(error as Error).message}`)),
    ]);
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

  /** Re-reads after a quiet period per key: a watch event says where to look, the file read says what is there (see PITFALLS). */
  private debounce(key: string, fn: () => Promise<unknown>): void {
    clearTimeout(this.timers.get(key)?.timer);
    this.timers.set(key, { timer: setTimeout(() => this.fire(key), this.options.debounceMs), fn });
  }

  private fire(key: string): void {
    const due = this.timers.get(key);
    if (!due) return;
    clearTimeout(due.timer);
    this.timers.delete(key);
    if (this.closed) return;
    const done: Promise<void> = due
      .fn()
      .then(
        () => undefined,
        (error: unknown) => this.options.onWarning(`${key}: ${(error as Error).message}`),
      )
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }

  /**
   * Runs every re-read still waiting out its quiet time now, and resolves
   * when they (and those already under way) are done: afterwards, everything
   * the watcher had noticed is in the index.
   */
  async flush(): Promise<void> {
    // A re-read can notice more (a new folder's first files): a few rounds.
    for (let round = 0; round < 5 && (this.timers.size || this.running.size); round++) {
      for (const key of [...this.timers.keys()]) this.fire(key);
      await Promise.all(this.running);
    }
  }

  private onNotice(n: WatchNotice): void {
    const { reconciler, messages, runtime, search } = this.parts;
    if (search && (n.kind === 'sessions' || n.kind === 'session' || n.kind === 'messages')) {
      const sessionID = n.kind === 'sessions' ? n.name : n.sessionID;
      const message = n.kind === 'messages' && n.name.endsWith('.json') ? n.name.slice(0, -5) : undefined;
      if (n.kind !== 'messages' || message !== undefined) search.note(sessionID, message);
    }
    switch (n.kind) {
      case 'sessions':
        if (isId('session', n.name)) {
          this.archive.messages.noticed(n.name);
          this.debounce(`session:${n.name}`, () => reconciler.refreshSession(n.name));
        } else this.debounce(`stray:${n.name}`, () => reconciler.refreshTopLevelStrays(n.name));
        return;
      case 'session':
        if (n.name === 'messages') this.archive.messages.noticed(n.sessionID);
        if (n.name === 'info.json') this.debounce(`session:${n.sessionID}`, () => reconciler.refreshSession(n.sessionID));
        else if (n.name === 'todos.json') this.debounce(`todos:${n.sessionID}`, () => this.refreshTodos(n.sessionID));
        else if (n.name !== 'messages') this.debounce(`strays:${n.sessionID}`, () => reconciler.refreshSessionStrays(n.sessionID));
        return;
      case 'messages':
        if (n.name.endsWith('.json') && isId('message', n.name.slice(0, -5))) {
          const messageID = n.name.slice(0, -5);
          this.archive.messages.noticed(n.sessionID, messageID);
          this.debounce(`message:${n.sessionID}:${messageID}`, () => messages.refresh(n.sessionID, messageID));
        } else {
          if (n.name === 'messages') this.archive.messages.noticed(n.sessionID);
          this.debounce(`strays:${n.sessionID}`, () => reconciler.refreshSessionStrays(n.sessionID));
        }
        return;
      case 'signals':
        this.debounce(`signal:${n.name}`, async () => {
          const signal = await this.archive.signals.read(n.name);
          if (signal) runtime.signaled(signal);
        });
        return;
      case 'projects':
        this.debounce('projects', () => this.parts.loadProjects());
        return;
      case 'status':
        if (n.name.endsWith('.json') && isId('session', n.name.slice(0, -5))) {
          const sessionID = n.name.slice(0, -5);
          this.debounce(`status:${sessionID}`, async () => runtime.noted(sessionID, await this.archive.status.get(sessionID)));
        }
        return;
    }
  }

  private async refreshTodos(sessionID: string): Promise<void> {
    try {
      this.parts.emit(event('todo.updated', { sessionID, todos: await this.archive.todos.get(sessionID) }));
    } catch (error) {
      if (!isArchiveError(error, 'NOT_FOUND', 'CORRUPT')) throw error;
    }
  }

  /** Stops the timers and the watcher. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reconcileTimer);
    for (const t of this.timers.values()) clearTimeout(t.timer);
    await this.watcher.close();
  }
}
