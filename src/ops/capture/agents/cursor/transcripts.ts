import { lstat } from 'node:fs/promises';
import type { CaptureItem, ReadStats, SourceEntry } from '../../contract.js';
import { fileStamp, isRecord, type JsonRecord, type MessageWithParts, readJsonLines, str, walkFiles } from '../../kit/index.js';
import { cursorBuilder } from './convert.js';

// Cursor's newer agent transcripts: ~/.cursor/projects/<folder, its
// separators as dashes>/agent-transcripts/<chat ID>.jsonl, one line per
// turn: {role: "user" | "assistant", message: {content: [blocks]}}. A block
// is {type: "text", text} (a prompt's words inside <user_query>), and, where
// the agent records them, reasoning and tool blocks in Anthropic's shape
// (thinking, tool_use, tool_result). No line has a time: the file's birth
// starts the chat, each line a millisecond after the one before, and its
// mtime ends it. The folder's name cannot be turned back into a path (a dash
// may be one), so it is kept in the envelope. A chat whose own store
// (store.db, or the editor's database) is read is not read again here.

/** The transcripts below `root` (~/.cursor): `projects/<folder>/agent-transcripts/<chat>.jsonl`. */
export async function listTranscripts(root: string, known: ReadonlySet<string>): Promise<SourceEntry[]> {
  const { files } = await walkFiles(`${root}/projects`, {
    depth: 2,
    want: (rel, name) => name.endsWith('.jsonl') && rel.split('/')[1] === 'agent-transcripts',
  });
  return files
    .filter((f) => !known.has(f.rel.split('/')[2]?.slice(0, -'.jsonl'.length) ?? ''))
    .map((f) => ({ key: `transcript/${f.rel}`, stamp: fileStamp(f), where: f.path, depth: 0 }));
}

/**
 * The person's words of a prompt (what is inside `<user_query>`, when the
 * agent wrapped it in context), or the prompt; `context` when it is nothing
 * but the agent's tags (`<user_info>…</user_info>`). Read with plain
 * searches, in one pass: a prompt of megabytes costs no more than its length.
 */
export function userWords(text: string): { text: string; context: boolean } {
  const open = text.indexOf('<user_query>');
  const close = open < 0 ? -1 : text.indexOf('</user_query>', open);
  if (close >= 0) return { text: text.slice(open + '<user_query>'.length, close).trim(), context: false };
  let at = 0;
  for (;;) {
    while (at < text.length && /\s/.test(text[at] as string)) at++;
    if (at === text.length) return { text, context: true };
    const tag = /^<([a-z_]{1,64})>/.exec(text.slice(at, at + 67))?.[1];
    const end = tag === undefined ? -1 : text.indexOf(`</${tag}>`, at);
    if (tag === undefined || end < 0) return { text, context: false };
    at = end + tag.length + 3;
  }
}

/** A tool result's text: a string, or blocks of text. */
export function resultText(result: unknown): string {
  if (typeof result === 'string') return result;
  if (Array.isArray(result)) return result.map((r) => (isRecord(r) && typeof r.text === 'string' ? r.text : JSON.stringify(r))).join('\n');
  return result === undefined ? '' : JSON.stringify(result);
}

/** One transcript file as capture items. */
export async function* readTranscript(path: string, folder: string, stats: ReadStats): AsyncGenerator<CaptureItem> {
  const s = await lstat(path);
  if (!s.isFile()) throw new Error(`${path}: not a regular file`);
  const chatId = (path.split(/[\\/]/).at(-1) as string).replace(/\.jsonl$/, '');
  const b = cursorBuilder(chatId, path);
  b.extra.project = folder;
  const created = s.birthtimeMs > 0 && s.birthtimeMs <= s.mtimeMs ? s.birthtimeMs : s.mtimeMs;
  b.saw(Math.floor(created));
  b.time(Math.floor(created));
  let assistant: MessageWithParts | undefined;
  for await (const { record, line } of readJsonLines(path, stats)) {
    const time = b.time(undefined);
    const key = `${line}`;
    const message = isRecord(record.message) ? record.message : record;
    const blocks: JsonRecord[] =
      typeof message.content === 'string'
        ? [{ type: 'text', text: message.content }]
        : Array.isArray(message.content)
          ? message.content.filter(isRecord)
          : [];
    if (record.role === 'user') {
      const results = blocks.filter((c) => c.type === 'tool_result');
      for (const c of results) {
        const callID = str(c.tool_use_id);
        if (callID) b.result(callID, { output: resultText(c.content), error: c.is_error === true, time });
      }
      if (results.length && assistant) b.touched(assistant);
      const text = blocks
        .filter((c) => c.type === 'text' && typeof c.text === 'string')
        .map((c) => c.text as string)
        .join('\n');
      if (!text) continue;
      const { text: said, context } = userWords(text);
      const m = b.user({ key, time, ...(context ? { synthetic: true } : {}) });
      b.part(m, { type: 'text', id: b.partId(time, `${key}:t`), text: said, ...(context ? { synthetic: true } : {}) });
      if (!context) b.title('prompt', said, { first: true });
      assistant = undefined;
    } else if (record.role === 'assistant') {
      const m = b.assistant({ key, time });
      assistant = m;
      blocks.forEach((c, i) => {
        const id = b.partId(time, `${key}:${i}`);
        if (c.type === 'text' && typeof c.text === 'string') b.part(m, { type: 'text', id, text: c.text });
        else if ((c.type === 'thinking' || c.type === 'reasoning') && typeof (c.thinking ?? c.text) === 'string')
          b.part(m, { type: 'reasoning', id, text: (c.thinking ?? c.text) as string, time: { start: time, end: time } });
        else if (c.type === 'tool_use')
          b.tool(m, { id, callID: str(c.id) ?? `${key}:${i}`, tool: str(c.name) ?? 'tool', input: c.input ?? {}, time });
        else b.unknown(stats, `block ${String(c.type)}`, c);
      });
    } else b.unknown(stats, `role ${String(record.role)}`, record);
  }
  b.saw(Math.floor(s.mtimeMs));
  yield* b.finish(stats);
}
