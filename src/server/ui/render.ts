import {
  type BrokenMessage,
  duration,
  formatCostTotal,
  formatCount,
  formatReplyCost,
  isBroken,
  type MessageWithParts,
  type Part,
  replyCost,
  shippedPrices,
  shortPath,
  type Todo,
  toolSummary,
} from '../../index.js';
import { dataLink, html, type Raw, raw, timeTag } from './html.js';
import { highlightCode, renderDiff, renderMarkdown } from './markdown.js';

/** Output longer than this many lines (or characters) is folded behind "show all". */
const FOLD_LINES = 24;
const FOLD_CHARS = 4_000;
/** Beyond this, even "show all" shows only the start (the raw message has the rest). */
const SHOWN_CHARS = 200_000;

type ToolPart = Extract<Part, { type: 'tool' }>;

/** Long text in a `<pre>`: the start, and the rest behind "show all". */
function folded(text: string, render: (t: string) => string = (t) => html`<pre>${t}</pre>`.html): Raw {
  const lines = text.split('\n');
  if (lines.length <= FOLD_LINES && text.length <= FOLD_CHARS) return raw(render(text));
  const head = lines.slice(0, FOLD_LINES).join('\n').slice(0, FOLD_CHARS);
  const all =
    text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}\n… ${text.length - SHOWN_CHARS} more characters in the raw message` : text;
  return html`<details class="fold"><summary><span class="preview">${raw(render(head))}</span><span class="show-all">show all ${lines.length} lines</span></summary>${raw(render(all))}</details>`;
}

/** A tool call: one line (tool, main argument, status, duration) that opens to its input and output. */
function renderTool(p: ToolPart, directory?: string): Raw {
  const t = toolSummary(p, directory);
  const shownInput = t.diff
    ? raw(renderDiff(t.diff))
    : t.content !== undefined
      ? folded(t.content, (text) => highlightCode(text, t.path))
      : t.command
        ? raw(highlightCode(t.command, 'bash'))
        : html`<pre>${JSON.stringify(t.input, null, 2)}</pre>`;
  const extra =
    (t.diff || t.content !== undefined) && Object.keys(t.input).length > 1 ? html`<pre>${JSON.stringify(t.input, null, 2)}</pre>` : '';
  return html`<details class="tool ${t.status}"><summary><span class="tool-name">${t.tool}</span> <code class="arg">${t.argument}</code> <span class="badge ${t.status === 'error' ? 'error' : t.status === 'completed' ? '' : 'busy'}">${t.status}</span>${t.ms !== undefined ? html` <span class="meta">${duration(t.ms)}</span>` : ''}</summary>
