import { basename } from 'node:path';
import type { CaptureItem, ReadStats, SourceEntry } from '../../contract.js';
import {
  derivedId,
  isRecord,
  type JsonRecord,
  type MessageWithParts,
  num,
  readJsonDocument,
  readJsonLines,
  SessionBuilder,
  str,
  timeOf,
} from '../../kit/index.js';
import { INJECTED, outputOf, planTodos, QUIET_EVENTS, QUIET_RECORDS, reviewText, TURN_ENDS, textOf } from './records.js';

// Codex keeps each session as $CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-
// <uuid>.jsonl: `{timestamp, type, payload}` lines. `session_meta` opens it,
// `turn_context` names the model, `response_item` holds what went to and came
// from the model, `event_msg` Codex's own events — which mostly repeat the
// response items, but some content exists only there: an interrupted answer,
// a `/review` request and its findings, plan updates. The earliest rollouts
// (2025) have no envelope; the spring-2025 TypeScript Codex wrote one JSON
// document per session (`{session, items}`).

const PROVIDER = 'openai';

/** The archive ID of a Codex session. */
export function codexSessionId(id: string): string {
  return derivedId('session', undefined, `codex:${id}`);
}

const UUID = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl?$/;

/** Converts a Codex rollout, record by record. */
class Rollout {
  private assistant?: MessageWithParts;
  private readonly turnTexts = { user: new Set<string>(), assistant: new Set<string>() };
  private pendingEvents: Array<{ role: 'user' | 'assistant'; text: string; time: number; key: string; review?: JsonRecord }> = [];
  private metaSeen = false;

  constructor(
    readonly b: SessionBuilder,
    private readonly stats: ReadStats,
  ) {}

  private userMessage(time: number, key: string, text: string, origin?: string): MessageWithParts {
    const m = this.b.user({ key, time, ...(origin ? { synthetic: true, extra: { origin } } : {}) });
    if (text !== '') this.b.part(m, { id: this.b.partId(time, `${key}:0`), type: 'text', text, ...(origin ? { synthetic: true } : {}) });
    return m;
  }

  private answer(time: number, key: string): MessageWithParts {
    this.assistant ??= this.b.assistant({ key, time });
    return this.assistant;
  }

  /** A turn ended: what exists only as events is added now. */
  private endTurn(): void {
    for (const e of this.pendingEvents.splice(0)) {
      if (this.turnTexts[e.role].has(e.text.trim())) continue;
      if (e.role === 'user') {
        this.userMessage(e.time, e.key, e.text);
        this.assistant = undefined;
      } else {
        const m = this.b.assistant({ key: e.key, time: e.time });
        this.b.part(m, {
          id: this.b.partId(e.time, `${e.key}:0`),
          type: 'text',
          text: e.text,
          ...(e.review ? { metadata: { review: e.review } } : {}),
        });
        this.assistant = undefined;
      }
    }
    this.turnTexts.user.clear();
    this.turnTexts.assistant.clear();
  }

  meta(meta: JsonRecord): void {
    if (this.metaSeen) return;
    this.metaSeen = true;
    this.b.directory ??= str(meta.cwd);
    this.b.version ??= str(meta.cli_version);
    if (typeof meta.originator === 'string') this.b.extra.originator = meta.originator;
    if (isRecord(meta.git)) this.b.extra.git = meta.git;
    if (typeof meta.id === 'string' && meta.id !== this.b.info(false).sourceID) this.b.extra.metaId = meta.id;
    if (typeof meta.source === 'string') this.b.extra.origin = meta.source;
  }

