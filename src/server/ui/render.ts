import { imageSize } from 'image-size';
import {
  attachmentLine,
  attachmentOf,
  type BrokenMessage,
  type ChildRef,
  duration,
  formatBytes,
  formatCostTotal,
  formatCount,
  isBroken,
  type MessageWithParts,
  type Part,
  quietKind,
  shippedPrices,
  shortPath,
  subAgentChild,
  type Todo,
  type TurnHead,
  toolSummary,
} from '../../index.js';
import { dataLink, html, type Raw, raw, timeTag } from './html.js';
import { highlightCode, renderDiff, renderMarkdown } from './markdown.js';

/** Output longer than this many lines (or characters) is folded behind "show all". */
const FOLD_LINES = 24;
const FOLD_CHARS = 4_000;
/** Beyond this, even "show all" shows only the start (the raw message has the rest). */
const SHOWN_CHARS = 200_000;
/** Attached files larger than this are linked, not shown in the page. */
export const INLINE_BYTES = 8 * 1024 * 1024;

type ToolPart = Extract<Part, { type: 'tool' }>;

/** Lines of a folded text shown before it is opened: its first lines and its last (a failure is usually at the end). */
const HEAD_LINES = 12;
const TAIL_LINES = 8;

/** Long text in a `<pre>`: its head and its tail, the whole behind "show all". */
function folded(text: string, render: (t: string) => string = (t) => html`<pre>${t}</pre>`.html): Raw {
  const lines = text.split('\n');
  if (lines.length <= FOLD_LINES && text.length <= FOLD_CHARS) return raw(render(text));
  const cutLine = (l: string) => (l.length > 400 ? `${l.slice(0, 399)}…` : l);
  const head = lines.slice(0, HEAD_LINES).map(cutLine).join('\n');
  const skipped = Math.max(0, lines.length - HEAD_LINES - TAIL_LINES);
  const tail =
    lines.length > HEAD_LINES
      ? lines
          .slice(Math.max(HEAD_LINES, lines.length - TAIL_LINES))
          .map(cutLine)
          .join('\n')
      : '';
  const all =
    text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}\n… ${text.length - SHOWN_CHARS} more characters in the raw message` : text;
  return html`<details class="fold"><summary><span class="preview">${raw(render(head))}${skipped ? html`<span class="skipped">… ${skipped} more lines …</span>` : ''}${tail ? raw(render(tail)) : ''}</span><span class="show-all">show all ${lines.length} lines</span></summary>${raw(render(all))}</details>`;
}

/** A tool call: one line (tool, main argument, status, duration) that opens to its input and output; a failed one open, its output's tail in sight. */
function renderTool(p: ToolPart, view: MessageView): Raw {
  const t = toolSummary(p, view.directory);
  const shownInput = t.diff
    ? raw(renderDiff(t.diff))
    : t.content !== undefined
      ? folded(t.content, (text) => highlightCode(text, t.path))
      : t.command
        ? raw(highlightCode(t.command, 'bash'))
        : html`<pre>${JSON.stringify(t.input, null, 2)}</pre>`;
  const extra =
    (t.diff || t.content !== undefined) && Object.keys(t.input).length > 1 ? html`<pre>${JSON.stringify(t.input, null, 2)}</pre>` : '';
  const state = t.failed ? 'failed' : t.status === 'completed' ? 'done' : t.status;
  const child = subAgentChild(p, view.children);
  const output = t.output ? html`<div class="output${t.failed ? ' error-box' : ''}">${folded(t.output)}</div>` : '';
  return html`<details class="tool ${t.failed ? 'error' : t.status}"${raw(t.failed ? ' open' : '')}><summary><span class="tool-name">${t.tool}</span> <code class="arg">${t.argument}</code> <span class="badge ${t.failed ? 'error' : t.status === 'completed' ? 'done' : 'busy'}">${state}</span>${t.ms !== undefined ? html` <span class="meta dur">${duration(t.ms)}</span>` : ''}</summary>
