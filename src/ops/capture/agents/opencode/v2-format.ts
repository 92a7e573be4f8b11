import { isRecord, type MessageWithParts, type Part, type Session, str } from '../../kit/index.js';
import { messageOfV2 } from './v2.js';

// OpenCode 2's export format (`opencode session export`, `opencode session
// import`): `{info: Session.Info, messages: Session.Message[]}`, the shapes of
// its /api routes, which take no field they do not know. Written from an
// archive session, and read into one.

type Json = Record<string, unknown>;

const FINISH = new Set(['stop', 'length', 'tool-calls', 'content-filter', 'error', 'unknown']);
const zeroTokens = { input: 0, output: 0, reasoning: 0, cache: { read: 0, write: 0 } };

/** Tokens in OpenCode 2's shape (exactly its four fields). */
function tokensOf(t: unknown): Json {
  if (!isRecord(t)) return zeroTokens;
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const cache = isRecord(t.cache) ? t.cache : {};
  return { input: n(t.input), output: n(t.output), reasoning: n(t.reasoning), cache: { read: n(cache.read), write: n(cache.write) } };
}

/** A tool part as OpenCode 2's tool content. */
function toolOf(p: Part & { type: 'tool' }): Json {
  const s = p.state;
  const start = 'time' in s && isRecord(s.time) && typeof s.time.start === 'number' ? s.time.start : undefined;
  const end = 'time' in s && isRecord(s.time) && typeof s.time.end === 'number' ? s.time.end : undefined;
  const metadata = 'metadata' in s && isRecord(s.metadata) ? s.metadata : {};
  const state =
    s.status === 'completed'
      ? { status: 'completed', input: s.input, content: [{ type: 'text', text: s.output }], metadata }
      : s.status === 'error'
        ? { status: 'error', input: s.input, error: { type: 'tool', message: s.error }, metadata }
        : { status: 'running', input: s.input, metadata };
  return {
    type: 'tool',
    id: p.callID,
    name: p.tool,
    state,
    ...(start !== undefined ? { time: { created: start, ...(end !== undefined ? { completed: end } : {}) } } : {}),
  };
}

/** An archive message as OpenCode 2 messages (one, or none for a message it has no kind for). */
function messageTo(m: MessageWithParts): Json[] {
  const i = m.info;
  if (i.role === 'assistant') {
    const content: Json[] = [];
    for (const p of m.parts) {
      if (p.type === 'text') content.push({ type: 'text', text: p.text });
      else if (p.type === 'reasoning') content.push({ type: 'reasoning', text: p.text });
      else if (p.type === 'tool') content.push(toolOf(p));
    }
    return [
      {
        id: i.id,
        time: { created: i.time.created, ...(i.time.completed !== undefined ? { completed: i.time.completed } : {}) },
        type: 'assistant',
        agent: i.agent || 'build',
        model: { id: i.modelID, providerID: i.providerID },
        content,
        ...(i.finish && FINISH.has(i.finish) ? { finish: i.finish } : i.finish ? { rawFinish: i.finish } : {}),
        cost: i.cost,
        tokens: tokensOf(i.tokens),
      },
    ];
  }
  const text = m.parts
    .filter((p): p is Part & { type: 'text' } => p.type === 'text')
    .map((p) => p.text)
    .join('\n');
  const origin = str((i as { origin?: unknown }).origin);
  const compaction = m.parts.find((p) => p.type === 'compaction');
  if (compaction) {
    const auto = (compaction as { auto?: unknown }).auto !== false;
    return [
      {
        id: i.id,
        time: { created: i.time.created },
        type: 'compaction',
        status: 'completed',
        reason: auto ? 'auto' : 'manual',
        summary: text,
      },
    ];
  }
  if (origin === 'idle') return [{ id: i.id, time: { created: i.time.created }, type: 'idle', outcome: 'succeeded' }];
  if (origin && origin !== 'user') return [{ id: i.id, time: { created: i.time.created }, type: 'synthetic', text, description: origin }];
  return [{ id: i.id, time: { created: i.time.created }, type: 'user', text }];
}

/** A session of the archive in OpenCode 2's export format. */
export function toOpencode2(info: Session, messages: readonly MessageWithParts[]): Json {
  const model = isRecord(info.model) ? info.model : undefined;
  const modelRef =
    model && typeof (model.id ?? model.modelID) === 'string' && typeof model.providerID === 'string'
      ? { id: model.id ?? model.modelID, providerID: model.providerID }
      : undefined;
  return {
    info: {
      id: info.id,
      ...(info.parentID ? { parentID: info.parentID } : {}),
      projectID: info.projectID,
      ...(typeof info.agent === 'string' ? { agent: info.agent } : {}),
      ...(modelRef ? { model: modelRef } : {}),
      cost: typeof info.cost === 'number' ? info.cost : 0,
      tokens: tokensOf(info.tokens),
      time: {
        created: info.time.created,
        updated: info.time.updated,
        ...(info.time.archived !== undefined ? { archived: info.time.archived } : {}),
      },
      title: info.title,
      ...(isRecord(info.metadata) ? { metadata: info.metadata } : {}),
      location: { directory: info.directory },
    },
    messages: messages.flatMap(messageTo),
  };
}

/** Whether a payload is OpenCode 2's export (`{info: {location}, messages: [{type}]}`), not OpenCode 1's. */
export function isOpencode2Export(payload: unknown): boolean {
  if (!isRecord(payload) || !isRecord(payload.info) || !Array.isArray(payload.messages)) return false;
  return isRecord(payload.info.location) || payload.messages.some((m) => isRecord(m) && typeof m.type === 'string' && !('info' in m));
}

/** OpenCode 2's export read into an archive session (OpenCode 1's shapes, as the archive keeps them). */
export function fromOpencode2(payload: Json): { info: Session; messages: MessageWithParts[] } {
  const i = payload.info as Json;
  const id = String(i.id);
  const location = isRecord(i.location) ? i.location : {};
  const directory = str(location.directory) ?? '/';
  const time = isRecord(i.time) ? i.time : {};
  const info = {
    id,
    slug: id.slice(-8).toLowerCase(),
    projectID: str(i.projectID) ?? 'global',
    directory,
    path: str(i.subpath) ?? '',
    ...(str(i.parentID) ? { parentID: i.parentID } : {}),
    ...(isRecord(i.fork) && str(i.fork.sessionID)
      ? {
          forkedFrom: {
            sessionID: i.fork.sessionID,
            ...(isRecord(i.fork.boundary) && str(i.fork.boundary.messageID) ? { messageID: i.fork.boundary.messageID } : {}),
          },
        }
      : {}),
    title: str(i.title) ?? '',
    version: 'opencode 2',
    cost: typeof i.cost === 'number' ? i.cost : 0,
    tokens: tokensOf(i.tokens),
    ...(isRecord(i.model) ? { model: i.model } : {}),
    ...(str(i.agent) ? { agent: i.agent } : {}),
    ...(isRecord(i.metadata) ? { metadata: i.metadata } : {}),
    time: { ...time, created: Number(time.created ?? 0), updated: Number(time.updated ?? time.created ?? 0) },
  } as Session;
  const messages: MessageWithParts[] = [];
  let lastUser: string | undefined;
  for (const m of (payload.messages as unknown[]).filter(isRecord)) {
    const { id: mid, type, ...data } = m;
    const row = { id: mid, type, time_created: isRecord(m.time) ? m.time.created : 0, data: JSON.stringify(data) };
    const message = messageOfV2(row, id, directory, lastUser);
    if (type === 'user') lastUser = message.info.id;
    messages.push(message);
  }
  return { info, messages };
}