  record(r: JsonRecord, line: number, bare: boolean): void {
    const b = this.b;
    const ts = b.recordTime(r.timestamp, line, this.stats);
    if (ts === undefined) return;
    const type = str(r.type);
    if (type === 'session_meta' && isRecord(r.payload)) {
      this.meta(r.payload);
      return;
    }
    if (bare && line === 1 && type === undefined && typeof r.id === 'string') {
      this.meta(r);
      return;
    }
    if (type === 'turn_context' && isRecord(r.payload)) {
      if (typeof r.payload.model === 'string') b.model = r.payload.model;
      b.directory ??= str(r.payload.cwd);
      return;
    }
    if (r.record_type === 'state') {
      b.skipped('state');
      return;
    }
    if (type === 'event_msg' && isRecord(r.payload)) {
      this.event(r.payload, ts, line);
      return;
    }
    if (type === 'compacted' && isRecord(r.payload)) {
      const m = b.user({ key: `line:${line}`, time: ts, synthetic: true, extra: { origin: 'compaction' } });
      b.part(m, { id: b.partId(ts, `line:${line}:-1`), type: 'compaction', auto: true });
      const text = str(r.payload.message);
      if (text) b.part(m, { id: b.partId(ts, `line:${line}:0`), type: 'text', text, synthetic: true });
      if (Array.isArray(r.payload.replacement_history)) b.extra.compactions = num(b.extra.compactions) + 1;
      this.assistant = undefined;
      return;
    }
    if (type && QUIET_RECORDS.has(type)) {
      b.skipped(type);
      return;
    }
    const item = type === 'response_item' && isRecord(r.payload) ? r.payload : bare && r.payload === undefined ? r : undefined;
    if (!item) {
      b.unknown(this.stats, type ?? 'untyped', r);
      return;
    }
    this.item(item, ts, line);
  }

  item(item: JsonRecord, ts: number, line: number): void {
    const b = this.b;
    const kind = String(item.type);
    const key = `line:${line}`;
    if (kind === 'message' && (item.role === 'user' || item.role === 'developer' || item.role === 'system')) {
      const text = textOf(item.content);
      const origin =
        item.role === 'developer' ? 'developer' : item.role === 'system' ? 'system' : INJECTED.test(text) ? 'environment' : undefined;
      const m = this.userMessage(ts, key, text, origin);
      for (const [i, block] of (Array.isArray(item.content) ? item.content.filter(isRecord) : []).entries()) {
        if (block.type === 'input_image' && typeof block.image_url === 'string') {
          const mime = /^data:([^;,]+)/.exec(block.image_url)?.[1] ?? 'image/png';
          b.part(m, { id: b.partId(ts, `${key}:${i + 1}`), type: 'file', mime, url: block.image_url });
        }
      }
      if (!origin) {
        b.title('prompt', text, { first: true });
        this.turnTexts.user.add(text.trim());
        this.assistant = undefined;
      }
      return;
    }
    const m = this.answer(ts, key);
    const info = m.info as MessageWithParts['info'] & { role: 'assistant' };
    info.time.completed = Math.max(info.time.completed ?? ts, ts);
    if (b.model) info.modelID = b.model;
    const id = b.partId(ts, key);
    if (kind === 'message') {
      const text = textOf(item.content);
      this.turnTexts.assistant.add(text.trim());
      b.part(m, { id, type: 'text', text });
    } else if (kind === 'reasoning') {
      const summary = Array.isArray(item.summary) ? textOf(item.summary) : '';
      b.part(m, {
        id,
        type: 'reasoning',
        text: summary || textOf(item.content),
        metadata: typeof item.encrypted_content === 'string' ? { encrypted_content: item.encrypted_content } : {},
        time: { start: ts, end: ts },
      });
    } else if (kind === 'function_call' || kind === 'custom_tool_call' || kind === 'local_shell_call') {
      const callID = String(item.call_id ?? item.id ?? key);
      let input: unknown = kind === 'custom_tool_call' ? { input: item.input } : kind === 'local_shell_call' ? item.action : item.arguments;
      if (typeof input === 'string') {
        try {
          input = JSON.parse(input);
        } catch {
          input = { arguments: input };
        }
      }
      const tool = kind === 'local_shell_call' ? 'shell' : String(item.name ?? 'tool');
      b.tool(m, { id, callID, tool, input, time: ts });
      if (tool === 'update_plan' && isRecord(input)) b.todos = planTodos(input.plan) ?? b.todos;
    } else if (kind === 'function_call_output' || kind === 'custom_tool_call_output') {
      b.result(String(item.call_id), { ...outputOf(item.output), time: ts });
    } else if (kind === 'web_search_call') {
      const callID = String(item.id ?? key);
      b.tool(m, { id, callID, tool: 'web_search', input: isRecord(item.action) ? item.action : {}, time: ts });
      b.result(callID, { output: str(item.status) ?? '', error: item.status === 'failed', time: ts });
    } else if (kind === 'ghost_snapshot') {
      const commit = isRecord(item.ghost_commit) ? item.ghost_commit : {};
      b.part(m, { id, type: 'snapshot', snapshot: str(commit.id) ?? '', metadata: { ghost_commit: commit } });
    } else b.unknown(this.stats, `item ${kind}`, item);
  }

