import { ArchiveError } from '../../errors.js';
import type { SqlStatement } from '../../store/sqlite.js';
import { directoryMatcher } from '../index/index.js';
import { ftsQuery, parseSearch } from './search-query.js';
import type { GroupedSearchResult, SearchGroup, SearchHit, SearchQuery, SearchResult } from './search-types.js';

/** A grouped search groups at most this many of the best matches… */
const GROUP_CANDIDATES = 2_000;
/** …and shows this many hits of a group besides its best. */
const GROUP_SHOWN = 2;
/** What every search joins: the text, its row and its session. */
const SEARCH_FROM = 'FROM fts JOIN doc d ON d.rowid = fts.rowid JOIN session s ON s.id = d.session';

function checkPage(limit: number, offset: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    throw new ArchiveError('INVALID_INPUT', `invalid limit ${limit}: expected 1–500`);
  if (!Number.isInteger(offset) || offset < 0)
    throw new ArchiveError('INVALID_INPUT', `invalid offset ${offset}: expected a whole number ≥ 0`);
}

/** A search whose words match more rows than this ranks the newest this many by relevance (bm25 costs ~5 µs a row: 1,000 is ~5 ms). */
const RANKED = 1_000;
const OPEN = '\u0002';
const CLOSE = '\u0003';

/** A snippet with its markers turned into offsets, on one line. */
function marked(snippet: string): { snippet: string; marks: Array<[number, number]> } {
  const marks: Array<[number, number]> = [];
  let out = '';
  let start = -1;
  for (const ch of snippet.replace(/\s+/g, ' ').trim()) {
    if (ch === OPEN) start = out.length;
    else if (ch === CLOSE) {
      if (start >= 0 && out.length > start) marks.push([start, out.length]);
      start = -1;
    } else out += ch;
  }
  return { snippet: out, marks };
}

/** Row IDs per millisecond: a message's rowid is its creation time × SLOTS plus a free slot, so a time range is a rowid range. */
export const SLOTS = 1024;

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * A rowid written into the SQL: FTS5 ignores a rowid constraint bound as a
 * JavaScript number (bound as REAL), so it goes in as an integer literal.
 */
export function rowidLiteral(value: unknown): string {
  if (typeof value !== 'number' && typeof value !== 'bigint') throw new Error(`not a rowid: ${String(value)}`);
  const n = BigInt(value);
  return n.toString();
}

/** The questions the search index answers (ranked hits, hits grouped per session), over its statements. */
export class SearchAnswers {
  private directoryList: string[] | undefined;
  private directoryVersion = -1;

  constructor(
    /** A statement kept for reuse (the same text each time). */
    private readonly sql: (text: string) => SqlStatement,
    /** A statement made once (a text with a literal in it). */
    private readonly prepare: (text: string) => SqlStatement,
  ) {}

  /** The folder list is read again at the next question (a session row changed). */
  forgetFolders(): void {
    this.directoryList = undefined;
  }

  /** True when a project or a set of folders holds a tenth of the sessions or less. */
  private narrow(project: string | undefined, folders: string | undefined): boolean {
    if (project === undefined && folders === undefined) return false;
    const where: string[] = [];
    const params: unknown[] = [];
    if (project !== undefined) {
      where.push('project = ?');
      params.push(project);
    }
    if (folders !== undefined) {
      where.push('directory IN (SELECT value FROM json_each(?))');
      params.push(folders);
    }
    const part = num(this.sql(`SELECT count(*) AS n FROM session WHERE ${where.join(' AND ')}`).get(...params)?.n);
    const all = num(this.sql('SELECT count(*) AS n FROM session').get()?.n);
    return part * 10 <= all;
  }

  /**
   * Every session folder indexed (distinct), kept until a session row changes
   * here or another process commits to the file (`PRAGMA data_version`).
   */
  private directories(): string[] {
    const version = num(this.sql('PRAGMA data_version').get()?.data_version);
    if (version !== this.directoryVersion) this.directoryList = undefined;
    this.directoryVersion = version;
    this.directoryList ??= this.sql('SELECT DISTINCT directory FROM session')
      .all()
      .map((r) => str(r.directory));
    return this.directoryList;
  }

  /** What a search asks SQL: the FTS match, the conditions and their parameters, and whether only the newest matches are ranked. */
  private plan(q: SearchQuery): { match: string; where: string[]; params: unknown[]; rankedAmong?: number } {
    const match = ftsQuery(parseSearch(q.query));
    const where = ['fts MATCH ?'];
    const params: unknown[] = [match];
    for (const [value, condition] of [
      [q.project, 's.project = ?'],
      [q.agent, 's.source = ?'],
      [q.role, 'd.role = ?'],
    ] as const) {
      if (value === undefined) continue;
      where.push(condition);
      params.push(value);
    }
    // A time range is a rowid range (rowids are times): FTS5 walks only that part of its index.
    if (q.from !== undefined) where.push(`fts.rowid >= ${rowidLiteral(Math.max(0, Math.ceil(q.from)) * SLOTS)}`);
    if (q.to !== undefined) where.push(`fts.rowid < ${rowidLiteral(Math.max(0, Math.ceil(q.to)) * SLOTS)}`);
    const archived = q.archived ?? 'include';
    if (archived !== 'include') where.push(archived === 'only' ? 's.archived = 1' : 's.archived = 0');
    let folders: string | undefined;
    if (q.directory !== undefined) {
      // The glob is matched here against each folder once, and SQL gets the folders that match.
      const matches = directoryMatcher(q.directory);
      folders = JSON.stringify(this.directories().filter(matches));
      where.push('s.directory IN (SELECT value FROM json_each(?))');
      params.push(folders);
    }
    // The newest RANKED + 1 matches, in rowid (= time) order: cheap, as FTS5 walks its index in that order —
    // unless the project or folder leaves a tenth of the sessions or less: then walking to find them costs
    // more than ranking what passes.
    const narrow = this.narrow(q.project, folders);
    // Without a filter on the session or the role, the walk needs no join (a row whose session is not there yet only lowers the floor).
    const joined = params.length > 1 || archived !== 'include';
    const newest = narrow
      ? []
      : this.sql(
          `SELECT fts.rowid AS r ${joined ? SEARCH_FROM : 'FROM fts'} WHERE ${where.join(' AND ')} ORDER BY fts.rowid DESC LIMIT ${RANKED + 1}`,
        ).all(...params);
    if (newest.length <= RANKED) return { match, where, params };
    where.push(`fts.rowid >= ${rowidLiteral(newest[RANKED - 1]?.r)}`);
    return { match, where, params, rankedAmong: RANKED };
  }

