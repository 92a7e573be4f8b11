import type { ConvertedInfo, SourceEntry } from '../../contract.js';
import { derivedId, isRecord, type MessageWithParts, type Part, type Session, type SqlRow, str, type Todo } from '../../kit/index.js';
import { type Db, sessionTotals } from './v1.js';
import { partId, partOf } from './v2-parts.js';

// OpenCode 2's tables: `session_v2` (1.18's session columns, plus forks, idle,
// viewed and suspended times) and `session_message` (one row per message, its
// parts inline in `data.content[]`; types user, assistant, idle, system,
// synthetic, shell, skill, compaction…), and `session_inbox` (prompts queued
// for a busy session). Converted to the archive's model (OpenCode 1's
// shapes): parts get IDs derived from their message's, and what has no place
// in the model is kept under the message's `opencode2`.

const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : undefined);
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));

/** A `session_v2` row as the archive's session info. */
export function sessionOfV2(r: SqlRow): Session {
  const info: Record<string, unknown> = { id: r.id, slug: r.slug, projectID: r.project_id, directory: r.directory };
  if (r.workspace_id != null) info.workspaceID = r.workspace_id;
  info.path = r.path ?? '';
  if (r.parent_id != null) info.parentID = r.parent_id;
  if (r.fork_session_id != null) {
    const boundary = json(r.fork_boundary);
    const messageID = isRecord(boundary) ? str(boundary.messageID) : undefined;
    info.forkedFrom = { sessionID: r.fork_session_id, ...(messageID ? { messageID } : {}) };
    if (isRecord(boundary)) info.forkBoundary = boundary;
  }
  sessionTotals(info, r);
  info.title = r.title ?? '';
  if (r.agent != null) info.agent = r.agent;
  if (r.model != null) info.model = json(r.model);
  info.version = r.version;
  if (r.metadata != null) info.metadata = json(r.metadata);
  const time: Record<string, number> = { created: num(r.time_created), updated: num(r.time_updated) };
  for (const [field, column] of [
    ['compacting', 'time_compacting'],
    ['archived', 'time_archived'],
    ['idle', 'time_idle'],
    ['viewed', 'time_viewed'],
    ['suspended', 'time_suspended'],
  ] as const) {
    if (r[column] != null) time[field] = num(r[column]);
  }
  info.time = time;
  if (r.idle_outcome != null) info.idleOutcome = r.idle_outcome;
  if (r.permission != null) info.permission = json(r.permission);
  if (r.revert != null) info.revert = json(r.revert);
  return info as Session;
}

/** A `session_message` row as an archive message (`lastUser` answers to). */
export function messageOfV2(row: SqlRow, sessionID: string, directory: string, lastUser: string | undefined): MessageWithParts {
  const id = String(row.id);
  const type = String(row.type);
  const data = (json(row.data) ?? {}) as Record<string, unknown>;
  const timeOf = isRecord(data.time) ? data.time : {};
  const created = num(timeOf.created ?? row.time_created);
  const base = (i: number) => ({ id: partId(id, created, i), sessionID, messageID: id });
  if (type === 'assistant') {
    const { time: _t, agent, model, content, cost, tokens, finish, error, ...rest } = data;
    const m = isRecord(model) ? model : {};
    const parts: Part[] = [];
    const kept: unknown[] = [];
    for (const [i, item] of (Array.isArray(content) ? content : []).entries()) {
      const p = isRecord(item) ? partOf(item, base(i), created) : undefined;
      if (p) parts.push(p);
      else kept.push(item);
    }
    const completed = num(timeOf.completed ?? created);
    return {
      info: {
        id,
        sessionID,
        role: 'assistant',
        time: { created, completed: Math.max(created, completed) },
        parentID: lastUser ?? id,
        modelID: str(m.id) ?? 'unknown',
        providerID: str(m.providerID) ?? 'unknown',
        mode: str(agent) ?? 'build',
        agent: str(agent) ?? 'build',
        path: { cwd: directory, root: directory },
        cost: num(cost),
        tokens: isRecord(tokens) ? tokens : { input: 0, output: 0, reasoning: 0, cache: { read: 0, write: 0 } },
        ...(typeof finish === 'string' ? { finish } : {}),
        ...(isRecord(error) ? { error } : {}),
        ...(Object.keys(rest).length || kept.length ? { opencode2: { ...rest, ...(kept.length ? { content: kept } : {}) } } : {}),
      },
      parts,
    } as MessageWithParts;
  }
  // The user's words, and every other kind (idle, system, synthetic, shell, skill, compaction) as a quiet message that says what it is.
  const { time: _t, text, agent, model, files, ...rest } = data;
  const m = isRecord(model) ? model : {};
  const parts: Part[] = [];
  if (type === 'compaction') parts.push({ ...base(-1), type: 'compaction', auto: data.reason !== 'manual' } as Part);
  // What each kind has to say: a compaction its summary, a shell its command and output.
  const output = isRecord(data.output) ? str(data.output.output) : undefined;
  const said =
    typeof text === 'string'
      ? text
      : type === 'compaction'
        ? str(data.summary)
        : type === 'shell' && typeof data.command === 'string'
          ? `$ ${data.command}${output ? `\n${output}` : ''}`
          : undefined;
  const words = said ?? (type === 'user' ? '' : undefined);
  if (words !== undefined && words !== '')
    parts.push({ ...base(0), type: 'text', text: words, ...(type !== 'user' ? { synthetic: true } : {}) } as Part);
  for (const [i, f] of (Array.isArray(files) ? files : []).entries()) {
    if (isRecord(f) && typeof f.url === 'string') {
      parts.push({
        ...base(i + 1),
        type: 'file',
        mime: str(f.mime) ?? 'application/octet-stream',
        url: f.url,
        ...(str(f.filename) ? { filename: f.filename } : {}),
      } as Part);
    }
  }
  return {
    info: {
      id,
      sessionID,
      role: 'user',
      time: { created },
      agent: str(agent) ?? 'build',
      model: { providerID: str(m.providerID) ?? 'unknown', modelID: str(m.id) ?? 'unknown' },
      // The kind said as an origin, except a compaction, whose part says it.
      ...(type !== 'user' && type !== 'compaction' ? { origin: type } : {}),
      ...(type !== 'user' ? { synthetic: true } : {}),
      ...(Object.keys(rest).length ? { opencode2: rest } : {}),
    },
    parts,
  } as MessageWithParts;
}

