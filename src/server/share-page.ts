import type { BrokenMessage, MessageWithParts, Session, Todo } from '../index.js';
import { html, page } from './ui/html.js';
import { renderMessages, renderTodos } from './ui/render.js';

/** A plain, readable page of a shared session: read-only, no scripts. */
export function renderSharePage(
  info: Session,
  messages: ReadonlyArray<MessageWithParts | BrokenMessage>,
  todos: Todo[],
  nonce: string,
): string {
  return page(
    info.title,
    html`<h1>${info.title}</h1><p class="meta">${info.directory} · shared read-only</p>${renderTodos(todos)}<section aria-label="Conversation">${renderMessages(messages)}</section>`,
    { nonce },
  );
}
