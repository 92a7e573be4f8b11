import type { SqlDb, SqlRow, SqlStatement } from '../../store/sqlite.js';
import { type SettledListing, saveListing, saveStamps } from './saved-stamps.js';
import { SLOTS } from './search-answers.js';
import { num, type SessionRow, type Sql, storedStamps, str } from './stored-rows.js';
import { DOC_USAGE_NAMES, type MessageUsage, rebuildUsage, usageValues } from './usage.js';

/** Text queued for one batch's transaction before it is written anyway. */
const QUEUED_BYTES = 8 * 1024 * 1024;

/** What the search index stores of one session besides its messages. */
export interface SessionFields {
  project: string;
  directory: string;
  title: string;
  archived: boolean;
  updated: number;
  source: string;
}

/**
 * The search index's tables written: a session's rows (one transaction each,
 * or one for a whole batch) and the saved stamps. Knows nothing of the files;
 * `onChanged` is told of each session whose rows changed (the answers' and
 * the usage figures' caches).
 */
export class SearchRows {
  private readonly statements = new Map<string, SqlStatement>();
  /** Writes collected during a batch (see {@link write}, {@link batch}). */
  private queued: Array<() => void> | undefined;
  private queuedBytes = 0;
  /** Batches under way: their writes share {@link queued}. */
  private batches = 0;

  constructor(
    readonly db: SqlDb,
    private readonly onChanged: (session: string) => void,
  ) {}

  readonly sql: Sql = (text) => {
    let s = this.statements.get(text);
    if (!s) {
      s = this.db.prepare(text);
      this.statements.set(text, s);
    }
    return s;
  };

  /**
   * Runs `fn` in one write transaction (synchronous: nothing else in this
   * process runs in between) — or, while a batch collects writes, queues
   * it for the batch's one transaction: FTS5 writes a new segment at every
   * commit, so a commit per session would make the first build several
   * times slower, and a running server's flush of a few new sessions
   * several transactions where one does.
   */
  write(fn: () => void, bytes = 0): void {
    if (this.queued) {
      this.queued.push(fn);
      this.queuedBytes += bytes;
      if (this.queuedBytes > QUEUED_BYTES) this.commitQueued();
      return;
    }
    this.transaction(fn);
  }

  /**
   * Runs `fn` with its writes queued, and commits them (with those of any
   * other batch under way: each write is a whole change of its own) when it
   * ends. Batches may overlap (a flush while a check catches up): they share
   * one queue, and the last to end stops queuing. A batch that fails drops
   * its uncommitted writes when no other batch would commit them; their
   * stamps were not written, so the next check reads those files again.
   */
  async batch<T>(fn: () => Promise<T>): Promise<T> {
    this.batches++;
    this.queued ??= [];
    try {
      const result = await fn();
      this.commitQueued();
      return result;
    } finally {
      if (--this.batches === 0) {
        this.queued = undefined;
        this.queuedBytes = 0;
      }
    }
  }

  private commitQueued(): void {
    const fns = this.queued ?? [];
    this.queued = fns.length ? [] : this.queued;
    this.queuedBytes = 0;
    if (fns.length) {
      this.transaction(() => {
        for (const fn of fns) fn();
      });
    }
  }

  transaction(fn: () => void): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      fn();
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /**
   * Runs `fn`'s queries in one read transaction: an answer made of several
   * queries sees one state of the tables, not rows another process replaced
   * between two of them (a second search catching up the same index writes
   * its rows again under new row IDs).
   */
  reading<T>(fn: () => T): T {
    this.db.exec('BEGIN');
    try {
      return fn();
    } finally {
      this.db.exec('COMMIT');
    }
  }

  /** Sessions and messages indexed. */
  counts(): { sessions: number; messages: number } {
    return {
      sessions: num(this.sql('SELECT count(*) AS n FROM session').get()?.n),
      messages: num(this.sql("SELECT count(*) AS n FROM doc WHERE message != ''").get()?.n),
    };
  }

  /** Per session of `ids`: its messages and failed tool calls (sessions not indexed are left out). */
  sessionFacts(ids: readonly string[]): Map<string, { messages: number; failed: number }> {
    const out = new Map<string, { messages: number; failed: number }>();
    if (!ids.length) return out;
    const rows = this.sql(
      "SELECT session, count(*) AS n, sum(failed) AS f FROM doc WHERE session IN (SELECT value FROM json_each(?)) AND message != '' GROUP BY session",
    ).all(JSON.stringify(ids));
    for (const r of rows) out.set(str(r.session), { messages: num(r.n), failed: num(r.f) });
    return out;
  }

