import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { stateDirFor } from '../../store/locate.js';
import { ArchivePaths } from '../../store/paths.js';
import { openSqlite, ownSqliteFile, type SqlDb } from '../../store/sqlite.js';
import { INFO_SUFFIX } from '../index/path-stamp.js';
import { StatScan } from '../index/stat-scan.js';

/**
 * What the search index's check of every session needs before it can start
 * its stats — the stored sessions' IDs and stamps — in a form read in a few
 * milliseconds, and with nothing heavier than SQLite under it: a one-off
 * search starts those stats here, on another thread, while the rest of the
 * library is still loading (see {@link startSearchCheck}).
 */

/** The search index's file in the state folder: `search.sqlite`, or `search.wasm.sqlite` when SQLite runs as WebAssembly (see `ownSqliteFile`). */
export const searchFile = (): string => ownSqliteFile('search.sqlite');

/**
 * The paths of a session folder whose stamps tell the search index it
 * changed; `info.json` first, so that one {@link StatScan} of them serves the
 * session index too (a periodic round's).
 */
export const SESSION_PATHS: readonly string[] = [INFO_SUFFIX, `${sep}todos.json`, `${sep}messages`];

/**
 * Stored stamps as numbers, in the order of `ids`: for each session and each
 * of {@link SESSION_PATHS}, the mtime then the size, NaN for a path the row
 * has no stamp of and for a session with no row (every stored row has an
 * `info.json` stamp). Compared with a {@link StatScan}'s stamps as they are,
 * with no string made per session.
 */
export interface StoredStamps {
  ids: readonly string[];
  numbers: Float64Array;
  /** Set when these were saved (see {@link SAVED_STAMPS}): they are still the table's while the saved row has this token. */
  token?: string;
  /** Saved with them when it was known: the listing of `sessions/` they were checked against (see {@link KnownListing}). */
  listing?: KnownListing;
}

/**
 * What a settled listing of `sessions/` said, kept with the saved stamps so
 * that the next check need not read it again: while the folder's mtime is
 * still `mtimeMs` (taken before that reading, and older than it by the
 * listing cache's settling time, so a coarse clock cannot hide a change), no
 * entry was added, removed or renamed, and its entries are the stored
 * sessions and `unstored` (listed with no row: no readable `info.json` yet),
 * which the check stats as possible new sessions.
 */
export interface KnownListing {
  mtimeMs: number;
  unstored: readonly string[];
}

/** Numbers per session in {@link StoredStamps}. */
export const PER_SESSION = 2 * SESSION_PATHS.length;

/** Fills the i-th session's numbers from a stored line (`info<TAB>todos<TAB>messages`, each `mtime:size` or empty; undefined: no row). */
export function putLine(numbers: Float64Array, i: number, line: string | undefined): void {
  let at = 0;
  for (let j = 0; j < SESSION_PATHS.length; j++) {
    const o = i * PER_SESSION + 2 * j;
    const tab = line?.indexOf('\t', at) ?? -1;
    const end = line === undefined ? 0 : tab < 0 ? line.length : tab;
    const colon = line?.slice(at, end).indexOf(':') ?? -1;
    numbers[o] = colon < 0 ? Number.NaN : Number(line?.slice(at, at + colon));
    numbers[o + 1] = colon < 0 ? Number.NaN : Number(line?.slice(at + colon + 1, end));
    at = end + 1;
  }
}

/**
 * The stamps a one-off search saved for the next, and the triggers that
 * delete them in the transaction of any write to the session table,
 * whichever process or version of this code makes it: saved stamps are
 * never stale, and a new saving has a new token.
 */
const SAVED_STAMPS: ReadonlyArray<readonly [string, string]> = [
  [
    'saved_stamps',
    'CREATE TABLE IF NOT EXISTS saved_stamps (one INTEGER PRIMARY KEY CHECK (one = 0), token TEXT NOT NULL, ids TEXT NOT NULL, numbers BLOB NOT NULL, listed_mtime REAL, unstored TEXT)',
  ],
  ...['insert', 'update', 'delete'].map(
    (op) =>
      [
        `session_${op}_unsaves`,
        `CREATE TRIGGER IF NOT EXISTS session_${op}_unsaves AFTER ${op.toUpperCase()} ON session BEGIN DELETE FROM saved_stamps; END`,
      ] as const,
  ),
];

/** The columns of `saved_stamps` as {@link SAVED_STAMPS} makes it. */
const SAVED_COLUMNS = 'one,token,ids,numbers,listed_mtime,unstored';

/**
 * Makes the saved stamps' table and triggers where they are missing, or the
 * table again where it is not of this shape; writes (in one transaction)
 * only then.
 */
