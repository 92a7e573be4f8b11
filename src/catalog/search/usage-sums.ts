import type { SqlDb } from '../../store/sqlite.js';
import { type Figures, n, UNITS_PER_DOLLAR } from './usage.js';

// A usage row as numbers, and the running sums of the groups a question adds rows into.

/** Numbers per bucket row: bucket, model, band, own, then the sums. */
export const WIDTH = 15;
/** The `usage` table's columns in that order. */
export const ROW_COLUMNS = [
  'bucket',
  'model',
  'band',
  'own',
  'messages',
  'replies',
  'cost',
  't_in',
  't_out',
  't_reason',
  't_cr',
  't_cw',
  'tools',
  'failed',
  'active',
];
export const [BUCKET, MODEL, BAND, OWN, MESSAGES, REPLIES, COST, T_IN, T_OUT, T_REASON, T_CR, T_CW, TOOLS, FAILED, ACTIVE] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
];

/** Fields of a group's running sums (costs in units of 1e-10 dollars). */
export const [
  SESSIONS,
  LAST,
  A_MESSAGES,
  A_REPLIES,
  OWN_COST,
  ESTIMATED,
  UNPRICED_REPLIES,
  UNPRICED_TOKENS,
  INPUT,
  OUTPUT,
  REASONING,
  CACHE_READ,
  CACHE_WRITE,
  A_TOOLS,
  A_FAILED,
  A_ACTIVE,
] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
export const SUMS = 16;

/**
 * The running sums of many groups in one array of numbers, a slot each: a
 * pass adds to a few slots per row and allocates nothing (an object per
 * group, or per session, cost more in collections than in sums).
 */
export class Accumulator {
  private data = new Float64Array(SUMS * 64);
  private used = 0;