${child ? html`<p class="child-link">Sub-agent: <a href="/ui/session/${child.id}">${child.title || child.id}</a></p>` : ''}${extra}${shownInput}${output}</details>`;
}

/** An attached file: an image shown (its bytes served by the archive, never a remote load), a PDF in a frame, anything else named with its size. */
function renderFile(p: Extract<Part, { type: 'file' }>, view: MessageView): Raw {
  const a = attachmentOf(p);
  const label = attachmentLine(a);
  const src = view.sessionID ? `/ui/session/${view.sessionID}/file/${p.messageID}/${p.id}` : undefined;
  if (!a.inline || !src || (a.bytes ?? 0) > INLINE_BYTES) {
    const name = p.filename ?? (p.url.startsWith('data:') ? `attached ${a.kind}` : p.url);
    const facts = [a.mime, a.bytes !== undefined ? formatBytes(a.bytes) : ''].filter(Boolean).join(', ');
    const open = a.inline && src ? html` · <a href="${src}">open</a> (too large to show here)` : '';
    return html`<div class="file">${dataLink(p.url, name)} <span class="meta">${facts}</span>${open}</div>`;
  }
  if (a.kind === 'pdf')
    return html`<figure class="file"><iframe class="pdf" src="${src}" title="${label}" loading="lazy"></iframe><figcaption class="meta"><a href="${src}">${label}</a></figcaption></figure>`;
  const size = imageDimensions(p.url);
  return html`<figure class="file image"><a href="${src}"><img src="${src}" alt="${a.name ?? 'attached image'}" loading="lazy"${raw(size ? ` width="${size.width}" height="${size.height}"` : '')}></a><figcaption class="meta">${label}</figcaption></figure>`;
}

/** An image's width and height from its bytes (a base64 data: URL), when its format says them. */
function imageDimensions(url: string): { width: number; height: number } | undefined {
  try {
    const bytes = Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');
    const { width, height } = imageSize(bytes);
    return width && height ? { width, height } : undefined;
  } catch {
    return undefined;
  }
}

function renderPart(p: Part, view: MessageView): Raw {
  const { directory } = view;
  switch (p.type) {
    case 'text':
      return html`<div class="text md${p.synthetic ? ' meta' : ''}">${raw(renderMarkdown(p.text))}</div>`;
    case 'reasoning':
      return html`<details class="reasoning"><summary>Reasoning</summary><div class="md">${raw(renderMarkdown(p.text))}</div></details>`;
    case 'tool':
      return renderTool(p, view);
    case 'file':
      return renderFile(p, view);
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

/** How messages are drawn: Fork buttons (with `fork`), paths relative to `directory`, patches with the session's diffs, files served for `sessionID`. */
export interface MessageView {
  fork?: ForkForm;
  /** The session shown: attached images are served from its routes. */
  sessionID?: string;
  /** Its child sessions, so a sub-agent call links to the one it started. */
  children?: readonly ChildRef[];
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

/** A Fork button: a new session with the messages before `messageID`. */
function forkButton(fork: ForkForm, messageID: string, label: string, text = 'Fork'): Raw {
  return html`<form class="inline" method="post" action="/ui/session/${fork.sessionID}/fork">${csrfField(fork.csrf)}<input type="hidden" name="messageID" value="${messageID}"><button type="submit" aria-label="${label}">${text}</button></form>`;
}

/** A turn's header: who answered, when, how long, tokens and cost summed, tool calls and failures; Fork before it (a turn continued from an earlier page says so). */
export function renderTurnHead(h: TurnHead, view: MessageView): Raw {
  const cached = h.tokens.cache;
  const title = `input ${h.tokens.input}, output ${h.tokens.output}, reasoning ${h.tokens.reasoning}, cached ${cached}; ${h.replies} repl${h.replies === 1 ? 'y' : 'ies'}${h.estimated ? `; cost reckoned from list prices of ${shippedPrices().date}` : ''}`;
  const cost = h.replies ? formatCostTotal(h) : '';
  const facts = [
    h.models.length ? html`<span class="model">${h.models.join(', ')}</span>` : '',
    timeTag(h.time.start),
    h.time.end > h.time.start ? html`<span class="dur">${duration(h.time.end - h.time.start)}</span>` : '',
    h.replies
      ? html`<span class="usage" title="${title}">${count(h.tokens.input)} in / ${count(h.tokens.output)} out${cached ? ` / ${count(cached)} cached` : ''}${cost && cost !== '$0.00' ? ` · ${cost}` : ''}</span>`
      : '',
    h.toolCalls ? html`<span>${h.toolCalls} tool call${h.toolCalls === 1 ? '' : 's'}</span>` : '',
  ].filter((x) => x !== '');
  const failed = h.failed ? html`<span class="badge error">${h.failed} failed</span>` : '';
  const error = h.error ? html`<span class="badge error">error</span>` : '';
  const fork = view.fork && h.promptID ? forkButton(view.fork, h.promptID, 'Fork before this turn') : '';
  return html`<header class="turn-head"><span class="facts">${h.promptID ? '' : html`<span class="meta">continued · </span>`}${facts.map((f, i) => html`${i ? ' · ' : ''}${f}`)}${failed}${error}</span>${fork}</header>`;
}

/** A message's menu: its link, and Fork before it. */
function messageMenu(id: string, n: number, view: MessageView): Raw {
  return html`<details class="menu"><summary aria-label="Message ${n + 1} menu">⋯</summary><div class="menu-items"><a href="#${id}">Link to this message</a>${view.fork ? forkButton(view.fork, id, `Fork before message ${n + 1}`, 'Fork before this message') : ''}</div></details>`;
}

/** One message inside its turn (the `n`-th of the session, counting from 0): the prompt, a step of the agent, or a quiet notice. */
export function renderMessage(m: MessageWithParts | BrokenMessage, n: number, view: MessageView = {}): Raw {
  if (isBroken(m)) return renderBroken(m);
  const info = m.info;
  const quiet = quietKind(m);
  const menu = messageMenu(info.id, n, view);
  if (quiet)
    return html`<div class="msg quiet" id="${info.id}" data-message="${info.id}" data-kind="${quiet}">${menu}<details><summary>${quiet} message</summary>${m.parts.map((p) => renderPart(p, view))}</details></div>`;
  const error =
    info.role === 'assistant' && info.error
      ? html`<p class="error-box">${info.error.name}${'message' in info.error.data ? `: ${String(info.error.data.message)}` : ''}</p>`
      : '';
  const head = info.role === 'user' ? html`<div class="who">You · ${timeTag(info.time.created)}</div>` : '';
  return html`<div class="msg ${info.role}${info.role === 'user' ? ' prompt' : ' step'}" id="${info.id}" data-message="${info.id}">${menu}${head}${m.parts.map((p) => renderPart(p, view))}${error}</div>`;
}

/**
 * The conversation as turns, a message at a time: for sessions too large to
 * render as one string. `heads` come from a first pass over the same messages
 * ({@link planTurns}); `first` numbers the first message.
 */
export async function* streamTurns(
  messages: AsyncIterable<MessageWithParts | BrokenMessage>,
  heads: readonly TurnHead[],
  view: MessageView = {},
  first = 0,
): AsyncGenerator<string> {
  const total = heads.reduce((n, h) => n + h.messages, 0);
  let i = 0;
  let k = 0;
  let open = false;
  for await (const m of messages) {
    if (i >= total) break;
    const h = heads[k];
    if (h && h.start === i) {
      const failed = h.failed || h.error ? ' failed' : '';
      yield `${open ? '</article>' : ''}${html`<article class="turn${failed}" id="${h.promptID ? `turn-${h.promptID}` : `turn-at-${first + i}`}">`.html}${renderTurnHead(h, view).html}`;
      open = true;
      k++;
    }
    yield renderMessage(m, first + i, view).html;
    i++;
  }
  if (open) yield '</article>';
}

export function renderTodos(todos: readonly Todo[]): Raw {
  if (!todos.length) return html``;
  return html`<section aria-label="Todos"><h2>Todos</h2><ul class="todos">${todos.map((t) => html`<li class="${t.status}"><input type="checkbox" disabled${raw(t.status === 'completed' ? ' checked' : '')}> ${t.content} <span class="meta">(${t.status.replace('_', ' ')}, ${t.priority})</span></li>`)}</ul></section>`;
}
