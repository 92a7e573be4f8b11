import { type BrokenMessage, isBroken, type MessageWithParts, type Part, type Todo } from '../../index.js';
import { dataLink, html, type Raw, timeTag } from './html.js';

function part(p: Part): Raw {
  switch (p.type) {
    case 'text':
      return html`<div class="text${p.synthetic ? ' meta' : ''}">${p.text.split('\n').map((line, i) => (i ? html`<br>${line}` : html`${line}`))}</div>`;
    case 'reasoning':
      return html`<details><summary>Reasoning</summary><pre>${p.text}</pre></details>`;
    case 'tool': {
      const title = 'title' in p.state && typeof p.state.title === 'string' ? ` — ${p.state.title}` : '';
      const output = p.state.status === 'completed' ? String(p.state.output) : p.state.status === 'error' ? String(p.state.error) : '';
      return html`<details class="tool"><summary>Tool ${p.tool} (${p.state.status})${title}</summary><pre>${JSON.stringify(p.state.input, null, 2)}</pre>${output ? html`<pre>${output}</pre>` : ''}</details>`;
    }
    case 'file':
      return html`<div class="file">File: ${dataLink(p.url, p.filename ?? (p.url.startsWith('data:') ? p.mime : p.url))}</div>`;
    case 'step-finish':
      return html`<div class="meta">Step done (${p.reason}; ${p.tokens.input} in / ${p.tokens.output} out tokens)</div>`;
    case 'patch':
      return html`<div class="meta">Patch: ${p.files.length} file(s) changed</div>`;
    case 'snapshot':
      return html`<div class="meta">Snapshot ${p.snapshot.slice(0, 8)}</div>`;
    case 'agent':
      return html`<div class="meta">@${p.name}</div>`;
    case 'subtask':
      return html`<div class="meta">Subtask for ${p.agent}: ${p.description}</div>`;
    case 'retry':
      return html`<div class="meta">Retry #${p.attempt}: ${p.error.data.message}</div>`;
    case 'compaction':
      return html`<div class="meta">Conversation compacted</div>`;
    default:
      return html``;
  }
}

/** What a form needs to be accepted: the page's CSRF token as a hidden field. */
export function csrfField(token: string): Raw {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

/** A message file that cannot be read, shown in its place with what is wrong and where. */
function renderBroken(m: BrokenMessage): Raw {
  return html`<article class="msg broken" id="${m.info.id}" data-message="${m.info.id}" role="alert"><h3><span>unreadable message ${m.info.id}</span></h3><p class="error-box">${m.error.message}</p></article>`;
}

/** What a Fork button needs: the session and the page's form token. */
export interface ForkForm {
  sessionID: string;
  csrf: string;
}

/** One message of the conversation (the `i`-th, counting from 0); with `fork`, a Fork button (fork before it). */
export function renderMessage(m: MessageWithParts | BrokenMessage, i: number, fork?: ForkForm): Raw {
  if (isBroken(m)) return renderBroken(m);
  return html`<article class="msg" id="${m.info.id}" data-message="${m.info.id}">
<h3><span>${m.info.role}${m.info.role === 'assistant' ? ` · ${m.info.providerID}/${m.info.modelID}` : ''} · ${timeTag(m.info.time.created)}</span>
${fork ? html`<form class="inline" method="post" action="/ui/session/${fork.sessionID}/fork">${csrfField(fork.csrf)}<input type="hidden" name="messageID" value="${m.info.id}"><button type="submit" aria-label="Fork before message ${i + 1}">Fork</button></form>` : ''}</h3>
${m.parts.map(part)}</article>`;
}

/** The conversation as pieces of HTML, a message at a time: for sessions too large to render as one string. */
export async function* streamMessages(messages: AsyncIterable<MessageWithParts | BrokenMessage>, fork?: ForkForm): AsyncGenerator<string> {
  let i = 0;
  for await (const m of messages) yield renderMessage(m, i++, fork).html;
}

export function renderTodos(todos: readonly Todo[]): Raw {
  if (!todos.length) return html``;
  return html`<section aria-label="Todos"><h2>Todos</h2><ul>${todos.map((t) => html`<li>[${t.status}] ${t.content} <span class="meta">(${t.priority})</span></li>`)}</ul></section>`;
}
