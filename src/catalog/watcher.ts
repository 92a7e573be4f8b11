import { basename, dirname, join } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import { errnoCode } from '../errors.js';
import { isId } from '../model/ids.js';
import type { ArchivePaths } from '../store/paths.js';

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

/**
 * Folder watches only: chokidar is told to ignore every file, so it holds one
 * inotify watch per folder (the archive's `sessions/`, each session folder,
 * `projects/`, the status and signal folders, and the messages folder of
 * subscribed sessions — or of every session, for the search index), and its unthrottled `raw` events name the entry that changed.
 * Its throttled file events, which drop trailing changes, are not used.
 */
export class ArchiveWatcher {
  private readonly watcher: FSWatcher;
  private readonly subscribed = new Set<string>();
  readonly ready: Promise<void>;

  constructor(
    private readonly paths: ArchivePaths,
    private readonly stateFolders: { status: string; signals: string },
    handlers: WatcherHandlers,
    /** Watch every session's messages folder (for the search index), not only subscribed ones. */
    private readonly allMessages = false,
  ) {
    this.watcher = watch([paths.sessions, paths.projects, stateFolders.status, stateFolders.signals], {
      depth: allMessages ? 2 : 1,
      ignoreInitial: true,
      // A session folder that is a link is reported (unsafe), never watched through.
      followSymlinks: false,
      persistent: true,
      ignored: (path, stats) => {
        if (stats?.isFile()) return true;
        if (basename(path) === 'messages') return !this.allMessages && !this.subscribed.has(basename(dirname(path)));
        return false;
      },
    });
    this.watcher.on('raw', (_event, name, details) => {
      const folder = (details as { watchedPath?: string } | undefined)?.watchedPath;
      if (typeof folder !== 'string' || typeof name !== 'string' || name === '') return;
      const notice = this.classify(folder, name);
      if (notice) handlers.notice(notice);
    });
    this.watcher.on('error', (error) => {
      const code = errnoCode(error);
      handlers.error(error as Error, code === 'ENOSPC' || code === 'EMFILE');
    });
    this.ready = new Promise((resolve) => this.watcher.once('ready', () => resolve()));
  }

  private classify(folder: string, name: string): WatchNotice | undefined {
    const { sessions, projects } = this.paths;
    if (folder === sessions) return { kind: 'sessions', name };
    if (folder === projects) return { kind: 'projects', name };
    if (folder === this.stateFolders.status) return { kind: 'status', name };
    if (folder === this.stateFolders.signals) return { kind: 'signals', name };
    const parent = dirname(folder);
    if (parent === sessions && isId('session', basename(folder))) return { kind: 'session', sessionID: basename(folder), name };
    if (basename(folder) === 'messages' && dirname(parent) === sessions && isId('session', basename(parent))) {
      return { kind: 'messages', sessionID: basename(parent), name };
    }
    return undefined;
  }

  /**
   * Starts watching a session's messages folder (one more watch). Resolves
   * once the watch is in place (or after a second, if the folder is missing:
   * its creation is then seen through the session folder's watch).
   */
  async subscribe(sessionID: string): Promise<void> {
    const folder = join(this.paths.session(sessionID), 'messages');
    this.subscribed.add(sessionID);
    this.watcher.add(folder);
    for (let waited = 0; waited < 1_000 && !(folder in this.watcher.getWatched()); waited += 5) {
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  unsubscribe(sessionID: string): void {
    if (!this.subscribed.delete(sessionID) || this.allMessages) return;
    this.watcher.unwatch(join(this.paths.session(sessionID), 'messages'));
  }

  /** For tests and diagnostics: the folders being watched. */
  watchedFolders(): number {
    return Object.keys(this.watcher.getWatched()).length;
  }

  /** The underlying chokidar watcher, so tests can feed it the errors a full inotify table gives. */
  get raw(): FSWatcher {
    return this.watcher;
  }

  async close(): Promise<void> {
    await this.watcher.close();
  }
}
