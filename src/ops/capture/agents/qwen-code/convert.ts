import type { CaptureItem, ReadStats } from '../../contract.js';
import {
  derivedId,
  GeminiContent,
  geminiTokens,
  isRecord,
  type JsonRecord,
  type MessageWithParts,
  readJsonLines,
  SessionBuilder,
  str,
} from '../../kit/index.js';

// Qwen Code keeps a session as ~/.qwen/projects/<working folder, / → ->/chats/
// <session ID>.jsonl: records `{uuid, parentUuid, sessionId, timestamp, type,
// cwd, version, message: {role, parts}}` — `parts` in Gemini's shape — of
// type user, assistant, tool_result and system (with a `subtype` and a
// `systemPayload`).

/** The archive ID of a Qwen Code session. */
export function qwenSessionId(id: string): string {
  return derivedId('session', undefined, `qwen-code:${id}`);
}

/** System records that are the agent's bookkeeping: counted, not kept. */
const QUIET_SYSTEM = new Set([
  'ui_telemetry',
  'attribution_snapshot',
  'file_history_snapshot',
  'session_model',
  'set_model',
  'set_effort',
  'session_source',
  'session_sources_snapshot',
  'session_artifact_event',
  'session_artifact_snapshot',
  'session_recording_degraded',
  'branch_checkpoint',
  'goal_runtime',
  'goal_state',
  'goal_turn_end',
  'user_text_elements',
]);

/** A system record's words, for a quiet message. */
function systemText(subtype: string, payload: unknown): string {
  if (isRecord(payload)) {
    for (const key of ['message', 'text', 'summary', 'content', 'error']) if (typeof payload[key] === 'string') return payload[key];
    return `${subtype}: ${JSON.stringify(payload).slice(0, 4000)}`;
  }
  return subtype;
}

class QwenChat {
  readonly content: GeminiContent;

  constructor(
    readonly b: SessionBuilder,
    private readonly stats: ReadStats,
  ) {
    this.content = new GeminiContent(b, stats);
  }

  record(r: JsonRecord, line: number): void {
    const b = this.b;
    const type = str(r.type);
    const key = str(r.uuid) ?? `line:${line}`;
    const time = b.recordTime(r.timestamp, line, this.stats);
    if (time === undefined) return;
    if (typeof r.cwd === 'string') b.directory ??= r.cwd;
    if (typeof r.version === 'string') b.version ??= r.version;
    const message = isRecord(r.message) ? r.message : undefined;
    const parts = Array.isArray(message?.parts) ? message.parts : typeof message?.content === 'string' ? [message.content] : [];
    if (type === 'user') {
      if (GeminiContent.onlyResponses(parts)) {
        this.content.responses(parts, time);
        return;
      }
      const provenance = str(r.provenance);
      const injected = provenance !== undefined && provenance !== 'real_user';
      const m = b.user({ key, time, ...(injected ? { synthetic: true, extra: { origin: provenance } } : {}) });
      this.content.parts(m, parts, time, key, { synthetic: injected });
      const first = parts[0];
      if (!injected) b.title('prompt', typeof first === 'string' ? first : isRecord(first) ? str(first.text) : undefined, { first: true });
    } else if (type === 'assistant') {
      const m = b.assistant({ key, time, ...(str(r.model) ? { modelID: str(r.model) } : {}) });
      const u = isRecord(r.usageMetadata) ? r.usageMetadata : undefined;
      if (u) {
        const info = m.info as MessageWithParts['info'] & { role: 'assistant' };
        info.tokens = geminiTokens({
          input: u.promptTokenCount,
          output: u.candidatesTokenCount,
          cached: u.cachedContentTokenCount,
          thoughts: u.thoughtsTokenCount,
        });
      }
      this.content.parts(m, parts, time, key);
    } else if (type === 'tool_result') {
      const result = isRecord(r.toolCallResult) ? r.toolCallResult : {};
      const status = str(result.status);
      for (const p of parts) {
        const f = isRecord(p) && isRecord(p.functionResponse) ? p.functionResponse : undefined;
        const callID = str(f?.id) ?? str(result.callId);
        if (!f || !callID) {
          b.unknown(this.stats, 'tool_result part', p);
          continue;
        }
        const response = isRecord(f.response) ? f.response : {};
        const output =
          typeof response.output === 'string'
            ? response.output
            : typeof response.error === 'string'
              ? response.error
              : JSON.stringify(response);
        const display = isRecord(result.resultDisplay) ? result.resultDisplay : undefined;
        this.content.result(callID, {
          output,
          error: (status !== undefined && status !== 'success') || typeof response.error === 'string',
          time,
          metadata: {
            ...(status ? { status } : {}),
            ...(display && typeof display.exitCode === 'number' ? { exitCode: display.exitCode } : {}),
          },
        });
      }
    } else if (type === 'system') this.system(r, key, time);
    else b.unknown(this.stats, `record ${type ?? '(no type)'}`, r);
  }

  private system(r: JsonRecord, key: string, time: number): void {
    const b = this.b;
    const subtype = str(r.subtype) ?? 'system';
    const payload = isRecord(r.systemPayload) ? r.systemPayload : undefined;
    if (subtype === 'custom_title') {
      b.title('custom', str(payload?.customTitle));
      return;
    }
    if (subtype === 'parent_session' && typeof payload?.parentSessionId === 'string') {
      b.forkedFrom = { sessionID: qwenSessionId(payload.parentSessionId) };
      b.extra.parentSessionId = payload.parentSessionId;
      return;
    }
    if (QUIET_SYSTEM.has(subtype)) {
      b.skipped(`system ${subtype}`);
      return;
    }
    const m = b.user({ key, time, synthetic: true, extra: { origin: 'system', subtype } });
    if (subtype === 'chat_compression') b.part(m, { id: b.partId(time, `${key}:-1`), type: 'compaction', auto: true });
    b.part(m, { id: b.partId(time, `${key}:0`), type: 'text', text: systemText(subtype, r.systemPayload), synthetic: true });
  }
}

/** Reads one Qwen Code chat (JSON Lines) as capture items. */
export async function* readQwenChat(path: string, sessionID: string, stats: ReadStats): AsyncGenerator<CaptureItem> {
  const b = new SessionBuilder({
    agent: 'qwen-code',
    envelope: 'qwenCode',
    id: qwenSessionId(sessionID),
    sourceID: sessionID,
    where: path,
    providerID: 'openai',
  });
  const chat = new QwenChat(b, stats);
  for await (const { record, line } of readJsonLines(path, stats)) {
    chat.record(record, line);
    yield* b.take();
  }
  yield* b.finish(stats);
}
