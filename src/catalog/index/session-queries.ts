import { ArchiveError } from '../../errors.js';
import type { SessionStatus, StatusInput } from '../../store/status.js';
import type { StrayFile } from '../../store/strays.js';
import { findSessionByPrefix } from './find-session.js';
import type { IndexedSession } from './options.js';
import type { HistoryItem, HistoryQuery, ListQuery } from './query.js';
import type { Reconciler } from './reconciler.js';
import type { Runtime } from './runtime.js';
import type { SessionSummary } from './summary.js';
import type { SummaryTable } from './summary-table.js';

/**
 * What the session index answers from memory — summaries with their
 * runtime status, found by ID, prefix, parent, fork or page — and the
 * runtime status it sets. The {@link SessionIndex} is this, opened on an
 * archive and kept current.
 */
export abstract class SessionQueries {
  protected abstract readonly table: SummaryTable;
  protected abstract readonly reconciler: Reconciler;
  protected abstract readonly runtime: Runtime;

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

  /** The stamp (mtime, size) of a session's `info.json` when the index last read it: a cache of full infos can be checked against it. */
  stamp(id: string): { mtimeMs: number; size: number } | undefined {
    return this.table.stamp(id);
  }

  /** One session's summary, or undefined. */
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
}
