import type { Part } from '../../../model/part.js';
import { isRecord } from './text.js';

// What every agent's writer needs of a tool call: its input, its result as the
// agent would have seen it, the shell command when it ran one (every agent has
// a shell tool of its own, under its own name), and the call as plain text for
// an agent with no tool of that name.

/** Other agents' shell tools: each target writes them as its own. */
const SHELL_TOOLS = /^(bash|shell|exec_command|run_shell_command|shell_command)$/i;

/** A tool call, as a writer of another agent's format needs it. */
export interface CallForExport {
  input: Record<string, unknown>;
  /** Its output, or "error: …". */
  result: string;
  /** The command, when it is a shell call. */
  command?: string;
  /** When it started and ended (the message's time when the call does not say). */
  start: number;
  end: number;
  /** The call as text, for an agent that has no tool of its name. */
  asText: string;
}

export function callForExport(p: Extract<Part, { type: 'tool' }>, fallbackTime: number): CallForExport {
  const state = p.state as { status: string; input?: unknown; output?: unknown; error?: unknown; time?: { start?: number; end?: number } };
  const input = isRecord(state.input) ? state.input : {};
  const result =
    state.status === 'completed'
      ? String(state.output ?? '')
      : state.status === 'error'
        ? `error: ${String(state.error ?? '')}`
        : '(no result)';
  let command: string | undefined;
  if (SHELL_TOOLS.test(p.tool)) {
    const c = input.command ?? input.cmd;
    if (typeof c === 'string') command = c;
    else if (Array.isArray(c) && c.every((x) => typeof x === 'string')) {
      const words = c as string[];
      command = words.length === 3 && /(^|\/)(ba)?sh$/.test(words[0] as string) && words[1] === '-lc' ? words[2] : words.join(' ');
    }
  }
  const start = state.time?.start ?? fallbackTime;
  const shown = result.length > 2000 ? `${result.slice(0, 2000)}…` : result;
  return {
    input,
    result,
    ...(command !== undefined ? { command } : {}),
    start,
    end: state.time?.end ?? start,
    asText: `[${p.tool} ${JSON.stringify(input)} → ${shown}]`,
  };
}

/** An assistant message for another agent's format: its text (other tools' calls in it as text), and its shell calls between. */
export type ExportStep =
  | { kind: 'text'; text: string; at: number; key: string }
  | { kind: 'shell'; call: CallForExport; part: Extract<Part, { type: 'tool' }> };

/** The steps of an assistant message, in order: text runs joined, a shell call ending each run. */
export function* exportSteps(m: {
  info: { id: string; time: { created: number; completed?: number } };
  parts: readonly Part[];
}): Generator<ExportStep> {
  const time = m.info.time.created;
  let text: string[] = [];
  for (const p of m.parts) {
    if (p.type === 'text') text.push(p.text);
    else if (p.type === 'tool') {
      const call = callForExport(p, time);
      if (call.command === undefined) {
        text.push(call.asText);
        continue;
      }
      if (text.length) yield { kind: 'text', text: text.join('\n\n'), at: call.start, key: `${p.id}:text` };
      text = [];
      yield { kind: 'shell', call, part: p };
    }
  }
  if (text.length) yield { kind: 'text', text: text.join('\n\n'), at: m.info.time.completed ?? time, key: `${m.info.id}:end` };
}

/** How a target writes what a person sent: a text block, and an image block (from its type, base64 data and data: URL). */
export interface UserBlockShape {
  text(text: string): unknown;
  image(mime: string, data: string, url: string): unknown;
}

/** A user message's blocks in a target's shape: the person's own text, attached images as images, other files named in text. */
export function userBlocksForExport(parts: readonly Part[], shape: UserBlockShape): unknown[] {
  const out: unknown[] = [];
  for (const p of parts) {
    if (p.type === 'text' && !p.synthetic) out.push(shape.text(p.text));
    else if (p.type === 'file') {
      const data = /^data:([^;,]+);base64,(.*)$/s.exec(p.url);
      if (data?.[1]?.startsWith('image/')) out.push(shape.image(data[1], data[2] as string, p.url));
      else out.push(shape.text(`[file ${p.filename ?? p.url}]`));
    }
  }
  return out;
}
