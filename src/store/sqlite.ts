import { readdirSync, rmdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { ArchiveError } from '../errors.js';

export type SqlRow = Record<string, unknown>;

export interface SqlStatement {
  run(...params: unknown[]): { changes: number | bigint };
  all(...params: unknown[]): SqlRow[];
  get(...params: unknown[]): SqlRow | undefined;
}

/** Which engine opened a database: a native one, or SQLite compiled to WebAssembly (no build, no download). */
export type SqlEngine = 'node:sqlite' | 'better-sqlite3' | 'wasm';

/** The part of a SQLite binding this project uses; `node:sqlite`, `better-sqlite3` and the WebAssembly one all fit it. */
export interface SqlDb {
  prepare(sql: string): SqlStatement;
  exec(sql: string): void;
  close(): void;
  /** Which binding opened it. */
  readonly binding: SqlEngine;
}

type Opened = Omit<SqlDb, 'binding'>;
type Binding = { name: SqlEngine; open(path: string, readOnly: boolean): Opened };

const require = createRequire(import.meta.url);
let native: Binding | Error | undefined;
let portable: Binding | Error | undefined;

/**
 * Loads `node:sqlite` without its "experimental feature" warning on stderr
 * (Node 22 and 23 print it at the first load; a command's output is not the
 * place for it). Every other warning passes.
 */
function quietly<T>(load: () => T): T {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (/SQLite is an experimental feature/.test(text)) return;
    return (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return load();
  } finally {
    process.emitWarning = emit;
  }
}

/** The first native SQLite this Node has: `node:sqlite` (Node 22.5+), else the optional dependency `better-sqlite3`. */
function nativeBinding(): Binding | Error {
  if (native) return native;
  if (process.env.SARC_SQLITE === 'wasm') {
    native = new Error('SARC_SQLITE=wasm: the native SQLite bindings are not used');
    return native;
  }
  try {
    const { DatabaseSync } = quietly(() => require('node:sqlite')) as {
      DatabaseSync: new (path: string, options: { readOnly: boolean }) => Opened;
    };
    native = { name: 'node:sqlite', open: (path, readOnly) => new DatabaseSync(path, { readOnly }) };
    return native;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_BUILTIN_MODULE' && !String(error).includes('node:sqlite')) throw error;
  }
  try {
    const Database = require('better-sqlite3') as new (path: string, options: { readonly: boolean; fileMustExist: boolean }) => Opened;
    native = { name: 'better-sqlite3', open: (path, readOnly) => new Database(path, { readonly: readOnly, fileMustExist: readOnly }) };
  } catch (cause) {
    native = cause as Error;
  }
  return native;
}

type WasmDb = {
  exec(sql: string): void;
  run(sql: string, values?: unknown[]): { changes: number | bigint };
  all(sql: string, values?: unknown[]): SqlRow[];
  get(sql: string, values?: unknown[]): SqlRow | null;
  close(): void;
};

/**
 * A holder that died inside a statement leaves the WebAssembly engine's lock
 * folder (`<file>.lock`, made for the length of one statement or transaction)
 * behind; one this old is taken to be such a leftover.
 */
const WASM_LOCK_STALE_MS = 30_000;

/**
 * SQLite compiled to WebAssembly (`node-sqlite3-wasm`): needs no compiler and
 * downloads nothing at install, so search works on every install. It has no
 * shared memory, hence no WAL: a database it opens is in rollback-journal
 * mode, and its lock is a folder beside the file, which a crashed holder
 * leaves behind (removed here once stale). Each call prepares and finalizes
 * its statement: nothing lingers in its heap.
 */
function portableBinding(): Binding | Error {
  if (portable) return portable;
  try {
    const { Database } = require('node-sqlite3-wasm') as {
      Database: new (path: string, options: { readOnly: boolean; fileMustExist: boolean }) => WasmDb;
    };
    portable = {
      name: 'wasm',
      open(path, readOnly) {
        clearStaleWasmLocks(path);
        const db = new Database(path, { readOnly, fileMustExist: readOnly });
        const retried = <T>(call: () => T): T => {
          try {
            return call();
          } catch (error) {
            if (!/database is locked/i.test(String(error)) || !clearStaleWasmLocks(path)) throw error;
            return call();
          }
        };
        return {
          exec: (sql) => retried(() => db.exec(sql)),
          prepare: (sql) => ({
            run: (...params) => retried(() => db.run(sql, params)),
            all: (...params) => retried(() => db.all(sql, params)),
            get: (...params) => retried(() => db.get(sql, params) ?? undefined),
          }),
          close: () => db.close(),
        };
      },
    };
  } catch (cause) {
    portable = cause as Error;
  }
  return portable;
}

/** Removes the WebAssembly engine's lock folders of a database (and its journal) older than {@link WASM_LOCK_STALE_MS}; true if it removed one. */
function clearStaleWasmLocks(path: string): boolean {
  let removed = false;
  const name = basename(path);
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return false;
  }
  for (const entry of names) {
    if (!entry.startsWith(name) || !entry.endsWith('.lock')) continue;
    const lock = join(dirname(path), entry);
    try {
      const s = statSync(lock);
      if (s.isDirectory() && Date.now() - s.mtimeMs > WASM_LOCK_STALE_MS) {
        rmdirSync(lock);
        removed = true;
      }
    } catch {
      // Gone meanwhile, or not ours to remove.
    }
  }
  return removed;
}

