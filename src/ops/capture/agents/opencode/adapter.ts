import { lstat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { AgentAdapter, CaptureItem, SourceEntry, SourceStore } from '../../contract.js';
import { envDir, inHome, type MessageWithParts, openSqlite } from '../../kit/index.js';
import { opencodeResume } from './resume.js';
import { type Db, listV1, readV1 } from './v1.js';
import { listV2, readV2 } from './v2.js';
import { fromOpencode2, isOpencode2Export, toOpencode2 } from './v2-format.js';

// OpenCode: $XDG_DATA_HOME/opencode/opencode.db (SQLite, WAL), read-only
// while OpenCode runs — a reader sees what the write-ahead log holds. Both
// generations live in it: OpenCode 1.x's tables (`session`, `message`,
// `part`, `todo`) and OpenCode 2's (`session_v2`, `session_message`,
// `session_inbox`). OpenCode 2 copies the V1 sessions once, then neither
// side sees the other's changes: the archive reads both, one session per ID,
// messages the union by ID, the newer side's info (by `time_updated`) and,
// for a message on both sides, the newer side's version of it. Sessions only
// V1 holds are the ones OpenCode 2 no longer shows: they are counted.

/** Where OpenCode keeps its database. */
export function opencodeDbPath(): string {
  return join(
    envDir('XDG_DATA_HOME', () => inHome('.local', 'share')),
    'opencode',
    'opencode.db',
  );
}

/** The columns of a table (empty when there is no such table). */
function columns(db: Db, table: string): Set<string> {
  return new Set(db.all(`PRAGMA table_info(${table})`).map((r) => String(r.name)));
}

/** Which generations a database holds; an error naming what it found when it holds neither as this version knows them. */
function generations(db: Db, from: string): { v1: boolean; v2: boolean; inbox: boolean; kv: boolean } {
  const need = (table: string, cols: string[]) => {
    const have = columns(db, table);
    return have.size > 0 && cols.every((c) => have.has(c));
  };
  const v1 =
    need('session', ['id', 'project_id', 'directory', 'title', 'time_updated']) &&
    need('message', ['id', 'session_id', 'data']) &&
    need('part', ['id', 'message_id', 'session_id', 'data']);
  const v2 =
    need('session_v2', ['id', 'project_id', 'directory', 'time_updated']) &&
    need('session_message', ['id', 'session_id', 'type', 'seq', 'data']);
  if (!v1 && !v2) {
    const tables = db.all("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map((r) => String(r.name));
    throw new Error(
      `${from}: not an OpenCode database this version reads (neither OpenCode 1's session tables nor OpenCode 2's session_v2 and session_message as it knows them; found ${tables.join(', ') || 'no tables'}): nothing was written`,
    );
  }
  return {
    v1,
    v2,
    inbox: v2 && need('session_inbox', ['id', 'session_id', 'payload', 'enqueued_seq']),
    kv: need('kv', ['key', 'time_created']),
  };
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
    let has: ReturnType<typeof generations>;
    try {
      has = generations(db, from);
    } catch (error) {
      sql.close();
      throw error;
    }
    const store: SourceStore = {
      async list() {
        const both = new Map<string, SourceEntry>();
        for (const e of [...(has.v1 ? listV1(db, from) : []), ...(has.v2 ? listV2(db, from, has.inbox) : [])]) {
          const seen = both.get(e.key);
          both.set(e.key, seen ? { ...seen, stamp: `${seen.stamp}|${e.stamp}`, depth: Math.max(seen.depth, e.depth) } : e);
        }
        return [...both.values()];
      },
      async hidden() {
        return (await store.hiddenSessions?.())?.length ?? 0;
      },
      async hiddenSessions() {
        if (!has.v1 || !has.v2) return [];
        // Made by 1.x after OpenCode 2 copied the 1.x sessions (its `migration.v1-v2` record): one made before and
        // missing from OpenCode 2's tables was copied, then deleted there, and is not one it hides.
        const moved = has.kv ? Number(db.all("SELECT time_created FROM kv WHERE key = 'migration.v1-v2'")[0]?.time_created ?? 0) : 0;
        return db
          .all(
            'SELECT id, title, time_updated FROM session WHERE id NOT IN (SELECT id FROM session_v2) AND time_created >= ? ORDER BY time_updated, id',
            moved,
          )
          .map((r) => ({ id: String(r.id), title: String(r.title ?? ''), updated: Number(r.time_updated ?? 0) }));
      },
      async *read(entry, stats): AsyncGenerator<CaptureItem> {
        const one = has.v1 ? readV1(db, entry.key) : undefined;
        const two = has.v2 ? readV2(db, entry.key, has.inbox) : undefined;
        const [older, newer] = one && two ? (two.updated >= one.updated ? [one, two] : [two, one]) : [undefined, one ?? two];
        if (!newer) return;
        const messages = new Map<string, MessageWithParts>();
        for (const m of [...(older?.messages ?? []), ...newer.messages]) messages.set(m.info.id, m);
        stats.records += 1 + messages.size + [...messages.values()].reduce((n, m) => n + m.parts.length, 0);
        for (const message of messages.values()) yield { kind: 'message', session: entry.key, message };
        const todos = newer.info.todos?.length ? newer.info.todos : older?.info.todos;
        yield { kind: 'info', info: { ...newer.info, ...(todos ? { todos } : {}) } };
      },
      close: () => sql.close(),
    };
    return store;
  },
  // The database and its write-ahead log; not its -shm, which every reader (this sync too) writes to, so a
  // watcher that took it would run again after each of its own runs, without end.
  watchTargets: (from) => [
    { path: dirname(from), depth: 0, accept: (path) => [basename(from), `${basename(from)}-wal`].includes(basename(path)) },
  ],
  archiveIds: (sourceID) => [sourceID],
  exportBack: {
    format: 'opencode2',
    async *lines(archive, sessionID) {
      const info = await archive.sessions.get(sessionID);
      yield `${JSON.stringify(toOpencode2(info, await archive.messages.list(sessionID)), null, 2)}\n`;
    },
    hint: async () => 'OpenCode 2 takes it with `opencode session import FILE` (it keeps the IDs, and refuses a session it already has)',
    resume: opencodeResume(opencodeDbPath),
  },
  importFormat: {
    accepts: isOpencode2Export,
    sessions: (payload) => [fromOpencode2(payload as Record<string, unknown>)],
  },
};
