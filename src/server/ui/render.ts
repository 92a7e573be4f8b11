import { type BrokenMessage, isBroken, type MessageWithParts, type Part, type Todo } from '../../index.js';
import { dataLink, html, type Raw, raw, timeTag } from './html.js';
import { diffOf, highlightCode, renderDiff, renderMarkdown } from './markdown.js';

/** Output longer than this many lines (or characters) is folded behind "show all". */
const FOLD_LINES = 24;
const FOLD_CHARS = 4_000;
/** Beyond this, even "show all" shows only the start (the raw message has the rest). */
const SHOWN_CHARS = 200_000;

type ToolPart = Extract<Part, { type: 'tool' }>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** A path shown relative to the session's folder when it lies inside it. */
function shortPath(path: string, directory?: string): string {
  if (directory && path.startsWith(`${directory}/`)) return path.slice(directory.length + 1);
  return path;
}

/** "820 ms", "4.2 s", "3 min 5 s". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** The one thing a tool call is about: the command, the file, the pattern, the URL… */
export function mainArgument(tool: string, input: Record<string, unknown>, directory?: string): string {
  const path = str(input.filePath) ?? str(input.file_path) ?? str(input.path) ?? str(input.notebook_path);
  const byTool: Record<string, string | undefined> = {
    bash: str(input.command) ?? str(input.cmd),
    shell: str(input.command) ?? (Array.isArray(input.command) ? input.command.join(' ') : undefined),
    grep: str(input.pattern),
    glob: str(input.pattern),
    webfetch: str(input.url),
    websearch: str(input.query),
    task: str(input.description),
    todowrite: Array.isArray(input.todos) ? `${input.todos.length} todos` : undefined,
  };
  const found =
    byTool[tool.toLowerCase()] ?? (path ? shortPath(path, directory) : undefined) ?? Object.values(input).map(str).find(Boolean);
  if (!found) return '';
  const line = found.split('\n')[0] as string;
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

/** Long text in a `<pre>`: the start, and the rest behind "show all". */
function folded(text: string, render: (t: string) => string = (t) => html`<pre>${t}</pre>`.html): Raw {
  const lines = text.split('\n');
  if (lines.length <= FOLD_LINES && text.length <= FOLD_CHARS) return raw(render(text));
  const head = lines.slice(0, FOLD_LINES).join('\n').slice(0, FOLD_CHARS);
  const all =
    text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}\n… ${text.length - SHOWN_CHARS} more characters in the raw message` : text;
  return html`<details class="fold"><summary><span class="preview">${raw(render(head))}</span><span class="show-all">show all ${lines.length} lines</span></summary>${raw(render(all))}</details>`;
}

/** What an edit-like tool changed, as a diff, when its input or metadata says. */
function toolDiff(input: Record<string, unknown>, metadata: Record<string, unknown>): string | undefined {
  const given = str(metadata.diff) ?? str(input.patch) ?? str(input.patchText);
  if (given?.includes('@@')) return given;
  const before = input.oldString ?? input.old_string;
  const after = input.newString ?? input.new_string;
  if (typeof before === 'string' && typeof after === 'string') return diffOf(before, after);
  return undefined;
}

/** A tool call: one line (tool, main argument, status, duration) that opens to its input and output. */
function renderTool(p: ToolPart, directory?: string): Raw {
  const state = p.state as Record<string, unknown> & { status: string };
  const input = (state.input ?? {}) as Record<string, unknown>;
  const metadata = (state.metadata ?? {}) as Record<string, unknown>;
  const time = state.time as { start?: number; end?: number } | undefined;
  const took = time?.start !== undefined && time.end !== undefined ? duration(time.end - time.start) : '';
  const arg = mainArgument(p.tool, input, directory);
  const diff = toolDiff(input, metadata);
  const path = str(input.filePath) ?? str(input.file_path);
  const content = str(input.content);
  const rest = Object.fromEntries(
    Object.entries(input).filter(([k]) => !['oldString', 'newString', 'old_string', 'new_string', 'content'].includes(k)),
  );
  const shownInput = diff
    ? raw(renderDiff(diff))
    : content !== undefined
      ? folded(content, (t) => highlightCode(t, path))
      : str(input.command)
        ? raw(highlightCode(String(input.command), 'bash'))
        : html`<pre>${JSON.stringify(rest, null, 2)}</pre>`;
  const output = state.status === 'completed' ? String(state.output ?? '') : state.status === 'error' ? String(state.error ?? '') : '';
  return html`<details class="tool ${state.status}"><summary><span class="tool-name">${p.tool}</span> <code class="arg">${arg}</code> <span class="badge ${state.status === 'error' ? 'error' : state.status === 'completed' ? '' : 'busy'}">${state.status}</span>${took ? html` <span class="meta">${took}</span>` : ''}</summary>
${diff && Object.keys(rest).length > 1 ? html`<pre>${JSON.stringify(rest, null, 2)}</pre>` : ''}${shownInput}${output ? html`<div class="output${state.status === 'error' ? ' error-box' : ''}">${folded(output)}</div>` : ''}</details>`;
}

function renderPart(p: Part, directory?: string): Raw {
  switch (p.type) {
    case 'text':
      return html`<div class="text md${p.synthetic ? ' meta' : ''}">${raw(renderMarkdown(p.text))}</div>`;
    case 'reasoning':
      return html`<details class="reasoning"><summary>Reasoning</summary><div class="md">${raw(renderMarkdown(p.text))}</div></details>`;
    case 'tool':
      return renderTool(p, directory);
    case 'file':
      return html`<div class="file">File: ${dataLink(p.url, p.filename ?? (p.url.startsWith('data:') ? p.mime : p.url))}</div>`;
    case 'patch':
      return html`<details class="patch"><summary>Changed ${p.files.length} file${p.files.length === 1 ? '' : 's'}: ${p.files
        .slice(0, 3)
        .map((f) => shortPath(f, directory))
        .join(
          ', ',
        )}${p.files.length > 3 ? ', …' : ''}</summary><ul>${p.files.map((f) => html`<li><code>${shortPath(f, directory)}</code></li>`)}</ul><p class="meta">snapshot ${p.hash.slice(0, 10)}</p></details>`;
    case 'agent':
      return html`<div class="meta">@${p.name}</div>`;
    case 'subtask':
      return html`<div class="meta">Subtask for ${p.agent}: ${p.description}</div>`;
    case 'retry':
      return html`<div class="meta">Retry #${p.attempt}: ${p.error.data.message}</div>`;
    case 'compaction':
      return html`<div class="meta">Conversation compacted</div>`;
    default:
      // step-start, step-finish (their tokens are in the message's header), snapshot.
      return html``;
  }
}

