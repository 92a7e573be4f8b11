import type { MessageWithParts } from '../../../model/message.js';
import type { Todo } from '../../../model/todo.js';
import type { ReadStats } from '../contract.js';
import type { SessionBuilder } from './builder.js';
import { isRecord, str } from './text.js';

// Gemini's content shape — `parts` of `{text}`, `{thought}`, `{inlineData}`,
// `{fileData}`, `{functionCall}`, `{functionResponse}` — as Gemini CLI and its
// fork Qwen Code keep it in their transcripts, turned into messages.

/** Text the agent puts in the conversation as a user message: its context, not the user's words. */
export const INJECTED = /^\s*<(session_context|environment_context|system-reminder)>/;

/** A function response's text, and whether it says it failed. */
export function responseOutput(response: unknown): { output: string; error: boolean } {
  if (isRecord(response)) {
    if (typeof response.error === 'string') return { output: response.error, error: true };
    if (typeof response.output === 'string') return { output: response.output, error: false };
    if (typeof response.content === 'string') return { output: response.content, error: false };
  }
  return { output: typeof response === 'string' ? response : (JSON.stringify(response) ?? ''), error: false };
}

/** Todos from a todo tool's input (Gemini CLI's `write_todos`, Qwen Code's `todo_write`). */
export function todosOf(input: unknown): Todo[] | undefined {
  if (!isRecord(input) || !Array.isArray(input.todos)) return undefined;
  return input.todos.filter(isRecord).map((t) => ({
    content: String(t.content ?? t.description ?? ''),
    status: String(t.status ?? 'pending'),
    priority: String(t.priority ?? 'medium'),
    ...(typeof t.id === 'string' ? { id: t.id } : {}),
  }));
}

export const TODO_TOOLS = new Set(['write_todos', 'todo_write']);

/**
 * Converts Gemini-shaped content into one session's messages. A tool's
 * result may come more than once (inline with its call, then again as a
 * `functionResponse` message, then again when a resume re-writes history):
 * the first counts, later ones are counted as duplicates.
 */
export class GeminiContent {
  /** Calls made so far (their IDs). */
  private readonly calls = new Set<string>();

  constructor(
    readonly b: SessionBuilder,
    readonly stats: ReadStats,
  ) {}

  /** Whether a user message's parts are only function responses (a tool's result handed back, not the user's words). */
  static onlyResponses(parts: unknown[]): boolean {
    return parts.length > 0 && parts.every((p) => isRecord(p) && isRecord(p.functionResponse));
  }

  /** Adds a tool call and (when known) its result. */
  call(m: MessageWithParts, a: { callID: string; name: string; input: unknown; time: number; partKey: string }): void {
    this.calls.add(a.callID);
    this.b.tool(m, { id: this.b.partId(a.time, a.partKey), callID: a.callID, tool: a.name, input: a.input ?? {}, time: a.time });
    if (TODO_TOOLS.has(a.name)) this.b.todos = todosOf(a.input) ?? this.b.todos;
  }

  /** A tool's result: completes its call, unless that call already has one. */
  result(callID: string, r: { output: string; error: boolean; time: number; metadata?: Record<string, unknown> }): void {
    if (this.calls.has(callID) && !this.b.waiting(callID)) {
      this.b.skipped('repeated tool result');
      return;
    }
    this.b.result(callID, r);
  }

  /** Function responses (a user message that only hands results back): each completes its call. */
  responses(parts: unknown[], time: number): void {
    for (const raw of parts) {
      const f = isRecord(raw) && isRecord(raw.functionResponse) ? raw.functionResponse : undefined;
      const callID = str(f?.id);
      if (f && callID) this.result(callID, { ...responseOutput(f.response), time });
      else this.b.unknown(this.stats, 'functionResponse without an id', raw);
    }
  }

  /** Adds Gemini `parts` to a message; function responses complete their calls instead. */
  parts(m: MessageWithParts, parts: unknown[], time: number, key: string, options: { synthetic?: boolean } = {}): void {
    for (const [i, raw] of parts.entries()) {
      const partKey = `${key}:${i}`;
      if (typeof raw === 'string') {
        this.b.part(m, { id: this.b.partId(time, partKey), type: 'text', text: raw, ...(options.synthetic ? { synthetic: true } : {}) });
        continue;
      }
      if (!isRecord(raw)) continue;
      if (typeof raw.text === 'string') {
        if (raw.thought === true) {
          this.b.part(m, { id: this.b.partId(time, partKey), type: 'reasoning', text: raw.text, time: { start: time, end: time } });
        } else if (raw.text !== '') {
          this.b.part(m, {
            id: this.b.partId(time, partKey),
            type: 'text',
            text: raw.text,
            ...(options.synthetic ? { synthetic: true } : {}),
          });
        }
      } else if (isRecord(raw.functionCall)) {
        const f = raw.functionCall;
        this.call(m, { callID: str(f.id) ?? `${key}:${i}`, name: str(f.name) ?? 'tool', input: f.args, time, partKey });
      } else if (isRecord(raw.functionResponse)) {
        this.responses([raw], time);
      } else if (isRecord(raw.inlineData) && typeof raw.inlineData.data === 'string') {
        const mime = str(raw.inlineData.mimeType) ?? 'application/octet-stream';
        this.b.part(m, { id: this.b.partId(time, partKey), type: 'file', mime, url: `data:${mime};base64,${raw.inlineData.data}` });
      } else if (isRecord(raw.fileData) && typeof raw.fileData.fileUri === 'string') {
        this.b.part(m, {
          id: this.b.partId(time, partKey),
          type: 'file',
          mime: str(raw.fileData.mimeType) ?? 'application/octet-stream',
          url: raw.fileData.fileUri,
        });
      } else this.b.unknown(this.stats, `part ${Object.keys(raw).sort().join('+') || 'empty'}`, raw);
    }
  }
}
