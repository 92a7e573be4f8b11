import { basename } from 'node:path';
import type { MessageWithParts } from '../../model/message.js';
import type { Part } from '../../model/part.js';
import type { Todo } from '../../model/todo.js';
import {
  assistantMessage,
  type ConvertedSession,
  type ConvertStats,
  derivedId,
  finishTool,
  isRecord,
  jsonLines,
  timeOf,
  titleFrom,
  toolPart,
} from './convert.js';

// Codex CLI keeps each session as ~/.codex/sessions/YYYY/MM/DD/rollout-<time>-
// <uuid>.jsonl: `{timestamp, type, payload}` lines. `session_meta` opens it
// (id, cwd, cli_version, git), `turn_context` names the model, `response_item`
// holds what went to and came from the model (messages, reasoning, function
// calls and their outputs) and `event_msg` Codex's own events (token counts;
// user and agent messages again, which the response items already hold).
// Early rollouts put the meta on the first line bare and the items bare.

const PROVIDER = 'openai';
/** Event types that repeat what response items hold, or carry nothing to keep. */
const KNOWN_EVENTS = new Set([
  'user_message',
  'agent_message',
  'agent_reasoning',
  'agent_reasoning_raw_content',
  'task_started',
  'task_complete',
  'turn_aborted',
  'exec_command_begin',
  'exec_command_end',
  'patch_apply_begin',
  'patch_apply_end',
  'turn_diff',
  'token_count',
  'entered_review_mode',
  'exited_review_mode',
]);
/** Text Codex itself puts in the conversation as user or developer messages. */
const INJECTED = /^\s*(<environment_context>|<user_instructions>|<permissions instructions>|# AGENTS\.md instructions|<INSTRUCTIONS>)/;

/** The archive ID of a Codex session. */
export function codexSessionId(id: string): string {
  return derivedId('session', undefined, `codex:${id}`);
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter(isRecord)
    .map((b) => (typeof b.text === 'string' ? b.text : ''))
    .join('\n');
}

/** A function call's output: its text, and whether it failed (a non-zero exit code). */
function outputOf(raw: unknown): { output: string; error: boolean; metadata?: Record<string, unknown> } {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return { output: raw, error: false };
    }
  }
  if (isRecord(value) && typeof value.output === 'string') {
    const metadata = isRecord(value.metadata) ? value.metadata : undefined;
    const code = metadata?.exit_code;
    return { output: value.output, error: typeof code === 'number' && code !== 0, metadata };
  }
  if (isRecord(value) && typeof value.content === 'string') return { output: value.content, error: value.success === false };
  return { output: typeof raw === 'string' ? raw : JSON.stringify(raw), error: false };
}

