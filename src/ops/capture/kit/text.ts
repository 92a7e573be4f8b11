import type { MessageWithParts } from '../../../model/message.js';

// Text from a transcript made fit for a title or a time, and a message's rough size.

/** A title's length at most (a 5 MB summary must not become a 5 MB title). */
export const TITLE_MAX = 120;

/** Wrappers agents put around a prompt that are not the user's words, removed whole. */
const DROPPED =
  /<(system-reminder|local-command-stdout|local-command-stderr|local-command-caveat|user-prompt-submit-hook|environment_context|user_instructions|INSTRUCTIONS)\b[^>]*>[\s\S]*?<\/\1>/g;
/** Wrappers whose content is the user's (a slash command and its arguments): the tags go, the words stay. */
const UNWRAPPED = /<\/?(command-name|command-message|command-args|command-contents|bash-input|user_query|task)\b[^>]*>/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g;

/** A prompt's words without agents' markup wrappers or control characters. */
export function promptText(text: string): string {
  return text.replace(DROPPED, ' ').replace(UNWRAPPED, ' ').replace(CONTROL, ' ');
}

/** A title from a text: its first non-empty line, markup and control characters removed, bounded; `undefined` when nothing is left. */
export function titleOf(text: string | undefined): string | undefined {
  if (typeof text !== 'string') return undefined;
  const bounded = text.length > 64 * 1024 ? text.slice(0, 64 * 1024) : text;
  const line = promptText(bounded)
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .find((l) => l !== '');
  if (!line) return undefined;
  return line.length > TITLE_MAX ? `${line.slice(0, TITLE_MAX - 1)}…` : line;
}

/** Epoch milliseconds of an ISO time, epoch seconds or milliseconds; `undefined` when it is none or before 1970. */
export function timeOf(value: unknown): number | undefined {
  let t: number | undefined;
  if (typeof value === 'number' && Number.isFinite(value)) t = value < 1e11 ? value * 1000 : value;
  else if (typeof value === 'string') {
    const parsed = Date.parse(value);
    if (Number.isFinite(parsed)) t = parsed;
  }
  return t !== undefined && t >= 0 && t < 2 ** 48 ? Math.floor(t) : undefined;
}

export const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A string field, or `undefined`. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A finite number field, else 0. */
export const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** An answer's token counts from the source's fields (a field it lacks counts 0). */
export function tokensOf(t: { input?: unknown; output?: unknown; reasoning?: unknown; cacheRead?: unknown; cacheWrite?: unknown }) {
  return {
    input: num(t.input),
    output: num(t.output),
    reasoning: num(t.reasoning),
    cache: { read: num(t.cacheRead), write: num(t.cacheWrite) },
  };
}

/** A rough size of a message in bytes (its texts and inputs), to bound what is held. */
export function roughSize(m: MessageWithParts): number {
  let n = 200;
  for (const p of m.parts) {
    n += 100;
    if ('text' in p && typeof p.text === 'string') n += p.text.length;
    if (p.type === 'file') n += p.url.length;
    if (p.type === 'tool') {
      const s = p.state as { output?: unknown; error?: unknown; input?: unknown };
      if (typeof s.output === 'string') n += s.output.length;
      if (typeof s.error === 'string') n += s.error.length;
      n += JSON.stringify(s.input ?? {}).length;
    }
  }
  return n;
}
