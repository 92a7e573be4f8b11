import { basename } from 'node:path';
import type { CaptureItem, ReadStats, SourceEntry } from '../../contract.js';
import {
  assistantBlocks,
  blocksOf,
  derivedId,
  isRecord,
  type MessageWithParts,
  num,
  readJsonDocument,
  SessionBuilder,
  str,
  tokensOf,
  userBlocks,
} from '../../kit/index.js';

// Amp keeps a thread as ~/.local/share/amp/threads/T-<uuid>.json, one JSON
// document rewritten whole: `{id, created, title, env.initial.trees[].uri,
// messages[]}`, each message `{role, messageId, content: blocks (text,
// thinking, tool_use, tool_result with its run, image), state, usage, meta}`.
// Newer releases keep most threads on Amp's servers; only what is on disk
// comes in.

/** The archive ID of an Amp thread. */
export function ampSessionId(id: string): string {
  return derivedId('session', undefined, `amp:${id}`);
}

/** A tool result's text: its run's result (text or JSON) or error. */
function runOutput(block: Record<string, unknown>): { output: string; error: boolean } {
  const run = isRecord(block.run) ? block.run : undefined;
  if (run) {
    const failed = run.status === 'error' || run.status === 'cancelled' || run.status === 'rejected-by-user';
    const value = failed ? (run.error ?? run.result) : run.result;
    const text =
      typeof value === 'string'
        ? value
        : isRecord(value) && typeof value.output === 'string'
          ? value.output
          : (JSON.stringify(value) ?? '');
    return { output: text, error: failed };
  }
  const content = block.content;
  const text =
    typeof content === 'string'
      ? content
      : Array.isArray(content)
        ? content
            .filter(isRecord)
            .map((c) => str(c.text) ?? '')
            .join('\n')
        : '';
  return { output: text, error: block.is_error === true };
}

/** Reads one Amp thread as capture items. */
export async function* readAmpThread(entry: SourceEntry, stats: ReadStats): AsyncGenerator<CaptureItem> {
  const doc = await readJsonDocument(entry.where, stats);
  if (!doc) return;
  const id = str(doc.id) ?? basename(entry.where, '.json');
  const b = new SessionBuilder({
    agent: 'amp',
    envelope: 'amp',
    id: ampSessionId(id),
    sourceID: id,
    where: entry.where,
    providerID: 'anthropic',
  });
  const env = isRecord(doc.env) && isRecord(doc.env.initial) ? doc.env.initial : {};
  const tree = Array.isArray(env.trees) ? env.trees.find(isRecord) : undefined;
  const uri = str(tree?.uri);
  if (uri?.startsWith('file://')) b.directory = decodeURIComponent(new URL(uri).pathname);
  if (isRecord(tree?.repository)) b.extra.repository = tree.repository;
  const platform = isRecord(env.platform) ? env.platform : {};
  if (typeof platform.clientVersion === 'string') b.version = platform.clientVersion;
  if (typeof doc.agentMode === 'string') b.extra.agentMode = doc.agentMode;
  b.title('custom', str(doc.title));
  const created = num(doc.created);
  if (created) b.saw(created);
  for (const [i, m] of (Array.isArray(doc.messages) ? doc.messages : []).entries()) {
    if (!isRecord(m)) continue;
    // The message's place gives its ID (a time Amp records for it may be missing, or come later).
    const index = typeof m.messageId === 'number' ? m.messageId : i;
    const at = created + index;
    const meta = isRecord(m.meta) ? m.meta : {};
    const time = num(meta.sentAt) || at;
    b.saw(time);
    const key = `${index}`;
    const blocks = blocksOf(m.content);
    const place = { at, time, key, stats };
    if (m.role === 'assistant') {
      const usage = isRecord(m.usage) ? m.usage : undefined;
      const msg = b.assistant({ key, time: at, ...(str(usage?.model) ? { modelID: str(usage?.model) } : {}) });
      const info = msg.info as MessageWithParts['info'] & { role: 'assistant' };
      info.time = { created: time, completed: time };
      if (usage) {
        info.tokens = tokensOf({
          input: usage.inputTokens,
          output: usage.outputTokens,
          cacheRead: usage.cacheReadInputTokens,
          cacheWrite: usage.cacheCreationInputTokens,
        });
      }
      const state = isRecord(m.state) ? m.state : {};
      if (typeof state.stopReason === 'string') info.finish = state.stopReason;
      if (state.type === 'error') info.error = { name: 'UnknownError', data: { message: str(state.error) ?? 'error' } };
      assistantBlocks(b, msg, blocks, place);
      continue;
    }
    if (m.role !== 'user') {
      b.unknown(stats, `message ${String(m.role)}`, m);
      continue;
    }
    userBlocks(b, blocks, place, { output: runOutput });
  }
  yield* b.finish(stats);
}