${extra}${shownInput}${t.output ? html`<div class="output${t.status === 'error' ? ' error-box' : ''}">${folded(t.output)}</div>` : ''}</details>`;
}

function renderPart(p: Part, view: MessageView): Raw {
  const { directory } = view;
  switch (p.type) {
    case 'text':
      return html`<div class="text md${p.synthetic ? ' meta' : ''}">${raw(renderMarkdown(p.text))}</div>`;
    case 'reasoning':
      return html`<details class="reasoning"><summary>Reasoning</summary><div class="md">${raw(renderMarkdown(p.text))}</div></details>`;
    case 'tool':
      return renderTool(p, directory);
    case 'file':
      return html`<div class="file">File: ${dataLink(p.url, p.filename ?? (p.url.startsWith('data:') ? p.mime : p.url))}</div>`;
    case 'patch': {
      const names = p.files.slice(0, 3).map((f) => shortPath(f, directory));
      const items = p.files.map((f) => {
        const patch = patchFor(f, view.diffs);
        return html`<li><code>${shortPath(f, directory)}</code>${patch ? raw(renderDiff(patch)) : ''}</li>`;
      });
      return html`<details class="patch"><summary>Changed ${p.files.length} file${p.files.length === 1 ? '' : 's'}: ${names.join(', ')}${p.files.length > 3 ? ', …' : ''}</summary><ul>${items}</ul><p class="meta">snapshot ${p.hash.slice(0, 10)}</p></details>`;
    }
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

/** How messages are drawn: a Fork button on each (with `fork`), paths relative to `directory`, patches with the session's diffs. */
export interface MessageView {
  fork?: ForkForm;
  directory?: string;
  /** The session's per-file changes (`summary.diffs`), shown under the patch parts that name their files. */
  diffs?: ReadonlyArray<{ file?: string; patch?: string }>;
}

/** The unified patch the session's summary holds for a file, when it holds one. */
function patchFor(path: string, diffs: MessageView['diffs']): string | undefined {
  return diffs?.find((d) => d.file && d.patch && (path === d.file || path.endsWith(`/${d.file}`)))?.patch;
}

/** The session's changes (`summary.diffs`): a line per file that opens to its diff. */
export function renderChanges(diffs: ReadonlyArray<{ file?: string; patch?: string; additions: number; deletions: number }>): Raw {
  if (!diffs.length) return html``;
  return html`<section aria-label="Changes"><h2>Changes</h2>${diffs.map(
    (d) =>
      html`<details class="change"><summary><code>${d.file ?? '?'}</code> <span class="meta">+${d.additions} −${d.deletions}</span></summary>${d.patch ? raw(renderDiff(d.patch)) : ''}</details>`,
  )}</section>`;
}

/** What a form needs to be accepted: the page's CSRF token as a hidden field. */
export function csrfField(token: string): Raw {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

/** A message file that cannot be read, shown in its place with what is wrong and where. */
function renderBroken(m: BrokenMessage): Raw {
  return html`<article class="msg broken" id="${m.info.id}" data-message="${m.info.id}" role="alert"><h3><span>unreadable message ${m.info.id}</span></h3><p class="error-box">${m.error.message}</p></article>`;
}

const count = formatCount;

interface Usage {
  input: number;
  output: number;
  reasoning: number;
  cache: { read: number; write: number };
}

/** Tokens and cost of an assistant message, for its header. */
function usage(info: { modelID: string; tokens?: Usage; cost?: number }): Raw {
  const tokens = info.tokens;
  if (!tokens) return html``;
  const cached = tokens.cache.read + tokens.cache.write;
  const cost = replyCost(info);
  const title = `input ${tokens.input}, output ${tokens.output}, reasoning ${tokens.reasoning}, cache read ${tokens.cache.read}, cache write ${tokens.cache.write}${cost?.estimated ? `; cost reckoned from list prices of ${shippedPrices().date}` : ''}`;
  return html` · <span class="usage" title="${title}">${count(tokens.input)} in / ${count(tokens.output)} out${cached ? ` / ${count(cached)} cached` : ''}${cost?.cost === 0 ? '' : ` · ${formatReplyCost(cost)}`}</span>`;
}

/** One message of the conversation (the `i`-th, counting from 0); with `view.fork`, a Fork button (fork before it). */
export function renderMessage(m: MessageWithParts | BrokenMessage, i: number, view: MessageView = {}): Raw {
  if (isBroken(m)) return renderBroken(m);
  const { fork } = view;
  const info = m.info;
  const who = info.role === 'assistant' ? html`assistant · ${info.modelID}${usage(info)}` : html`user`;
  return html`<article class="msg ${info.role}" id="${info.id}" data-message="${info.id}">
<h3><span>${who} · ${timeTag(info.time.created)}</span>
${fork ? html`<form class="inline" method="post" action="/ui/session/${fork.sessionID}/fork">${csrfField(fork.csrf)}<input type="hidden" name="messageID" value="${info.id}"><button type="submit" aria-label="Fork before message ${i + 1}">Fork</button></form>` : ''}</h3>
${m.parts.map((p) => renderPart(p, view))}</article>`;
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

/** A session's tokens and cost summed over its replies: `estimated` of the cost reckoned from prices, `unpriced` replies left out. */
export interface SessionUsage {
  tokens: Usage;
  cost: number;
  estimated: number;
  unpriced: number;
  messages: number;
}

/** The session's tokens and cost, summed over its assistant messages. */
export async function sessionUsage(messages: AsyncIterable<MessageWithParts | BrokenMessage>): Promise<SessionUsage> {
  const tokens: Usage = { input: 0, output: 0, reasoning: 0, cache: { read: 0, write: 0 } };
  let cost = 0;
  let estimated = 0;
  let unpriced = 0;
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
    const c = replyCost(m.info);
    if (!c) unpriced++;
    else {
      cost += c.cost;
      if (c.estimated) estimated += c.cost;
    }
  }
  return { tokens, cost, estimated, unpriced, messages: n };
}

/** The session's totals as a line. */
export function renderUsage(total: SessionUsage): Raw {
  return html`<p class="meta totals" id="totals">${total.messages} message${total.messages === 1 ? '' : 's'} · ${count(total.tokens.input)} tokens in / ${count(total.tokens.output)} out${total.tokens.cache.read + total.tokens.cache.write ? ` / ${count(total.tokens.cache.read + total.tokens.cache.write)} cached` : ''} · ${formatCostTotal(total)}</p>`;
}

export function renderTodos(todos: readonly Todo[]): Raw {
  if (!todos.length) return html``;
  return html`<section aria-label="Todos"><h2>Todos</h2><ul class="todos">${todos.map((t) => html`<li class="${t.status}"><input type="checkbox" disabled${raw(t.status === 'completed' ? ' checked' : '')}> ${t.content} <span class="meta">(${t.status.replace('_', ' ')}, ${t.priority})</span></li>`)}</ul></section>`;
}
