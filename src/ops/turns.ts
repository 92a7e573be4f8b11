// A conversation as people read it: turns. A turn is what a person sent and
// everything the agent did until it handed back (its steps, tool calls and
// text), however many API replies that took. Messages the agent or its
// harness put in the user's place (system notices, the environment, developer
// instructions, compaction summaries) belong to the turn they arrive in and
// are shown quietly; they never start one.
//
// Readers stream a session a message at a time (a session can be larger than
// memory), so a turn's header, which sums the whole turn, comes from a first
// pass that keeps numbers only (`planTurns`); the second pass draws.

import { replyCost } from '../catalog/search/prices.js';
import type { MessageWithParts } from '../model/message.js';
import type { Part } from '../model/part.js';
import type { BrokenMessage } from '../store/message-reads.js';
import { toolFailed } from './tool-summary.js';

type Entry = MessageWithParts | BrokenMessage;

/** A message file that could not be read (kept light: no store loaded for this). */
const isBroken = (m: Entry): m is BrokenMessage => 'error' in m && (m as BrokenMessage).error?.name === 'CorruptFileError';

/** What a user message that is not the person's own words is ("system", "environment", "developer", "compaction", …), else undefined. */
export function quietKind(m: Entry): string | undefined {
  if (isBroken(m) || m.info.role !== 'user') return undefined;
  const info = m.info as { synthetic?: unknown; origin?: unknown };
  const origin = typeof info.origin === 'string' && info.origin !== '' ? info.origin : undefined;
  if (info.synthetic === true) return origin ?? 'system';
  const texts = m.parts.filter((p) => p.type === 'text');
  const own = m.parts.some((p) => p.type === 'file' || p.type === 'agent' || p.type === 'subtask');
  return texts.length > 0 && !own && texts.every((p) => p.type === 'text' && p.synthetic) ? (origin ?? 'system') : undefined;
}

/** The message starts a turn: a user message with the person's own words (or files). */
export function isPrompt(m: Entry): boolean {
  return !isBroken(m) && m.info.role === 'user' && quietKind(m) === undefined;
}

/** A turn summed up, for its header. */
export interface TurnHead {
  /** Index (in the messages read) of its first message: the prompt, or the first message of a turn that began earlier. */
  start: number;
  /** How many messages it holds (here: a turn cut by a page's end continues on the next). */
  messages: number;
  /** Its prompt's message ID (absent when the turn began before the messages read, or before any prompt). */
  promptID?: string;
  /** When it began (the first message) and ended (the last reply's completion, else the last message). */
  time: { start: number; end: number };
  /** The models that answered, in order of first use. */
  models: string[];
  /** API replies (assistant messages). */
  replies: number;
  tokens: { input: number; output: number; reasoning: number; cache: number };
  /** Dollars: given by the source, or reckoned (`estimated` of them) from list prices; `unpriced` replies left out. */
  cost: number;
  estimated: number;
  unpriced: number;
  toolCalls: number;
  /** Tool calls that failed. */
  failed: number;
  /** A reply ended in an error. */
  error: boolean;
}

function emptyHead(start: number, m: Entry): TurnHead {
  return {
    start,
    messages: 0,
    ...(isPrompt(m) ? { promptID: m.info.id } : {}),
    time: { start: m.info.time.created, end: m.info.time.created },
    models: [],
    replies: 0,
    tokens: { input: 0, output: 0, reasoning: 0, cache: 0 },
    cost: 0,
    estimated: 0,
    unpriced: 0,
    toolCalls: 0,
    failed: 0,
    error: false,
  };
}

function add(head: TurnHead, m: Entry): void {
  head.messages++;
  const info = m.info as { time: { created: number; completed?: number } };
  head.time.end = Math.max(head.time.end, info.time.completed ?? info.time.created);
  if (isBroken(m)) return;
  for (const p of m.parts) {
    if (p.type !== 'tool') continue;
    head.toolCalls++;
    if (toolFailed(p)) head.failed++;
  }
  if (m.info.role !== 'assistant') return;
  const a = m.info;
  head.replies++;
  if (a.modelID && !head.models.includes(a.modelID)) head.models.push(a.modelID);
  head.tokens.input += a.tokens.input;
  head.tokens.output += a.tokens.output;
  head.tokens.reasoning += a.tokens.reasoning;
  head.tokens.cache += a.tokens.cache.read + a.tokens.cache.write;
  const c = replyCost(a);
  if (!c) head.unpriced++;
  else {
    head.cost += c.cost;
    if (c.estimated) head.estimated += c.cost;
  }
  if (a.error) head.error = true;
}

/** The turns of `messages` and how many messages were read; a page: at least `min` messages, then on to the next prompt, at most `max`. */
export async function planTurns(
  messages: AsyncIterable<Entry>,
  page: { min?: number; max?: number } = {},
): Promise<{ heads: TurnHead[]; count: number }> {
  const min = page.min ?? Number.POSITIVE_INFINITY;
  const max = page.max ?? Number.POSITIVE_INFINITY;
  const heads: TurnHead[] = [];
  let i = 0;
  for await (const m of messages) {
    if (i >= max || (i >= min && isPrompt(m))) break;
    let head = heads.at(-1);
    if (!head || isPrompt(m)) {
      head = emptyHead(i, m);
      heads.push(head);
    }
    add(head, m);
    i++;
  }
  return { heads, count: i };
}

/** The turns of messages already in memory (a session shown whole). */
export function turnsOf<M extends Entry>(messages: readonly M[]): Array<{ head: TurnHead; messages: M[] }> {
  const out: Array<{ head: TurnHead; messages: M[] }> = [];
  messages.forEach((m, i) => {
    let last = out.at(-1);
    if (!last || isPrompt(m)) {
      last = { head: emptyHead(i, m), messages: [] };
      out.push(last);
    }
    add(last.head, m);
    last.messages.push(m);
  });
  return out;
}

/** A child session a sub-agent call may have started. */
export interface ChildRef {
  id: string;
  title: string;
  created: number;
}

/** Tools that start a sub-agent. */
const AGENT_TOOLS = /^(task|agent|subagent|spawn_?agent|dispatch_?agent|delegate)$/i;

/** The tool starts a sub-agent (OpenCode's and Claude Code's `task`, Codex's `spawn_agent`, …). */
export function isSubAgentTool(tool: string): boolean {
  return AGENT_TOOLS.test(tool);
}

/** The child session a sub-agent tool call started: named in its metadata, else the child that began while it ran. */
export function subAgentChild(p: Extract<Part, { type: 'tool' }>, children: readonly ChildRef[] | undefined): ChildRef | undefined {
  if (!children?.length || !isSubAgentTool(p.tool)) return undefined;
  const state = p.state as { metadata?: Record<string, unknown>; time?: { start?: number; end?: number } };
  const named = state.metadata?.sessionId ?? state.metadata?.sessionID;
  if (typeof named === 'string') return children.find((c) => c.id === named);
  const start = state.time?.start;
  if (start === undefined) return undefined;
  const end = state.time?.end ?? Number.POSITIVE_INFINITY;
  return children.find((c) => c.created >= start - 2_000 && c.created <= end + 2_000);
}
