import type { Session } from '../../model/session.js';
import { VERSION } from '../../version.js';

/** Where a session resumed in an agent came from (set by sync on the continuation of a session `sarc resume` wrote out). */
export function resumedFromOf(info: { metadata?: unknown }): { session: string; at: number } | undefined {
  const metadata = info.metadata && typeof info.metadata === 'object' ? (info.metadata as Record<string, unknown>) : {};
  const r = metadata.resumedFrom as { session?: unknown; at?: unknown } | undefined;
  return r && typeof r.session === 'string' && typeof r.at === 'number' ? { session: r.session, at: r.at } : undefined;
}

/** The agent a session came from: its `metadata.source`; else made here ("archive", this version wrote it) or by OpenCode, whose model it is. */
export function sessionAgent(info: { metadata?: unknown; version?: unknown }): string {
  const metadata = info.metadata && typeof info.metadata === 'object' ? (info.metadata as Record<string, unknown>) : {};
  if (typeof metadata.source === 'string' && metadata.source) return metadata.source;
  return info.version === VERSION ? 'archive' : 'opencode';
}

/** What the index keeps of a session: enough to list, filter and page without reading files. */
export interface SessionSummary {
  id: string;
  title: string;
  slug: string;
  projectID: string;
  workspaceID?: string;
  directory: string;
  parentID?: string;
  forkedFrom?: { sessionID: string; messageID?: string };
  time: { created: number; updated: number; archived?: number };
  /** The share URL, when shared. */
  share?: string;
  /** The agent it came from (see {@link sessionAgent}: "claude-code", "codex", …, "opencode", or "archive" when made here). */
  source?: string;
  /** False when `info.json` cannot be used; `error` says why (path, line:column or field). */
  valid: boolean;
  error?: string;
}

/** The identity of an `info.json` as last read: re-read only when it changes. */
export interface FileStamp {
  mtimeMs: number;
  size: number;
}

/** One session in the index: its summary and the stamp of the `info.json` it was read from. */
export interface SummaryEntry {
  summary: SessionSummary;
  stamp: FileStamp;
}

export function summarize(info: Session): SessionSummary {
  const s: SessionSummary = {
    id: info.id,
    title: info.title,
    slug: info.slug,
    projectID: info.projectID,
    directory: info.directory,
    time: { created: info.time.created, updated: info.time.updated },
    valid: true,
  };
  if (info.workspaceID !== undefined) s.workspaceID = info.workspaceID;
  if (info.parentID !== undefined) s.parentID = info.parentID;
  if (info.forkedFrom !== undefined) {
    s.forkedFrom =
      info.forkedFrom.messageID === undefined
        ? { sessionID: info.forkedFrom.sessionID }
        : { sessionID: info.forkedFrom.sessionID, messageID: info.forkedFrom.messageID };
  }
  if (info.time.archived !== undefined) s.time.archived = info.time.archived;
  if (info.share?.url !== undefined) s.share = info.share.url;
  s.source = sessionAgent(info);
  return s;
}

/** A session folder whose `info.json` is broken: listed as invalid, sorted by its folder's age. */
export function invalidSummary(id: string, error: string, mtimeMs: number): SessionSummary {
  const t = Math.floor(mtimeMs);
  return { id, title: '', slug: '', projectID: '', directory: '', time: { created: t, updated: t }, valid: false, error };
}

/** Listing order: most recently updated first, then by ID. */
export function byUpdated(a: SessionSummary, b: SessionSummary): number {
  return b.time.updated - a.time.updated || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** History order: newest created first, then by ID. Stable under updates, so cursors never skip or repeat. */
export function byCreated(a: SessionSummary, b: SessionSummary): number {
  return b.time.created - a.time.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The summary as a compact tuple for the snapshot file. */
export type SummaryRow = [
  id: string,
  title: string,
  slug: string,
  projectID: string,
  directory: string,
  created: number,
  updated: number,
  archived: number | null,
  parentID: string | null,
  forkedSession: string | null,
  forkedMessage: string | null,
  share: string | null,
  workspaceID: string | null,
  error: string | null,
  mtimeMs: number,
  size: number,
  source: string | null,
];

export function toRow(s: SessionSummary, stamp: FileStamp): SummaryRow {
  return [
    s.id,
    s.title,
    s.slug,
    s.projectID,
    s.directory,
    s.time.created,
    s.time.updated,
    s.time.archived ?? null,
    s.parentID ?? null,
    s.forkedFrom?.sessionID ?? null,
    s.forkedFrom?.messageID ?? null,
    s.share ?? null,
    s.workspaceID ?? null,
    s.valid ? null : (s.error ?? 'invalid'),
    stamp.mtimeMs,
    stamp.size,
    s.source ?? null,
  ];
}

/**
 * A summary from a snapshot row. `intern` shares one copy of strings many
 * sessions repeat (project, directory, slug): at 100k sessions that is
 * megabytes of duplicate strings.
 */
export function fromRow(row: SummaryRow, intern?: Map<string, string>): { summary: SessionSummary; stamp: FileStamp } {
  const [
    id,
    title,
    slug,
    projectID,
    directory,
    created,
    updated,
    archived,
    parentID,
    forkedSession,
    forkedMessage,
    share,
    workspaceID,
    error,
    mtimeMs,
    size,
    source,
  ] = row;
  const shared = (v: string) => {
    if (!intern) return v;
    const found = intern.get(v);
    if (found !== undefined) return found;
    intern.set(v, v);
    return v;
  };
  const s: SessionSummary = {
    id,
    title,
    slug: shared(slug),
    projectID: shared(projectID),
    directory: shared(directory),
    time: { created, updated },
    valid: error === null,
  };
  if (archived !== null) s.time.archived = archived;
  if (parentID !== null) s.parentID = parentID;
  if (forkedSession !== null)
    s.forkedFrom = forkedMessage === null ? { sessionID: forkedSession } : { sessionID: forkedSession, messageID: forkedMessage };
  if (share !== null) s.share = share;
  if (workspaceID !== null) s.workspaceID = workspaceID;
  if (error !== null) s.error = error;
  if (source !== null && source !== undefined) s.source = shared(source);
  return { summary: s, stamp: { mtimeMs, size } };
}

/**
 * How a search groups its hits: by session, a fork's messages from before it
 * was made (copies of its source's) under its source, followed back as far as
 * the sources are known.
 */
export function forkGrouping(lookup: (id: string) => SessionSummary | undefined): (sessionID: string, time: number) => string {
  return (id, time) => {
    let at = id;
    for (let hops = 0; hops < 32; hops++) {
      const s = lookup(at);
      if (!s?.forkedFrom || time >= s.time.created || !lookup(s.forkedFrom.sessionID)) return at;
      at = s.forkedFrom.sessionID;
    }
    return at;
  };
}