export function prepareSavedStamps(db: SqlDb): void {
  const names = SAVED_STAMPS.map(([name]) => `'${name}'`).join(', ');
  const present = db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name IN (${names})`).get()?.n;
  const columns = db.prepare("SELECT group_concat(name) AS names FROM pragma_table_info('saved_stamps')").get()?.names;
  if (present === SAVED_STAMPS.length && columns === SAVED_COLUMNS) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    if (columns !== SAVED_COLUMNS) db.exec('DROP TABLE IF EXISTS saved_stamps');
    for (const [, sql] of SAVED_STAMPS) db.exec(sql);
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

/**
 * Saves `stored` (the table's, read in the caller's write transaction) and,
 * when one is known, the settled listing of `sessions/` it was checked
 * against: its mtime and every entry (of which those with no row are saved).
 */
export function saveStamps(db: SqlDb, stored: StoredStamps, listing?: SettledListing): void {
  const { ids, numbers } = stored;
  db.prepare('INSERT INTO saved_stamps (one, token, ids, numbers, listed_mtime, unstored) VALUES (0, ?, ?, ?, ?, ?)').run(
    randomUUID(),
    ids.join('\n'),
    new Uint8Array(numbers.buffer, numbers.byteOffset, numbers.byteLength),
    listing ? listing.mtimeMs : null,
    listing ? unstored(ids, listing) : null,
  );
}

/**
 * Saves a newer settled listing with the saved stamps of `token` (whose IDs
 * are `ids`), when they are still saved: the folder's mtime moved, and
 * nothing in the table changed.
 */
export function saveListing(db: SqlDb, token: string, ids: readonly string[], listing: SettledListing): void {
  db.prepare('UPDATE saved_stamps SET listed_mtime = ?, unstored = ? WHERE token = ?').run(listing.mtimeMs, unstored(ids, listing), token);
}

/** A listing of `sessions/` whose mtime (taken before it was read) had settled. */
export interface SettledListing {
  mtimeMs: number;
  ids: readonly string[];
}

/** The listing's IDs that have no row, as one text. */
function unstored(ids: readonly string[], listing: SettledListing): string {
  const rows = new Set(ids);
  return listing.ids.filter((id) => !rows.has(id)).join('\n');
}

/** The saved stamps, ~10 ms at 100,000 sessions against ~140 ms for the table's rows; undefined when none are saved. */
export function savedStamps(db: SqlDb): StoredStamps | undefined {
  const r = db.prepare('SELECT token, ids, numbers, listed_mtime, unstored FROM saved_stamps').get();
  if (!r || typeof r.token !== 'string' || typeof r.ids !== 'string' || !(r.numbers instanceof Uint8Array)) return undefined;
  const ids = lines(r.ids);
  if (r.numbers.byteLength !== ids.length * PER_SESSION * 8) return undefined;
  // A copy: the blob's bytes need not be aligned for a Float64Array.
  const numbers = new Float64Array(ids.length * PER_SESSION);
  new Uint8Array(numbers.buffer).set(r.numbers);
  const listing =
    typeof r.listed_mtime === 'number' && typeof r.unstored === 'string'
      ? { mtimeMs: r.listed_mtime, unstored: lines(r.unstored) }
      : undefined;
  return { ids, numbers, token: r.token, ...(listing && { listing }) };
}

const lines = (text: string): string[] => (text === '' ? [] : text.split('\n'));

/** The token of the saved stamps, if any are saved (to tell whether ones read earlier are still the table's). */
export function savedToken(db: SqlDb): string | undefined {
  const token = db.prepare('SELECT token FROM saved_stamps').get()?.token;
  return typeof token === 'string' ? token : undefined;
}

/** Stats started from saved stamps before the search index was opened (see {@link startSearchCheck}). */
export interface SearchCheck {
  stateDir: string;
  sessions: string;
  stored: StoredStamps;
  scan: StatScan;
}

/**
 * Starts the stats of a search index's check from its saved stamps, before
 * the library that opens the index has loaded: at 100,000 sessions the
 * stats are most of a one-off search, and a second thread takes them while
 * this one loads. The search index uses them only if the stamps are still
 * saved with the same token when it checks, else it cancels them and reads
 * again. Undefined when nothing is saved (or the file cannot be read here:
 * the index then says why). Nothing is written. `stateDir` as for
 * `openArchive` (by default the archive's own).
 */
export function startSearchCheck(archiveDir: string, options: { stateDir?: string } = {}): SearchCheck | undefined {
  const stateDir = resolve(options.stateDir ?? stateDirFor(archiveDir));
  const file = join(stateDir, searchFile());
  // Opening a file that is not there would make it.
  if (!existsSync(file)) return undefined;
  let db: SqlDb | undefined;
  try {
    db = openSqlite(file, { purpose: 'full-text search', own: true });
    const stored = savedStamps(db);
    if (!stored) return undefined;
    const sessions = new ArchivePaths(archiveDir).sessions;
    return { stateDir, sessions, stored, scan: new StatScan(`${sessions}${sep}`, stored.ids, SESSION_PATHS) };
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}
