import type { SqlDb } from '../../store/sqlite.js';

// Usage figures (tokens, cost, messages, tool calls, active time) kept in the
// search index beside each message's text, so they follow the files the same
// way: every message row carries its own numbers, and each session's rows are
// summed into quarter-hour buckets per model when its messages change. A
// question then sums buckets, never messages (usage-query.ts): at 100,000
// sessions a few hundred thousand rows, whatever the number of messages.
//
// Money is counted in whole units of 1e-10 dollars (a tenth of a millionth
// of a cent): sums are exact integers, so a total is the sum of its rows.

/** Units of cost in a dollar (a unit is 1e-10 dollars): what costs are summed in. */
export const UNITS_PER_DOLLAR = 1e10;
/** A bucket is a quarter of an hour: every time zone's offset is a whole number of them. */
export const BUCKET_MS = 15 * 60 * 1000;
/** A pause longer than this between messages is not active time. */
export const IDLE_MS = 5 * 60 * 1000;
/** A message counts for at most this long of its own (a step whose end was never written would count for days). */
const LONGEST_STEP_MS = 60 * 60 * 1000;
/** Prompt sizes where some models' prices change; a message is counted in the band of its prompt. */
export const BANDS = [200_000, 272_000];

/** The numbers one message adds (read from its file as the search index reads it). */
export interface MessageUsage {
  /** The model that answered (`''` for a user message). */
  model: string;
  /** The source's own cost, in units of 1e-10 dollars (0: none). */
  cost: number;
  input: number;
  output: number;
  reasoning: number;
  cacheRead: number;
  cacheWrite: number;
  /** Tool calls, and of those, the failed ones. */
  tools: number;
  failed: number;
  /** When the message was completed (epoch ms), if it says. */
  completed?: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.round(v) : 0);

/** What a message file's `info` and `parts` add to the figures. */
export function messageUsage(info: Record<string, unknown>, parts: readonly unknown[]): MessageUsage {
  const tokens = isRecord(info.tokens) ? info.tokens : {};
  const cache = isRecord(tokens.cache) ? tokens.cache : {};
  const time = isRecord(info.time) ? info.time : {};
  let tools = 0;
  let failed = 0;
  for (const p of parts) {
    if (!isRecord(p) || p.type !== 'tool') continue;
    tools++;
    if (isRecord(p.state) && p.state.status === 'error') failed++;
  }
  const cost = typeof info.cost === 'number' && Number.isFinite(info.cost) && info.cost > 0 ? Math.round(info.cost * UNITS_PER_DOLLAR) : 0;
  const u: MessageUsage = {
    model: info.role === 'assistant' && typeof info.modelID === 'string' ? info.modelID : '',
    cost,
    input: count(tokens.input),
    output: count(tokens.output),
    reasoning: count(tokens.reasoning),
    cacheRead: count(cache.read),
    cacheWrite: count(cache.write),
    tools,
    failed,
  };
  if (typeof time.completed === 'number' && Number.isFinite(time.completed)) u.completed = time.completed;
  return u;
}

/** The search index's columns for a message's usage, in {@link usageValues}' order. */
export const DOC_USAGE_COLUMNS =
  'model TEXT, cost INTEGER, t_in INTEGER, t_out INTEGER, t_reason INTEGER, t_cr INTEGER, t_cw INTEGER, tools INTEGER, failed INTEGER, done INTEGER';
export const DOC_USAGE_NAMES = 'model, cost, t_in, t_out, t_reason, t_cr, t_cw, tools, failed, done';

/** A message's usage as values for {@link DOC_USAGE_COLUMNS} (nulls for a title row). */
export function usageValues(u: MessageUsage | undefined): unknown[] {
  if (!u) return [null, null, null, null, null, null, null, null, null, null];
  return [u.model, u.cost, u.input, u.output, u.reasoning, u.cacheRead, u.cacheWrite, u.tools, u.failed, u.completed ?? null];
}

/** Creates the bucket table (in the search index's schema transaction). */
export function createUsageTable(db: SqlDb): void {
  db.exec('DROP TABLE IF EXISTS usage');
  db.exec(`CREATE TABLE usage (
    session TEXT NOT NULL, bucket INTEGER NOT NULL, model TEXT NOT NULL, band INTEGER NOT NULL, own INTEGER NOT NULL,
    messages INTEGER NOT NULL, replies INTEGER NOT NULL, cost INTEGER NOT NULL,
    t_in INTEGER NOT NULL, t_out INTEGER NOT NULL, t_reason INTEGER NOT NULL, t_cr INTEGER NOT NULL, t_cw INTEGER NOT NULL,
    tools INTEGER NOT NULL, failed INTEGER NOT NULL, active INTEGER NOT NULL)`);
  db.exec('CREATE INDEX usage_session ON usage (session)');
  db.exec('CREATE INDEX usage_bucket ON usage (bucket)');
}

