import { ArchiveError } from '../errors.js';
import type { SqlDb, SqlRow } from '../store/sqlite.js';
import { type PriceTable, priceOf, ratesFor } from './prices.js';

// Usage figures (tokens, cost, messages, tool calls, active time) kept in the
// search index beside each message's text, so they follow the files the same
// way: every message row carries its own numbers, and each session's rows are
// summed into quarter-hour buckets per model when its messages change. A
// question then sums buckets, never messages: at 100,000 sessions that is a
// few hundred thousand rows, whatever the number of messages.
//
// Money is counted in whole units of 1e-10 dollars (a tenth of a millionth
// of a cent): sums are exact integers, so a total is the sum of its rows.

/** Units of cost in a dollar (a unit is 1e-10 dollars): what costs are summed in. */
const UNITS_PER_DOLLAR = 1e10;
/** A bucket is a quarter of an hour: every time zone's offset is a whole number of them. */
const BUCKET_MS = 15 * 60 * 1000;
/** A pause longer than this between messages is not active time. */
export const IDLE_MS = 5 * 60 * 1000;
/** A message counts for at most this long of its own (a step whose end was never written would count for days). */
const LONGEST_STEP_MS = 60 * 60 * 1000;
/** Prompt sizes where some models' prices change; a message is counted in the band of its prompt. */
const BANDS = [200_000, 272_000];

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

const n = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : 0);
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

const FIGURES_SQL = `count(DISTINCT u.session) AS sessions, sum(u.messages) AS messages, sum(u.replies) AS replies,
  sum(u.t_in) AS t_in, sum(u.t_out) AS t_out, sum(u.t_reason) AS t_reason, sum(u.t_cr) AS t_cr, sum(u.t_cw) AS t_cw,
  sum(u.tools) AS tools, sum(u.failed) AS failed, sum(u.active) AS active,
  sum(u.cost) AS own_cost,
  sum(CASE WHEN u.own = 0 AND p.model IS NOT NULL
    THEN u.t_in * p.input + u.t_out * p.output + u.t_reason * p.reasoning + u.t_cr * p.cache_read + u.t_cw * p.cache_write ELSE 0 END) AS estimated,
  sum(CASE WHEN u.own = 0 AND p.model IS NULL AND u.model != '' AND u.t_in + u.t_out + u.t_reason + u.t_cr + u.t_cw > 0 THEN u.replies ELSE 0 END) AS unpriced_replies,
  sum(CASE WHEN u.own = 0 AND p.model IS NULL AND u.model != '' THEN u.t_in + u.t_out + u.t_reason + u.t_cr + u.t_cw ELSE 0 END) AS unpriced_tokens`;

function figures(r: SqlRow): Figures {
  const tokens = { input: n(r.t_in), output: n(r.t_out), reasoning: n(r.t_reason), cacheRead: n(r.t_cr), cacheWrite: n(r.t_cw), total: 0 };
  tokens.total = tokens.input + tokens.output + tokens.reasoning + tokens.cacheRead + tokens.cacheWrite;
  const estimated = n(r.estimated);
  return {
    sessions: n(r.sessions),
    messages: n(r.messages),
    replies: n(r.replies),
    tokens,
    cost: (n(r.own_cost) + estimated) / UNITS_PER_DOLLAR,
    estimated: estimated / UNITS_PER_DOLLAR,
    unpriced: { replies: n(r.unpriced_replies), tokens: n(r.unpriced_tokens) },
    tools: n(r.tools),
    failedTools: n(r.failed),
    activeMs: n(r.active),
  };
}

/** A price per million tokens as units per token (rounded to whole units: exact sums). */
const units = (perMillion: number) => Math.round((perMillion * UNITS_PER_DOLLAR) / 1_000_000);

