import { formatCostTotal } from '../format-numbers.js';
import { shortPath } from '../format-paths.js';
import { duration, formatTime } from '../format-time.js';
import type { MessageWithParts } from '../model/message.js';
import type { Part } from '../model/part.js';
import type { Session } from '../model/session.js';
import type { Todo } from '../model/todo.js';
import type { Archive } from '../store/archive.js';
import { type BrokenMessage, isBroken } from '../store/message-reads.js';
import { attachmentLine, attachmentOf } from './attachment.js';
import { toolSummary } from './tool-summary.js';
import { planTurns, quietKind, type TurnHead } from './turns.js';

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

/**
 * Data (a title, a todo, a file name, a model ID) as Markdown text that reads as
 * itself: on one line, every character Markdown or HTML would act on escaped.
 * Only a message's own text is written as Markdown.
 */
export function mdText(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/[\\`*_[\]#|~]/g, '\\$&')
    .replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'));
}

/** Data as an inline code span that holds it whatever it contains (one line; a fence longer than its own backticks). */
export function codeSpan(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  const longest = Math.max(0, ...[...one.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  const pad = one.startsWith('`') || one.endsWith('`') ? ' ' : '';
  return `${f}${pad}${one}${pad}${f}`;
}

/** An attached file: what it is and how large, never its bytes (a data: URL can be megabytes). */
function fileMarkdown(p: Extract<Part, { type: 'file' }>): string {
  return mdText(attachmentLine(attachmentOf(p)));
}

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
      const head = `${plain(t.tool)}${t.argument ? `: <code>${plain(t.argument)}</code>` : ''} (${plain(t.status)}${t.ms !== undefined ? `, ${duration(t.ms)}` : ''})`;
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
      return fileMarkdown(p);
    case 'patch':
      return `Changed: ${p.files.map((f) => codeSpan(shortPath(f, directory))).join(', ')}`;
    case 'subtask':
      return `Subtask for ${mdText(p.agent)}: ${mdText(p.description)}`;
    case 'retry':
      return `_Retry #${p.attempt}: ${mdText(p.error.data.message)}_`;
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
      : `## Assistant (${mdText(info.modelID)}) · ${when} · ${info.tokens.input} in / ${info.tokens.output} out${info.cost ? ` · $${info.cost.toFixed(4)}` : ''}`;
  const parts = m.parts.map((p) => partMarkdown(p, options.directory)).filter((t) => t.trim() !== '');
  return `${head}\n\n${parts.join('\n\n')}\n`;
}

/** The session's heading, facts and todos. */
export function sessionHeaderMarkdown(info: Session, todos: readonly Todo[], options: MarkdownOptions = {}): string {
  const lines = [
    `# ${mdText(info.title)}`,
    '',
    `- Session: ${codeSpan(info.id)}`,
    `- Folder: ${codeSpan(info.directory)}`,
    `- Created: ${formatTime(info.time.created, options)} · updated ${formatTime(info.time.updated, options)}`,
  ];
  if (info.cost !== undefined) lines.push(`- Cost: $${info.cost.toFixed(4)}`);
  if (todos.length) {
    lines.push('', '## Todos', '');
    for (const t of todos)
      lines.push(
        `- [${t.status === 'completed' ? 'x' : ' '}] ${mdText(t.content)}${t.status === 'completed' ? '' : ` (${mdText(t.status.replace('_', ' '))})`}`,
      );
  }
  return `${lines.join('\n')}\n`;
}

/** A turn's heading: the models that answered, how long, tokens and cost summed, tool calls and failures. */
function turnHeading(h: TurnHead): string {
  const facts = [
    h.time.end > h.time.start ? duration(h.time.end - h.time.start) : '',
    `${h.tokens.input} in / ${h.tokens.output} out`,
    h.cost || h.unpriced ? formatCostTotal(h) : '',
    h.toolCalls ? `${h.toolCalls} tool call${h.toolCalls === 1 ? '' : 's'}${h.failed ? ` (${h.failed} failed)` : ''}` : '',
  ].filter(Boolean);
  return `### ${mdText(h.models.join(', ') || 'Assistant')} · ${facts.join(' · ')}`;
}

/** What the agent or its harness put in the user's place, folded and quoted as it is. */
function quietMarkdown(m: MessageWithParts, kind: string): string {
  const text = m.parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n\n');
  return `<details><summary>${plain(kind)} message</summary>\n\n${fence(text || '(empty)')}\n\n</details>\n`;
}

/**
 * A session as Markdown for people (a PR description, reading in an editor):
 * its facts and todos, then its turns — what the person sent, then one heading
 * for everything the agent did until it handed back (tokens and cost summed),
 * tool calls folded in `<details>`, times in the local zone. Read twice (the
 * turns' sums first), a message at a time.
 */
export async function* sessionMarkdown(archive: Archive, sessionID: string, options: MarkdownOptions = {}): AsyncGenerator<string> {
  const info = await archive.sessions.get(sessionID);
  const todos = await archive.todos.get(sessionID);
  yield sessionHeaderMarkdown(info, todos, options);
  for await (const piece of turnsMarkdown(archive, info, options)) yield piece.text;
}

/**
 * The conversation of a session as Markdown turns, a message at a time (the
 * `index`-th message's text; a message with nothing to show yields nothing),
 * from message `start` on, `limit` of them: what a reader asks for a page of.
 * A page that begins inside a turn begins with that turn's heading.
 */
export async function* turnsMarkdown(
  archive: Archive,
  info: Session,
  options: MarkdownOptions & { start?: number; limit?: number } = {},
): AsyncGenerator<{ index: number; text: string }> {
  const range = { start: options.start ?? 0, ...(options.limit !== undefined ? { limit: options.limit } : {}) };
  const { heads } = await planTurns(archive.messages.each(info.id, range));
  let turn = -1;
  let answered = false;
  let i = 0;
  for await (const m of archive.messages.each(info.id, range)) {
    const index = range.start + i;
    const h = heads[turn + 1];
    if (h && h.start === i) {
      turn++;
      answered = false;
    }
    i++;
    if (isBroken(m)) {
      yield { index, text: `\n${messageMarkdown(m)}` };
      continue;
    }
    const quiet = quietKind(m);
    if (quiet) {
      yield { index, text: `\n${quietMarkdown(m, quiet)}` };
      continue;
    }
    const body = m.parts.map((p) => partMarkdown(p, info.directory)).filter((t) => t.trim() !== '');
    let head = '';
    if (m.info.role === 'user') head = `## You · ${formatTime(m.info.time.created, options)}\n\n`;
    else if (!answered && heads[turn]) {
      answered = true;
      head = `${turnHeading(heads[turn] as TurnHead)}\n\n`;
    }
    if (head || body.length) yield { index, text: `\n${head}${body.join('\n\n')}\n` };
  }
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
