import { createRequire } from 'node:module';
import { ArchiveError } from '../errors.js';

export type SqlRow = Record<string, unknown>;

export interface SqlStatement {
  run(...params: unknown[]): { changes: number | bigint };
  all(...params: unknown[]): SqlRow[];
  get(...params: unknown[]): SqlRow | undefined;
}

/** The part of a SQLite binding this project uses; `node:sqlite` and `better-sqlite3` both fit it. */
export interface SqlDb {
  prepare(sql: string): SqlStatement;
  exec(sql: string): void;
  close(): void;
  /** Which binding opened it. */
  readonly binding: 'node:sqlite' | 'better-sqlite3';
}

type Binding = {
  name: SqlDb['binding'];
  open(path: string, readOnly: boolean): Omit<SqlDb, 'binding'>;
};

const require = createRequire(import.meta.url);
let chosen: Binding | Error | undefined;

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

/** The first SQLite binding this Node has: `node:sqlite` (Node 22.5+), else the optional dependency `better-sqlite3`. */
function binding(): Binding | Error {
  if (chosen) return chosen;
  try {
    const { DatabaseSync } = quietly(() => require('node:sqlite')) as {
      DatabaseSync: new (path: string, options: { readOnly: boolean }) => Omit<SqlDb, 'binding'>;
    };
    chosen = { name: 'node:sqlite', open: (path, readOnly) => new DatabaseSync(path, { readOnly }) };
    return chosen;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_BUILTIN_MODULE' && !String(error).includes('node:sqlite')) throw error;
  }
  try {
    const Database = require('better-sqlite3') as new (
      path: string,
      options: { readonly: boolean; fileMustExist: boolean },
    ) => Omit<SqlDb, 'binding'>;
    chosen = { name: 'better-sqlite3', open: (path, readOnly) => new Database(path, { readonly: readOnly, fileMustExist: readOnly }) };
  } catch (cause) {
    chosen = cause as Error;
  }
  return chosen;
}

/** True when this Node can open SQLite (see {@link openSqlite}). */
export function sqliteAvailable(): boolean {
  return !(binding() instanceof Error);
}

/**
 * Opens a SQLite database through the first binding this Node has. `purpose`
 * says what needs it, for the error when none is there.
 */
export function openSqlite(path: string, options: { readOnly?: boolean; purpose: string }): SqlDb {
  const b = binding();
  if (b instanceof Error) {
    throw new ArchiveError(
      'IO',
      `${options.purpose} needs SQLite: Node 22.5 or later (node:sqlite), or the optional dependency better-sqlite3 (npm install better-sqlite3)`,
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
