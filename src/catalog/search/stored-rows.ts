import type { SqlStatement } from '../../store/sqlite.js';
import type { FileStamp } from '../index/index.js';
import { PER_SESSION, putLine, type StoredStamps } from './saved-stamps.js';

/**
 * The search index's session table read back: the stamps it stored of each
 * session's files, as a check of every session compares them with the files.
 */

/** A prepared statement of the search index, cached by its text. */
export type Sql = (text: string) => SqlStatement;

/** A session's stored stamps, each as {@link stampOf} writes it ('' when the path had none). */
export interface SessionRow {
  info: string;
  todos: string;
  messages: string;
}

/** A file's stamp as the session table keeps it: `mtime:size`, '' when it is missing. */
export const stampOf = (s: FileStamp | undefined): string => (s ? `${s.mtimeMs}:${s.size}` : '');
const rowOf = (joined: string): SessionRow => {
  const [info = '', todos = '', messages = ''] = joined.split('\t');
  return { info, todos, messages };
};
/** The stored row the i-th session's numbers stand for (as {@link stampOf} writes each stamp); undefined when it has none. */
export function rowAt(stored: StoredStamps, i: number): SessionRow | undefined {
  const n = stored.numbers;
  const o = i * PER_SESSION;
  if (Number.isNaN(n[o])) return undefined;
  const stamp = (k: number) => stampOf(Number.isNaN(n[o + k]) ? undefined : { mtimeMs: n[o + k] as number, size: n[o + k + 1] as number });
  return { info: stamp(0), todos: stamp(2), messages: stamp(4) };
}
export const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * The stored stamps of every session (in ID order), or of those of `ids`
 * (in that order): the rows read as a few long strings of lines, 20,000
 * each, because at 100,000 sessions a row object each cost three times as
 * long (~0.4 s against ~0.1 s).
 */
export function storedStamps(sql: Sql, ids?: readonly string[]): StoredStamps {
  const lines = new Map<string, string>();
  for (const text of storedText(sql, 'id || char(9) || info_stamp || char(9) || todos_stamp || char(9) || messages_stamp', ids)) {
    for (let at = 0; at < text.length; ) {
      const newline = text.indexOf('\n', at);
      const end = newline < 0 ? text.length : newline;
      const tab = text.indexOf('\t', at);
      lines.set(text.slice(at, tab), text.slice(tab + 1, end));
      at = end + 1;
    }
  }
  const order = ids ?? [...lines.keys()];
  const numbers = new Float64Array(order.length * PER_SESSION);
  for (let i = 0; i < order.length; i++) putLine(numbers, i, lines.get(order[i] as string));
  return { ids: order, numbers };
}

/** Every stored session's ID (read as {@link storedStamps} reads). */
export function storedIds(sql: Sql): string[] {
  const out: string[] = [];
  for (const text of storedText(sql, 'id')) for (const id of text.split('\n')) out.push(id);
  return out;
}

/**
 * `line` (an SQL expression over a session row, without newlines) of every
 * stored session, or of those of `ids`, as a few long strings of lines:
 * 20,000 rows each in ID order, or one string for `ids`, looked up in one
 * query rather than one each (a periodic round's 10,000: ~25 ms against ~45).
 */
function* storedText(sql: Sql, line: string, ids?: readonly string[]): Generator<string> {
  if (ids) {
    const text = sql(`SELECT group_concat(${line}, char(10)) AS text FROM session WHERE id IN (SELECT value FROM json_each(?))`).get(
      JSON.stringify(ids),
    )?.text;
    if (typeof text === 'string' && text !== '') yield text;
    return;
  }
  const chunk = sql(
    `SELECT group_concat(line, char(10)) AS text, max(id) AS last FROM (SELECT id, ${line} AS line FROM session WHERE id > ? ORDER BY id LIMIT 20000)`,
  );
  for (let after = ''; ; ) {
    const r = chunk.get(after);
    const text = r?.text;
    if (typeof text !== 'string' || text === '') return;
    yield text;
    after = String(r?.last);
  }
}

/** One stored session's stamps. */
export function storedRow(sql: Sql, id: string): SessionRow | undefined {
  const r = sql('SELECT info_stamp || char(9) || todos_stamp || char(9) || messages_stamp AS line FROM session WHERE id = ?').get(id);
  return r === undefined ? undefined : rowOf(str(r.line));
}