/** Converts one Codex rollout into a session. */
export function convertCodex(text: string, file: string, stats: ConvertStats): ConvertedSession[] {
  const records = jsonLines(text, stats);
  let meta: Record<string, unknown> | undefined;
  const messages: MessageWithParts[] = [];
  const tools = new Map<string, Part>();
  const unknownRecords: unknown[] = [];
  let model: string | undefined;
  let cwd: string | undefined;
  let firstUserText: string | undefined;
  let lastUser: string | undefined;
  let assistant: MessageWithParts | undefined;
  let todos: Todo[] | undefined;
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  const id0 = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/.exec(file)?.[1] ?? basename(file, '.jsonl');
  let sourceId = id0;
  const sessionID = () => codexSessionId(sourceId);

  const newAssistant = (ts: number, key: string): MessageWithParts => {
    const id = derivedId('message', ts, `codex:${sourceId}:${key}`);
    const m = assistantMessage({
      id,
      sessionID: sessionID(),
      time: ts,
      parentID: lastUser ?? id,
      modelID: model ?? 'unknown',
      providerID: PROVIDER,
      agent: 'codex',
      cwd: cwd ?? '/',
    });
    messages.push(m);
    return m;
  };

  // A record without a time (early rollouts) is taken as just after the one
  // before (never the clock: a derived ID must come out the same on every run).
  let previous = 0;
  for (const [index, r] of records.entries()) {
    const ts = timeOf(r.timestamp, previous + 1);
    previous = ts;
    // The session's meta: enveloped, or bare on the first line of an early rollout.
    if (r.type === 'session_meta' && isRecord(r.payload)) {
      meta = r.payload;
    } else if (index === 0 && r.type === undefined && typeof r.id === 'string') {
      meta = r;
    }
    if (meta && typeof meta.id === 'string' && sourceId === id0) sourceId = meta.id;
    if (meta && (r === meta || r.payload === meta)) {
      cwd ??= typeof meta.cwd === 'string' ? meta.cwd : undefined;
      continue;
    }
    if (r.type === 'turn_context' && isRecord(r.payload)) {
      if (typeof r.payload.model === 'string') model = r.payload.model;
      if (typeof r.payload.cwd === 'string') cwd ??= r.payload.cwd;
      continue;
    }
    if (r.record_type === 'state') continue;
    const item =
      r.type === 'response_item' && isRecord(r.payload)
        ? r.payload
        : r.type === 'event_msg'
          ? undefined
          : r.payload === undefined
            ? r
            : undefined;
    if (r.type === 'event_msg' && isRecord(r.payload)) {
      const kind = String(r.payload.type);
      if (kind === 'token_count' && assistant && isRecord(r.payload.info) && isRecord(r.payload.info.last_token_usage)) {
        const u = r.payload.info.last_token_usage;
        const n = (v: unknown) => (typeof v === 'number' ? v : 0);
        const info = assistant.info as MessageWithParts['info'] & { role: 'assistant' };
        info.tokens = {
          input: info.tokens.input + n(u.input_tokens) - n(u.cached_input_tokens),
          output: info.tokens.output + n(u.output_tokens),
          reasoning: info.tokens.reasoning + n(u.reasoning_output_tokens),
          cache: { read: info.tokens.cache.read + n(u.cached_input_tokens), write: 0 },
        };
      } else if (!KNOWN_EVENTS.has(kind)) {
        stats.unknown[`event ${kind}`] = (stats.unknown[`event ${kind}`] ?? 0) + 1;
        unknownRecords.push(r);
      }
      continue;
    }
    if (!item) {
      const kind = String(r.type ?? 'untyped');
      stats.unknown[kind] = (stats.unknown[kind] ?? 0) + 1;
      unknownRecords.push(r);
      continue;
    }
    first = Math.min(first, ts);
    last = Math.max(last, ts);
    const kind = String(item.type);
    if (kind === 'message' && (item.role === 'user' || item.role === 'developer' || item.role === 'system')) {
      const text = textOf(item.content);
      const injected = item.role !== 'user' || INJECTED.test(text);
      const messageID = derivedId('message', ts, `codex:${sourceId}:${index}`);
      const parts: Part[] = [];
      if (text !== '') {
        parts.push({
          id: derivedId('part', ts, `codex:${sourceId}:${index}:0`),
          sessionID: sessionID(),
          messageID,
          type: 'text',
          text,
          ...(injected ? { synthetic: true } : {}),
        } as Part);
      }
      for (const [i, block] of (Array.isArray(item.content) ? item.content.filter(isRecord) : []).entries()) {
        if (block.type === 'input_image' && typeof block.image_url === 'string') {
          const mime = /^data:([^;,]+)/.exec(block.image_url)?.[1] ?? 'image/png';
          parts.push({
            id: derivedId('part', ts, `codex:${sourceId}:${index}:${i + 1}`),
            sessionID: sessionID(),
            messageID,
            type: 'file',
            mime,
            url: block.image_url,
          } as Part);
        }
      }
      if (!injected) firstUserText ??= text;
      messages.push({
        info: {
          id: messageID,
          sessionID: sessionID(),
          role: 'user',
          time: { created: ts },
          agent: 'codex',
          model: { providerID: PROVIDER, modelID: model ?? 'unknown' },
          ...(item.role !== 'user' ? { codexRole: item.role } : {}),
        },
        parts,
      } as MessageWithParts);
      if (!injected) {
        lastUser = messageID;
        assistant = undefined;
      }
      continue;
    }
    assistant ??= newAssistant(ts, String(index));
    const info = assistant.info as MessageWithParts['info'] & { role: 'assistant' };
    info.time.completed = Math.max(info.time.completed ?? ts, ts);
    if (model) info.modelID = model;
    const base = { id: derivedId('part', ts, `codex:${sourceId}:${index}`), sessionID: sessionID(), messageID: info.id };
    if (kind === 'message') {
      assistant.parts.push({ ...base, type: 'text', text: textOf(item.content) } as Part);
    } else if (kind === 'reasoning') {
      const summary = Array.isArray(item.summary) ? textOf(item.summary) : '';
      assistant.parts.push({
        ...base,
        type: 'reasoning',
        text: summary || textOf(item.content),
        metadata: typeof item.encrypted_content === 'string' ? { encrypted_content: item.encrypted_content } : {},
        time: { start: ts, end: ts },
      } as Part);
    } else if (kind === 'function_call' || kind === 'custom_tool_call' || kind === 'local_shell_call') {
      const callID = String(item.call_id ?? item.id ?? index);
      let input: unknown = kind === 'custom_tool_call' ? { input: item.input } : kind === 'local_shell_call' ? item.action : item.arguments;
      if (typeof input === 'string') {
        try {
          input = JSON.parse(input);
        } catch {
          input = { arguments: input };
        }
      }
      const tool = kind === 'local_shell_call' ? 'shell' : String(item.name ?? 'tool');
      const part = toolPart(base, { callID, tool, input, start: ts });
      tools.set(callID, part);
      assistant.parts.push(part);
      if (tool === 'update_plan' && isRecord(input) && Array.isArray(input.plan)) {
        todos = input.plan.filter(isRecord).map((step) => ({
          content: String(step.step ?? ''),
          status: String(step.status ?? 'pending'),
          priority: 'medium',
        }));
      }
    } else if (kind === 'function_call_output' || kind === 'custom_tool_call_output') {
      const part = tools.get(String(item.call_id));
      if (part) finishTool(part, { ...outputOf(item.output), end: ts });
    } else {
      stats.unknown[`item ${kind}`] = (stats.unknown[`item ${kind}`] ?? 0) + 1;
      unknownRecords.push(item);
    }
  }
  if (!meta && messages.length === 0) return [];
  if (!Number.isFinite(first)) first = last = timeOf(meta?.timestamp, previous);
  // User messages before the first turn context: the model that answered them.
  for (const m of messages) if (m.info.role === 'user' && m.info.model.modelID === 'unknown' && model) m.info.model.modelID = model;
  const git = isRecord(meta?.git) ? meta?.git : undefined;
  return [
    {
      id: sessionID(),
      title: titleFrom(firstUserText ?? '', `Codex session ${sourceId}`),
      directory: cwd ?? '/',
      version: `codex ${typeof meta?.cli_version === 'string' ? meta.cli_version : 'unknown'}`,
      created: first,
      updated: last,
      metadata: {
        source: 'codex',
        codex: {
          id: sourceId,
          file,
          ...(typeof meta?.originator === 'string' ? { originator: meta.originator } : {}),
          ...(git ? { git } : {}),
          ...(unknownRecords.length ? { unknownRecords } : {}),
        },
      },
      messages,
      todos,
    },
  ];
}
