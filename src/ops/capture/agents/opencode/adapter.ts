import { lstat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { AgentAdapter, SourceStore } from '../../contract.js';
import { envDir, inHome, openSqlite } from '../../kit/index.js';
import { type Db, listV1, readV1 } from './v1.js';

// OpenCode: $XDG_DATA_HOME/opencode/opencode.db (SQLite, WAL), read-only
// while OpenCode runs — a reader sees what the write-ahead log holds. Its
// sessions are mirrored with OpenCode's own IDs; a source is one session,
// stamped by the times and counts of its rows.

/** Where OpenCode keeps its database. */
export function opencodeDbPath(): string {
  return join(
    envDir('XDG_DATA_HOME', () => inHome('.local', 'share')),
    'opencode',
    'opencode.db',
  );
}

/** The tables of a database, by name. */
function tables(db: Db): Set<string> {
  return new Set(db.all("SELECT name FROM sqlite_master WHERE type = 'table'").map((r) => String(r.name)));
}

export const opencode: AgentAdapter = {
  name: 'opencode',
  label: 'OpenCode',
  unit: 'session',
  location: opencodeDbPath,
  async open(from) {
    const s = await lstat(from).catch(() => undefined);
    if (!s?.isFile()) return undefined;
    const sql = openSqlite(from, { readOnly: true, purpose: 'reading OpenCode' });
    const db: Db = { all: (q, ...params) => sql.prepare(q).all(...params) };
    try {
      const have = tables(db);
      if (!have.has('session') || !have.has('message') || !have.has('part')) {
        throw new Error(
          `${from}: not a database this version reads (no OpenCode 1 session tables; found ${[...have].sort().join(', ') || 'no tables'})`,
        );
      }
    } catch (error) {
      sql.close();
      throw error;
    }
    const store: SourceStore = {
      list: async () => listV1(db, from),
      async *read(entry, stats) {
        const found = readV1(db, entry.key);
        if (!found) return;
        stats.records += 1 + found.messages.length + found.messages.reduce((n, m) => n + m.parts.length, 0);
        for (const message of found.messages) yield { kind: 'message', session: entry.key, message };
        yield { kind: 'info', info: found.info };
      },
      close: () => sql.close(),
    };
    return store;
  },
  watchTargets: (from) => [{ path: dirname(from), depth: 0, accept: (path) => basename(path).startsWith(basename(from)) }],
  archiveIds: (sourceID) => [sourceID],
};
