import { basename } from 'node:path';
import type { CaptureItem, ReadStats, SourceEntry } from '../../contract.js';
import {
  assistantBlocks,
  blocksOf,
  derivedId,
  isRecord,
  type MessageWithParts,
  readJsonLines,
  readSidecar,
  SessionBuilder,
  str,
  tokensOf,
  userBlocks,
} from '../../kit/index.js';

// Factory Droid keeps a session as ~/.factory/sessions/<working folder, / →
// ->/<uuid>.jsonl (older versions: directly in sessions/): a `session_start`
// line (id, title, cwd, version), then `message` lines whose `message` is
// Anthropic-style (`role`, content blocks). Beside it, <uuid>.settings.json
// holds the model and the session's token usage.

/** The archive ID of a Droid session. */
export function droidSessionId(id: string): string {
  return derivedId('session', undefined, `droid:${id}`);
}

/** Records that are bookkeeping: counted, not kept. */
const QUIET = new Set(['todo_state', 'session_end', 'compaction_state']);

/** Reads one Droid session as capture items. */
export async function* readDroidSession(root: string, entry: SourceEntry, stats: ReadStats): AsyncGenerator<CaptureItem> {
  const path = entry.where;
  const id = basename(path, '.jsonl');
  const b = new SessionBuilder({
    agent: 'droid',
    envelope: 'droid',
    id: droidSessionId(id),
    sourceID: id,
    where: path,
    providerID: 'factory',
  });
  const settings = await readSidecar(root, path.replace(/\.jsonl$/, '.settings.json'));
  if (typeof settings?.model === 'string') b.model = settings.model;
  if (isRecord(settings?.tokenUsage)) b.extra.tokenUsage = settings.tokenUsage;
  for await (const { record: r, line } of readJsonLines(path, stats)) {
    const type = str(r.type);
    if (type === 'session_start') {
      if (typeof r.cwd === 'string') b.directory ??= r.cwd;
      if (r.version !== undefined) b.version ??= String(r.version);
      b.title('custom', str(r.title));
      continue;
    }
    if (type && QUIET.has(type)) {
      b.skipped(type);
      continue;
    }
    if (type !== 'message' || !isRecord(r.message)) {
      b.unknown(stats, `record ${type ?? '(no type)'}`, r);
      continue;
    }
    const time = b.recordTime(r.timestamp, line, stats);
    if (time === undefined) continue;
    const key = str(r.id) ?? `line:${line}`;
    const place = { at: time, time, key, stats };
    const message = r.message;
    const blocks = blocksOf(message.content);
    if (message.role === 'assistant') {
      const m = b.assistant({ key, time, ...(str(message.model) ? { modelID: str(message.model) } : {}) });
      const usage = isRecord(message.usage) ? message.usage : undefined;
      if (usage) {
        (m.info as MessageWithParts['info'] & { role: 'assistant' }).tokens = tokensOf({
          input: usage.input_tokens,
          output: usage.output_tokens,
          cacheRead: usage.cache_read_input_tokens,
          cacheWrite: usage.cache_creation_input_tokens,
        });
      }
      assistantBlocks(b, m, blocks, place);
    } else if (message.role === 'user') {
      // Droid wraps its own context in <system-reminder>: its words, not the person's.
      userBlocks(b, blocks, place, { text: (text) => ({ synthetic: /^\s*<system-(reminder|notification)>/.test(text) }) });
    } else b.unknown(stats, `message ${String(message.role)}`, r);
    yield* b.take();
  }
  yield* b.finish(stats);
}
