import { createRequire } from 'node:module';
import { ArchiveError } from '../../errors.js';
import type { Project } from '../../model/project.js';
import { expandHome } from '../../store/locate.js';
import type { OrderedSummaries } from './snapshot.js';
import type { SessionSummary } from './summary.js';

/** OpenCode's `GET /session` filters. */
export interface ListQuery {
  /** Sessions in this folder or below it. */
  directory?: string;
  /** Only sessions without a parent. */
  roots?: boolean;
  /** Only sessions updated at or after this time (epoch ms). */
  start?: number;
  /** Case-insensitive substring of the title. */
  search?: string;
  /** At most this many. */
  limit?: number;
  /** Only this project. */
  project?: string;
  /** Only this workspace. */
  workspace?: string;
  /** Sessions whose `info.json` is broken too, as {@link HistoryQuery.invalid}. @default false */
  invalid?: boolean;
}

/** The global history's filters and paging. */
export interface HistoryQuery {
  /** Page size. @default 50 */
  limit?: number;
  /** From a previous page's `nextCursor`. */
  cursor?: string;
  search?: string;
  roots?: boolean;
  /** Archived sessions: left out (default), included, or only they. */
  archived?: 'exclude' | 'include' | 'only';
  /** A folder or glob (`~` expanded); a folder matches its sub-folders too. */
  directory?: string;
  project?: string;
  /** Only this workspace. */
  workspace?: string;
  /** Only sessions from this agent (`metadata.source`: "claude-code", "codex", …; "archive" for sessions made here). */
  agent?: string;
  /** Only sessions updated at or after this time (epoch ms). */
  start?: number;
  /**
   * Sessions whose `info.json` is broken (`valid: false`, with `error`), so
   * that a person sees them: their project and folder are unknown, so every
   * filter but `search` lets them through. @default false
   */
  invalid?: boolean;
}

/** A history row: the summary with its project's `{id, name?, worktree}` (null when unknown). */
export type HistoryItem = SessionSummary & { project: { id: string; name?: string; worktree: string } | null };

/** picomatch, loaded by the first folder filter: a listing without one (`sarc list`) does without it. */
let matcherLibrary: typeof import('picomatch') | undefined;
const picomatch = () => (matcherLibrary ??= createRequire(import.meta.url)('picomatch') as typeof import('picomatch'));

/** Matches a session directory against a folder or glob, `~` expanded; a folder includes its sub-folders. */
export function directoryMatcher(pattern: string): (dir: string) => boolean {
  const expanded = expandHome(pattern);
  const base = expanded.length > 1 ? expanded.replace(/\/+$/, '') : expanded;
  if (!picomatch().scan(base).isGlob) return (dir) => dir === base || dir.startsWith(base === '/' ? '/' : `${base}/`);
  const exact = picomatch()(base, { dot: true });
  const below = picomatch()(`${base}/**`, { dot: true });
  return (dir) => exact(dir) || below(dir);
}

type Filter = (s: SessionSummary) => boolean;

function filters(q: {
  directory?: string;
  roots?: boolean;
  search?: string;
  project?: string;
  workspace?: string;
  agent?: string;
  start?: number;
}): Filter[] {
  const out: Filter[] = [(s) => s.valid];
  if (q.directory !== undefined) {
    const match = directoryMatcher(q.directory);
    out.push((s) => match(s.directory));
  }
  if (q.roots) out.push((s) => s.parentID === undefined);
  if (q.search) {
    const needle = q.search.toLowerCase();
    out.push((s) => s.title.toLowerCase().includes(needle));
  }
  if (q.project !== undefined) out.push((s) => s.projectID === q.project);
  if (q.workspace !== undefined) out.push((s) => s.workspaceID === q.workspace);
  if (q.agent !== undefined) out.push((s) => s.source === q.agent);
  if (q.start !== undefined) {
    const start = q.start;
    out.push((s) => s.time.updated >= start);
  }
  return out;
}

function checkLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1) throw new ArchiveError('INVALID_INPUT', `invalid limit ${limit}: expected a whole number ≥ 1`);
  return limit;
}

/** `items` sorted by time.updated desc (an array or a sorted list), filtered, up to `limit`. */
export function list(
  items: { readonly length: number; at(index: number): SessionSummary | undefined },
  query: ListQuery,
): SessionSummary[] {
  const limit = checkLimit(query.limit, Number.POSITIVE_INFINITY);
  const tests = filters(query);
  // A broken session's project and folder are unknown: every filter but the title's lets it through.
  const showInvalid = query.invalid === true && !query.search;
  const out: SessionSummary[] = [];
  for (let i = 0; i < items.length; i++) {
    const s = items.at(i) as SessionSummary;
    if (s.valid ? tests.every((t) => t(s)) : showInvalid) {
      out.push(s);
      if (out.length >= limit) break;
    }
  }
  return out;
}

/** Cursor: where the previous page ended, as (created, id) of its last row. */
function encodeCursor(s: SessionSummary): string {
  return Buffer.from(JSON.stringify([s.time.created, s.id])).toString('base64url');
}

function decodeCursor(cursor: string): SessionSummary {
  try {
    const [created, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof created === 'number' && typeof id === 'string') {
      return { id, title: '', slug: '', projectID: '', directory: '', time: { created, updated: 0 }, valid: true };
    }
  } catch {
    // fall through to the error below
  }
  throw new ArchiveError('INVALID_INPUT', `invalid cursor ${JSON.stringify(cursor.slice(0, 80))}: pass the nextCursor of a previous page`);
}

/**
 * The global history, newest created first. Paging is by (created, id), which
 * no update changes, so a cursor never skips or repeats a session that existed
 * when paging began, however sessions are updated between pages.
 */
export function history(
  created: OrderedSummaries,
  projects: ReadonlyMap<string, Project>,
  query: HistoryQuery,
): { items: HistoryItem[]; nextCursor?: string } {
  const limit = checkLimit(query.limit, 50);
  const archived = query.archived ?? 'exclude';
  if (!['exclude', 'include', 'only'].includes(archived)) {
    throw new ArchiveError('INVALID_INPUT', `invalid archived ${JSON.stringify(archived)}: expected exclude, include or only`);
  }
  const valid = filters(query);
  if (archived === 'exclude') valid.push((s) => s.time.archived === undefined);
  if (archived === 'only') valid.push((s) => s.time.archived !== undefined);
  const showInvalid = query.invalid === true && !query.search && archived !== 'only';
  const tests = [(s: SessionSummary) => (s.valid ? valid.every((t) => t(s)) : showInvalid)];
  let at = 0;
  if (query.cursor !== undefined) {
    const after = decodeCursor(query.cursor);
    at = created.lowerBound(after);
    if (created.at(at)?.id === after.id) at++;
  }
  const items: HistoryItem[] = [];
  let last: SessionSummary | undefined;
  for (; at < created.length; at++) {
    const s = created.at(at) as SessionSummary;
    if (!tests.every((t) => t(s))) continue;
    if (items.length === limit) return { items, nextCursor: last ? encodeCursor(last) : undefined };
    const p = projects.get(s.projectID);
    items.push({ ...s, project: p ? { id: p.id, ...(p.name ? { name: p.name } : {}), worktree: p.worktree } : null });
    last = s;
  }
  return { items };
}
