import type { CaptureItem, ReadStats } from '../../contract.js';
import {
  derivedId,
  isRecord,
  type JsonRecord,
  type MessageWithParts,
  num,
  SessionBuilder,
  str,
  timeOf,
  tokensOf,
} from '../../kit/index.js';

// Cursor (the editor) keeps its agent chats ("composers") in the global
// `state.vscdb` (SQLite), table `cursorDiskKV`: `composerData:<id>` holds a
// chat's name, times, model and the ordered headers of its messages
// (`fullConversationHeadersOnly: [{bubbleId, type}]`; older versions kept
// the messages inline as `conversation`), and `bubbleId:<id>:<bubble>` each
// message ("bubble"): type 1 the person's, type 2 the model's — its text,
// `thinking`, a tool call in `toolFormerData` ({name, rawArgs, result,
// status}), `tokenCount`. A workspace's own `state.vscdb` lists its
// composers (`composer.composerData`) and its `workspace.json` names the
// folder.

/** The archive ID of a Cursor chat. */
export function cursorSessionId(id: string): string {
  return derivedId('session', undefined, `cursor:${id}`);
}

/** The builder of one Cursor chat (the editor's, or the command-line agent's): its archive ID from the chat's own. */
export function cursorBuilder(chatId: string, where: string): SessionBuilder {
  return new SessionBuilder({
    agent: 'cursor',
    envelope: 'cursor',
    id: cursorSessionId(chatId),
    sourceID: chatId,
    where,
    providerID: 'cursor',
  });
}

/** JSON text parsed, or the text itself. */
function parsed(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** One composer and its bubbles (in order) as capture items. */
export function* readCursorComposer(
  composer: JsonRecord,
  bubbles: Iterable<JsonRecord | undefined>,
  where: string,
  directory: string | undefined,
  stats: ReadStats,
): Generator<CaptureItem> {
  const id = String(composer.composerId);
  const b = cursorBuilder(id, where);
  if (directory) b.directory = directory;
  b.title('custom', str(composer.name));
  const created = num(composer.createdAt);
  if (created) {
    b.saw(created);
    b.time(created);
  }
  if (num(composer.lastUpdatedAt)) b.saw(num(composer.lastUpdatedAt));
  const config = isRecord(composer.modelConfig) ? composer.modelConfig : {};
  if (str(config.modelName)) b.model = str(config.modelName);
  if (typeof composer.status === 'string') b.extra.status = composer.status;
  if (typeof composer.isAgentic === 'boolean') b.extra.agentic = composer.isAgentic;
  let i = 0;
  for (const bubble of bubbles) {
    i++;
    if (!bubble) {
      stats.skipped.push({ line: i, reason: 'a message the chat lists is missing' });
      continue;
    }
    stats.records++;
    const key = str(bubble.bubbleId) ?? `${i}`;
    const time = b.time(timeOf(bubble.createdAt));
    if (bubble.type === 1) {
      const m = b.user({ key, time });
      const text = str(bubble.text);
      if (text) b.part(m, { type: 'text', id: b.partId(time, `${key}:t`), text });
      b.title('prompt', text, { first: true });
      continue;
    }
    if (bubble.type !== 2) {
      b.unknown(stats, `bubble type ${String(bubble.type)}`, bubble);
      continue;
    }
    const info = isRecord(bubble.modelInfo) ? bubble.modelInfo : {};
    const m: MessageWithParts = b.assistant({ key, time, ...(str(info.modelName) ? { modelID: str(info.modelName) } : {}) });
    const thinking = isRecord(bubble.thinking) ? str(bubble.thinking.text) : undefined;
    if (thinking) b.part(m, { type: 'reasoning', id: b.partId(time, `${key}:r`), text: thinking, time: { start: time, end: time } });
    const tool = isRecord(bubble.toolFormerData) ? bubble.toolFormerData : undefined;
    if (tool) {
      const callID = str(tool.toolCallId) ?? key;
      b.tool(m, {
        id: b.partId(time, `${key}:c`),
        callID,
        tool: str(tool.name) ?? 'tool',
        input: parsed(tool.rawArgs ?? tool.params) ?? {},
        time,
      });
      const result = parsed(tool.result);
      b.result(callID, {
        output: typeof result === 'string' ? result : result === undefined ? '' : JSON.stringify(result),
        error: tool.status === 'error' || tool.status === 'cancelled',
        time,
      });
    }
    const text = str(bubble.text);
    if (text) b.part(m, { type: 'text', id: b.partId(time, `${key}:t`), text });
    const tokens = isRecord(bubble.tokenCount) ? bubble.tokenCount : undefined;
    if (tokens && m.info.role === 'assistant') m.info.tokens = tokensOf({ input: tokens.inputTokens, output: tokens.outputTokens });
  }
  yield* b.finish(stats);
}
