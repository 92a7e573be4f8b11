import { derivedId, isRecord, type Part, str } from '../../kit/index.js';

// An OpenCode 2 assistant message keeps its parts inline (`data.content[]`); each becomes one of the archive's parts.

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));

/** The text of a tool's output content (`[{type: 'text', text}]`). */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((c) => (isRecord(c) && typeof c.text === 'string' ? c.text : isRecord(c) ? JSON.stringify(c) : '')).join('');
}

/** A part's ID, derived from its message's and its place in it (the same at every read). */
export function partId(messageID: string, time: number, i: number): string {
  return derivedId('part', time, `opencode2:${messageID}:${i}`);
}

/** One content item of an assistant message as a part, or `undefined` for one the model has no place for. */
export function partOf(
  item: Record<string, unknown>,
  base: { id: string; sessionID: string; messageID: string },
  time: number,
): Part | undefined {
  if (item.type === 'text' && typeof item.text === 'string') return { ...base, type: 'text', text: item.text } as Part;
  if (item.type === 'reasoning' && typeof item.text === 'string') {
    return {
      ...base,
      type: 'reasoning',
      text: item.text,
      time: { start: time, end: time },
      ...(isRecord(item.metadata) ? { metadata: item.metadata } : {}),
    } as Part;
  }
  if (item.type === 'tool' && typeof item.name === 'string') {
    const state = isRecord(item.state) ? item.state : {};
    const t = isRecord(item.time) ? item.time : {};
    const start = num(t.created ?? time);
    const end = Math.max(start, num(t.completed ?? t.ran ?? start));
    const input = isRecord(state.input) ? state.input : {};
    const metadata = isRecord(state.metadata) ? state.metadata : {};
    const status = state.status;
    const toolState =
      status === 'completed'
        ? {
            status: 'completed',
            input,
            output: contentText(state.content),
            title: str(state.title) ?? item.name,
            metadata,
            time: { start, end },
          }
        : status === 'error'
          ? {
              status: 'error',
              input,
              error:
                typeof state.error === 'string'
                  ? state.error
                  : isRecord(state.error)
                    ? (str(state.error.message) ?? JSON.stringify(state.error))
                    : contentText(state.content),
              metadata,
              time: { start, end },
            }
          : { status: 'running', input, time: { start } };
    return {
      ...base,
      type: 'tool',
      callID: str(item.id) ?? base.id,
      tool: item.name,
      state: toolState,
      ...(item.executed !== undefined ? { executed: item.executed } : {}),
    } as Part;
  }
  return undefined;
}