  /** Every row of a session gone (inside a write). */
  dropSession(id: string): void {
    for (const r of this.sql('SELECT rowid FROM doc WHERE session = ?').all(id)) this.sql('DELETE FROM fts WHERE rowid = ?').run(r.rowid);
    this.sql('DELETE FROM doc WHERE session = ?').run(id);
    this.sql('DELETE FROM usage WHERE session = ?').run(id);
    this.sql('DELETE FROM session WHERE id = ?').run(id);
    this.onChanged(id);
  }

  /** A session's row written with its stamps (inside a write). */
  putSession(id: string, fields: SessionFields, stamps: SessionRow): void {
    this.sql(
      `INSERT INTO session VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET
      project = excluded.project, directory = excluded.directory, title = excluded.title, archived = excluded.archived,
      updated = excluded.updated, info_stamp = excluded.info_stamp, todos_stamp = excluded.todos_stamp, messages_stamp = excluded.messages_stamp,
      source = excluded.source`,
    ).run(
      id,
      fields.project,
      fields.directory,
      fields.title,
      fields.archived ? 1 : 0,
      fields.updated,
      stamps.info,
      stamps.todos,
      stamps.messages,
      fields.source,
    );
    this.onChanged(id);
  }

  /** A session's usage rows made again from its messages' rows (inside a write); messages before `copiedBefore` are left out. */
  rebuildUsage(id: string, copiedBefore: number): void {
    rebuildUsage(this.db, id, copiedBefore);
    this.onChanged(id);
  }

  /** The stamps of a session's indexed messages, by message ID. */
  messageStamps(session: string): Map<string, string> {
    const stored = new Map<string, string>();
    for (const r of this.sql("SELECT message, stamp FROM doc WHERE session = ? AND message != ''").all(session)) {
      stored.set(str(r.message), str(r.stamp));
    }
    return stored;
  }

  /**
   * Writes one row. Its rowid is its time (`created` × 1024, plus a slot for
   * rows of the same millisecond), so FTS5's rowid order is newest-first
   * order: what lets a search over very common words pick the newest matches
   * without ranking them all (see `SearchAnswers.search`).
   */
  putDoc(
    session: string,
    message: string,
    role: string | undefined,
    created: number,
    stamp: string,
    title: string,
    body: string,
    /** False when there is surely no row to replace (skips looking). */
    replace = true,
    usage?: MessageUsage,
  ): void {
    if (replace) this.removeDoc(session, message);
    let base = Math.max(0, Math.floor(created)) * SLOTS;
    let rowid: number | undefined;
    for (; rowid === undefined; base += SLOTS) {
      const top = this.sql('SELECT max(rowid) AS m FROM doc WHERE rowid >= ? AND rowid < ?').get(base, base + SLOTS)?.m;
      const next = typeof top === 'number' ? top + 1 : base;
      if (next < base + SLOTS) rowid = next;
    }
    const insert = () =>
      this.sql(
        `INSERT INTO doc (rowid, session, message, role, created, stamp, ${DOC_USAGE_NAMES}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (session, message) DO NOTHING`,
      ).run(rowid, session, message, role ?? null, created, stamp, ...usageValues(usage));
    // `replace` was decided before this transaction: another process catching the same index up
    // (a CLI beside a server still building it) may have written the row since. Its row gives way.
    if (Number(insert().changes) === 0) {
      this.removeDoc(session, message);
      insert();
    }
    if (title || body) this.sql('INSERT INTO fts (rowid, title, body) VALUES (?, ?, ?)').run(rowid, title, body);
  }

  removeDoc(session: string, message: string): void {
    const old = this.sql('SELECT rowid FROM doc WHERE session = ? AND message = ?').get(session, message);
    if (!old) return;
    this.sql('DELETE FROM fts WHERE rowid = ?').run(old.rowid);
    this.sql('DELETE FROM doc WHERE rowid = ?').run(old.rowid);
  }

  /**
   * Saves the stored stamps for the next check to read at once, unless they
   * are saved already; read and written in one transaction, so they are the
   * table's. `listed`: the settled listing the last check went by;
   * `checked`: the saved stamps it read.
   */
  saveStamps(listed: SettledListing | undefined, checked: { token: string; ids: readonly string[] } | undefined): void {
    const saved = () => this.sql('SELECT token, listed_mtime FROM saved_stamps').get();
    const upToDate = (row: SqlRow | undefined) => row !== undefined && (listed === undefined || row.listed_mtime === listed.mtimeMs);
    if (upToDate(saved())) return;
    // Looked at again inside: another one-off search may have saved them meanwhile.
    this.transaction(() => {
      const row = saved();
      if (upToDate(row)) return;
      if (!row) saveStamps(this.db, storedStamps(this.sql), listed);
      // Saved, but with an older listing: a newer one is saved with them if they are the ones the last check read.
      else if (listed && checked && row.token === checked.token) saveListing(this.db, checked.token, checked.ids, listed);
    });
  }
}
