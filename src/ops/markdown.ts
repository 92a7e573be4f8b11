import { formatTime } from '../format-time.js';
import type { MessageWithParts } from '../model/message.js';
import type { Part } from '../model/part.js';
import type { Session } from '../model/session.js';
import type { Todo } from '../model/todo.js';
import type { Archive } from '../store/archive.js';
import { type BrokenMessage, isBroken } from '../store/messages.js';
import { duration, shortPath, toolSummary } from './tool-summary.js';

/** How times are written: the local zone (named), or UTC. */
export interface MarkdownOptions {
  utc?: boolean;
  timeZone?: string;
}

/** Tool output beyond this many lines is cut (the JSON keeps all of it). */
const OUTPUT_LINES = 200;

/** A fence longer than any run of backticks inside the text. */
function fence(text: string, lang = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}\n${text.endsWith('\n') ? text : `${text}\n`}${f}`;
}

/** `text` with what would read as HTML in an HTML block made plain (inside `<details>` summaries). */
const plain = (text: string) => text.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] as string);

function cut(output: string): string {
  const lines = output.split('\n');
  return lines.length <= OUTPUT_LINES ? output : `${lines.slice(0, OUTPUT_LINES).join('\n')}\n… ${lines.length - OUTPUT_LINES} more lines`;
}

function partMarkdown(p: Part, directory?: string): string {
  switch (p.type) {
    case 'text':
      return p.synthetic ? '' : p.text;
    case 'reasoning':
      return `<details><summary>Reasoning</summary>\n\n${p.text}\n\n</details>`;
    case 'tool': {
      const t = toolSummary(p, directory);
      const head = `${plain(t.tool)}${t.argument ? `: <code>${plain(t.argument)}</code>` : ''} (${t.status}${t.ms !== undefined ? `, ${duration(t.ms)}` : ''})`;
      const body = [
        t.diff
          ? fence(t.diff, 'diff')
          : t.content !== undefined
            ? fence(t.content)
            : t.command
              ? fence(t.command, 'sh')
              : fence(JSON.stringify(t.input, null, 2), 'json'),
        t.output ? fence(cut(t.output)) : '',
      ].filter(Boolean);
      return `<details><summary>${head}</summary>\n\n${body.join('\n\n')}\n\n</details>`;
    }
    case 'file':
      return `File: ${p.filename ?? (p.url.startsWith('data:') ? p.mime : p.url)}`;
    case 'patch':
      return `Changed: ${p.files.map((f) => `\`${shortPath(f, directory)}\``).join(', ')}`;
    case 'subtask':
      return `Subtask for ${p.agent}: ${p.description}`;
    case 'retry':
      return `_Retry #${p.attempt}: ${p.error.data.message}_`;
    case 'compaction':
      return '_Conversation compacted_';
    default:
      return '';
  }
}

/** One message as Markdown: a heading (who, when, tokens and cost), then its parts. */
export function messageMarkdown(m: MessageWithParts | BrokenMessage, options: MarkdownOptions & { directory?: string } = {}): string {
  if (isBroken(m)) return `## Unreadable message ${m.info.id}\n\n${m.error.message}\n`;
  const info = m.info;
  const when = formatTime(info.time.created, options);
  const head =
    info.role === 'user'
      ? `## User · ${when}`
      : `## Assistant (${info.modelID}) · ${when} · ${info.tokens.input} in / ${info.tokens.output} out${info.cost ? ` · $${info.cost.toFixed(4)}` : ''}`;
  const parts = m.parts.map((p) => partMarkdown(p, options.directory)).filter((t) => t.trim() !== '');
  return `${head}\n\n${parts.join('\n\n')}\n`;
}

/** The session's heading, facts and todos. */
export function sessionHeaderMarkdown(info: Session, todos: readonly Todo[], options: MarkdownOptions = {}): string {
  const lines = [
    `# ${info.title}`,
    '',
    `- Session: \`${info.id}\``,
    `- Folder: \`${info.directory}\``,
    `- Created: ${formatTime(info.time.created, options)} · updated ${formatTime(info.time.updated, options)}`,
  ];
  if (info.cost !== undefined) lines.push(`- Cost: $${info.cost.toFixed(4)}`);
  if (todos.length) {
    lines.push('', '## Todos', '');
    for (const t of todos)
      lines.push(
        `- [${t.status === 'completed' ? 'x' : ' '}] ${t.content}${t.status === 'completed' ? '' : ` (${t.status.replace('_', ' ')})`}`,
      );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A session as Markdown for people (a PR description, reading in an editor):
 * its facts and todos, then a heading per message, tool calls folded in
 * `<details>`, times in the local zone. Streamed a message at a time.
 */
export async function* sessionMarkdown(archive: Archive, sessionID: string, options: MarkdownOptions = {}): AsyncGenerator<string> {
  const info = await archive.sessions.get(sessionID);
  const todos = await archive.todos.get(sessionID);
  yield sessionHeaderMarkdown(info, todos, options);
  for await (const m of archive.messages.each(sessionID)) yield `\n${messageMarkdown(m, { ...options, directory: info.directory })}`;
}

/**
 * One archive file as text for `git diff` (git's textconv): a message as
 * its Markdown, an `info.json` as the session's heading, `todos.json` as a
 * checklist; anything else (or a file that is not JSON) as it is.
 */
export function fileAsText(text: string, options: MarkdownOptions = {}): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  const v = value as Record<string, unknown>;
  if (Array.isArray(value)) {
    if (value.every((t) => t && typeof t === 'object' && typeof (t as Todo).content === 'string')) {
      return value
        .map((t: Todo) => `- [${t.status === 'completed' ? 'x' : ' '}] ${t.content} (${t.status}, ${t.priority})`)
        .join('\n')
        .concat('\n');
    }
    return text;
  }
  if (v && typeof v === 'object' && v.info && Array.isArray(v.parts)) {
    try {
      return messageMarkdown(v as unknown as MessageWithParts, options);
    } catch {
      return text;
    }
  }
  if (v && typeof v.id === 'string' && v.id.startsWith('ses_') && typeof v.title === 'string') {
    try {
      return sessionHeaderMarkdown(v as unknown as Session, [], options);
    } catch {
      return text;
    }
  }
  return text;
}
