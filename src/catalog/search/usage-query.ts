import { ArchiveError } from '../../errors.js';
import type { SqlDb } from '../../store/sqlite.js';
import { type PriceTable, priceOf, ratesFor } from './prices.js';
import { BANDS, BUCKET_MS, DIMENSIONS, type Dimension, n, type UsageQuery, type UsageResult, type UsageRow } from './usage.js';
import { dateOf, localDays } from './usage-days.js';
import {
  Accumulator,
  BAND,
  BUCKET,
  MODEL,
  OWN,
  readSessionRows,
  type SessionRows,
  T_CR,
  T_CW,
  T_IN,
  T_OUT,
  T_REASON,
  units,
  WIDTH,
} from './usage-sums.js';

// Questions about usage are answered in memory: each session's bucket rows
// (from the `usage` table) kept as one array of numbers, summed in one pass
// for every table asked. SQLite's GROUP BY over the 300,000 rows of 100,000
// sessions cost about half a second per table; a pass here costs tens of ms.
// A long-running index keeps the rows and reloads only the sessions it
// rewrote; a one-off question loads them all once.

/** Every session's bucket rows, in memory, kept in step with the `usage` and `session` tables. */
export class UsageFigures {
  private readonly sessions = new Map<string, SessionRows>();
  private readonly models: string[] = [];
  private readonly modelIndex = new Map<string, number>();
  private loaded = false;
  private version = -1;
  private readonly stale = new Set<string>();

  constructor(private readonly db: SqlDb) {}

  /** A session's rows or facts changed in the tables (read again at the next question). */
  changed(session: string): void {
    if (this.loaded) this.stale.add(session);
  }

  private model(name: string): number {
    let i = this.modelIndex.get(name);
    if (i === undefined) {
      i = this.models.length;
      this.models.push(name);
      this.modelIndex.set(name, i);
    }
    return i;
  }

  /** Reads the rows of `ids` (every session's when not given) from the tables. */
  private load(ids?: string[]): void {
    for (const id of ids ?? []) this.sessions.delete(id);
    for (const [id, rows] of readSessionRows(this.db, ids, (name) => this.model(name))) this.sessions.set(id, rows);
  }

  /** SQLite's count of commits by other connections: another process (a one-off search beside a server) wrote the tables. */
  private dataVersion(): number {
    return n(this.db.prepare('PRAGMA data_version').get()?.data_version);
  }

  private current(): void {
    const version = this.dataVersion();
    if (!this.loaded || version !== this.version) {
      this.sessions.clear();
      this.load();
      this.loaded = true;
      this.version = version;
      this.stale.clear();
    } else if (this.stale.size) {
      const ids = [...this.stale];
      this.stale.clear();
      this.load(ids);
    }
  }

