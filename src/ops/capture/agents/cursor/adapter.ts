import { existsSync } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { AgentAdapter, SourceEntry, SourceStore } from '../../contract.js';
import { home, isRecord, type JsonRecord, openSqlite, readSidecar, type SqlDb, str } from '../../kit/index.js';
import { listCliChats, readCliChat } from './cli.js';
import { cursorSessionId, readCursorComposer } from './convert.js';
import { listTranscripts, readTranscript } from './transcripts.js';

// Cursor, the editor and its command-line agent. The editor's user folder
// (`~/.config/Cursor/User`; macOS `~/Library/Application Support/Cursor/User`;
// Windows `%APPDATA%\Cursor\User`) keeps the chats in
// `globalStorage/state.vscdb`, read-only while Cursor runs; one source per
// chat, stamped by its record and its messages' count and size. Folders
// come from the workspaces that list the chat. The command-line agent keeps
// `~/.cursor`: a database per chat (`chats/…/store.db`, see cli.ts) and the
// newer transcripts (`projects/…/agent-transcripts/*.jsonl`, see
// transcripts.ts). A plain sync reads both places; `--from` reads the one it
// names (an editor's user folder, or a `.cursor` folder).

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

/** Whether a folder is the command-line agent's (it holds `chats/` or `projects/`). */
const isCli = (dir: string) => existsSyncSafe(join(dir, 'chats')) || existsSyncSafe(join(dir, 'projects'));

/** The command-line agent's folder at `from`, or, from the editor's own place, `~/.cursor` when it is there. */
function cliRoot(from: string): string | undefined {
  if (isCli(from)) return from;
  const own = join(home(), '.cursor');
  return from === cursorUser() && isCli(own) ? own : undefined;
}

/** Where Cursor is: the editor's user folder when it has chats, else the command-line agent's `~/.cursor` when it is there. */
function cursorPlace(): string {
  const user = cursorUser();
  if (existsSyncSafe(join(user, 'globalStorage', 'state.vscdb'))) return user;
  const own = join(home(), '.cursor');
  return isCli(own) ? own : user;
}

/** A watch filter over the path's parts below `root`. */
const within = (root: string, accept: (rel: string[]) => boolean) => (p: string) => accept(relative(root, p).split(sep));

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
  location: cursorPlace,
  async open(from) {
    const path = join(from, 'globalStorage', 'state.vscdb');
    const cli = cliRoot(from);
    const db = existsSyncSafe(path) ? openSqlite(path, { readOnly: true, purpose: 'reading Cursor' }) : undefined;
    if (!db && !cli) return undefined;
    const has = db?.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'cursorDiskKV'").get();
    let where: Map<string, string> | undefined;
    const store: SourceStore = {
      async list() {
        const out: SourceEntry[] = [];
        if (db && has) {
          // Every chat's messages counted and sized in one pass over the message keys (a range of the key index).
          const sizes = new Map<string, string>();
          for (const r of db
            .prepare(
              "SELECT substr(key, 10, instr(substr(key, 10), ':') - 1) AS c, COUNT(*) AS n, SUM(LENGTH(value)) AS size FROM cursorDiskKV WHERE key >= 'bubbleId:' AND key < 'bubbleId;' GROUP BY c",
            )
            .all())
            sizes.set(String(r.c), `${r.n}:${r.size}`);
          for (const r of db
            .prepare(
              "SELECT substr(key, 14) AS id, LENGTH(value) AS size FROM cursorDiskKV WHERE key >= 'composerData:' AND key < 'composerData;'",
            )
            .all()) {
            const id = String(r.id);
            const composer = value(db, 'cursorDiskKV', `composerData:${id}`);
            out.push({
              key: id,
              stamp: `${r.size}:${String(composer?.lastUpdatedAt ?? '')}:${sizes.get(id) ?? '0'}`,
              where: path,
              depth: 0,
            });
          }
        }
        if (cli) {
          const chats = await listCliChats(cli);
          out.push(...chats);
          // A chat read from its own store is not read again from its transcript.
          const known = new Set(out.map((e) => e.key.replace(/^cli\//, '')));
          out.push(...(await listTranscripts(cli, known)));
        }
        return out;
      },
      async *read(entry, stats) {
        if (entry.key.startsWith('cli/')) {
          yield* readCliChat(entry.where, stats);
          return;
        }
        if (entry.key.startsWith('transcript/')) {
          yield* readTranscript(entry.where, entry.key.split('/')[1] as string, stats);
          return;
        }
        if (!db) return;
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
      close: () => db?.close(),
    };
    return store;
  },
  // The global database and its write-ahead log (not its -shm, which readers write to); the agent's chat databases and transcripts.
  watchTargets: (from) => {
    const cli = cliRoot(from);
    return [
      {
        path: join(from, 'globalStorage'),
        depth: 0,
        accept: (p: string) =>
          p.endsWith(`${join('globalStorage', 'state.vscdb')}`) || p.endsWith(`${join('globalStorage', 'state.vscdb')}-wal`),
      },
      ...(cli
        ? [
            // Folders on the way are accepted too (the watcher asks about each before it goes in).
            {
              path: join(cli, 'chats'),
              depth: 2,
              accept: within(join(cli, 'chats'), (rel) => rel.length < 3 || /^store\.db(-wal)?$/.test(rel[2] ?? '')),
            },
            {
              path: join(cli, 'projects'),
              depth: 2,
              accept: within(
                join(cli, 'projects'),
                (rel) => rel.length < 2 || (rel[1] === 'agent-transcripts' && (rel.length === 2 || rel[2]?.endsWith('.jsonl') === true)),
              ),
            },
          ]
        : []),
    ];
  },
  archiveIds: (sourceID) => [cursorSessionId(sourceID)],
};
