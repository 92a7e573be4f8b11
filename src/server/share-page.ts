import type { BrokenMessage, MessageWithParts, Session, Todo } from '../index.js';
import { planTurns } from '../index.js';
import { html, pageFrame } from './ui/html.js';
import { renderTodos, streamTurns } from './ui/render.js';

/** A plain, readable page of a shared session, read-only, no scripts; streamed a message at a time (`messages` is read twice: the turns' sums first). */
export async function* sharePage(
  info: Session,
  messages: () => AsyncIterable<MessageWithParts | BrokenMessage>,
  todos: Todo[],
  nonce: string,
): AsyncGenerator<string> {
  const frame = pageFrame(info.title, { nonce, scripts: false });
  yield `${frame.start}${html`<h1>${info.title}</h1><p class="meta">${info.directory} · shared read-only</p>${renderTodos(todos)}`.html}<section aria-label="Conversation">`;
  yield* streamTurns(messages(), (await planTurns(messages())).heads);
  yield `</section>${frame.end}`;
}
