import type { CaptureItem, ReadStats } from '../../contract.js';
import { derivedId, isRecord, type MessageWithParts, num, SessionBuilder, type SqlRow, str } from '../../kit/index.js';

// Crush keeps each project's sessions in `<project>/.crush/crush.db`
// (SQLite): `sessions` (id, parent_session_id, title, prompt_tokens,
// completion_tokens, cost, created_at and updated_at in seconds) and
// `messages` (id, session_id, role user/assistant/tool, parts, model,
// provider, created_at, finished_at). `parts` is a JSON list of `{type,
// data}`: text, reasoning, image_url, binary, tool_call (its input a JSON
// string), tool_result (in a `tool` message), finish (the reason and time).

/** The archive ID of a Crush session. */
export function crushSessionId(id: string): string {
  return derivedId('session', undefined, `crush:${id}`);
}

/** A tool call's input: Crush keeps it as the JSON text the model streamed. */
function inputOf(text: unknown): unknown {
  if (typeof text !== 'string') return text ?? {};
  try {
    return JSON.parse(text);
  } catch {
    return { raw: text };
  }
}

/** One Crush session and its messages (rows in created order) as capture items. */
export function* readCrushSession(
  session: SqlRow,
  rows: Iterable<SqlRow>,
  where: string,
  directory: string,
  stats: ReadStats,
): Generator<CaptureItem> {
  const id = String(session.id);
  const parent = str(session.parent_session_id);
  const b = new SessionBuilder({
    agent: 'crush',
    envelope: 'crush',
    id: crushSessionId(id),
    sourceID: id,
    where,
    providerID: 'crush',
    ...(parent ? { parentID: crushSessionId(parent) } : {}),
  });
  b.directory = str(session.workspace_cwd) ?? directory;
  b.title('custom', str(session.title));
  b.saw(num(session.created_at) * 1000);
  // The session's totals: Crush keeps tokens and cost per session, not per message.
  for (const [key, column] of [
    ['promptTokens', 'prompt_tokens'],
    ['completionTokens', 'completion_tokens'],
    ['cost', 'cost'],
  ] as const) {
    if (typeof session[column] === 'number' && session[column]) b.extra[key] = session[column];
  }
  for (const row of rows) {
    stats.records++;
    const key = String(row.id);
    const time = num(row.created_at) * 1000;
    let parts: unknown;
    try {
      parts = JSON.parse(String(row.parts ?? '[]'));
    } catch {
      stats.skipped.push({ line: stats.records, reason: `message ${key}: parts are not JSON` });
      continue;
    }
    const list = (Array.isArray(parts) ? parts : []).filter(isRecord);
    const role = String(row.role);
    if (role === 'tool') {
      for (const p of list) {
        const d = isRecord(p.data) ? p.data : {};
        if (p.type !== 'tool_result') {
          b.unknown(stats, `tool part ${String(p.type)}`, p);
          continue;
        }
        const metadata = str(d.metadata);
        b.result(String(d.tool_call_id), {
          output: str(d.content) ?? '',
          error: d.is_error === true,
          time,
          ...(metadata ? { metadata: { crush: metadata } } : {}),
        });
      }
      continue;
    }
    if (role !== 'user' && role !== 'assistant') {
      b.unknown(stats, `message ${role}`, { id: key, role, parts: list });
      continue;
    }
    const model = str(row.model);
    const m: MessageWithParts =
      role === 'user'
        ? b.user({ key, time })
        : b.assistant({ key, time, ...(model ? { modelID: model } : {}), ...(str(row.provider) ? { providerID: str(row.provider) } : {}) });
    for (const [i, p] of list.entries()) {
      const d = isRecord(p.data) ? p.data : {};
      const pid = b.partId(time, `${key}:${i}`);
      if (p.type === 'text') {
        if (str(d.text)) b.part(m, { type: 'text', id: pid, text: String(d.text), ...(d.hidden === true ? { synthetic: true } : {}) });
        if (role === 'user' && d.hidden !== true) b.title('prompt', str(d.text), { first: true });
      } else if (p.type === 'reasoning') {
        if (str(d.thinking)) {
          const start = num(d.started_at) * 1000 || time;
          b.part(m, { type: 'reasoning', id: pid, text: String(d.thinking), time: { start, end: num(d.finished_at) * 1000 || start } });
        }
      } else if (p.type === 'tool_call') {
        b.tool(m, { id: pid, callID: String(d.id), tool: str(d.name) ?? 'tool', input: inputOf(d.input), time });
      } else if (p.type === 'image_url' && str(d.url)) {
        b.part(m, { type: 'file', id: pid, mime: 'image/*', url: String(d.url) });
      } else if (p.type === 'binary') {
        const mime = str(d.MIMEType) ?? 'application/octet-stream';
        const path = str(d.Path);
        b.part(m, { type: 'file', id: pid, mime, url: `data:${mime};base64,${str(d.Data) ?? ''}`, ...(path ? { filename: path } : {}) });
      } else if (p.type === 'finish') {
        if (m.info.role === 'assistant') {
          const done = num(d.time) * 1000;
          if (done) m.info.time.completed = Math.max(m.info.time.created, done);
          if (str(d.reason)) m.info.finish = String(d.reason);
          if (d.reason === 'error') m.info.error = { name: 'UnknownError', data: { message: str(d.message) ?? str(d.details) ?? 'error' } };
        }
      } else {
        b.unknown(stats, `part ${String(p.type)}`, p);
      }
    }
    b.saw(num(row.finished_at) * 1000 || time);
  }
  yield* b.finish(stats);
}
