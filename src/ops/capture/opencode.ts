import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isArchiveError } from '../../errors.js';
import type { MessageWithParts } from '../../model/message.js';
import type { Project } from '../../model/project.js';
import type { Session } from '../../model/session.js';
import type { Todo } from '../../model/todo.js';
import type { Archive } from '../../store/archive.js';
import { openSqlite, type SqlRow } from '../../store/sqlite.js';
import { newSyncResult, readSyncState, type SyncOptions, type SyncResult, writeConverted, writeSyncState } from './write.js';

// `sarc sync opencode`: every session of a local OpenCode (1.18 keeps them in
// SQLite, $XDG_DATA_HOME/opencode/opencode.db, in WAL mode), mirrored with
// OpenCode's own IDs. The database is opened read-only; a reader sees what
// the WAL holds, so a running OpenCode does not need to stop. A session is
// read again only when its fingerprint (times and counts of its session,
// message, part and todo rows) changed since the last run.

type Row = SqlRow;

interface Db {
  all(sql: string, ...params: unknown[]): Row[];
  close(): void;
}

/** The database, read-only, through the first SQLite binding this Node has (see {@link openSqlite}). */
function openDb(path: string): Db {
  const db = openSqlite(path, { readOnly: true, purpose: 'reading OpenCode' });
  return { all: (sql, ...params) => db.prepare(sql).all(...params), close: () => db.close() };
}

/** Where OpenCode keeps its database. */
export function opencodeDbPath(): string {
  return join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'opencode', 'opencode.db');
}

const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : undefined);
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));

/** A `session` row as OpenCode's API answers it. */
function sessionOf(r: Row): Session {
  const info: Record<string, unknown> = {
    id: r.id,
    slug: r.slug,
    projectID: r.project_id,
    directory: r.directory,
  };
  if (r.workspace_id != null) info.workspaceID = r.workspace_id;
  if (r.path != null) info.path = r.path;
  if (r.parent_id != null) info.parentID = r.parent_id;
  if (r.summary_additions != null) {
    info.summary = {
      additions: num(r.summary_additions),
      deletions: num(r.summary_deletions),
      files: num(r.summary_files),
      ...(r.summary_diffs != null ? { diffs: json(r.summary_diffs) } : {}),
    };
  }
  info.cost = num(r.cost);
  info.tokens = {
    input: num(r.tokens_input),
    output: num(r.tokens_output),
    reasoning: num(r.tokens_reasoning),
    cache: { read: num(r.tokens_cache_read), write: num(r.tokens_cache_write) },
  };
  if (r.share_url != null) info.share = { url: r.share_url };
  info.title = r.title;
  if (r.agent != null) info.agent = r.agent;
  if (r.model != null) info.model = json(r.model);
  info.version = r.version;
  if (r.metadata != null) info.metadata = json(r.metadata);
  info.time = {
    created: num(r.time_created),
    updated: num(r.time_updated),
    ...(r.time_compacting != null ? { compacting: num(r.time_compacting) } : {}),
    ...(r.time_archived != null ? { archived: num(r.time_archived) } : {}),
  };
  if (r.permission != null) info.permission = json(r.permission);
  if (r.revert != null) info.revert = json(r.revert);
  return info as Session;
}

function projectOf(r: Row): Project {
  const icon: Record<string, string> = {};
  if (r.icon_url != null) icon.url = String(r.icon_url);
  if (r.icon_url_override != null) icon.override = String(r.icon_url_override);
  if (r.icon_color != null) icon.color = String(r.icon_color);
  return {
    id: String(r.id),
    worktree: String(r.worktree),
    ...(r.vcs === 'git' ? { vcs: 'git' as const } : {}),
    ...(r.name != null ? { name: String(r.name) } : {}),
    ...(Object.keys(icon).length ? { icon } : {}),
    ...(r.commands != null ? { commands: json(r.commands) as Project['commands'] } : {}),
    time: {
      created: num(r.time_created),
      updated: num(r.time_updated),
      ...(r.time_initialized != null ? { initialized: num(r.time_initialized) } : {}),
    },
    sandboxes: (json(r.sandboxes) as string[] | undefined) ?? [],
  };
}

/** A session's messages with their parts, in OpenCode's order. */
function messagesOf(db: Db, sessionID: string): MessageWithParts[] {
  const parts = new Map<string, Row[]>();
  for (const p of db.all('SELECT id, message_id, data FROM part WHERE session_id = ? ORDER BY id', sessionID)) {
    const list = parts.get(String(p.message_id)) ?? [];
    list.push(p);
    parts.set(String(p.message_id), list);
  }
  return db.all('SELECT id, data FROM message WHERE session_id = ? ORDER BY time_created, id', sessionID).map((m) => ({
    info: { id: m.id, sessionID, ...(json(m.data) as object) },
    parts: (parts.get(String(m.id)) ?? []).map((p) => ({ id: p.id, sessionID, messageID: m.id, ...(json(p.data) as object) })),
  })) as MessageWithParts[];
}

