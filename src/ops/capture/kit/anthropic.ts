import type { MessageWithParts } from '../../../model/message.js';
import type { ReadStats } from '../contract.js';
import type { SessionBuilder } from './builder.js';
import { isRecord, str } from './text.js';

// Anthropic's message content — blocks of `text`, `thinking`, `tool_use`,
// `tool_result`, `image` — which several agents keep as they sent it (Cline
// and its forks, Amp, Factory Droid). One reading of it for them all.

/** A tool result's text (a string, or a list of text blocks). */
export function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return content === undefined ? '' : (JSON.stringify(content) ?? '');
  return content
    .filter(isRecord)
    .map((c) => (typeof c.text === 'string' ? c.text : ''))
    .filter(Boolean)
    .join('\n');
}

/** A message's blocks: a string is one text block. */
export function blocksOf(content: unknown): Array<Record<string, unknown>> {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : Array.isArray(content) ? content.filter(isRecord) : [];
}

export interface BlockPlace {
  /** The time the part IDs carry (stable: the entry's place). */
  at: number;
  /** The message's time. */
  time: number;
  /** The entry's key within the source. */
  key: string;
  stats: ReadStats;
}

/** An answer's blocks as parts: text, thinking, tool calls (waiting for their results). */
export function assistantBlocks(b: SessionBuilder, m: MessageWithParts, blocks: Array<Record<string, unknown>>, p: BlockPlace): void {
  for (const [j, block] of blocks.entries()) {
    const id = b.partId(p.at, `${p.key}:${j}`);
    if (block.type === 'text' && typeof block.text === 'string') b.part(m, { id, type: 'text', text: block.text });
    else if (block.type === 'thinking' || block.type === 'redacted_thinking') {
      b.part(m, { id, type: 'reasoning', text: str(block.thinking) ?? '', time: { start: p.time, end: p.time } });
    } else if (block.type === 'tool_use' && typeof block.id === 'string') {
      b.tool(m, { id, callID: block.id, tool: str(block.name) ?? 'tool', input: block.input ?? {}, time: p.time });
    } else b.unknown(p.stats, `assistant block ${String(block.type)}`, block);
  }
}

/**
 * A user entry's blocks: tool results complete their calls (`output` reads
 * an agent's own result shape); the rest becomes a user message, made only
 * when there is any. `text` decides how a text block is kept.
 */
export function userBlocks(
  b: SessionBuilder,
  blocks: Array<Record<string, unknown>>,
  p: BlockPlace,
  o: {
    output?: (block: Record<string, unknown>) => { output: string; error: boolean };
    text?: (text: string) => { synthetic?: boolean };
  } = {},
): MessageWithParts | undefined {
  for (const block of blocks) {
    const callID = str(block.tool_use_id) ?? str(block.toolUseID);
    if (block.type !== 'tool_result' || !callID) continue;
    const r = o.output?.(block) ?? { output: resultText(block.content), error: block.is_error === true };
    b.result(callID, { ...r, time: p.time });
  }
  const rest = blocks.filter((x) => x.type !== 'tool_result');
  if (rest.length === 0) return undefined;
  const m = b.user({ key: p.key, time: p.at });
  m.info.time = { created: p.time };
  for (const [j, block] of rest.entries()) {
    const id = b.partId(p.at, `${p.key}:${j}`);
    if (block.type === 'text' && typeof block.text === 'string') {
      const how = o.text?.(block.text) ?? {};
      b.part(m, { id, type: 'text', text: block.text, ...(how.synthetic ? { synthetic: true } : {}) });
      if (!how.synthetic) b.title('prompt', block.text, { first: true });
    } else if (block.type === 'image' && isRecord(block.source) && typeof block.source.data === 'string') {
      const mime = str(block.source.media_type) ?? str(block.source.mediaType) ?? 'image/png';
      b.part(m, { id, type: 'file', mime, url: `data:${mime};base64,${block.source.data}` });
    } else b.unknown(p.stats, `user block ${String(block.type)}`, block);
  }
  return m;
}