  /**
   * Answers a usage question: totals, the tables asked for, the heaviest
   * sessions and the models that could not be priced. Costs the sources gave
   * win; other replies are priced with `prices` (by model and prompt band).
   */
  query(q: UsageQuery, prices: PriceTable): UsageResult {
    for (const t of q.tables ?? []) {
      for (const d of t)
        if (!DIMENSIONS.includes(d))
          throw new ArchiveError('INVALID_INPUT', `unknown grouping ${JSON.stringify(d)}: expected ${DIMENSIONS.join(', ')}`);
    }
    const top = q.top ?? 10;
    if (!Number.isInteger(top) || top < 0 || top > 1000) throw new ArchiveError('INVALID_INPUT', `invalid top ${top}: expected 0–1000`);
    const timeZone = q.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    this.current();

    // Rates per model and band, in units per token; undefined: unpriced.
    const rates = this.models.map((model) => {
      const price = model ? priceOf(prices, model) : undefined;
      if (!price) return undefined;
      return [0, ...BANDS].map((b, i) => {
        const r = ratesFor(price, i === 0 ? 0 : b + 1);
        return [
          units(r.input),
          units(r.output),
          units(r.reasoning ?? r.output),
          units(r.cacheRead ?? r.input),
          units(r.cacheWrite ?? r.input),
        ];
      });
    });
    const fromBucket = q.since === undefined ? Number.NEGATIVE_INFINITY : Math.floor(q.since / BUCKET_MS);
    const toBucket = q.until === undefined ? Number.POSITIVE_INFINITY : Math.ceil(q.until / BUCKET_MS);
    const projects = q.projects ? new Set(q.projects) : undefined;
    const agents = q.agents ? new Set(q.agents) : undefined;

    // The selection's first and last bucket, for the day numbers.
    const chosen: Array<[string, SessionRows]> = [];
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const entry of this.sessions) {
      const s = entry[1];
      if ((projects && !projects.has(s.project)) || (agents && !agents.has(s.agent))) continue;
      chosen.push(entry);
      for (let o = 0; o < s.rows.length; o += WIDTH) {
        const b = s.rows[o + BUCKET] as number;
        if (b < fromBucket || b >= toBucket) continue;
        if (b < first) first = b;
        if (b > last) last = b;
      }
    }
    const dayOf = Number.isFinite(first) ? localDays(timeZone, first, last) : () => 0;
    const dayKeys = new Map<number, number>();
    const day = (bucket: number) => {
      let d = dayKeys.get(bucket);
      if (d === undefined) {
        d = dayOf(bucket);
        dayKeys.set(bucket, d);
      }
      return d;
    };
    // Keys made once per day and reused: a pass over 300,000 rows makes no date string per row.
    const cached = (make: (d: number) => string) => {
      const seen = new Map<number, string>();
      return (d: number) => {
        let v = seen.get(d);
        if (v === undefined) {
          v = make(d);
          seen.set(d, v);
        }
        return v;
      };
    };
    const dayKey = cached(dateOf);
    const weekKey = cached((d) => dateOf(d - ((((d + 3) % 7) + 7) % 7)));
    const monthKey = cached((d) => dateOf(d).slice(0, 7));
    const keyPart = (d: Dimension, localDay: number, s: SessionRows, id: string, model: number): string => {
      switch (d) {
        case 'day':
          return dayKey(localDay);
        case 'week':
          return weekKey(localDay);
        case 'month':
          return monthKey(localDay);
        case 'session':
          return id;
        case 'project':
          return s.project;
        case 'model':
          return this.models[model] ?? '';
        case 'agent':
          return s.agent;
      }
    };
    const needsDay = (q.tables ?? []).some((t) => t.some((d) => d === 'day' || d === 'week' || d === 'month'));
    const acc = new Accumulator();
    const tables = (q.tables ?? []).map((dims) => ({ dims, groups: new Map<string, number>() }));
    const total = acc.slot();
    /** Each chosen session's slot (-1: no row in the range). */
    const sessionSlots = new Int32Array(chosen.length).fill(-1);
    const unpricedModels = new Map<number, number>();
    for (let index = 0; index < chosen.length; index++) {
      const [id, s] = chosen[index] as [string, SessionRows];
      const r = s.rows;
      for (let o = 0; o < r.length; o += WIDTH) {
        const b = r[o + BUCKET] as number;
        if (b < fromBucket || b >= toBucket) continue;
        const model = r[o + MODEL] as number;
        const own = r[o + OWN] === 1;
        const rate = own ? undefined : rates[model]?.[r[o + BAND] as number];
        const estimate = rate
          ? (r[o + T_IN] as number) * (rate[0] as number) +
            (r[o + T_OUT] as number) * (rate[1] as number) +
            (r[o + T_REASON] as number) * (rate[2] as number) +
            (r[o + T_CR] as number) * (rate[3] as number) +
            (r[o + T_CW] as number) * (rate[4] as number)
          : 0;
        const unpriced = !own && !rate && this.models[model] !== '';
        acc.add(total, r, o, index, estimate, unpriced);
        if (sessionSlots[index] === -1) sessionSlots[index] = acc.slot();
        acc.add(sessionSlots[index] as number, r, o, index, estimate, unpriced);
        if (unpriced) {
          let u = unpricedModels.get(model);
          if (u === undefined) {
            u = acc.slot();
            unpricedModels.set(model, u);
          }
          acc.add(u, r, o, index, estimate, unpriced);
        }
        const localDay = needsDay ? day(b) : 0;
        for (const t of tables) {
          let joined = '';
          for (let i = 0; i < t.dims.length; i++) {
            const v = keyPart(t.dims[i] as Dimension, localDay, s, id, model);
            joined = i === 0 ? v : `${joined}\u0000${v}`;
          }
          let g = t.groups.get(joined);
          if (g === undefined) {
            g = acc.slot();
            t.groups.set(joined, g);
          }
          acc.add(g, r, o, index, estimate, unpriced);
        }
      }
    }
    const facts = (s: SessionRows) => ({ title: s.title, projectID: s.project, agent: s.agent, directory: s.directory });
    const byKey = (a: { key: string[] }, b: { key: string[] }) => {
      for (let i = 0; i < a.key.length; i++) {
        const x = a.key[i] as string;
        const y = b.key[i] as string;
        if (x !== y) return x < y ? -1 : 1;
      }
      return 0;
    };
    const out: Record<string, UsageRow[]> = {};
    for (const t of tables) {
      const at = t.dims.indexOf('session');
      out[t.dims.join(',')] = [...t.groups]
        .map(([joined, slot]) => ({ key: joined.split('\u0000'), slot }))
        .sort(byKey)
        .map(({ key, slot }) => {
          const row: UsageRow = { key, figures: acc.figures(slot) };
          const s = at < 0 ? undefined : this.sessions.get(key[at] as string);
          if (s) row.session = facts(s);
          return row;
        });
    }
    // The heaviest: sessions ranked by cost, then tokens, then ID, over numbers in typed arrays (100,000 in a few ms).
    const ranked: number[] = [];
    if (top > 0) for (let i = 0; i < chosen.length; i++) if ((sessionSlots[i] as number) >= 0) ranked.push(i);
    const costs = new Float64Array(ranked.length);
    const tokens = new Float64Array(ranked.length);
    ranked.forEach((i, k) => {
      const [c, t] = acc.weight(sessionSlots[i] as number);
      costs[k] = c;
      tokens[k] = t;
    });
    const idAt = (k: number) => (chosen[ranked[k] as number] as [string, SessionRows])[0];
    const order = Uint32Array.from(ranked.keys()).sort(
      (x, y) =>
        (costs[y] as number) - (costs[x] as number) || (tokens[y] as number) - (tokens[x] as number) || (idAt(x) < idAt(y) ? -1 : 1),
    );
    const heaviest = [...order.subarray(0, top)].map((k) => {
      const i = ranked[k] as number;
      const [id, s] = chosen[i] as [string, SessionRows];
      return { key: [id], figures: acc.figures(sessionSlots[i] as number), session: facts(s) };
    });
    const unpriced = [...unpricedModels]
      .map(([model, slot]) => ({ model: this.models[model] ?? '', ...acc.unpriced(slot) }))
      .sort((a, b) => b.tokens - a.tokens || (a.model < b.model ? -1 : 1));
    const result: UsageResult = {
      prices: { date: prices.date, source: prices.source },
      timeZone,
      total: acc.figures(total),
      tables: out,
      heaviest,
      unpriced,
    };
    if (Number.isFinite(first)) result.span = { first: first * BUCKET_MS, last: last * BUCKET_MS + BUCKET_MS - 1 };
    return result;
  }
}
