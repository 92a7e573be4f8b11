import { basename, dirname, join } from 'node:path';
import type { CaptureItem, ReadStats, SourceEntry } from '../../contract.js';
import {
  derivedId,
  isRecord,
  type JsonRecord,
  type MessageWithParts,
  num,
  readJsonDocument,
  readJsonLines,
  readSidecar,
  SessionBuilder,
  str,
} from '../../kit/index.js';

// VS Code's chat (GitHub Copilot Chat) keeps a session as
// `workspaceStorage/<workspace>/chatSessions/<id>.jsonl` (older: `.json`, one
// document; a window with no folder: `globalStorage/emptyWindowChatSessions`).
// The `.jsonl` is VS Code's mutation log: line 1 `{kind: 0, v: state}`, then
// `{kind: 1, k: path, v}` sets a value, `{kind: 2, k: path, v: items, i?}`
// pushes items to an array (cutting it at `i` first), `{kind: 3, k: path}`
// deletes. The state: `{sessionId, creationDate, customTitle, requests: [{
// requestId, timestamp, message: {text}, modelId, response: [items],
// result: {timings, details, errorDetails}}]}`. The workspace's
// `workspace.json` names its folder.

/** The archive ID of a VS Code chat session. */
export function copilotVscodeSessionId(id: string): string {
  return derivedId('session', undefined, `copilot-vscode:${id}`);
}

type Path = Array<string | number>;

/** Keys that would reach an object's prototype: an entry naming one anywhere in its path is refused. */
const UNSAFE = new Set<string | number>(['__proto__', 'constructor', 'prototype']);

/** The container at a path (its missing or non-object steps made plain objects), and the last key; none for an unsafe path. */
function at(state: JsonRecord, path: Path): { parent: Record<string | number, unknown> | undefined; key: string | number | undefined } {
  if (path.some((k) => UNSAFE.has(k))) return { parent: undefined, key: undefined };
  let node: Record<string | number, unknown> = state;
  for (const k of path.slice(0, -1)) {
    const next = Object.hasOwn(node, k) ? node[k] : undefined;
    if (!next || typeof next !== 'object') node[k] = {};
    node = node[k] as Record<string | number, unknown>;
  }
  return { parent: node, key: path.at(-1) };
}

/** Applies one entry of the log; false when it cannot be applied. */
function apply(state: JsonRecord, entry: JsonRecord): boolean {
  const path = Array.isArray(entry.k) ? (entry.k as Path) : [];
  if (path.some((p) => typeof p !== 'string' && typeof p !== 'number')) return false;
  if (entry.kind === 1 || entry.kind === 3) {
    const { parent, key } = at(state, path);
    if (!parent || key === undefined) return false;
    if (entry.kind === 3 || entry.v === undefined) delete parent[key];
    else parent[key] = entry.v;
    return true;
  }
  if (entry.kind === 2) {
    const { parent, key } = at(state, path);
    if (!parent || key === undefined) return false;
    const list = Array.isArray(parent[key]) ? (parent[key] as unknown[]) : [];
    if (typeof entry.i === 'number') list.length = Math.min(list.length, entry.i);
    if (Array.isArray(entry.v)) list.push(...entry.v);
    parent[key] = list;
    return true;
  }
  return false;
}

/** The session's state: the document, or the log replayed. */
async function stateOf(where: string, stats: ReadStats): Promise<JsonRecord | undefined> {
  if (where.endsWith('.json')) return readJsonDocument(where, stats);
  let state: JsonRecord | undefined;
  for await (const { record, line } of readJsonLines(where, stats)) {
    stats.records++;
    if (record.kind === 0 && isRecord(record.v)) state = record.v;
    else if (!state || !apply(state, record))
      stats.skipped.push({ line, reason: `entry of kind ${String(record.kind)} that does not apply` });
  }
  return state;
}

/** A value that is text, or a Markdown string `{value}`. */
const textOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : isRecord(v) ? str(v.value) : undefined);

/** The working folder a workspace's `workspace.json` names (`file://` URIs only). */
async function folderOf(root: string, where: string): Promise<string | undefined> {
  if (basename(dirname(where)) !== 'chatSessions') return undefined;
  const ws = await readSidecar(root, join(dirname(dirname(where)), 'workspace.json'));
  const uri = str(ws?.folder);
  if (!uri?.startsWith('file://')) return undefined;
  try {
    return decodeURIComponent(new URL(uri).pathname);
  } catch {
    return undefined;
  }
}

/** Response items VS Code keeps for its own view (they say nothing the text or tools do not). */
const VIEW_ONLY = new Set([
  'codeblockUri',
  'undoStop',
  'prepareToolInvocation',
  'mcpServersStarting',
  'progressTaskSerialized',
  'confirmation',
]);

