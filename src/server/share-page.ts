import type { MessageWithParts, Session, Todo } from '../index.js';

/** HTML-escapes text: nothing from the data is ever markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);
}

function part(p: MessageWithParts['parts'][number]): string {
  switch (p.type) {
    case 'text':
      return `<p class="text">${escapeHtml(p.text).replace(/\n/g, '<br>')}</p>`;
    case 'reasoning':
      return `<details><summary>Reasoning</summary><p>${escapeHtml(p.text)}</p></details>`;
    case 'tool': {
      const title = 'title' in p.state && typeof p.state.title === 'string' ? ` — ${escapeHtml(p.state.title)}` : '';
      const output: string =
        p.state.status === 'completed' ? String(p.state.output) : p.state.status === 'error' ? String(p.state.error) : '';
      return `<details class="tool"><summary>${escapeHtml(p.tool)} (${p.state.status})${title}</summary><pre>${escapeHtml(JSON.stringify(p.state.input, null, 2))}</pre>${output ? `<pre>${escapeHtml(output)}</pre>` : ''}</details>`;
    }
    case 'file':
      return `<p class="file">File: ${escapeHtml(p.filename ?? p.url)}</p>`;
    case 'patch':
      return `<p class="meta">Changed ${p.files.length} file(s)</p>`;
    default:
      return '';
  }
}

/** A plain, readable page of a shared session (no scripts). */
export function renderSharePage(info: Session, messages: MessageWithParts[], todos: Todo[]): string {
  const body = messages
    .map((m) => `<section class="${m.info.role}"><h2>${m.info.role}</h2>${m.parts.map(part).join('')}</section>`)
    .join('\n');
  const todoList = todos.length
    ? `<h2>Todos</h2><ul>${todos.map((t) => `<li>[${escapeHtml(t.status)}] ${escapeHtml(t.content)}</li>`).join('')}</ul>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(info.title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}section{border-top:1px solid #ddd;padding:.5rem 0}h2{font-size:.9rem;text-transform:uppercase;color:#666}pre{background:#f6f6f6;padding:.5rem;overflow:auto}.meta,.file{color:#555}</style>
</head><body><h1>${escapeHtml(info.title)}</h1><p class="meta">${escapeHtml(info.directory)} · shared read-only</p>${todoList}
${body}
</body></html>
`;
}