/** What a Fork button needs: the session and the page's form token. */
export interface ForkForm {
  sessionID: string;
  csrf: string;
}

/** How messages are drawn: a Fork button on each (with `fork`), paths relative to `directory`. */
export interface MessageView {
  fork?: ForkForm;
  directory?: string;
}

/** What a form needs to be accepted: the page's CSRF token as a hidden field. */
export function csrfField(token: string): Raw {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

/** A message file that cannot be read, shown in its place with what is wrong and where. */
function renderBroken(m: BrokenMessage): Raw {
  return html`<article class="msg broken" id="${m.info.id}" data-message="${m.info.id}" role="alert"><h3><span>unreadable message ${m.info.id}</span></h3><p class="error-box">${m.error.message}</p></article>`;
}

/** "1.2k", "3.4M". */
export function count(n: number): string {
  return n < 1000 ? String(n) : n < 1e6 ? `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k` : `${(n / 1e6).toFixed(1)}M`;
}

/** "$0.0123". */
export function dollars(n: number): string {
  return `$${n < 1 ? n.toFixed(4) : n.toFixed(2)}`;
}

interface Usage {
  input: number;
  output: number;
  reasoning: number;
  cache: { read: number; write: number };
}

/** Tokens and cost of an assistant message, for its header. */
function usage(tokens: Usage | undefined, cost: number | undefined): Raw {
  if (!tokens) return html``;
  const cached = tokens.cache.read + tokens.cache.write;
  const title = `input ${tokens.input}, output ${tokens.output}, reasoning ${tokens.reasoning}, cache read ${tokens.cache.read}, cache write ${tokens.cache.write}`;
  return html` · <span class="usage" title="${title}">${count(tokens.input)} in / ${count(tokens.output)} out${cached ? ` / ${count(cached)} cached` : ''}${cost ? ` · ${dollars(cost)}` : ''}</span>`;
}

/** One message of the conversation (the `i`-th, counting from 0); with `view.fork`, a Fork button (fork before it). */
export function renderMessage(m: MessageWithParts | BrokenMessage, i: number, view: MessageView = {}): Raw {
  if (isBroken(m)) return renderBroken(m);
  const { fork, directory } = view;
  const info = m.info;
  const who = info.role === 'assistant' ? html`assistant · ${info.modelID}${usage(info.tokens, info.cost)}` : html`user`;
  return html`<article class="msg ${info.role}" id="${info.id}" data-message="${info.id}">
<h3><span>${who} · ${timeTag(info.time.created)}</span>
${fork ? html`<form class="inline" method="post" action="/ui/session/${fork.sessionID}/fork">${csrfField(fork.csrf)}<input type="hidden" name="messageID" value="${info.id}"><button type="submit" aria-label="Fork before message ${i + 1}">Fork</button></form>` : ''}</h3>
${m.parts.map((p) => renderPart(p, directory))}</article>`;
}

/** The conversation as pieces of HTML, a message at a time: for sessions too large to render as one string. `first` numbers the first message. */
export async function* streamMessages(
  messages: AsyncIterable<MessageWithParts | BrokenMessage>,
  view: MessageView = {},
  first = 0,
): AsyncGenerator<string> {
  let i = first;
  for await (const m of messages) yield renderMessage(m, i++, view).html;
}

/** The session's tokens and cost, summed over its assistant messages. */
export async function sessionUsage(
  messages: AsyncIterable<MessageWithParts | BrokenMessage>,
): Promise<{ tokens: Usage; cost: number; messages: number }> {
  const tokens: Usage = { input: 0, output: 0, reasoning: 0, cache: { read: 0, write: 0 } };
  let cost = 0;
  let n = 0;
  for await (const m of messages) {
    n++;
    if (isBroken(m) || m.info.role !== 'assistant') continue;
    const t = m.info.tokens;
    tokens.input += t.input;
    tokens.output += t.output;
    tokens.reasoning += t.reasoning;
    tokens.cache.read += t.cache.read;
    tokens.cache.write += t.cache.write;
    cost += m.info.cost;
  }
  return { tokens, cost, messages: n };
}

/** The session's totals as a line. */
export function renderUsage(total: { tokens: Usage; cost: number; messages: number }): Raw {
  return html`<p class="meta totals" id="totals">${total.messages} message${total.messages === 1 ? '' : 's'} · ${count(total.tokens.input)} tokens in / ${count(total.tokens.output)} out${total.tokens.cache.read + total.tokens.cache.write ? ` / ${count(total.tokens.cache.read + total.tokens.cache.write)} cached` : ''} · ${dollars(total.cost)}</p>`;
}

export function renderTodos(todos: readonly Todo[]): Raw {
  if (!todos.length) return html``;
  return html`<section aria-label="Todos"><h2>Todos</h2><ul class="todos">${todos.map((t) => html`<li class="${t.status}"><input type="checkbox" disabled${raw(t.status === 'completed' ? ' checked' : '')}> ${t.content} <span class="meta">(${t.status.replace('_', ' ')}, ${t.priority})</span></li>`)}</ul></section>`;
}
