import { type FSWatcher, lstatSync, watch } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { errnoCode } from '../../errors.js';
import { isId } from '../../model/ids.js';
import type { ArchivePaths } from '../../store/paths.js';
import { readListing, type SessionListing } from '../index/index.js';

/** What changed, as far as a folder watch can tell: the folder and the name of the entry. */
export type WatchNotice =
  | { kind: 'sessions'; name: string }
  | { kind: 'session'; sessionID: string; name: string }
  | { kind: 'messages'; sessionID: string; name: string }
  | { kind: 'projects'; name: string }
  | { kind: 'status'; name: string }
  | { kind: 'signals'; name: string };

export interface WatcherHandlers {
  notice(notice: WatchNotice): void;
  /** The watch budget ran out (`ENOSPC`/`EMFILE`) or another watch error happened. */
  error(error: Error, exhausted: boolean): void;
}

export interface WatcherOptions {
  /** Watch the messages folders of sessions nobody subscribed to as well (for the search index). @default false */
  allMessages?: boolean;
  /**
   * With `allMessages`, how many existing sessions' messages folders are
   * watched from the start: the newest ones by ID (sessions created while
   * watching always are). One inotify watch costs about 1.3 KB of memory
   * here and the kernel's budget (`fs.inotify.max_user_watches`) is shared
   * by every program of the user. @default 10000
   */
  messageWatchLimit?: number;
  /** The entries of `sessions/` as they are now (a shared reading); read here when not given. */
  listing?: () => Promise<SessionListing>;
}

const FOLDER = Symbol('folder');
const TOKEN = Symbol('token');
const INO = Symbol('ino');

/**
 * A folder's watch, carrying what is kept of it on the watch object itself,
 * and one pair of listeners shared by every watch (the folder comes from
 * `this`): at 100k sessions the watches are most of the process's heap, and
 * a record and two closures per watch were a quarter of them.
 */
interface Watch extends FSWatcher {
  [FOLDER]: string;
  /** This watch's number: a folder watched again gets a new one. */
  [TOKEN]: number;
  /** The inode watched, once known (0 until an event made us look). */
  [INO]: number;
}

/** Folders watched per turn while starting: the event loop keeps answering between chunks. */
const CHUNK = 2_000;

/**
 * One inotify watch per folder, each set up and torn down on its own:
 * `sessions/`, each session folder, `projects/`, the status and signal
 * folders, and the messages folder of subscribed sessions (or of every
 * session, within a limit, for the search index). Built on `fs.watch`, whose
 * events name the entry that changed; files are never watched one by one.
 *
 * A new session folder costs one `lstat` and one watch, whatever the
 * archive's size (a folder-tree watcher that re-reads `sessions/` on every
 * new entry costs O(N) per create). A folder that is replaced (renamed over,
 * deleted and made again) is noticed through its parent's watch or its own
 * "moved/deleted" event, and watched again on its new inode.
 */
export class ArchiveWatcher {
  private readonly watches = new Map<string, Watch>();
  private readonly subscribed = new Set<string>();
  /** Sessions whose messages folder is watched only because someone subscribed (with `allMessages`, beyond the limit). */
  private readonly forSubscription = new Set<string>();
  private readonly allMessages: boolean;
  private readonly messageWatchLimit: number;
  private readonly listing: () => Promise<SessionListing>;
  private exhausted = false;
  private closed = false;
  private tokens = 0;
  private readonly onChange: (this: Watch, type: string, name: string | Buffer | null) => void;
  private readonly onError: (error: Error) => void;
  readonly ready: Promise<void>;
  /** True once every folder's watch is set up ({@link ready} has resolved). */
  started = false;

  constructor(
    private readonly paths: ArchivePaths,
    private readonly stateFolders: { status: string; signals: string },
    private readonly handlers: WatcherHandlers,
    options: WatcherOptions = {},
  ) {
    this.allMessages = options.allMessages ?? false;
    this.messageWatchLimit = options.messageWatchLimit ?? 10_000;
    this.listing = options.listing ?? (() => readListing(paths));
    const self = this;
    this.onChange = function (this: Watch, _type, name) {
      self.onEvent(this[FOLDER], typeof name === 'string' ? name : String(name ?? ''));
    };
    this.onError = (error) => this.failed(error);
    this.ready = this.start().then(() => {
      this.started = true;
    });
  }