function todosOf(db: Db, sessionID: string): Todo[] {
  return db
    .all('SELECT content, status, priority FROM todo WHERE session_id = ? ORDER BY position', sessionID)
    .map((t) => ({ content: String(t.content), status: String(t.status), priority: String(t.priority) }));
}

/** What changes when anything of a session changes: its row, and the times and counts of its messages, parts and todos. */
const FINGERPRINT = `
  SELECT s.id AS id, s.time_updated AS updated,
    (SELECT COUNT(*) || ':' || COALESCE(MAX(time_updated), 0) FROM message WHERE session_id = s.id) AS messages,
    (SELECT COUNT(*) || ':' || COALESCE(MAX(time_updated), 0) FROM part WHERE session_id = s.id) AS parts,
    (SELECT COUNT(*) || ':' || COALESCE(MAX(time_updated), 0) FROM todo WHERE session_id = s.id) AS todos
  FROM session s`;

type Seen = { sessions: Record<string, string> };

/**
 * Mirrors every session of a local OpenCode into the archive, with OpenCode's
 * IDs, projects and times. Sessions unchanged since the last run are not
 * read; a session OpenCode no longer has (deleted there) is archived here,
 * never deleted.
 */
export async function syncOpencode(archive: Archive, options: SyncOptions = {}): Promise<SyncResult> {
  const from = options.from ?? opencodeDbPath();
  const dryRun = options.dryRun ?? false;
  const result = newSyncResult('opencode', from, dryRun);
  if (!(await stat(from).catch(() => undefined))) return result;
  const seen = await readSyncState<Seen>(archive, 'opencode', { sessions: {} });
  const db = openDb(from);
  try {
    if (!dryRun) for (const row of db.all('SELECT * FROM project')) await archive.projects.upsert(projectOf(row));
    const prints = db.all(FINGERPRINT);
    result.files.found = prints.length;
    // Parents before children, so a child's parent exists when it is written.
    const rows = new Map(db.all('SELECT * FROM session').map((r) => [String(r.id), r]));
    const depth = (id: string, n = 0): number => {
      const parent = rows.get(id)?.parent_id;
      return parent != null && rows.has(String(parent)) && n < 64 ? depth(String(parent), n + 1) : n;
    };
    const changed = prints.filter((p) => {
      const print = `${p.updated}|${p.messages}|${p.parts}|${p.todos}`;
      if (!options.all && seen.sessions[String(p.id)] === print) {
        result.files.skipped++;
        return false;
      }
      p.print = print;
      return true;
    });
    changed.sort((a, b) => depth(String(a.id)) - depth(String(b.id)));
    options.onProgress?.(0, changed.length);
    for (const [i, p] of changed.entries()) {
      const id = String(p.id);
      const row = rows.get(id);
      try {
        if (!row) continue;
        const mirror = sessionOf(row);
        const messages = messagesOf(db, id);
        result.records += 1 + messages.length + messages.reduce((n, m) => n + m.parts.length, 0);
        const outcome = await writeConverted(
          archive,
          {
            id,
            title: mirror.title,
            directory: mirror.directory,
            version: mirror.version,
            created: mirror.time.created,
            updated: mirror.time.updated,
            metadata: {},
            messages,
            todos: todosOf(db, id),
            mirror,
          },
          dryRun,
        );
        result.sessions[outcome]++;
        result.files.read++;
        seen.sessions[id] = String(p.print);
      } catch (error) {
        result.sessions.failed++;
        result.failures.push({ file: from, session: id, reason: (error as Error).message });
      }
      options.onProgress?.(i + 1, changed.length);
    }
    // Deleted in OpenCode: archived here (the archive keeps what it was given).
    for (const id of Object.keys(seen.sessions)) {
      if (rows.has(id)) continue;
      try {
        const info = await archive.sessions.get(id);
        if (info.time.archived === undefined) {
          result.sessions.updated++;
          if (!dryRun) await archive.sessions.modify(id, (s) => ({ ...s, time: { ...s.time, archived: archive.now() } }));
        }
        if (!dryRun) delete seen.sessions[id];
      } catch (error) {
        if (!isArchiveError(error, 'NOT_FOUND')) throw error;
        if (!dryRun) delete seen.sessions[id];
      }
    }
  } finally {
    db.close();
  }
  if (!dryRun) {
    await writeSyncState(archive, 'opencode', seen);
  }
  return result;
}