/** One assistant answer: its response items as text, reasoning and tool calls. */
function answer(b: SessionBuilder, m: MessageWithParts, items: unknown[], time: number, key: string, stats: ReadStats): void {
  let text = '';
  let n = 0;
  const flush = () => {
    if (text.trim()) b.part(m, { type: 'text', id: b.partId(time, `${key}:t${n++}`), text: text.trim() });
    text = '';
  };
  for (const [i, item] of items.entries()) {
    if (!isRecord(item)) continue;
    const kind = str(item.kind);
    if (kind === undefined || kind === 'markdownContent') {
      text += textOf(item.value) ?? textOf(item.content) ?? '';
    } else if (kind === 'inlineReference') {
      const ref = isRecord(item.inlineReference) ? item.inlineReference : {};
      const name = str(item.name) ?? str(ref.name) ?? basename(str(ref.path) ?? str(ref.fsPath) ?? '');
      if (name) text += `\`${name}\``;
    } else if (kind === 'thinking') {
      flush();
      const value = Array.isArray(item.value) ? item.value.map(textOf).join('') : textOf(item.value);
      if (value?.trim())
        b.part(m, { type: 'reasoning', id: b.partId(time, `${key}:r${i}`), text: value, time: { start: time, end: time } });
    } else if (kind === 'toolInvocationSerialized') {
      flush();
      const callID = str(item.toolCallId) ?? `${key}:${i}`;
      const data = isRecord(item.toolSpecificData) ? item.toolSpecificData : undefined;
      const asked = textOf(item.invocationMessage);
      b.tool(m, {
        id: b.partId(time, `${key}:c${i}`),
        callID,
        tool: str(item.toolId) ?? 'tool',
        input: data ?? (asked ? { message: asked } : {}),
        time,
      });
      const done = textOf(item.pastTenseMessage) ?? textOf(item.resultDetails) ?? '';
      b.result(callID, {
        output: done,
        error: item.isComplete === false || (isRecord(item.isConfirmed) && item.isConfirmed.type === 0),
        time,
      });
    } else if (kind === 'textEditGroup') {
      flush();
      const uri = isRecord(item.uri) ? (str(item.uri.path) ?? str(item.uri.fsPath)) : undefined;
      const callID = `${key}:edit${i}`;
      b.tool(m, {
        id: b.partId(time, `${key}:e${i}`),
        callID,
        tool: 'edit',
        input: { filePath: uri, edits: Array.isArray(item.edits) ? item.edits.flat().length : 0 },
        time,
      });
      b.result(callID, { output: item.done === false ? 'not applied' : 'applied', error: false, time });
    } else if (kind && VIEW_ONLY.has(kind)) {
      b.skipped(kind);
    } else {
      b.unknown(stats, `response ${kind}`, item);
    }
  }
  flush();
}

/** Reads one VS Code chat session as capture items. */
export async function* readCopilotVscodeSession(root: string, entry: SourceEntry, stats: ReadStats): AsyncGenerator<CaptureItem> {
  const state = await stateOf(entry.where, stats);
  if (!state) return;
  const id = str(state.sessionId) ?? basename(entry.where).replace(/\.jsonl?$/, '');
  const b = new SessionBuilder({
    agent: 'copilot-vscode',
    envelope: 'copilotVscode',
    id: copilotVscodeSessionId(id),
    sourceID: id,
    where: entry.where,
    providerID: 'copilot',
  });
  const folder = await folderOf(root, entry.where);
  if (folder) b.directory = folder;
  b.title('custom', str(state.customTitle));
  const created = num(state.creationDate);
  if (created) b.saw(created);
  if (isRecord(state.mode) && str(state.mode.id)) b.extra.mode = state.mode.id;
  for (const [i, r] of (Array.isArray(state.requests) ? state.requests : []).entries()) {
    if (!isRecord(r)) continue;
    const key = str(r.requestId) ?? `${i}`;
    const time = b.time(num(r.timestamp) || undefined);
    const message = isRecord(r.message) ? r.message : {};
    const prompt = str(message.text) ?? '';
    const u = b.user({ key, time });
    if (prompt) b.part(u, { type: 'text', id: b.partId(time, `${key}:p`), text: prompt });
    b.title('prompt', prompt, { first: true });
    const result = isRecord(r.result) ? r.result : {};
    const timings = isRecord(result.timings) ? result.timings : {};
    const model = str(r.modelId)?.replace(/^copilot\//, '');
    const a = b.assistant({ key: `${key}:answer`, time: time + 1, ...(model ? { modelID: model } : {}) });
    const info = a.info as MessageWithParts['info'] & { role: 'assistant' };
    const elapsed = num(timings.totalElapsed);
    if (elapsed) info.time.completed = time + elapsed;
    b.saw(info.time.completed ?? time);
    if (isRecord(result.errorDetails))
      info.error = { name: 'UnknownError', data: { message: str(result.errorDetails.message) ?? 'error' } };
    if (str(result.details)) info.copilotVscode = { details: result.details };
    answer(b, a, Array.isArray(r.response) ? r.response : [], time + 1, key, stats);
    yield* b.take();
  }
  yield* b.finish(stats);
}