/** Fills the connection's temporary price table for the models the buckets name. */
function putPrices(db: SqlDb, table: PriceTable): void {
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS price (model TEXT NOT NULL, band INTEGER NOT NULL,
    input INTEGER NOT NULL, output INTEGER NOT NULL, reasoning INTEGER NOT NULL, cache_read INTEGER NOT NULL, cache_write INTEGER NOT NULL,
    PRIMARY KEY (model, band))`);
  db.exec('DELETE FROM temp.price');
  const insert = db.prepare('INSERT INTO temp.price VALUES (?, ?, ?, ?, ?, ?, ?)');
  for (const r of db.prepare("SELECT DISTINCT model FROM usage WHERE own = 0 AND model != ''").all()) {
    const model = String(r.model);
    const price = priceOf(table, model);
    if (!price) continue;
    for (let band = 0; band <= BANDS.length; band++) {
      const rates = ratesFor(price, band === 0 ? 0 : (BANDS[band - 1] as number) + 1);
      insert.run(
        model,
        band,
        units(rates.input),
        units(rates.output),
        units(rates.reasoning ?? rates.output),
        units(rates.cacheRead ?? rates.input),
        units(rates.cacheWrite ?? rates.input),
      );
    }
  }
}

/** The offset (seconds) of a time zone at a time. */
function offsetAt(format: Intl.DateTimeFormat, ms: number): number {
  const p: Record<string, number> = {};
  for (const part of format.formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const local = Date.UTC(p.year as number, (p.month as number) - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((local - Math.floor(ms / 1000) * 1000) / 1000);
}

/**
 * SQL for the local day number of a bucket (`u.bucket`) in a time zone: the
 * bucket's time plus the zone's offset then, the offset's changes between
 * `first` and `last` (bucket numbers) written out as a CASE.
 */
function dayNumberSql(timeZone: string, first: number, last: number): string {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch (cause) {
    throw new ArchiveError('INVALID_INPUT', `unknown time zone ${JSON.stringify(timeZone)}`, { cause });
  }
  const at = (bucket: number) => offsetAt(format, bucket * BUCKET_MS);
  const changes: Array<[number, number]> = [];
  let offset = at(first);
  const DAY = (24 * 3600 * 1000) / BUCKET_MS;
  for (let b = first; b < last; ) {
    const next = Math.min(b + DAY, last);
    if (at(next) !== offset) {
      // The change is in (b, next]: halve to its bucket.
      let lo = b;
      let hi = next;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (at(mid) === offset) lo = mid;
        else hi = mid;
      }
      offset = at(hi);
      changes.push([hi, offset]);
      b = hi;
    } else b = next;
  }
  const first0 = at(first);
  const offsetSql = changes.length
    ? `CASE ${changes
        .map(([bucket], i) => `WHEN u.bucket < ${bucket} THEN ${i === 0 ? first0 : (changes[i - 1] as [number, number])[1]}`)
        .join(' ')} ELSE ${(changes[changes.length - 1] as [number, number])[1]} END`
    : String(first0);
  return `((u.bucket * ${BUCKET_MS / 1000} + ${offsetSql}) / 86400)`;
}

/** The SQL of a dimension's key. */
function keySql(d: Dimension): string {
  switch (d) {
    case 'day':
      return "date(u.d * 86400, 'unixepoch')";
    case 'week':
      return "date((u.d - (u.d + 3) % 7) * 86400, 'unixepoch')";
    case 'month':
      return "strftime('%Y-%m', u.d * 86400, 'unixepoch')";
    case 'session':
      return 'u.session';
    case 'project':
      return 's.project';
    case 'model':
      return 'u.model';
    case 'agent':
      return 's.source';
  }
}

/**
 * Answers a usage question from the buckets: totals, the tables asked for,
 * the heaviest sessions and the models that could not be priced. Costs the
 * sources gave win; other replies are priced with `prices` (by model).
 */
export function queryUsage(db: SqlDb, q: UsageQuery, prices: PriceTable): UsageResult {
  for (const t of q.tables ?? []) {
    for (const d of t)
      if (!DIMENSIONS.includes(d))
        throw new ArchiveError('INVALID_INPUT', `unknown grouping ${JSON.stringify(d)}: expected ${DIMENSIONS.join(', ')}`);
  }
  const top = q.top ?? 10;
  if (!Number.isInteger(top) || top < 0 || top > 1000) throw new ArchiveError('INVALID_INPUT', `invalid top ${top}: expected 0–1000`);
  const timeZone = q.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  putPrices(db, prices);
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.since !== undefined) {
    where.push('u.bucket >= ?');
    params.push(Math.floor(q.since / BUCKET_MS));
  }
  if (q.until !== undefined) {
    where.push('u.bucket < ?');
    params.push(Math.ceil(q.until / BUCKET_MS));
  }
  for (const [values, column] of [
    [q.projects, 's.project'],
    [q.agents, 's.source'],
  ] as const) {
    if (values === undefined) continue;
    where.push(`${column} IN (SELECT value FROM json_each(?))`);
    params.push(JSON.stringify(values));
  }
  const range = db.prepare('SELECT min(bucket) AS first, max(bucket) AS last FROM usage').get();
  const day = dayNumberSql(timeZone, n(range?.first), n(range?.last));
  const from = `FROM (SELECT *, ${day} AS d FROM usage u) u JOIN session s ON s.id = u.session
    LEFT JOIN temp.price p ON p.model = u.model AND p.band = u.band ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
  const grouped = (dims: readonly Dimension[], tail = '') =>
    db
      .prepare(
        `SELECT ${dims.map((d, i) => `${keySql(d)} AS k${i}, `).join('')}${FIGURES_SQL} ${from} GROUP BY ${dims.map((_, i) => `k${i}`).join(', ')} ${tail}`,
      )
      .all(...params);
  const whole = db.prepare(`SELECT ${FIGURES_SQL}, min(u.bucket) AS first, max(u.bucket) AS last ${from}`).get(...params) ?? {};
  const total = figures(whole);
  const span =
    typeof whole.first === 'number' ? { first: whole.first * BUCKET_MS, last: n(whole.last) * BUCKET_MS + BUCKET_MS - 1 } : undefined;
  const describe = db.prepare('SELECT title, project, source, directory FROM session WHERE id = ?');
  const sessionOf = (id: string) => {
    const s = describe.get(id);
    return {
      title: String(s?.title ?? ''),
      projectID: String(s?.project ?? ''),
      agent: String(s?.source ?? ''),
      directory: String(s?.directory ?? ''),
    };
  };
  const tables: Record<string, UsageRow[]> = {};
  for (const dims of q.tables ?? []) {
    const at = dims.indexOf('session');
    tables[dims.join(',')] = grouped(dims, `ORDER BY ${dims.map((_, i) => `k${i}`).join(', ')}`).map((r) => {
      const key = dims.map((_, i) => String(r[`k${i}`] ?? ''));
      return at < 0 ? { key, figures: figures(r) } : { key, figures: figures(r), session: sessionOf(key[at] as string) };
    });
  }
  const heaviest = top
    ? grouped(['session'], `ORDER BY own_cost + estimated DESC, t_in + t_out + t_reason + t_cr + t_cw DESC, k0 LIMIT ${top}`).map((r) => ({
        key: [String(r.k0)],
        figures: figures(r),
        session: sessionOf(String(r.k0)),
      }))
    : [];
  const unpriced = grouped(['model'], 'HAVING unpriced_tokens > 0 ORDER BY unpriced_tokens DESC').map((r) => ({
    model: String(r.k0),
    replies: n(r.unpriced_replies),
    tokens: n(r.unpriced_tokens),
  }));
  return { prices: { date: prices.date, source: prices.source }, timeZone, total, ...(span ? { span } : {}), tables, heaviest, unpriced };
}
