import type { OnProgress } from '../../progress.js';
import type { SessionStatus } from '../../store/status.js';
import type { SessionSummary } from './summary.js';

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
  /**
   * Keep the full-text search index too (`index.search`): brought up to date
   * after open (in the background; `searchReady()` resolves when done) and
   * kept current by the watcher, which then watches the messages folders of
   * the newest sessions too (`messageWatchLimit`); the others are caught up
   * when their `info.json` changes and by the periodic reconcile.
   * Runs on SQLite: node:sqlite (Node 22.5+) or the optional better-sqlite3,
   * else SQLite in WebAssembly (a dependency); only a broken install has
   * none, and then `index.search` says so. @default false
   */
  search?: boolean;
  /** Progress of the search index's catch-up (sessions checked, of all). */
  onSearchProgress?: OnProgress;
  /**
   * With `search`, how many existing sessions' messages folders are watched
   * (the newest by ID; sessions created while watching always are). Each
   * watch costs ~1.3 KB and one of the kernel's `fs.inotify.max_user_watches`.
   * @default 10000
   */
  messageWatchLimit?: number;
  /**
   * While watching, answer short-lived commands (`sarc list`, `show`,
   * `search`, `status`) over a Unix socket in the state dir, so they need
   * neither load nor check the index (see `askWatcher`). Off when another
   * process already answers for this archive. @default false
   */
  localSocket?: boolean;
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
