import { existsSync } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentAdapter, SourceEntry, SourceStore } from '../../contract.js';
import { home, isRecord, type JsonRecord, openSqlite, readSidecar, type SqlDb, str } from '../../kit/index.js';
import { cursorSessionId, readCursorComposer } from './convert.js';

// Cursor: its user folder (`~/.config/Cursor/User`; macOS `~/Library/Application
// Support/Cursor/User`; Windows `%APPDATA%\Cursor\User`). The chats are in
// `globalStorage/state.vscdb`, read-only while Cursor runs; one source per
// chat, stamped by its record and its messages' count and size. Folders
// come from the workspaces that list the chat.

/** Cursor's user folder on this machine (the first that exists, else Linux's). */
function cursorUser(): string {
  const h = home();
  const places = [join(h, '.config', 'Cursor', 'User'), join(h, 'Library', 'Application Support', 'Cursor', 'User')];
  if (process.env.APPDATA) places.push(join(process.env.APPDATA, 'Cursor', 'User'));
  return places.find((p) => existsSyncSafe(join(p, 'globalStorage', 'state.vscdb'))) ?? (places[0] as string);
}

const existsSyncSafe = (p: string) => {
  try {
    return existsSync(p);
  } catch {
    return false;
  }
};

/** A JSON value of the key-value table, or `undefined`. */
function value(db: SqlDb, table: string, key: string): JsonRecord | undefined {
  const row = db.prepare(`SELECT value FROM ${table} WHERE key = ?`).get(key);
  if (!row) return undefined;
  const raw = row.value;
  const text = typeof raw === 'string' ? raw : raw instanceof Uint8Array ? Buffer.from(raw).toString('utf8') : undefined;
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return isRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Which folder each chat belongs to: the workspaces' lists of their chats, and their folders. */
async function folders(user: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const root = join(user, 'workspaceStorage');
  const names = await readdir(root).catch(() => [] as string[]);
  for (const name of names) {
    const ws = await readSidecar(root, join(root, name, 'workspace.json'));
    const uri = str(ws?.folder);
    if (!uri?.startsWith('file://')) continue;
    let folder: string;
    try {
      folder = decodeURIComponent(new URL(uri).pathname);
    } catch {
      continue;
    }
    let db: SqlDb | undefined;
    try {
      // A workspace's own database only (a link to one elsewhere is passed over).
      const file = join(root, name, 'state.vscdb');
      if (!(await lstat(file)).isFile()) continue;
      db = openSqlite(file, { readOnly: true, purpose: 'reading Cursor' });
      const list = value(db, 'ItemTable', 'composer.composerData');
      for (const c of Array.isArray(list?.allComposers) ? list.allComposers : []) {
        if (isRecord(c) && typeof c.composerId === 'string') out.set(c.composerId, folder);
      }
    } catch {
      // A workspace without a database (or one Cursor is rewriting): its chats just have no folder.
    } finally {
      db?.close();
    }
  }
  return out;
}

export const cursor: AgentAdapter = {
  name: 'cursor',
  label: 'Cursor',
  unit: 'chat',
  location: cursorUser,
  async open(from) {
    const path = join(from, 'globalStorage', 'state.vscdb');
    if (!existsSyncSafe(path)) return undefined;
    const db = openSqlite(path, { readOnly: true, purpose: 'reading Cursor' });
    const has = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'cursorDiskKV'").get();
    let where: Map<string, string> | undefined;
    const store: SourceStore = {
      async list() {
        if (!has) return [];
        // Every chat's messages counted and sized in one pass over the message keys (a range of the key index).
        const sizes = new Map<string, string>();
        for (const r of db
          .prepare(
            "SELECT substr(key, 10, instr(substr(key, 10), ':') - 1) AS c, COUNT(*) AS n, SUM(LENGTH(value)) AS size FROM cursorDiskKV WHERE key >= 'bubbleId:' AND key < 'bubbleId;' GROUP BY c",
          )
          .all())
          sizes.set(String(r.c), `${r.n}:${r.size}`);
        const out: SourceEntry[] = [];
        for (const r of db
          .prepare(
            "SELECT substr(key, 14) AS id, LENGTH(value) AS size FROM cursorDiskKV WHERE key >= 'composerData:' AND key < 'composerData;'",
          )
          .all()) {
          const id = String(r.id);
          const composer = value(db, 'cursorDiskKV', `composerData:${id}`);
          out.push({ key: id, stamp: `${r.size}:${String(composer?.lastUpdatedAt ?? '')}:${sizes.get(id) ?? '0'}`, where: path, depth: 0 });
        }
        return out;
      },
      async *read(entry, stats) {
        const composer = value(db, 'cursorDiskKV', `composerData:${entry.key}`);
        if (!composer) return;
        composer.composerId ??= entry.key;
        where ??= await folders(from);
        const inline = Array.isArray(composer.conversation) ? composer.conversation.filter(isRecord) : undefined;
        const headers = Array.isArray(composer.fullConversationHeadersOnly) ? composer.fullConversationHeadersOnly.filter(isRecord) : [];
        // Messages are fetched one at a time as they are written: a long chat is never read whole.
        const bubbles = inline?.length
          ? inline
          : (function* () {
              for (const h of headers) yield value(db, 'cursorDiskKV', `bubbleId:${entry.key}:${String(h.bubbleId)}`);
            })();
        yield* readCursorComposer(composer, bubbles, path, where.get(entry.key), stats);
      },
      close: () => db.close(),
    };
    return store;
  },
  // The global database and its write-ahead log (not its -shm, which readers write to).
  watchTargets: (from) => [
    {
      path: join(from, 'globalStorage'),
      depth: 0,
      accept: (p: string) =>
        p.endsWith(`${join('globalStorage', 'state.vscdb')}`) || p.endsWith(`${join('globalStorage', 'state.vscdb')}-wal`),
    },
  ],
  archiveIds: (sourceID) => [cursorSessionId(sourceID)],
};
