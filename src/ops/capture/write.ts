import { mkdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { isArchiveError } from '../../errors.js';
import { messageFile } from '../../model/message.js';
import { type Session, sessionInfo } from '../../model/session.js';
import { todoList } from '../../model/todo.js';
import type { OnProgress } from '../../progress.js';
import type { Archive } from '../../store/archive.js';
import { writeFileAtomic } from '../../store/atomic-write.js';
import { validate } from '../../store/json-file.js';
import type { ConvertedSession } from './convert.js';
import type { SyncSourceName } from './sources.js';

// Writing what a sync brought: a new session whole and atomically, an
// existing one only where it changed.

export { SYNC_SOURCES, type SyncSourceName } from './sources.js';

export interface SyncOptions {
  /** The folder (or, for OpenCode, the database) to read; default: the agent's own (~/.claude/projects, ~/.codex/sessions, ~/.local/share/opencode/opencode.db). */
  from?: string;
  /** Count what would change, write nothing. */
  dryRun?: boolean;
  /** Re-read every transcript, changed or not. */
  all?: boolean;
  /** Transcripts read of those changed. */
  onProgress?: OnProgress;
}

export interface SyncResult {
  source: SyncSourceName;
  from: string;
  dryRun: boolean;
  /** Transcripts found, read (changed since the last run) and skipped (unchanged). */
  files: { found: number; read: number; skipped: number };
  sessions: { new: number; updated: number; unchanged: number; failed: number };
  /** Each failure with its reason (a transcript that could not be read, a session that could not be written). */
  failures: Array<{ file: string; session?: string; reason: string }>;
  records: number;
  /** Lines that were not JSON (a last line still being written is taken on the next run). */
  malformed: number;
  /** Records and blocks of types this version does not convert, by type; kept under the session's metadata. */
  unknown: Record<string, number>;
}

/** A result with nothing counted yet. */
export function newSyncResult(source: SyncSourceName, from: string, dryRun: boolean): SyncResult {
  return {
    source,
    from,
    dryRun,
    files: { found: 0, read: 0, skipped: 0 },
    sessions: { new: 0, updated: 0, unchanged: 0, failed: 0 },
    failures: [],
    records: 0,
    malformed: 0,
    unknown: {},
  };
}

/** What a source's last run recorded (state dir `sync/<source>.json`), or `empty` when there is none. */
export async function readSyncState<T extends object>(archive: Archive, source: SyncSourceName, empty: T): Promise<T> {
  try {
    return { ...empty, ...(JSON.parse(await readFile(join(archive.stateDir, 'sync', `${source}.json`), 'utf8')) as Partial<T>) };
  } catch {
    return empty;
  }
}

/** Records what a source's run read, for the next run. */
export async function writeSyncState(archive: Archive, source: SyncSourceName, state: object): Promise<void> {
  await mkdir(join(archive.stateDir, 'sync'), { recursive: true });
  await writeFileAtomic(join(archive.stateDir, 'sync', `${source}.json`), `${JSON.stringify(state)}\n`);
}

/** The session info a converted session is written with (a new one), or updated to (an existing one). */
async function infoFor(archive: Archive, c: ConvertedSession, existing: Session | undefined): Promise<Session> {
  if (existing) {
    return validate(
      sessionInfo,
      {
        ...existing,
        title: c.title,
        metadata: { ...(existing.metadata ?? {}), ...c.metadata },
        time: { ...existing.time, updated: Math.max(existing.time.updated, c.updated) },
      },
      `invalid session ${c.id}`,
      'INVALID_INPUT',
    );
  }
  const project = await archive.projects.projectFor(c.directory);
  const rel = relative(project.worktree, c.directory);
  return validate(
    sessionInfo,
    {
      id: c.id,
      slug: c.id.slice(-8).toLowerCase(),
      projectID: project.id,
      directory: c.directory,
      path: rel.startsWith('..') || rel === '' ? '' : rel.split(sep).join('/'),
      ...(c.parentID ? { parentID: c.parentID } : {}),
      title: c.title,
      version: c.version,
      metadata: c.metadata,
      time: { created: c.created, updated: c.updated },
    },
    `invalid session ${c.id}`,
    'INVALID_INPUT',
  );
}

/** Writes one converted session: new (whole, atomically) or updated in place (only what changed). */
export async function writeConverted(
  archive: Archive,
  c: ConvertedSession,
  dryRun: boolean,
  /** What this process last wrote of each message (its JSON): an unchanged one is not read back from the archive. */
  written?: Map<string, string>,
): Promise<'new' | 'updated' | 'unchanged'> {
  const existing = await archive.sessions.get(c.id).catch((error: unknown) => {
    if (isArchiveError(error, 'NOT_FOUND')) return undefined;
    throw error;
  });
  const messages = c.messages.map((m) => validate(messageFile, m, `invalid message ${m.info.id}`, 'INVALID_INPUT'));
  const todos = c.todos ? validate(todoList, c.todos, `invalid todos of ${c.id}`, 'INVALID_INPUT') : undefined;
  if (!existing) {
    const info = c.mirror
      ? validate(sessionInfo, c.mirror, `invalid session ${c.id}`, 'INVALID_INPUT')
      : await infoFor(archive, c, undefined);
    if (!dryRun) await archive.sessions.insert(info, { messages, todos });
    return 'new';
  }
  let changed = false;
  for (const m of messages) {
    const before = await archive.messages.get(c.id, m.info.id).catch((error: unknown) => {
      if (isArchiveError(error, 'NOT_FOUND')) return undefined;
      throw error;
    });
    if (before && JSON.stringify(before) === JSON.stringify(m)) continue;
    changed = true;
    if (!dryRun) await archive.messages.upsert(c.id, m);
  }
  if (c.mirror) {
    // What the source no longer has (a revert, a deleted message) goes here too.
    const keep = new Set(messages.map((m) => m.info.id));
    for (const id of await archive.messages.ids(c.id)) {
      if (keep.has(id)) continue;
      changed = true;
      if (!dryRun) await archive.messages.delete(c.id, id);
      written?.delete(id);
    }
  }
  if (todos) {
    const before = await archive.todos.get(c.id);
    if (JSON.stringify(before) !== JSON.stringify(todos)) {
      changed = true;
      if (!dryRun) await archive.todos.set(c.id, todos);
    }
  }
  if (c.mirror) {
    // The source's info exactly, times included (message writes above moved time.updated); archive-only fields stay.
    const target = validate(
      sessionInfo,
      { ...c.mirror, ...(existing.forkedFrom && !c.mirror.forkedFrom ? { forkedFrom: existing.forkedFrom } : {}) },
      `invalid session ${c.id}`,
      'INVALID_INPUT',
    );
    if (JSON.stringify(target) !== JSON.stringify(existing)) changed = true;
    if (!dryRun) await archive.sessions.modify(c.id, () => structuredClone(target), { keepTime: true });
  } else {
    const info = await infoFor(archive, c, existing);
    if (JSON.stringify(info) !== JSON.stringify(existing)) {
      changed = true;
      if (!dryRun) {
        await archive.sessions.modify(c.id, (current) => ({
          ...current,
          title: info.title,
          metadata: info.metadata,
          time: { ...current.time, updated: Math.max(current.time.updated, c.updated) },
        }));
      }
    }
  }
  return changed ? 'updated' : 'unchanged';
}
