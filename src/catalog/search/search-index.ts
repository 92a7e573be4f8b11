import { statSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { OnProgress } from '../../progress.js';
import type { Archive } from '../../store/archive.js';
import { ArchivePaths } from '../../store/paths.js';
import { type SqlDb, sqliteAvailable } from '../../store/sqlite.js';
import { type CheckOptions, readListing, SETTLED_MS, type SessionListing, type Slice, StatScan } from '../index/index.js';
import { type PriceTable, shippedPrices } from './prices.js';
import { PER_SESSION, SESSION_PATHS, type SearchCheck, type SettledListing, savedStamps, savedToken, searchFile } from './saved-stamps.js';
import { SearchAnswers } from './search-answers.js';
import { type Noted, Notices } from './search-notices.js';
import { type Changed, compare, SessionReader } from './search-reader.js';
import { SearchRows } from './search-rows.js';
import { openSearchDb } from './search-schema.js';
import type { GroupedSearchResult, SearchQuery, SearchResult } from './search-types.js';
import { storedIds, storedStamps } from './stored-rows.js';
import type { UsageQuery, UsageResult } from './usage.js';
import { UsageFigures } from './usage-query.js';

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
  private readonly rows: SearchRows;
  private readonly reader: SessionReader;
  /** The usage figures, read from the tables at the first question and kept in step with this index's writes. */
  private readonly figures: UsageFigures;
  private readonly answers: SearchAnswers;
  private readonly notices = new Notices((batch) => this.readNoted(batch));
  private catchingUp: Promise<number> | undefined;
  private closed = false;
  private stopping = false;
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
    this.rows = new SearchRows(db, (id) => {
      this.answers.forgetFolders();
      this.figures.changed(id);
    });
    this.answers = new SearchAnswers(this.rows.sql, (text) => this.db.prepare(text));
    this.reader = new SessionReader(
      this.rows,
      this.paths.sessions,
      () => this.closed,
      () => this.stopping,
    );
  }

  /** True when this install can keep a search index: always, unless its SQLite in WebAssembly is missing too (a broken install). */
  static available(): boolean {
    return sqliteAvailable({ own: true });
  }

  /**
   * Opens (or creates) the search index of an archive. Call {@link catchUp} to
   * bring it in line with the files before the first search.
   */
  static async open(archive: Archive, options: { onWarning?: (message: string) => void; rebuild?: boolean } = {}): Promise<SearchIndex> {
    const file = join(archive.stateDir, searchFile());
    const onWarning = options.onWarning ?? ((m) => console.warn(`session-archive: ${m}`));
    const db = await openSearchDb(file, archive, { rebuild: options.rebuild, onWarning });
    return new SearchIndex(archive, db, file, onWarning);
  }

  /** Sessions and messages indexed. */
  counts(): { sessions: number; messages: number } {
    return this.rows.counts();
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
    this.catchingUp ??= this.doCatchUp(options.onProgress, options.slice, options.listing, options.scan, options.early).finally(() => {
      this.catchingUp = undefined;
    });
    return this.catchingUp;
  }
  /** @deprecated The former name of {@link catchUp}: "sync" is what brings an agent's sessions in. */
  sync(options: CheckOptions & { early?: SearchCheck } = {}): Promise<number> {
    return this.catchUp(options);
  }

  private async doCatchUp(
    onProgress?: OnProgress,
    slice?: Slice,
    given?: SessionListing,
    givenScan?: StatScan,
    early?: SearchCheck,
  ): Promise<number> {
    const sliced = slice !== undefined && slice.of > 1;
    if (!sliced && !givenScan) return this.fullCatchUp(onProgress, given, early);
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
    const stored = storedStamps(this.rows.sql, sliced ? ids : undefined);
    const gone = (!sliced ? stored.ids : slice.index % slice.of === 0 ? storedIds(this.rows.sql) : []).filter((id) => !listing.has(id));
    if (gone.length) {
      this.rows.write(() => {
        for (const id of gone) this.rows.dropSession(id);
      });
    }
    await scan.join();
    const changed: Changed[] = [];
    compare(scan, stored, changed);
    return gone.length + (await this.reader.refreshChanged(changed, ids.length, onProgress));
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
  private async fullCatchUp(onProgress?: OnProgress, given?: SessionListing, early?: SearchCheck): Promise<number> {
    const prefix = `${this.paths.sessions}${sep}`;
    // Stats started early are of this index's sessions while the stamps they were started from are still saved.
    const current =
      early &&
      early.sessions === this.paths.sessions &&
      join(early.stateDir, searchFile()) === this.file &&
      early.stored.token === savedToken(this.db);
    if (early && !current) void early.scan.cancel();
    const stored = current ? early.stored : (savedStamps(this.db) ?? storedStamps(this.rows.sql));
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
    compare(scan, stored, changed);
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
      compare(more, { ids: added, numbers: new Float64Array(added.length * PER_SESSION).fill(Number.NaN) }, changed);
    }
    return this.reader.refreshChanged(changed, Math.max(entries, changed.length), onProgress);
  }

  /**
   * Saves the stored stamps for the next check to read at once, unless they
   * are saved already. For a one-off search, where the next check is another
   * process's (a running index writes too often for it to pay).
   */
  saveStamps(): void {
    this.rows.saveStamps(this.listed, this.checked);
  }

  /**
   * Tells the index that a file changed (from the watcher): the session's
   * `info.json`/`todos.json`/folder when `messageID` is not given, else one
   * message file. Changes are read in one batch after `delayMs`.
   */
  note(sessionID: string, messageID?: string, delayMs = 15): void {
    if (!this.closed) this.notices.note(sessionID, messageID, delayMs);
  }

  /** Reads what was noted now; resolves when it is searchable. */
  flush(): Promise<void> {
    return this.notices.flush();
  }

  private async readNoted(batch: Noted): Promise<void> {
    // After a running catch-up, not beside it (a check that starts during this flush shares its batch: see batch).
    await this.catchingUp?.catch(() => {});
    if (this.closed) return;
    // One transaction for the batch (a server creating sessions notes a few in each).
    await this.rows
      .batch(async () => {
        for (const [id, what] of batch) {
          try {
            await this.reader.refreshSession(id, undefined, what === 'session' ? undefined : what);
          } catch (error) {
            this.onWarning(`search index: session ${id}: ${(error as Error).message}`);
          }
        }
      })
      .catch((error: unknown) => {
        // The commit failed (a full disk): nothing of the batch is stored, so the next check reads it again.
        this.onWarning(`search index: ${(error as Error).message}`);
      });
  }

  /** Ranked hits (see {@link SearchAnswers.search}). */
  search(q: SearchQuery): SearchResult {
    return this.rows.reading(() => this.answers.search(q));
  }

  /** Hits grouped per session (see {@link SearchAnswers.searchGroups}). */
  searchGroups(q: SearchQuery, groupOf?: (sessionID: string, time: number) => string): GroupedSearchResult {
    return this.rows.reading(() => this.answers.searchGroups(q, groupOf));
  }

  /** Per session of `ids`: its messages and failed tool calls, as of the last catch-up (sessions not indexed yet are left out). */
  sessionFacts(ids: readonly string[]): Map<string, { messages: number; failed: number }> {
    return this.rows.sessionFacts(ids);
  }

  /** Usage figures (tokens, cost, messages, tool calls, active time) as of the last catch-up, priced with `prices`. */
  usage(query: UsageQuery, prices: PriceTable = shippedPrices()): UsageResult {
    return this.rows.reading(() => this.figures.query(query, prices));
  }

  /** Waits for pending updates, then closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.stopping = true;
    await this.catchingUp?.catch(() => {});
    await this.flush();
    this.closed = true;
    this.notices.stop();
    this.db.close();
  }
}
