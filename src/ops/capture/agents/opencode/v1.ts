import type { ConvertedInfo, SourceEntry } from '../../contract.js';
import type { MessageWithParts, Session, SqlRow, Todo } from '../../kit/index.js';

// OpenCode 1.x's tables (`session`, `message`, `part`, `todo`, `project`), read
// as OpenCode's API serves them: the archive mirrors these sessions with
// OpenCode's own IDs.

export interface Db {
  all(sql: string, ...params: unknown[]): SqlRow[];
}

const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : undefined);
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));

/** A session row's change summary, cost, tokens and share link (the same columns in both generations). */
export function sessionTotals(info: Record<string, unknown>, r: SqlRow): void {
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
}

/** A `session` row as OpenCode's API answers it. */
export function sessionOf(r: SqlRow): Session {
  const info: Record<string, unknown> = { id: r.id, slug: r.slug, projectID: r.project_id, directory: r.directory };
  if (r.workspace_id != null) info.workspaceID = r.workspace_id;
  if (r.path != null) info.path = r.path;
  if (r.parent_id != null) info.parentID = r.parent_id;
  sessionTotals(info, r);
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

/** A `project` row as a project record. */
export function projectOf(r: SqlRow): Record<string, unknown> & { id: string; worktree: string } {
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
    ...(r.commands != null ? { commands: json(r.commands) } : {}),
    ...(r.sandboxes != null ? { sandboxes: json(r.sandboxes) } : {}),
  };
}

/** A session's messages with their parts, in OpenCode's order. */
export function messagesOf(db: Db, sessionID: string): MessageWithParts[] {
  const parts = new Map<string, SqlRow[]>();
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

export function todosOf(db: Db, sessionID: string): Todo[] {
  return db
    .all('SELECT content, status, priority FROM todo WHERE session_id = ? ORDER BY position', sessionID)
    .map((t) => ({ content: String(t.content), status: String(t.status), priority: String(t.priority) }));
}

/** What changes when anything of a session changes: its row, and the times and counts of its messages, parts and todos. */
const FINGERPRINT = `
  SELECT s.id AS id, s.parent_id AS parent, s.time_updated AS updated,
    (SELECT COUNT(*) || ':' || COALESCE(MAX(time_updated), 0) FROM message WHERE session_id = s.id) AS messages,
    (SELECT COUNT(*) || ':' || COALESCE(MAX(time_updated), 0) FROM part WHERE session_id = s.id) AS parts,
    (SELECT COUNT(*) || ':' || COALESCE(MAX(time_updated), 0) FROM todo WHERE session_id = s.id) AS todos
  FROM session s`;

/** Every V1 session as a source: its ID, its fingerprint, and its depth below its parents. */
export function listV1(db: Db, where: string): SourceEntry[] {
  const rows = db.all(FINGERPRINT);
  const parent = new Map(rows.map((r) => [String(r.id), r.parent == null ? undefined : String(r.parent)]));
  const depth = (id: string, n = 0): number => {
    const p = parent.get(id);
    return p !== undefined && parent.has(p) && n < 64 ? depth(p, n + 1) : n;
  };
  return rows.map((r) => ({
    key: String(r.id),
    stamp: `v1|${r.updated}|${r.messages}|${r.parts}|${r.todos}`,
    where: `${where} (session ${String(r.id)})`,
    depth: depth(String(r.id)),
  }));
}

/** One V1 session, whole: its messages and its mirrored info. */
export function readV1(db: Db, id: string): { messages: MessageWithParts[]; info: ConvertedInfo; updated: number } | undefined {
  const row = db.all('SELECT * FROM session WHERE id = ?', id)[0];
  if (!row) return undefined;
  const mirror = sessionOf(row);
  const project = db.all('SELECT * FROM project WHERE id = ?', row.project_id)[0];
  return {
    messages: messagesOf(db, id),
    updated: mirror.time.updated,
    info: {
      id,
      sourceID: id,
      title: mirror.title,
      directory: mirror.directory,
      version: mirror.version,
      created: mirror.time.created,
      updated: mirror.time.updated,
      metadata: {},
      todos: todosOf(db, id),
      mirror,
      ...(project ? { project: projectOf(project) } : {}),
      final: true,
    },
  };
}
