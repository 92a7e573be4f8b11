import { type Stats, statSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { ArchiveError, errnoCode, isArchiveError } from '../../errors.js';
import { isId } from '../../model/ids.js';
import type { MessageWithParts } from '../../model/message.js';
import type { Todo } from '../../model/todo.js';
import type { OnProgress } from '../../progress.js';
import type { Archive } from '../../store/archive.js';
import { readDataText } from '../../store/json-file.js';
import { mapLimit } from '../../store/map-limit.js';
import { ArchivePaths } from '../../store/paths.js';
import { type SqlDb, type SqlRow, type SqlStatement, sqliteAvailable } from '../../store/sqlite.js';
import type { Slice } from '../index/index.js';
import {
  type CheckOptions,
  type FileStamp,
  type PathStamp,
  pathStamp,
  readListing,
  SETTLED_MS,
  type SessionListing,
  StatScan,
  sessionAgent,
} from '../index/index.js';
import { type PriceTable, shippedPrices } from './prices.js';
import {
  PER_SESSION,
  putLine,
  SESSION_PATHS,
  type SearchCheck,
  type SettledListing,
  type StoredStamps,
  savedStamps,
  savedToken,
  saveListing,
  saveStamps,
  searchFile,
} from './saved-stamps.js';
import { SearchAnswers, SLOTS } from './search-answers.js';
import { prepareSearchDb } from './search-schema.js';
import { messageText, todosText } from './search-text.js';
import type { GroupedSearchResult, SearchQuery, SearchResult } from './search-types.js';
import { DOC_USAGE_NAMES, type MessageUsage, messageUsage, rebuildUsage, type UsageQuery, type UsageResult, usageValues } from './usage.js';
import { UsageFigures } from './usage-query.js';

interface SessionRow {
  info: string;
  todos: string;
  messages: string;
}

/** Message files read at once while catching up… */
const PARALLEL = 32;
/** …and at most this many bytes of them. */
const BYTES_AT_ONCE = 8 * 1024 * 1024;
/** Text queued for one catch-up transaction before it is written anyway. */
const QUEUED_BYTES = 8 * 1024 * 1024;
/** A message file larger than this is not read for search (its text would not fit a small heap). */
const LARGEST_FILE = 32 * 1024 * 1024;

const stampOf = (s: FileStamp | undefined) => (s ? `${s.mtimeMs}:${s.size}` : '');
const rowOf = (joined: string): SessionRow => {
  const [info = '', todos = '', messages = ''] = joined.split('\t');
  return { info, todos, messages };
};
/** A session folder's `info.json`, `todos.json` and messages folder, each stamped (undefined when missing). */
type SessionStats = Array<PathStamp | undefined>;
/** A session whose stamps changed: its ID, its paths' stamps and the stored row (none when new). */
type Changed = [string, SessionStats, SessionRow | undefined];
/** The stored row the i-th session's numbers stand for (as {@link stampOf} writes each stamp); undefined when it has none. */
function rowAt(stored: StoredStamps, i: number): SessionRow | undefined {
  const n = stored.numbers;
  const o = i * PER_SESSION;
  if (Number.isNaN(n[o])) return undefined;
  const stamp = (k: number) => stampOf(Number.isNaN(n[o + k]) ? undefined : { mtimeMs: n[o + k] as number, size: n[o + k + 1] as number });
  return { info: stamp(0), todos: stamp(2), messages: stamp(4) };
}
const sessionStats = (dir: string): SessionStats => SESSION_PATHS.map((p) => pathStamp(`${dir}${p}`));
const statOrUndefined = (path: string) =>
  stat(path).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return undefined;
    throw error;
  });
/**
 * A data file parsed, or undefined when it is absent or cannot be indexed
 * (not JSON, not UTF-8, not a regular file, a link). Small files are read
 * with synchronous calls, as the store reads them (see `readDataText`).
 */