  /** The hit at a row of the index, with its snippet (a snippet tokenizes its text again: asked for the rows shown only). */
  private hitAt(rowid: unknown, match: string): SearchHit | undefined {
    const r = this.prepare(`SELECT d.session, d.message, d.role, d.created, s.title, s.directory, s.project, s.archived,
        snippet(fts, 0, '${OPEN}', '${CLOSE}', '…', 24) AS in_title,
        snippet(fts, 1, '${OPEN}', '${CLOSE}', '…', 24) AS in_body
      ${SEARCH_FROM} WHERE fts MATCH ? AND fts.rowid = ${rowidLiteral(rowid)}`).get(match);
    if (!r) return undefined;
    const message = str(r.message);
    const titleHit = !message && str(r.in_title).includes(OPEN);
    const { snippet, marks } = marked(str(titleHit ? r.in_title : r.in_body));
    return {
      sessionID: str(r.session),
      ...(message ? { messageID: message, role: r.role as 'user' | 'assistant' } : {}),
      field: message ? 'message' : titleHit ? 'title' : 'todos',
      title: str(r.title),
      directory: str(r.directory),
      projectID: str(r.project),
      archived: num(r.archived) === 1,
      time: num(r.created),
      snippet,
      marks,
    };
  }

  /** Searches titles, todos and messages (see {@link SearchQuery}); ranked by relevance, then the newest first. */
  search(q: SearchQuery): SearchResult {
    const limit = q.limit ?? 20;
    const offset = q.offset ?? 0;
    checkPage(limit, offset);
    const { match, where, params, rankedAmong } = this.plan(q);
    // Ranked first with nothing but the rowid, then snippets for the page only.
    const ranked = this.sql(
      `SELECT fts.rowid AS r ${SEARCH_FROM} WHERE ${where.join(' AND ')} ORDER BY round(rank, 1), fts.rowid DESC LIMIT ? OFFSET ?`,
    ).all(...params, limit + 1, offset);
    const hits = ranked.map((r) => this.hitAt(r.r, match)).filter((h) => h !== undefined);
    const more = hits.length > limit;
    return { hits: hits.slice(0, limit), more, ...(rankedAmong ? { rankedAmong } : {}) };
  }

  /**
   * Searches as {@link search} does, with the hits grouped: one group per
   * session (`groupOf` may fold a session into another — a fork's copied
   * messages into its source), the groups in the order of their best hit;
   * `limit` and `offset` count groups. The best {@link GROUP_CANDIDATES}
   * matches are grouped; past them, counts are "at least".
   */
  searchGroups(q: SearchQuery, groupOf: (sessionID: string, time: number) => string = (id) => id): GroupedSearchResult {
    const limit = q.limit ?? 20;
    const offset = q.offset ?? 0;
    checkPage(limit, offset);
    const { match, where, params, rankedAmong } = this.plan(q);
    const ranked = this.sql(
      `SELECT fts.rowid AS r, d.session AS s, d.created AS t ${SEARCH_FROM} WHERE ${where.join(' AND ')} ORDER BY round(rank, 1), fts.rowid DESC LIMIT ${GROUP_CANDIDATES + 1}`,
    ).all(...params);
    const capped = ranked.length > GROUP_CANDIDATES;
    const groups = new Map<string, { rows: unknown[]; sessions: Set<string>; count: number }>();
    for (const r of ranked.slice(0, GROUP_CANDIDATES)) {
      const session = str(r.s);
      const key = groupOf(session, num(r.t));
      let g = groups.get(key);
      if (!g) {
        g = { rows: [], sessions: new Set(), count: 0 };
        groups.set(key, g);
      }
      g.count++;
      g.sessions.add(session);
      if (g.rows.length < 1 + GROUP_SHOWN) g.rows.push(r.r);
    }
    const page = [...groups.entries()].slice(offset, offset + limit);
    const out: SearchGroup[] = [];
    for (const [key, g] of page) {
      const hits = g.rows.map((r) => this.hitAt(r, match)).filter((h) => h !== undefined);
      const best = hits[0];
      if (!best) continue;
      out.push({ sessionID: key, best, others: hits.slice(1), count: g.count, sessions: [...g.sessions] });
    }
    return {
      groups: out,
      more: groups.size > offset + limit || capped,
      ...(capped ? { capped: true } : {}),
      ...(rankedAmong ? { rankedAmong } : {}),
    };
  }
}
