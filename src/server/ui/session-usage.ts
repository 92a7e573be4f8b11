import { type BrokenMessage, formatCostTotal, formatCount, isBroken, type MessageWithParts, replyCost } from '../../index.js';
import { html, type Raw } from './html.js';

const count = formatCount;

/** Tokens, as a message counts them. */
interface Usage {
  input: number;
  output: number;
  reasoning: number;
  cache: { read: number; write: number };
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
