import { mkdir, rm } from 'node:fs/promises';
import { ArchiveError } from '../../errors.js';
import { openSqlite, type SqlDb } from '../../store/sqlite.js';
import { prepareSavedStamps } from './saved-stamps.js';
import { createUsageTable, DOC_USAGE_COLUMNS } from './usage.js';

/** The search index's schema: a file of another version is made again (it is derived data). */
const SCHEMA = 5;
/** Words in any form (`porter`), case and accents folded (`unicode61 remove_diacritics 2`). */
const TOKENIZER = 'porter unicode61 remove_diacritics 2';

/**
 * Opens the search index's file and makes its tables when they are not this
 * schema's or another archive's: the sessions, one row per message (with its
 * usage columns), the FTS5 table of their words, the saved stamps.
 */
export function prepareSearchDb(file: string, archiveDir: string): SqlDb {
  const db = openSqlite(file, { purpose: 'full-text search and usage figures', own: true });
  try {
    db.exec('PRAGMA busy_timeout = 10000');
    db.exec('PRAGMA journal_mode = WAL');
    // Derived data: a power cut may lose the last updates, which the next sync finds again by stamps.
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    const current = () =>
      db.prepare("SELECT value FROM meta WHERE key = 'schema'").get()?.value === `${SCHEMA} ${TOKENIZER}` &&
      db.prepare("SELECT value FROM meta WHERE key = 'archive'").get()?.value === archiveDir;
    // Asked again once the write lock is held: another process may have made the tables meanwhile (and be filling them).
    const began = !current();
    if (began) db.exec('BEGIN IMMEDIATE');
    if (began && !current()) {
      db.exec('DROP TABLE IF EXISTS session; DROP TABLE IF EXISTS doc; DROP TABLE IF EXISTS fts; DROP TABLE IF EXISTS saved_stamps');
      db.exec(`CREATE TABLE session (
        id TEXT PRIMARY KEY, project TEXT NOT NULL, directory TEXT NOT NULL, title TEXT NOT NULL,
        archived INTEGER NOT NULL, updated INTEGER NOT NULL,
        info_stamp TEXT NOT NULL, todos_stamp TEXT NOT NULL, messages_stamp TEXT NOT NULL, source TEXT NOT NULL)`);
      db.exec(`CREATE TABLE doc (
        rowid INTEGER PRIMARY KEY, session TEXT NOT NULL, message TEXT NOT NULL, role TEXT, created INTEGER NOT NULL, stamp TEXT NOT NULL,
        ${DOC_USAGE_COLUMNS}, UNIQUE (session, message))`);
      createUsageTable(db);
      // Prefix indexes for 3 and 4 characters: `ret*` or `kalo*` without merging every term that starts so.
      db.exec(`CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize = '${TOKENIZER}', prefix = '3 4')`);
      // A word in the title counts five times one in a message.
      db.exec("INSERT INTO fts (fts, rank) VALUES ('rank', 'bm25(5.0, 1.0)')");
      db.prepare("INSERT OR REPLACE INTO meta VALUES ('schema', ?)").run(`${SCHEMA} ${TOKENIZER}`);
      db.prepare("INSERT OR REPLACE INTO meta VALUES ('archive', ?)").run(archiveDir);
    }
    if (began) db.exec('COMMIT');
    prepareSavedStamps(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * The search index's database at `file` (in the archive's state folder),
 * made anew when `rebuild` asks or when it is damaged (not when it is busy:
 * then it is another process's, in use).
 */
export async function openSearchDb(
  file: string,
  archive: { dir: string; stateDir: string },
  options: { rebuild?: boolean; onWarning: (message: string) => void },
): Promise<SqlDb> {
  await mkdir(archive.stateDir, { recursive: true });
  const remove = async () => {
    for (const suffix of ['', '-wal', '-shm', '-journal']) await rm(`${file}${suffix}`, { force: true });
  };
  if (options.rebuild) await remove();
  try {
    return prepareSearchDb(file, archive.dir);
  } catch (error) {
    if (error instanceof ArchiveError || !/not a database|malformed|corrupt|disk image/i.test(String(error))) throw error;
    options.onWarning(`the search index was unreadable (${(error as Error).message}); rebuilding it`);
    await remove();
    return prepareSearchDb(file, archive.dir);
  }
}