  private event(p: JsonRecord, ts: number, line: number): void {
    const b = this.b;
    const kind = String(p.type);
    const key = `event:${line}`;
    if (kind === 'token_count') {
      const u = isRecord(p.info) && isRecord(p.info.last_token_usage) ? p.info.last_token_usage : undefined;
      if (u && this.assistant) {
        const info = this.assistant.info as MessageWithParts['info'] & { role: 'assistant' };
        info.tokens = {
          input: info.tokens.input + num(u.input_tokens) - num(u.cached_input_tokens),
          // OpenAI counts reasoning inside output_tokens (total = input + output); the archive counts it apart, as Gemini and OpenCode do.
          output: info.tokens.output + Math.max(0, num(u.output_tokens) - num(u.reasoning_output_tokens)),
          reasoning: info.tokens.reasoning + num(u.reasoning_output_tokens),
          cache: {
            read: info.tokens.cache.read + num(u.cached_input_tokens),
            write: info.tokens.cache.write + num(u.cache_write_input_tokens),
          },
        };
      }
      return;
    }
    if (kind === 'user_message' && typeof p.message === 'string') {
      this.pendingEvents.push({ role: 'user', text: p.message, time: ts, key });
      return;
    }
    if (kind === 'agent_message' && typeof p.message === 'string') {
      this.pendingEvents.push({ role: 'assistant', text: p.message, time: ts, key });
      return;
    }
    if (kind === 'exited_review_mode') {
      const review = isRecord(p.review_output) ? p.review_output : undefined;
      if (review) this.pendingEvents.push({ role: 'assistant', text: reviewText(review), time: ts, key, review });
      return;
    }
    if (kind === 'plan_update') {
      b.todos = planTodos(p.plan) ?? b.todos;
      return;
    }
    if (TURN_ENDS.has(kind)) this.endTurn();
    if (QUIET_EVENTS.has(kind)) {
      b.skipped(`event ${kind}`);
      return;
    }
    b.unknown(this.stats, `event ${kind}`, p);
  }

  finish(): CaptureItem[] {
    this.endTurn();
    return this.b.finish(this.stats);
  }
}

function builderFor(id: string, where: string): SessionBuilder {
  return new SessionBuilder({ agent: 'codex', envelope: 'codex', id: codexSessionId(id), sourceID: id, where, providerID: PROVIDER });
}

/** Reads one rollout (JSON Lines, or a spring-2025 JSON document) as capture items. */
export async function* readCodexRollout(entry: SourceEntry, stats: ReadStats): AsyncGenerator<CaptureItem> {
  const path = entry.where;
  const id = UUID.exec(path)?.[1] ?? basename(path).replace(/\.jsonl?$/, '');
  const rollout = new Rollout(builderFor(id, path), stats);
  if (path.endsWith('.json')) {
    const doc = await readJsonDocument(path, stats);
    if (!doc) return;
    if (isRecord(doc.session)) rollout.meta(doc.session);
    const start = timeOf(isRecord(doc.session) ? doc.session.timestamp : undefined);
    for (const [i, item] of (Array.isArray(doc.items) ? doc.items.filter(isRecord) : []).entries()) {
      rollout.item(item, rollout.b.time(i === 0 ? start : timeOf(item.timestamp)), i + 1);
    }
    for (const out of rollout.finish()) yield out;
    return;
  }
  let bare = true;
  for await (const { record, line } of readJsonLines(path, stats)) {
    if (line === 1) bare = record.type === undefined || record.payload === undefined;
    rollout.record(record, line, bare);
    for (const out of rollout.b.take()) yield out;
  }
  for (const out of rollout.finish()) yield out;
}
