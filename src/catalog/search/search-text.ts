import type { MessageWithParts } from '../../model/message.js';
import type { Part } from '../../model/part.js';
import type { Todo } from '../../model/todo.js';

/** At most this much of one tool output is searchable (the start of a long log says what it is). */
const OUTPUT_CHARS = 32 * 1024;
/** At most this much text of one message is indexed. */
const MESSAGE_CHARS = 256 * 1024;

/**
 * The start of a long string as a string of its own: V8's `slice` keeps the
 * whole original alive behind a small view, which for a message's 2 MB text
 * kept in a write queue is the whole file's text again.
 */
function head(text: string, chars: number): string {
  return text.length > chars ? Buffer.from(text.slice(0, chars), 'utf8').toString('utf8') : text;
}

/** The strings inside a JSON value (a tool's input), keys left out: what a person would search for. */
function strings(value: unknown, out: string[], depth = 0): void {
  if (depth > 8) return;
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number' || typeof value === 'boolean') out.push(String(value));
  else if (Array.isArray(value)) for (const v of value) strings(v, out, depth + 1);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, out, depth + 1);
}

/**
 * Markdown as the words it shows: what a snippet of a hit reads as (the
 * tokenizer skips the marks anyway; a snippet shows them). Emphasis, code
 * marks, heading and quote marks and table rules go; a link keeps its text
 * and address.
 */
export function plainMarkdown(text: string): string {
  if (!/[*_`#>[|~]/.test(text)) return text;
  return text
    .replace(/^\s{0,3}(`{3,}|~{3,})[^\n]*$/gm, '')
    .replace(/^\s{0,3}#{1,6}\s+/gm, '')
    .replace(/^\s{0,3}>\s?/gm, '')
    .replace(/^\s*\|?(\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$/gm, '')
    .replace(/!?\[([^\]\n]*)\]\(([^)\s]*)[^)\n]*\)/g, (_, label: string, href: string) => (label ? `${label} ${href}` : href))
    .replace(/(\*\*|__|~~)(?=\S)([^\n]*?\S)\1/g, '$2')
    .replace(/`+/g, '')
    .replace(/ *\| */g, ' ');
}

/** What of one part is searchable: its text, reasoning, tool name, input and output, file names, patch files, subtask. */
export function partText(p: Part): string {
  const out: string[] = [];
  switch (p.type) {
    case 'text':
    case 'reasoning':
      if (typeof p.text === 'string') out.push(plainMarkdown(p.text));
      break;
    case 'tool': {
      if (typeof p.tool === 'string') out.push(p.tool);
      const state = (p.state ?? {}) as Record<string, unknown>;
      // A title that only repeats the tool's name ("Read Read" in a snippet) says nothing more.
      if (typeof state.title === 'string' && state.title.toLowerCase() !== String(p.tool).toLowerCase()) out.push(state.title);
      strings(state.input, out);
      const result = typeof state.output === 'string' ? state.output : typeof state.error === 'string' ? state.error : '';
      if (result) out.push(head(result, OUTPUT_CHARS));
      break;
    }
    case 'file': {
      const f = p as Part & { filename?: string; url: string; source?: { path?: string } };
      if (f.filename) out.push(f.filename);
      if (f.source?.path) out.push(f.source.path);
      if (typeof f.url === 'string' && !f.url.startsWith('data:')) out.push(f.url);
      break;
    }
    case 'patch':
      strings((p as Part & { files: unknown }).files, out);
      break;
    case 'subtask': {
      const s = p as Part & { prompt?: string; description?: string; agent?: string };
      for (const v of [s.agent, s.description, s.prompt]) if (typeof v === 'string') out.push(v);
      break;
    }
    case 'agent':
      strings((p as Part & { name: unknown }).name, out);
      break;
  }
  return out.join('\n');
}

/** The searchable text of a message (all its parts), capped at {@link MESSAGE_CHARS}. */
export function messageText(m: MessageWithParts): string {
  let text = '';
  for (const p of m.parts) {
    const t = partText(p);
    if (!t) continue;
    text += text ? `\n${t}` : t;
    if (text.length >= MESSAGE_CHARS) return head(text, MESSAGE_CHARS);
  }
  return text;
}

/** The searchable text of a session's todos. */
export function todosText(todos: readonly Todo[]): string {
  return todos.map((t) => t.content).join('\n');
}