export const n = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : 0);
const bandOf = (prompt: number) => BANDS.filter((b) => prompt > b).length;

/**
 * Sums a session's message rows into its buckets again (inside the caller's
 * transaction). Messages made before `copiedBefore` are copies (a fork's
 * history, counted in the session it came from) and are left out.
 * Active time: each message's own span, plus the pause before it when that
 * pause is {@link IDLE_MS} or shorter.
 */
export function rebuildUsage(db: SqlDb, session: string, copiedBefore: number): void {
  db.prepare('DELETE FROM usage WHERE session = ?').run(session);
  const rows = db
    .prepare(
      `SELECT created, role, ${DOC_USAGE_NAMES} FROM doc WHERE session = ? AND message != '' AND created >= ? ORDER BY created, message`,
    )
    .all(session, copiedBefore);
  const buckets = new Map<string, number[]>();
  let cursor = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    const start = n(r.created);
    const end = Math.min(Math.max(start, n(r.done ?? start)), start + LONGEST_STEP_MS);
    let active = 0;
    if (start > cursor) {
      if (start - cursor <= IDLE_MS) active += start - cursor;
      cursor = start;
    }
    if (end > cursor) {
      active += end - cursor;
      cursor = end;
    }
    const model = typeof r.model === 'string' ? r.model : '';
    const own = n(r.cost) > 0 ? 1 : 0;
    const band = bandOf(n(r.t_in) + n(r.t_cr) + n(r.t_cw));
    const key = `${Math.floor(start / BUCKET_MS)}\t${model}\t${band}\t${own}`;
    let sums = buckets.get(key);
    if (!sums) {
      sums = new Array(11).fill(0);
      buckets.set(key, sums);
    }
    const add = [
      1,
      r.role === 'assistant' ? 1 : 0,
      n(r.cost),
      n(r.t_in),
      n(r.t_out),
      n(r.t_reason),
      n(r.t_cr),
      n(r.t_cw),
      n(r.tools),
      n(r.failed),
      active,
    ];
    for (let i = 0; i < add.length; i++) sums[i] = (sums[i] as number) + (add[i] as number);
  }
  const insert = db.prepare('INSERT INTO usage VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  for (const [key, sums] of buckets) {
    const [bucket, model, band, own] = key.split('\t');
    insert.run(session, Number(bucket), model, Number(band), Number(own), ...sums);
  }
}

/** What a usage table is grouped by. */
export type Dimension = 'day' | 'week' | 'month' | 'session' | 'project' | 'model' | 'agent';
export const DIMENSIONS: readonly Dimension[] = ['day', 'week', 'month', 'session', 'project', 'model', 'agent'];

/** A question about usage (see {@link queryUsage}). */
export interface UsageQuery {
  /** From this time (epoch ms), inclusive. */
  since?: number;
  /** Up to this time (epoch ms), exclusive. */
  until?: number;
  /** Only these projects (IDs). */
  projects?: string[];
  /** Only sessions from these agents (`claude-code`; `archive` for sessions made here). */
  agents?: string[];
  /** The IANA time zone days, weeks and months are counted in. @default the process's */
  timeZone?: string;
  /** The tables wanted, each a list of dimensions (`['day']`, `['day', 'agent']`). */
  tables?: Dimension[][];
  /** How many of the heaviest sessions (by cost, then tokens). @default 10 */
  top?: number;
}

/** Tokens by kind. */
export interface TokenCounts {
  input: number;
  output: number;
  reasoning: number;
  cacheRead: number;
  cacheWrite: number;
  total: number;
}

/** The figures of a group of buckets. */
export interface Figures {
  sessions: number;
  /** Messages, and of those, the agent's replies. */
  messages: number;
  replies: number;
  tokens: TokenCounts;
  /** Dollars: the sources' own costs plus `estimated`. */
  cost: number;
  /** Dollars of `cost` reckoned from the price table. */
  estimated: number;
  /** Replies with tokens but neither a cost of their own nor a price: not in `cost`. */
  unpriced: { replies: number; tokens: number };
  tools: number;
  failedTools: number;
  /** Milliseconds (see {@link rebuildUsage}). */
  activeMs: number;
}

/** One row of a table: its key (one value per dimension) and figures. */
export interface UsageRow {
  key: string[];
  figures: Figures;
  /** For a session row: its title, project and agent. */
  session?: { title: string; projectID: string; agent: string; directory: string };
}

/** The answer to a {@link UsageQuery}. */
export interface UsageResult {
  prices: { date: string; source: string };
  timeZone: string;
  total: Figures;
  /** The first and last quarter hour with a message in the selection (epoch ms), when there is one. */
  span?: { first: number; last: number };
  /** The tables asked for, keyed by their dimensions joined with `,`. */
  tables: Record<string, UsageRow[]>;
  heaviest: UsageRow[];
  /** The models with replies that could not be priced. */
  unpriced: Array<{ model: string; replies: number; tokens: number }>;
}