const readJson = async (path: string): Promise<unknown> => {
  try {
    const read = await readDataText(path);
    return read && JSON.parse(read.text);
  } catch (error) {
    if (error instanceof SyntaxError || isArchiveError(error, 'CORRUPT', 'UNSAFE_PATH')) return undefined;
    throw error;
  }
};
const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * The full-text search index: derived data in the state dir
 * (`search.sqlite`, SQLite FTS5), never in the archive. Each session's
 * title and todos, and each message's text, reasoning, tool calls (name,
 * input, the start of the output), file names and patch files are one row.
 * It is checked against the files by stamps (`info.json`, `todos.json`, the
 * messages folder and each message file's mtime and size) and kept current
 * by the watcher's notices; a missing, stale or damaged database is rebuilt
 * from the files.
 */
export class SearchIndex {
  private readonly paths: ArchivePaths;
  private readonly statements = new Map<string, SqlStatement>();
  /** The usage figures, read from the tables at the first question and kept in step with this index's writes. */
  private readonly figures: UsageFigures;
  private readonly answers: SearchAnswers;
  private pending = new Map<string, Set<string> | 'session'>();
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private syncing: Promise<number> | undefined;
  private closed = false;
  private stopping = false;
  /** Writes collected during a batch (see {@link write}, {@link batch}). */
  private queued: Array<() => void> | undefined;
  private queuedBytes = 0;
  /** Batches under way: their writes share {@link queued}. */
  private batches = 0;
  /** The listing of `sessions/` the last full check went by, when settled (saved with the stamps: see {@link KnownListing}). */
  private listed: SettledListing | undefined;
  /** The saved stamps the last full check read (their token and IDs), if it read saved ones. */
  private checked: { token: string; ids: readonly string[] } | undefined;

  private constructor(
    private readonly archive: Archive,
    private readonly db: SqlDb,
    readonly file: string,
    private readonly onWarning: (message: string) => void,
  ) {
    this.paths = new ArchivePaths(archive.dir);
    this.figures = new UsageFigures(db);
    this.answers = new SearchAnswers(
      (text) => this.sql(text),
      (text) => this.db.prepare(text),
    );
  }

  /** True when this install can keep a search index: always, unless its SQLite in WebAssembly is missing too (a broken install). */
  static available(): boolean {
    return sqliteAvailable({ own: true });
  }

  /**
   * Opens (or creates) the search index of an archive. Call {@link sync} to
   * bring it in line with the files before the first search.
   */
  static async open(archive: Archive, options: { onWarning?: (message: string) => void; rebuild?: boolean } = {}): Promise<SearchIndex> {
    const file = join(archive.stateDir, searchFile());
    await mkdir(archive.stateDir, { recursive: true });
    const onWarning = options.onWarning ?? ((m) => console.warn(`session-archive: ${m}`));
    if (options.rebuild) for (const suffix of ['', '-wal', '-shm', '-journal']) await rm(`${file}${suffix}`, { force: true });
    let db: SqlDb;
    try {
      db = prepareSearchDb(file, archive.dir);
    } catch (error) {
      // Only a damaged file is made again (it is derived data); a busy one is another process's, in use.
      if (error instanceof ArchiveError || !/not a database|malformed|corrupt|disk image/i.test(String(error))) throw error;
      onWarning(`the search index was unreadable (${(error as Error).message}); rebuilding it`);
      for (const suffix of ['', '-wal', '-shm', '-journal']) await rm(`${file}${suffix}`, { force: true });
      db = prepareSearchDb(file, archive.dir);
    }
    return new SearchIndex(archive, db, file, onWarning);
  }

  private sql(text: string): SqlStatement {
    let s = this.statements.get(text);
    if (!s) {
      s = this.db.prepare(text);
      this.statements.set(text, s);
    }
    return s;
  }

  /**
   * Runs `fn` in one write transaction (synchronous: nothing else in this
   * process runs in between) — or, while a batch collects writes, queues
   * it for the batch's one transaction: FTS5 writes a new segment at every
   * commit, so a commit per session would make the first build several
   * times slower, and a running server's flush of a few new sessions
   * several transactions where one does.
   */
  private write(fn: () => void, bytes = 0): void {
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
  private async batch<T>(fn: () => Promise<T>): Promise<T> {
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

  private transaction(fn: () => void): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      fn();
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Sessions and messages indexed. */
  counts(): { sessions: number; messages: number } {
    return {
      sessions: num(this.sql('SELECT count(*) AS n FROM session').get()?.n),
      messages: num(this.sql("SELECT count(*) AS n FROM doc WHERE message != ''").get()?.n),
    };
  }

  /**
   * Brings the index in line with the files: every session folder is
   * stat'ed, and only sessions whose `info.json`, `todos.json` or messages
   * folder changed are read again (in them, only the message files whose
   * mtime or size changed). From scratch, that reads everything, with
   * progress in sessions. Concurrent calls share one run. Resolves to the
   * number of sessions whose stamps differed (read again, added or dropped).
   * `early`: stats started from the saved stamps before this index was
   * opened ({@link startSearchCheck}), used if those are still saved.
   */
  catchUp(options: CheckOptions & { early?: SearchCheck } = {}): Promise<number> {
    this.syncing ??= this.doSync(options.onProgress, options.slice, options.listing, options.scan, options.early).finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }
  /** @deprecated The former name of {@link catchUp}: "sync" is what brings an agent's sessions in. */
  sync(options: CheckOptions & { early?: SearchCheck } = {}): Promise<number> {
    return this.catchUp(options);
  }

  private async doSync(
    onProgress?: OnProgress,
    slice?: Slice,
    given?: SessionListing,
    givenScan?: StatScan,
    early?: SearchCheck,
  ): Promise<number> {
    const sliced = slice !== undefined && slice.of > 1;
    if (!sliced && !givenScan) return this.fullSync(onProgress, given, early);
    void early?.scan.cancel();
    const listing = given ?? (await readListing(this.paths));
    // A round of a periodic check looks at its share of the sessions (not every row of the
    // table), and at sessions that are gone once every `of` rounds.
    const ids = listing.share(slice);
    const scan =
      givenScan && givenScan.ids === ids && givenScan.suffixes === SESSION_PATHS
        ? givenScan
        : new StatScan(`${this.paths.sessions}${sep}`, ids, SESSION_PATHS);
    // The stored stamps of the sessions looked at, in one query: the whole table, or a round's share.
    const stored = this.storedStamps(sliced ? ids : undefined);
    const gone = (!sliced ? stored.ids : slice.index % slice.of === 0 ? this.storedIds() : []).filter((id) => !listing.has(id));
    if (gone.length) {
      this.write(() => {
        for (const id of gone) this.dropSession(id);
      });
    }
    await scan.join();
    const changed: Changed[] = [];
    this.compare(scan, stored, changed);
    return gone.length + (await this.refreshChanged(changed, ids.length, onProgress));
  }

  /**
   * The check of every session. The stats of the stored sessions' paths
   * start as soon as their IDs are read (the stamps saved by the last
   * one-off search, else the table's; or `early`, started from the saved
   * stamps before this index was opened), while the listing of `sessions/` is
   * read off this thread; the listing then only tells which sessions are new,
   * and is looked into only when it holds more sessions than were found. A
   * stored session that is gone has no `info.json` any more: its stamps
   * differ, and {@link refreshSession} drops it.
   */
  private async fullSync(onProgress?: OnProgress, given?: SessionListing, early?: SearchCheck): Promise<number> {
    const prefix = `${this.paths.sessions}${sep}`;
    // Stats started early are of this index's sessions while the stamps they were started from are still saved.
    const current =
      early &&
      early.sessions === this.paths.sessions &&
      join(early.stateDir, searchFile()) === this.file &&
      early.stored.token === savedToken(this.db);
    if (early && !current) void early.scan.cancel();
    const stored = current ? early.stored : (savedStamps(this.db) ?? this.storedStamps());
    this.checked = stored.token === undefined ? undefined : { token: stored.token, ids: stored.ids };
    const scan = current ? early.scan : new StatScan(prefix, stored.ids, SESSION_PATHS);
    // The listing is not read while the one saved with the stamps vouches for it (the folder's mtime is the same).
    const mtimeMs = statSync(this.paths.sessions, { throwIfNoEntry: false })?.mtimeMs;
    const saved = given || mtimeMs === undefined || stored.listing?.mtimeMs !== mtimeMs ? undefined : stored.listing;
    const readAt = Date.now();
    // The names only: no entry types, no strays.
    const reading = given ? Promise.resolve(given.ids) : saved ? undefined : this.archive.sessions.ids();
    // Awaited below; not an unhandled rejection should the stats throw first.
    reading?.catch(() => {});
    // This thread stats too, while the listing is read off it.
    await scan.join();
    const changed: Changed[] = [];
    this.compare(scan, stored, changed);
    let added: readonly string[] = saved?.unstored ?? [];
    let entries = stored.ids.length + added.length;
    this.listed = saved && mtimeMs !== undefined ? { mtimeMs, ids: [...stored.ids, ...added] } : undefined;
    if (reading) {
      const listed = await reading;
      entries = listed.length;
      // Kept for saveStamps once it is settled: a coarse clock could leave the mtime of a later change as it is.
      if (!given && mtimeMs !== undefined && mtimeMs < readAt - SETTLED_MS) this.listed = { mtimeMs, ids: listed };
      let found = 0;
      for (let i = 0; i < stored.ids.length; i++) if (scan.isFile(i)) found++;
      // Each session found is listed (its folder holds its info.json): a longer listing has new ones.
      if (found !== listed.length) {
        const known = new Set(stored.ids);
        added = listed.filter((id) => !known.has(id));
      }
    }
    if (added.length) {
      // The first build: every session is new, and its stats are taken as the stored ones' were.
      const more = new StatScan(prefix, added, SESSION_PATHS);
      await more.join();
      this.compare(more, { ids: added, numbers: new Float64Array(added.length * PER_SESSION).fill(Number.NaN) }, changed);
    }
    return this.refreshChanged(changed, Math.max(entries, changed.length), onProgress);
  }

  /** Adds to `changed` each of the scan's sessions (`stored`'s, in its order) whose stamps are not the stored ones. */
  private compare(scan: StatScan, stored: StoredStamps, changed: Changed[]): void {
    for (let i = 0; i < scan.ids.length; i++) {
      if (scan.matches(i, stored.numbers, i * PER_SESSION)) continue;
      changed.push([scan.ids[i] as string, SESSION_PATHS.map((_, j) => scan.entry(i, j)), rowAt(stored, i)]);
    }
  }

  /**
   * Reads again the sessions whose stamps changed, a batch at a time, each
   * batch committed in one transaction; progress counts the `total`
   * sessions checked, the unchanged ones done at once. Resolves to how many
   * were read again.
   */
  private async refreshChanged(changed: readonly Changed[], total: number, onProgress?: OnProgress): Promise<number> {
    const STEP = 256;
    let done = total - changed.length;
    onProgress?.(done, total);
    for (let i = 0; i < changed.length && !this.stopping; i += STEP) {
      const step = changed.slice(i, i + STEP);
      await this.batch(() => mapLimit(step, PARALLEL, ([id, stats, row]) => this.refreshSession(id, row, undefined, stats)));
      done += step.length;
      onProgress?.(done, total);
    }
    return changed.length;
  }

  private dropSession(id: string): void {
    this.answers.forgetFolders();
    for (const r of this.sql('SELECT rowid FROM doc WHERE session = ?').all(id)) this.sql('DELETE FROM fts WHERE rowid = ?').run(r.rowid);
    this.sql('DELETE FROM doc WHERE session = ?').run(id);
    this.sql('DELETE FROM usage WHERE session = ?').run(id);
    this.sql('DELETE FROM session WHERE id = ?').run(id);
    this.figures.changed(id);
  }

  /**
   * Reads one session again where its stamps changed since `known` (the
   * stored row when not given); with `messages`, these message files are
   * read again whatever the stamps say.
   */
  private async refreshSession(id: string, known?: SessionRow, messages?: Set<string>, stats?: SessionStats): Promise<void> {
    const dir = `${this.paths.sessions}${sep}${id}`;
    const [info, todos, folder] = stats ?? sessionStats(dir);
    const row = known ?? this.storedRow(id);
    if (!info?.file) {
      if (row) this.write(() => this.dropSession(id));
      return;
    }
    const stamps = { info: stampOf(info), todos: stampOf(todos), messages: stampOf(folder) };
    const infoChanged = !row || row.info !== stamps.info || row.todos !== stamps.todos;
    const messagesChanged = !row || row.info !== stamps.info || row.messages !== stamps.messages;
    if (!infoChanged && !messagesChanged && !messages?.size) return;

    const session = obj(await readJson(`${dir}${sep}info.json`));
    if (str(session.id) !== id) {
      // Broken or not this session's: nothing of it is searchable until it is fixed.
      if (row) this.write(() => this.dropSession(id));
      return;
    }
    const todoList = infoChanged ? await readJson(`${dir}${sep}todos.json`) : undefined;
    const time = obj(session.time);
    if (messagesChanged || messages?.size) {
      await this.indexMessages(id, messagesChanged, messages);
      // A fork's messages from before it was made are its source's: counted there.
      const copiedBefore = session.forkedFrom === undefined ? Number.NEGATIVE_INFINITY : num(time.created);
      this.write(() => {
        rebuildUsage(this.db, id, copiedBefore);
        this.figures.changed(id);
      });
    }
    this.write(() => {
      this.answers.forgetFolders();
      this.sql(
        `INSERT INTO session VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET
        project = excluded.project, directory = excluded.directory, title = excluded.title, archived = excluded.archived,
        updated = excluded.updated, info_stamp = excluded.info_stamp, todos_stamp = excluded.todos_stamp, messages_stamp = excluded.messages_stamp,
        source = excluded.source`,
      ).run(
        id,
        str(session.projectID),
        str(session.directory),
        str(session.title),
        time.archived === undefined ? 0 : 1,
        num(time.updated),
        stamps.info,
        stamps.todos,
        stamps.messages,
        sessionAgent(session),
      );
      this.figures.changed(id);
      if (infoChanged) {
        const todosBody = Array.isArray(todoList) ? todosText(todoList.filter((t): t is Todo => typeof obj(t).content === 'string')) : '';
        this.putDoc(id, '', undefined, num(time.updated), stamps.info, str(session.title), todosBody, row !== undefined);
      }
    });
  }

  /**
   * The stored stamps of every session (in ID order), or of those of `ids`
   * (in that order): the rows read as a few long strings of lines, 20,000
   * each, because at 100,000 sessions a row object each cost three times as
   * long (~0.4 s against ~0.1 s).
   */
  private storedStamps(ids?: readonly string[]): StoredStamps {
    const lines = new Map<string, string>();
    for (const text of this.storedText('id || char(9) || info_stamp || char(9) || todos_stamp || char(9) || messages_stamp', ids)) {
      for (let at = 0; at < text.length; ) {
        const newline = text.indexOf('\n', at);
        const end = newline < 0 ? text.length : newline;
        const tab = text.indexOf('\t', at);
        lines.set(text.slice(at, tab), text.slice(tab + 1, end));
        at = end + 1;
      }
    }
    const order = ids ?? [...lines.keys()];
    const numbers = new Float64Array(order.length * PER_SESSION);
    for (let i = 0; i < order.length; i++) putLine(numbers, i, lines.get(order[i] as string));
    return { ids: order, numbers };
  }

  /**
   * Saves the stored stamps for the next check to read at once, unless they
   * are saved already; read and written in one transaction, so they are the
   * table's. For a one-off search, where the next check is another process's
   * (a running index writes too often for it to pay).
   */
  saveStamps(): void {
    const listed = this.listed;
    const checked = this.checked;
    const saved = () => this.sql('SELECT token, listed_mtime FROM saved_stamps').get();
    const upToDate = (row: SqlRow | undefined) => row !== undefined && (listed === undefined || row.listed_mtime === listed.mtimeMs);
    if (upToDate(saved())) return;
    // Looked at again inside: another one-off search may have saved them meanwhile.
    this.transaction(() => {
      const row = saved();
      if (upToDate(row)) return;
      if (!row) saveStamps(this.db, this.storedStamps(), listed);
      // Saved, but with an older listing: a newer one is saved with them if they are the ones the last check read.
      else if (listed && checked && row.token === checked.token) saveListing(this.db, checked.token, checked.ids, listed);
    });
  }

  /** Every stored session's ID (read as {@link storedStamps} reads). */
  private storedIds(): string[] {
    const out: string[] = [];
    for (const text of this.storedText('id')) for (const id of text.split('\n')) out.push(id);
    return out;
  }

  /**
   * `line` (an SQL expression over a session row, without newlines) of every
   * stored session, or of those of `ids`, as a few long strings of lines:
   * 20,000 rows each in ID order, or one string for `ids`, looked up in one
   * query rather than one each (a periodic round's 10,000: ~25 ms against ~45).
   */
  private *storedText(line: string, ids?: readonly string[]): Generator<string> {
    if (ids) {
      const text = this.sql(`SELECT group_concat(${line}, char(10)) AS text FROM session WHERE id IN (SELECT value FROM json_each(?))`).get(
        JSON.stringify(ids),
      )?.text;
      if (typeof text === 'string' && text !== '') yield text;
      return;
    }
    const chunk = this.sql(
      `SELECT group_concat(line, char(10)) AS text, max(id) AS last FROM (SELECT id, ${line} AS line FROM session WHERE id > ? ORDER BY id LIMIT 20000)`,
    );
    for (let after = ''; ; ) {
      const r = chunk.get(after);
      const text = r?.text;
      if (typeof text !== 'string' || text === '') return;
      yield text;
      after = String(r?.last);
    }
  }

  /** One stored session's stamps, as `info<TAB>todos<TAB>messages`. */
  private storedLine(id: string): string | undefined {
    const r = this.sql('SELECT info_stamp || char(9) || todos_stamp || char(9) || messages_stamp AS line FROM session WHERE id = ?').get(
      id,
    );
    return r === undefined ? undefined : str(r.line);
  }

  private storedRow(id: string): SessionRow | undefined {
    const line = this.storedLine(id);
    return line === undefined ? undefined : rowOf(line);
  }

  /**
   * Indexes the message files of a session that changed since they were
   * indexed (all of them with `all`, else only `named`) and drops the rows
   * of files that are gone. Files are read a few at a time, at most
   * {@link BYTES_AT_ONCE} together, and written in batches: a session of
   * 100,000 messages or of 100 MB files costs memory for one batch.
   */
  private async indexMessages(sessionID: string, all: boolean, named?: Set<string>): Promise<void> {
    const folder = `${this.paths.sessions}${sep}${sessionID}${sep}messages`;
    const stored = new Map<string, string>();
    for (const r of this.sql("SELECT message, stamp FROM doc WHERE session = ? AND message != ''").all(sessionID)) {
      stored.set(str(r.message), str(r.stamp));
    }
    let ids: string[];
    if (all) {
      let names: string[] = [];
      try {
        names = await readdir(folder);
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT' && errnoCode(error) !== 'ENOTDIR') throw error;
      }
      ids = names.filter((n) => n.endsWith('.json') && isId('message', n.slice(0, -5))).map((n) => n.slice(0, -5));
    } else {
      ids = [...(named ?? [])].filter((m) => isId('message', m));
    }
    const seen = new Set<string>();
    const changed: Array<{ id: string; path: string; stats: Stats }> = [];
    await mapLimit(ids, PARALLEL, async (id) => {
      const path = `${folder}${sep}${id}.json`;
      const stats = await statOrUndefined(path);
      if (!stats?.isFile()) return;
      seen.add(id);
      if (stored.get(id) !== stampOf(stats)) changed.push({ id, path, stats });
    });
    for (let i = 0; i < changed.length && !this.closed; ) {
      // A batch: up to PARALLEL files and BYTES_AT_ONCE bytes (always at least one file).
      let end = i + 1;
      let bytes = changed[i]?.stats.size ?? 0;
      while (end < changed.length && end - i < PARALLEL && bytes + (changed[end]?.stats.size ?? 0) <= BYTES_AT_ONCE)
        bytes += changed[end++]?.stats.size ?? 0;
      const docs = await Promise.all(changed.slice(i, end).map((f) => this.readMessage(f.path, f.stats)));
      const files = changed.slice(i, end);
      this.write(
        () => {
          files.forEach((f, k) => {
            const d = docs[k];
            if (d) this.putDoc(sessionID, f.id, d.role, d.created, stampOf(f.stats), '', d.text, stored.has(f.id), d.usage);
          });
        },
        docs.reduce((sum, d) => sum + d.text.length, 0),
      );
      i = end;
    }
    const candidates = all ? [...stored.keys()] : ids;
    const removed = candidates.filter((id) => stored.has(id) && !seen.has(id));
    if (removed.length) {
      this.write(() => {
        for (const id of removed) this.removeDoc(sessionID, id);
      });
    }
  }

  /** One message file's searchable text, role and time (a file too large or not JSON is indexed empty). */
  private async readMessage(path: string, stats: Stats): Promise<{ role?: string; created: number; text: string; usage?: MessageUsage }> {
    if (stats.size > LARGEST_FILE) return { created: stats.mtimeMs, text: '' };
    const file = obj(await readJson(path));
    const info = obj(file.info);
    const parts = Array.isArray(file.parts) ? file.parts.filter((p) => typeof obj(p).type === 'string') : [];
    const role = info.role === 'user' || info.role === 'assistant' ? info.role : undefined;
    const created = num(obj(info.time).created) || stats.mtimeMs;
    return { role, created, text: messageText({ info, parts } as unknown as MessageWithParts), usage: messageUsage(info, parts) };
  }

  /**
   * Writes one row. Its rowid is its time (`created` × 1024, plus a slot for
   * rows of the same millisecond), so FTS5's rowid order is newest-first
   * order: what lets a search over very common words pick the newest matches
   * without ranking them all (see {@link search}).
   */
  private putDoc(
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

  private removeDoc(session: string, message: string): void {
    const old = this.sql('SELECT rowid FROM doc WHERE session = ? AND message = ?').get(session, message);
    if (!old) return;
    this.sql('DELETE FROM fts WHERE rowid = ?').run(old.rowid);
    this.sql('DELETE FROM doc WHERE rowid = ?').run(old.rowid);
  }

  /**
   * Tells the index that a file changed (from the watcher): the session's
   * `info.json`/`todos.json`/folder when `messageID` is not given, else one
   * message file. Changes are read in one batch after `delayMs`.
   */
  note(sessionID: string, messageID?: string, delayMs = 15): void {
    if (this.closed || !isId('session', sessionID)) return;
    const entry = this.pending.get(sessionID);
    if (messageID === undefined) this.pending.set(sessionID, 'session');
    else if (entry === undefined) this.pending.set(sessionID, new Set([messageID]));
    else if (entry !== 'session') entry.add(messageID);
    // Read `delayMs` after the first notice of a batch, not after the last: under a steady stream of
    // writes a quiet time never comes. A file changed after it was read is noticed, and read, again.
    this.flushTimer ??= setTimeout(() => void this.flush(), delayMs);
  }

  /** Reads what was noted now; resolves when it is searchable. */
  flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.flushing.then(async () => {
      // After a running catch-up, not beside it (a check that starts during this flush shares its batch: see batch).
      await this.syncing?.catch(() => {});
      if (this.closed) return;
      // One transaction for the batch (a server creating sessions notes a few in each).
      await this.batch(async () => {
        for (const [id, what] of batch) {
          try {
            await this.refreshSession(id, undefined, what === 'session' ? undefined : what);
          } catch (error) {
            this.onWarning(`search index: session ${id}: ${(error as Error).message}`);
          }
        }
      }).catch((error: unknown) => {
        // The commit failed (a full disk): nothing of the batch is stored, so the next check reads it again.
        this.onWarning(`search index: ${(error as Error).message}`);
      });
    });
    return this.flushing;
  }

  /** Ranked hits (see {@link SearchAnswers.search}). */
  search(q: SearchQuery): SearchResult {
    return this.answers.search(q);
  }

  /** Hits grouped per session (see {@link SearchAnswers.searchGroups}). */
  searchGroups(q: SearchQuery, groupOf?: (sessionID: string, time: number) => string): GroupedSearchResult {
    return this.answers.searchGroups(q, groupOf);
  }

  /** Per session of `ids`: its messages and failed tool calls, as of the last sync (sessions not indexed yet are left out). */
  sessionFacts(ids: readonly string[]): Map<string, { messages: number; failed: number }> {
    const out = new Map<string, { messages: number; failed: number }>();
    if (!ids.length) return out;
    const rows = this.sql(
      "SELECT session, count(*) AS n, sum(failed) AS f FROM doc WHERE session IN (SELECT value FROM json_each(?)) AND message != '' GROUP BY session",
    ).all(JSON.stringify(ids));
    for (const r of rows) out.set(str(r.session), { messages: num(r.n), failed: num(r.f) });
    return out;
  }

  /** Usage figures (tokens, cost, messages, tool calls, active time) as of the last sync, priced with `prices`. */
  usage(query: UsageQuery, prices: PriceTable = shippedPrices()): UsageResult {
    return this.figures.query(query, prices);
  }

  /** Waits for pending updates, then closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.stopping = true;
    await this.syncing?.catch(() => {});
    await this.flush();
    this.closed = true;
    clearTimeout(this.flushTimer);
    this.db.close();
  }
}