  private async start(): Promise<void> {
    // The parents first: a session folder made while the rest are set up is seen through them.
    for (const root of [this.paths.sessions, this.paths.projects, this.stateFolders.status, this.stateFolders.signals]) this.add(root);
    // Read after the parents' watches are up (a folder made since is seen through them);
    // a session folder that is a link is reported (unsafe), never watched through.
    const ids = (await this.listing()).folders();
    // Session IDs sort newest first: the newest sessions' messages folders are the ones watched.
    ids.sort();
    for (let i = 0; i < ids.length && !this.closed; i += CHUNK) {
      for (let j = i; j < Math.min(ids.length, i + CHUNK); j++) {
        // The listing's names are session IDs: plain concatenation (at 100k, the path checks of
        // `paths.session` cost a third of setting the watches up).
        const folder = `${this.paths.sessions}${sep}${ids[j]}`;
        if (this.watches.has(folder)) continue;
        this.add(folder);
        if (this.allMessages && j < this.messageWatchLimit) this.add(`${folder}${sep}messages`, true);
      }
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Starts one folder's watch; false when the folder is not there. */
  private add(folder: string, optional = false, ino = 0): boolean {
    if (this.closed || this.watches.has(folder)) return this.watches.has(folder);
    if (this.exhausted && optional) return false;
    let watcher: Watch;
    try {
      watcher = watch(folder, { persistent: true }) as Watch;
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      this.failed(error as Error);
      return false;
    }
    watcher[FOLDER] = folder;
    watcher[TOKEN] = ++this.tokens;
    watcher[INO] = ino;
    watcher.on('change', this.onChange);
    watcher.on('error', this.onError);
    this.watches.set(folder, watcher);
    return true;
  }

  private remove(folder: string): void {
    const w = this.watches.get(folder);
    if (!w) return;
    this.watches.delete(folder);
    w.close();
  }

  private failed(error: Error): void {
    const code = errnoCode(error);
    const exhausted = code === 'ENOSPC' || code === 'EMFILE';
    if (exhausted) {
      if (this.exhausted) return;
      this.exhausted = true;
    }
    this.handlers.error(error, exhausted);
  }

  private onEvent(folder: string, name: string): void {
    if (this.closed || name === '') return;
    const notice = this.classify(folder, name);
    if (!notice) return;
    if (notice.kind === 'sessions' && isId('session', name)) this.check(name);
    else if (notice.kind === 'session' && name === notice.sessionID) this.check(name);
    else if (notice.kind === 'session' && name === 'messages') this.checkMessages(notice.sessionID);
    else if (notice.kind === 'messages' && name === 'messages') this.checkMessages(notice.sessionID);
    this.handlers.notice(notice);
  }

  /** A session folder's entry in `sessions/` changed: watch it (again) if it is a folder, stop if it is gone. */
  private check(sessionID: string): void {
    const folder = this.paths.session(sessionID);
    const stats = lstatSync(folder, { throwIfNoEntry: false });
    const known = this.watches.get(folder);
    if (!stats?.isDirectory()) {
      this.remove(folder);
      this.remove(join(folder, 'messages'));
      return;
    }
    if (known && known[INO] === stats.ino) return;
    // New, or replaced by another folder (or not yet looked at): watch the inode that is there now.
    this.remove(folder);
    this.add(folder, false, Number(stats.ino));
    this.checkMessages(sessionID);
  }

  private wantsMessages(sessionID: string): boolean {
    return this.allMessages || this.subscribed.has(sessionID);
  }

  private checkMessages(sessionID: string): void {
    if (!this.wantsMessages(sessionID)) return;
    const folder = join(this.paths.session(sessionID), 'messages');
    const stats = lstatSync(folder, { throwIfNoEntry: false });
    const known = this.watches.get(folder);
    if (!stats?.isDirectory()) {
      this.remove(folder);
      return;
    }
    if (known && known[INO] === stats.ino) return;
    this.remove(folder);
    if (this.add(folder, !this.subscribed.has(sessionID), Number(stats.ino))) void this.announce(sessionID, folder);
  }

  /** What a folder held before its watch started (a file written right after the folder was made) is announced too. */
  private async announce(sessionID: string, folder: string): Promise<void> {
    const names = await readdir(folder).catch(() => [] as string[]);
    for (const name of names) if (!this.closed) this.handlers.notice({ kind: 'messages', sessionID, name });
  }

  private classify(folder: string, name: string): WatchNotice | undefined {
    const { sessions, projects } = this.paths;
    if (folder === sessions) return { kind: 'sessions', name };
    if (folder === projects) return { kind: 'projects', name };
    if (folder === this.stateFolders.status) return { kind: 'status', name };
    if (folder === this.stateFolders.signals) return { kind: 'signals', name };
    if (!folder.startsWith(sessions + sep)) return undefined;
    const rest = folder.slice(sessions.length + 1);
    const slash = rest.indexOf(sep);
    if (slash === -1) return isId('session', rest) ? { kind: 'session', sessionID: rest, name } : undefined;
    const sessionID = rest.slice(0, slash);
    if (rest.slice(slash + 1) === 'messages' && isId('session', sessionID)) return { kind: 'messages', sessionID, name };
    return undefined;
  }

  /**
   * Starts watching a session's messages folder (one more watch). The watch
   * is in place when this resolves; if the folder is missing, its creation is
   * seen through the session folder's watch and watched then.
   */
  async subscribe(sessionID: string): Promise<void> {
    this.subscribed.add(sessionID);
    const folder = join(this.paths.session(sessionID), 'messages');
    if (!this.watches.has(folder)) {
      const stats = lstatSync(folder, { throwIfNoEntry: false });
      if (stats?.isDirectory() && this.add(folder, false, Number(stats.ino))) this.forSubscription.add(sessionID);
    }
  }

  unsubscribe(sessionID: string): void {
    if (!this.subscribed.delete(sessionID)) return;
    const own = this.forSubscription.delete(sessionID);
    if (this.allMessages && !own) return;
    this.remove(join(this.paths.session(sessionID), 'messages'));
  }

  /**
   * A number that stays the same while one unbroken watch covers the
   * session's messages folder (and the session folder above it); undefined
   * when none does, or the budget ran out.
   */
  messagesToken(sessionID: string): number | undefined {
    if (this.exhausted || this.closed) return undefined;
    const session = this.watches.get(this.paths.session(sessionID));
    const messages = this.watches.get(join(this.paths.session(sessionID), 'messages'));
    return session && messages ? messages[TOKEN] * 2 ** 26 + session[TOKEN] : undefined;
  }

  /** For tests and diagnostics: the folders being watched. */
  watchedFolders(): number {
    return this.watches.size;
  }

  /** For tests: what a watch reports when the kernel's budget runs out. */
  injectError(error: Error): void {
    this.failed(error);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.ready.catch(() => {});
    for (const w of this.watches.values()) w.close();
    this.watches.clear();
  }
}
