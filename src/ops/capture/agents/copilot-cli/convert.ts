import type { CaptureItem, ReadStats } from '../../contract.js';
import {
  derivedId,
  isRecord,
  type JsonRecord,
  type MessageWithParts,
  num,
  readJsonLines,
  SessionBuilder,
  str,
  tokensOf,
} from '../../kit/index.js';

// GitHub Copilot CLI keeps a session as ~/.copilot/session-state/<uuid>/
// events.jsonl (older versions: session-state/<uuid>.jsonl): events `{type,
// data, id, timestamp, parentId}`. The conversation is in `user.message`,
// `assistant.message` (with its tool requests and reasoning) and
// `tool.execution_complete`; each model call's tokens come in a
// `session.usage_record` just before the message it produced.

/** The archive ID of a Copilot CLI session. */
export function copilotSessionId(id: string): string {
  return derivedId('session', undefined, `copilot-cli:${id}`);
}

/** Events that are bookkeeping or repeat what other events say: counted, not kept. */
const QUIET = new Set([
  'system.message',
  'assistant.turn_start',
  'assistant.turn_end',
  'tool.execution_start',
  'tool.execution_partial_result',
  'tool.execution_progress',
  'tool.user_requested',
  'session.shutdown',
  'session.usage_info',
  'session.idle',
  'session.resume',
  'session.context_changed',
  'session.skills_loaded',
  'session.mcp_servers_loaded',
  'session.mcp_server_status_changed',
  'session.extensions_loaded',
  'session.custom_agents_updated',
  'session.background_tasks_changed',
  'session.remote_steerable_changed',
  'session.workspace_file_changed',
  'session.compaction_start',
  'assistant.message_delta',
  'assistant.reasoning_delta',
  'assistant.intent',
  'hook.start',
  'hook.end',
  'permission.requested',
  'permission.completed',
]);

/** Events kept as a quiet message: what they say. */
const NOTICES: Record<string, (d: JsonRecord) => string | undefined> = {
  'session.info': (d) => str(d.message) ?? str(d.content),
  'session.warning': (d) => str(d.message) ?? str(d.content),
  'session.error': (d) => str(d.message) ?? str(d.errorMessage),
  'model.call_failure': (d) => str(d.errorMessage),
  abort: (d) => `aborted${str(d.reason) ? `: ${d.reason}` : ''}`,
  'session.truncation': (d) => `context truncated (${num(d.messagesRemovedDuringTruncation)} messages removed)`,
  'session.task_complete': (d) => str(d.summary) ?? 'task complete',
  'subagent.started': (d) => `sub-agent ${str(d.agentName) ?? str(d.agentDisplayName) ?? ''} started`,
  'subagent.completed': (d) => `sub-agent ${str(d.agentName) ?? str(d.agentDisplayName) ?? ''} completed`,
  'subagent.failed': (d) => `sub-agent ${str(d.agentName) ?? ''} failed${str(d.error) ? `: ${d.error}` : ''}`,
};

class CopilotEvents {
  /** Tokens of model calls whose message has not come yet, by call ID (bounded). */
  private readonly usage = new Map<string, JsonRecord>();
  /** Reasoning that came before the message it belongs to. */
  private reasoning: string[] = [];

  constructor(
    readonly b: SessionBuilder,
    private readonly stats: ReadStats,
  ) {}