/** A queued prompt (`session_inbox`) as a user message marked queued. */
function inboxMessage(row: SqlRow, sessionID: string): MessageWithParts {
  const created = num(row.time_created);
  const id = derivedId('message', created, `opencode2-inbox:${String(row.id)}`);
  const payload = (json(row.payload) ?? {}) as Record<string, unknown>;
  const text = typeof payload.text === 'string' ? payload.text : JSON.stringify(payload);
  return {
    info: {
      id,
      sessionID,
      role: 'user',
      time: { created },
      agent: 'build',
      model: { providerID: 'unknown', modelID: 'unknown' },
      origin: 'inbox',
      queued: true,
      opencode2: { inboxID: row.id, type: row.type, delivery: row.delivery },
    },
    parts: [
      { id: derivedId('part', created, `opencode2-inbox:${String(row.id)}:0`), sessionID, messageID: id, type: 'text', text } as Part,
    ],
  } as MessageWithParts;
}

/** The last todo list a `todowrite` tool call wrote (OpenCode 2 keeps todos nowhere else). */
function todosOf(messages: readonly MessageWithParts[]): Todo[] | undefined {
  for (const m of [...messages].reverse()) {
    for (const p of [...m.parts].reverse()) {
      if (p.type !== 'tool' || p.tool.toLowerCase() !== 'todowrite') continue;
      const list = (p.state.input as { todos?: unknown }).todos;
      if (!Array.isArray(list)) continue;
      return list.filter(isRecord).map((t) => ({
        content: String(t.content ?? ''),
        status: String(t.status ?? 'pending'),
        priority: String(t.priority ?? 'medium'),
        ...(typeof t.id === 'string' ? { id: t.id } : {}),
      }));
    }
  }
  return undefined;
}

/** Every V2 session as a source: its ID, its fingerprint (its row, its messages' and queued prompts' counts and times), its depth. */
export function listV2(db: Db, where: string, hasInbox: boolean): SourceEntry[] {
  const inbox = hasInbox ? `(SELECT COUNT(*) || ':' || COALESCE(MAX(time_created), 0) FROM session_inbox WHERE session_id = s.id)` : `''`;
  const rows = db.all(`
    SELECT s.id AS id, s.parent_id AS parent, s.time_updated AS updated,
      (SELECT COUNT(*) || ':' || COALESCE(MAX(time_updated), 0) FROM session_message WHERE session_id = s.id) AS messages,
      ${inbox} AS inbox
    FROM session_v2 s`);
  const parent = new Map(rows.map((r) => [String(r.id), r.parent == null ? undefined : String(r.parent)]));
  const depth = (id: string, n = 0): number => {
    const p = parent.get(id);
    return p !== undefined && parent.has(p) && n < 64 ? depth(p, n + 1) : n;
  };
  return rows.map((r) => ({
    key: String(r.id),
    stamp: `v2|${r.updated}|${r.messages}|${r.inbox}`,
    where: `${where} (session ${String(r.id)})`,
    depth: depth(String(r.id)),
  }));
}

/** One V2 session, whole: its messages (queued prompts included) and its mirrored info. */
export function readV2(
  db: Db,
  id: string,
  hasInbox: boolean,
): { messages: MessageWithParts[]; info: ConvertedInfo; updated: number } | undefined {
  const row = db.all('SELECT * FROM session_v2 WHERE id = ?', id)[0];
  if (!row) return undefined;
  const mirror = sessionOfV2(row);
  const messages: MessageWithParts[] = [];
  let lastUser: string | undefined;
  for (const r of db.all(
    'SELECT id, type, seq, time_created, time_updated, data FROM session_message WHERE session_id = ? ORDER BY seq, id',
    id,
  )) {
    const m = messageOfV2(r, id, mirror.directory, lastUser);
    if (m.info.role === 'user' && r.type === 'user') lastUser = m.info.id;
    messages.push(m);
  }
  if (hasInbox)
    for (const r of db.all('SELECT * FROM session_inbox WHERE session_id = ? ORDER BY enqueued_seq', id))
      messages.push(inboxMessage(r, id));
  const project = db.all('SELECT * FROM project WHERE id = ?', row.project_id)[0];
  const todos = todosOf(messages);
  return {
    messages,
    updated: num(row.time_updated),
    info: {
      id,
      sourceID: id,
      title: mirror.title,
      directory: mirror.directory,
      version: mirror.version,
      created: mirror.time.created,
      updated: mirror.time.updated,
      metadata: {},
      ...(todos ? { todos } : {}),
      mirror,
      ...(project
        ? {
            project: {
              id: String(project.id),
              worktree: String(project.worktree),
              ...(project.vcs === 'git' ? { vcs: 'git' } : {}),
              ...(project.name != null ? { name: String(project.name) } : {}),
            },
          }
        : {}),
      final: true,
    },
  };
}