/** What to do when no SQLite loads at all. */
export const SQLITE_REMEDY = 'reinstall session-archive (its dependency node-sqlite3-wasm is missing or broken)';

/** The engine {@link openSqlite} uses for a file of this project's own (`own: true`), or the error when there is none. */
function ownBinding(): Binding | Error {
  const n = nativeBinding();
  return n instanceof Error ? portableBinding() : n;
}

/** True when this Node can open SQLite (see {@link openSqlite}); `own` as there. */
export function sqliteAvailable(options: { own?: boolean } = {}): boolean {
  return !((options.own ? ownBinding() : nativeBinding()) instanceof Error);
}

/**
 * The engine a file of this project's own opens with: `node:sqlite`,
 * `better-sqlite3`, `wasm` (slower, always there), or undefined when none
 * loads (a broken install).
 */
export function sqliteEngine(): SqlEngine | undefined {
  const b = ownBinding();
  return b instanceof Error ? undefined : b.name;
}

/**
 * A file name for a database of this project's own, by engine: the
 * WebAssembly engine cannot open a database in WAL mode, which the native
 * ones keep, so it keeps a file of its own (`search.sqlite` →
 * `search.wasm.sqlite`), and two Node versions sharing a state folder never
 * fight over one file.
 */
export function ownSqliteFile(name: string): string {
  return sqliteEngine() === 'wasm' ? name.replace(/(\.[^.]+)?$/, '.wasm$1') : name;
}

/**
 * Opens a SQLite database through the first binding this Node has. `purpose`
 * says what needs it, for the error when none is there. `own`: a file only
 * this project writes (the search index), which may fall back to SQLite in
 * WebAssembly; another program's database (an agent's, which it may be
 * writing in WAL mode meanwhile) is opened only by a native binding.
 */
export function openSqlite(path: string, options: { readOnly?: boolean; purpose: string; own?: boolean }): SqlDb {
  const b = options.own ? ownBinding() : nativeBinding();
  if (b instanceof Error) {
    throw new ArchiveError(
      'IO',
      options.own
        ? `${options.purpose} needs SQLite, and none loads here (${b.message}): ${SQLITE_REMEDY}`
        : `${options.purpose} needs SQLite built for this machine: Node 22.5 or later (node:sqlite), or the optional dependency better-sqlite3 (npm install better-sqlite3; a global install: npm install -g --allow-scripts=better-sqlite3 session-archive)`,
      { cause: b },
    );
  }
  const db = b.open(path, options.readOnly ?? false);
  return {
    binding: b.name,
    prepare: (sql) => db.prepare(sql),
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
  };
}

/** What full-text search runs on here, in a line for `sarc doctor` and the server's start: the engine and, when it is not the fastest, how to get that. */
export function searchEngineLine(): { engine: SqlEngine | undefined; line: string } {
  const engine = sqliteEngine();
  if (engine === undefined) return { engine, line: `search unavailable: no SQLite loads; ${SQLITE_REMEDY}` };
  if (engine !== 'wasm') return { engine, line: `search: SQLite through ${engine}` };
  return {
    engine,
    line: 'search: SQLite in WebAssembly (slower; Node 22.5+ has node:sqlite built in, or `npm install better-sqlite3` where it can build)',
  };
}