  event(r: JsonRecord, line: number): void {
    const b = this.b;
    const type = str(r.type) ?? '(no type)';
    const d = isRecord(r.data) ? r.data : {};
    const key = str(r.id) ?? `line:${line}`;
    const time = b.recordTime(r.timestamp, line, this.stats);
    if (time === undefined) return;
    switch (type) {
      case 'session.start': {
        if (typeof d.copilotVersion === 'string') b.version ??= d.copilotVersion;
        if (typeof d.selectedModel === 'string') b.model ??= d.selectedModel;
        const context = isRecord(d.context) ? d.context : {};
        if (typeof context.cwd === 'string') b.directory ??= context.cwd;
        for (const k of ['gitRoot', 'repository', 'branch'] as const) if (typeof context[k] === 'string') b.extra[k] = context[k];
        b.saw(time);
        return;
      }
      case 'session.model_change':
        if (typeof d.newModel === 'string') b.model = d.newModel;
        b.skipped(type);
        return;
      case 'session.title_changed':
        b.title('ai', str(d.title));
        return;
      case 'session.usage_record': {
        const u = isRecord(d.usage) ? d.usage : undefined;
        const id = str(u?.apiCallId);
        if (u && id) {
          this.usage.set(id, u);
          if (this.usage.size > 256) this.usage.delete(this.usage.keys().next().value as string);
        }
        b.skipped(type);
        return;
      }
      case 'user.message': {
        const m = b.user({ key, time, ...(str(d.source) && d.source !== 'user' ? { synthetic: true, extra: { origin: d.source } } : {}) });
        const text = str(d.content) ?? '';
        if (text) b.part(m, { id: b.partId(time, `${key}:0`), type: 'text', text });
        for (const [i, a] of (Array.isArray(d.attachments) ? d.attachments.filter(isRecord) : []).entries()) {
          const path = str(a.path) ?? str(a.filePath);
          if (path)
            b.part(m, {
              id: b.partId(time, `${key}:a${i}`),
              type: 'file',
              mime: str(a.mimeType) ?? 'text/plain',
              filename: path,
              url: `file://${path}`,
            });
          else b.unknown(this.stats, `attachment ${String(a.type)}`, a);
        }
        b.title('prompt', text, { first: true });
        return;
      }
      case 'assistant.reasoning': {
        const text = str(d.content) ?? str(d.reasoningText);
        if (text) this.reasoning.push(text);
        return;
      }
      case 'assistant.message':
        this.assistant(d, key, time);
        return;
      case 'tool.execution_complete': {
        const callID = str(d.toolCallId);
        if (!callID) break;
        const result = isRecord(d.result) ? d.result : {};
        const error = isRecord(d.error) ? d.error : undefined;
        const exit = isRecord(d.shellExecution) ? d.shellExecution.exitCode : undefined;
        b.result(callID, {
          output: str(result.content) ?? str(error?.message) ?? str(d.error) ?? '',
          error: d.success === false,
          time,
          metadata: typeof exit === 'number' ? { exitCode: exit } : {},
        });
        return;
      }
      case 'session.compaction_complete': {
        const m = b.user({ key, time, synthetic: true, extra: { origin: 'compaction' } });
        b.part(m, { id: b.partId(time, `${key}:-1`), type: 'compaction', auto: true });
        const summary =
          str(d.summaryContent) ?? str(d.summary) ?? `compacted (${num(d.preCompactionTokens)} → ${num(d.postCompactionTokens)} tokens)`;
        b.part(m, { id: b.partId(time, `${key}:0`), type: 'text', text: summary, synthetic: true });
        return;
      }
    }
    const notice = NOTICES[type];
    if (notice) {
      const m = b.user({ key, time, synthetic: true, extra: { origin: 'system', subtype: type } });
      b.part(m, { id: b.partId(time, `${key}:0`), type: 'text', text: notice(d) ?? type, synthetic: true });
    } else if (QUIET.has(type)) b.skipped(type);
    else b.unknown(this.stats, `event ${type}`, r);
  }

  private assistant(d: JsonRecord, key: string, time: number): void {
    const b = this.b;
    const m = b.assistant({ key: str(d.messageId) ?? key, time, ...(str(d.model) ? { modelID: str(d.model) } : {}) });
    const info = m.info as MessageWithParts['info'] & { role: 'assistant' };
    const callId = str(d.apiCallId);
    const u = callId ? this.usage.get(callId) : undefined;
    if (u && callId) {
      this.usage.delete(callId);
      info.tokens = tokensOf({
        input: u.inputTokens,
        output: u.outputTokens,
        cacheRead: u.cacheReadTokens,
        cacheWrite: u.cacheWriteTokens,
      });
      if (typeof u.cost === 'number' && u.cost > 0) info.cost = u.cost;
    } else if (typeof d.outputTokens === 'number') info.tokens = { ...info.tokens, output: d.outputTokens };
    const reasoning = [...this.reasoning.splice(0), ...(str(d.reasoningText) ? [d.reasoningText as string] : [])];
    for (const [i, text] of reasoning.entries())
      b.part(m, { id: b.partId(time, `${key}:r${i}`), type: 'reasoning', text, time: { start: time, end: time } });
    if (typeof d.content === 'string' && d.content !== '') b.part(m, { id: b.partId(time, `${key}:0`), type: 'text', text: d.content });
    for (const [i, t] of (Array.isArray(d.toolRequests) ? d.toolRequests.filter(isRecord) : []).entries()) {
      const callID = str(t.toolCallId) ?? `${key}:${i}`;
      b.tool(m, { id: b.partId(time, `${key}:t${i}`), callID, tool: str(t.name) ?? 'tool', input: t.arguments ?? {}, time });
    }
  }
}

/** Reads one Copilot CLI session's events as capture items. */
export async function* readCopilotEvents(path: string, sessionID: string, stats: ReadStats): AsyncGenerator<CaptureItem> {
  const b = new SessionBuilder({
    agent: 'copilot-cli',
    envelope: 'copilotCli',
    id: copilotSessionId(sessionID),
    sourceID: sessionID,
    where: path,
    providerID: 'github-copilot',
  });
  const events = new CopilotEvents(b, stats);
  for await (const { record, line } of readJsonLines(path, stats)) {
    events.event(record, line);
    yield* b.take();
  }
  yield* b.finish(stats);
}