  /** A new slot, zeroed. */
  slot(): number {
    if ((this.used + 1) * SUMS > this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    const at = this.used++;
    this.data[at * SUMS + LAST] = -1;
    return at;
  }

  add(slot: number, r: Float64Array, o: number, session: number, estimate: number, unpriced: boolean): void {
    const d = this.data;
    const a = slot * SUMS;
    if (d[a + LAST] !== session) {
      d[a + LAST] = session;
      (d[a + SESSIONS] as number)++;
    }
    const tIn = r[o + T_IN] as number;
    const tOut = r[o + T_OUT] as number;
    const tReason = r[o + T_REASON] as number;
    const tRead = r[o + T_CR] as number;
    const tWrite = r[o + T_CW] as number;
    d[a + A_MESSAGES] = (d[a + A_MESSAGES] as number) + (r[o + MESSAGES] as number);
    d[a + A_REPLIES] = (d[a + A_REPLIES] as number) + (r[o + REPLIES] as number);
    d[a + OWN_COST] = (d[a + OWN_COST] as number) + (r[o + COST] as number);
    d[a + ESTIMATED] = (d[a + ESTIMATED] as number) + estimate;
    const tokens = tIn + tOut + tReason + tRead + tWrite;
    if (unpriced && tokens > 0) {
      d[a + UNPRICED_REPLIES] = (d[a + UNPRICED_REPLIES] as number) + (r[o + REPLIES] as number);
      d[a + UNPRICED_TOKENS] = (d[a + UNPRICED_TOKENS] as number) + tokens;
    }
    d[a + INPUT] = (d[a + INPUT] as number) + tIn;
    d[a + OUTPUT] = (d[a + OUTPUT] as number) + tOut;
    d[a + REASONING] = (d[a + REASONING] as number) + tReason;
    d[a + CACHE_READ] = (d[a + CACHE_READ] as number) + tRead;
    d[a + CACHE_WRITE] = (d[a + CACHE_WRITE] as number) + tWrite;
    d[a + A_TOOLS] = (d[a + A_TOOLS] as number) + (r[o + TOOLS] as number);
    d[a + A_FAILED] = (d[a + A_FAILED] as number) + (r[o + FAILED] as number);
    d[a + A_ACTIVE] = (d[a + A_ACTIVE] as number) + (r[o + ACTIVE] as number);
  }

  /** A slot's cost (own and estimated, in units) and tokens: what ranks the heaviest sessions. */
  weight(slot: number): [number, number] {
    const d = this.data;
    const a = slot * SUMS;
    return [
      (d[a + OWN_COST] as number) + (d[a + ESTIMATED] as number),
      (d[a + INPUT] as number) +
        (d[a + OUTPUT] as number) +
        (d[a + REASONING] as number) +
        (d[a + CACHE_READ] as number) +
        (d[a + CACHE_WRITE] as number),
    ];
  }

  unpriced(slot: number): { replies: number; tokens: number } {
    return { replies: this.data[slot * SUMS + UNPRICED_REPLIES] as number, tokens: this.data[slot * SUMS + UNPRICED_TOKENS] as number };
  }

  figures(slot: number): Figures {
    const d = this.data;
    const a = slot * SUMS;
    const v = (k: number) => d[a + k] as number;
    const tokens = {
      input: v(INPUT),
      output: v(OUTPUT),
      reasoning: v(REASONING),
      cacheRead: v(CACHE_READ),
      cacheWrite: v(CACHE_WRITE),
      total: 0,
    };
    tokens.total = tokens.input + tokens.output + tokens.reasoning + tokens.cacheRead + tokens.cacheWrite;
    return {
      sessions: v(SESSIONS),
      messages: v(A_MESSAGES),
      replies: v(A_REPLIES),
      tokens,
      cost: (v(OWN_COST) + v(ESTIMATED)) / UNITS_PER_DOLLAR,
      estimated: v(ESTIMATED) / UNITS_PER_DOLLAR,
      unpriced: { replies: v(UNPRICED_REPLIES), tokens: v(UNPRICED_TOKENS) },
      tools: v(A_TOOLS),
      failedTools: v(A_FAILED),
      activeMs: v(A_ACTIVE),
    };
  }
}

/** A price per million tokens as units per token (rounded to whole units: exact sums). */
export const units = (perMillion: number) => Math.round((perMillion * UNITS_PER_DOLLAR) / 1_000_000);

/** A session's facts and its bucket rows ({@link WIDTH} numbers each, in {@link ROW_COLUMNS}' order). */
export interface SessionRows {
  agent: string;
  project: string;
  title: string;
  directory: string;
  rows: Float64Array;
}

/**
 * The bucket rows of the sessions of `ids` (every session's when not given)
 * read from the `usage` and `session` tables, each session's as one array of
 * numbers ({@link WIDTH} per row; `model` numbers the model names).
 */
export function readSessionRows(db: SqlDb, ids: string[] | undefined, model: (name: string) => number): Map<string, SessionRows> {
  const where = ids ? 'WHERE u.session IN (SELECT value FROM json_each(?))' : '';
  const rows = db
    .prepare(`SELECT u.session, ${ROW_COLUMNS.map((c) => `u.${c}`).join(', ')} FROM usage u ${where} ORDER BY u.session`)
    .all(...(ids ? [JSON.stringify(ids)] : []));
  const facts = db
    .prepare(`SELECT id, source, project, title, directory FROM session ${ids ? 'WHERE id IN (SELECT value FROM json_each(?))' : ''}`)
    .all(...(ids ? [JSON.stringify(ids)] : []));
  const out = new Map<string, SessionRows>();
  const factsOf = new Map(facts.map((f) => [String(f.id), f]));
  for (let i = 0; i < rows.length; ) {
    const session = String(rows[i]?.session);
    let end = i;
    while (end < rows.length && rows[end]?.session === session) end++;
    const f = factsOf.get(session);
    if (f) {
      const numbers = new Float64Array((end - i) * WIDTH);
      for (let k = i; k < end; k++) {
        const r = rows[k] as Record<string, unknown>;
        const o = (k - i) * WIDTH;
        for (let c = 0; c < WIDTH; c++) numbers[o + c] = c === MODEL ? model(String(r.model)) : n(r[ROW_COLUMNS[c] as string]);
      }
      out.set(session, {
        agent: String(f.source),
        project: String(f.project),
        title: String(f.title),
        directory: String(f.directory),
        rows: numbers,
      });
    }
    i = end;
  }
  return out;
}
