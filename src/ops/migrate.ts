import { isAbsolute, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import type { SessionIndex } from '../catalog/session-index.js';
import { ArchiveError, isArchiveError } from '../errors.js';
import { assertId } from '../model/ids.js';
import type { Session } from '../model/session.js';
import type { OnProgress } from '../progress.js';
import type { Archive } from '../store/archive.js';
import { expandHome } from '../store/locate.js';

/** Which sessions to move: any mix of IDs, folders or globs, and projects. */
export interface MigrateSelection {
  ids?: readonly string[];
  /** Folders or globs matched against `session.directory` (`~` expanded); a matched folder's sub-folders come along. */
  fromDir?: string | readonly string[];
  fromProject?: string | readonly string[];
}

export interface MigrateOptions {
  /** The target folder (absolute; `~` expanded). */
  to: string;
  /** Plan only: nothing is written. */
  dryRun?: boolean;
  /** Stage `reading` (every session's info, to select; not with an index), then `moving` (the selected sessions written). */
  onProgress?: OnProgress;
  /** An open index to select from (its summaries carry directory, project and parent), else every `info.json` is read. */
  index?: SessionIndex;
}

/** What selecting and planning need of a session. */
type Candidate = Pick<Session, 'id' | 'title' | 'directory' | 'projectID' | 'parentID'>;

export interface MigrateRow {
  id: string;
  title: string;
  from: { directory: string; projectID: string };
  to: { directory: string; projectID: string; path: string };
}

export interface MigrateResult {
  dryRun: boolean;
  /** What moved (or, in a dry run, would move). */
  moved: MigrateRow[];
  /** Sessions that could not be moved, each with its reason; the others moved. */
  failed: Array<{ id: string; code: string; reason: string }>;
}

const many = (v: string | readonly string[] | undefined): readonly string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : v);

function inside(dir: string, base: string): boolean {
  return dir === base || dir.startsWith(base.endsWith(sep) ? base : `${base}${sep}`);
}

/** The folder a session moves from: for a glob, the shortest ancestor-or-self of its directory that matches. */
function globBase(pattern: string, directory: string): string | undefined {
  const expanded = expandHome(pattern).replace(/\/+$/, '') || '/';
  if (!picomatch.scan(expanded).isGlob) return inside(directory, expanded) ? expanded : undefined;
  const match = picomatch(expanded, { dot: true });
  const parts = directory.split(sep);
  for (let i = 1; i <= parts.length; i++) {
    const candidate = parts.slice(0, i).join(sep) || sep;
    if (match(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Moves sessions to another folder: each selected session and its whole
 * child tree get the target directory (keeping their place below the folder
 * they moved from), `path`, and the target's project (derived as `create`
 * derives it; the project record is upserted). Only `info.json` changes; the
 * session folders never move. All sessions change as one unit (a crash leaves
 * all or none moved); if that fails, the others move one by one and each
 * failure is reported with its reason.
 */
export async function migrate(archive: Archive, selection: MigrateSelection, options: MigrateOptions): Promise<MigrateResult> {
  if (typeof options?.to !== 'string' || options.to === '' || options.to.includes('\0')) {
    throw new ArchiveError('INVALID_INPUT', 'invalid migrate target: `to` must be a folder path');
  }
  // A relative target would be taken against whatever folder the process (a
  // server) runs in: refused. `~` is expanded.
  if (!isAbsolute(expandHome(options.to))) {
    throw new ArchiveError('INVALID_INPUT', `invalid migrate target ${JSON.stringify(options.to)}: expected an absolute path (or ~/…)`);
  }
  const to = resolve(expandHome(options.to));
  const ids = many(selection.ids);
  const dirs = many(selection.fromDir);
  const projects = many(selection.fromProject);
  if (ids.length + dirs.length + projects.length === 0) {
    throw new ArchiveError('INVALID_INPUT', 'nothing to migrate: give session IDs, fromDir folders or globs, or fromProject IDs');
  }
  for (const id of ids) assertId('session', id);
  const onProgress = options.onProgress;
  let all: Candidate[];
  if (options.index) {
    all = options.index.all().filter((s) => s.valid);
    // A session named by ID that the index has not seen yet (just created) is read.
    const known = new Set(all.map((s) => s.id));
    for (const id of ids) if (!known.has(id)) all.push(await archive.sessions.get(id));
  } else {
    all = await archive.sessions.list({ onProgress: onProgress && ((done, total) => onProgress(done, total, 'reading')) });
  }
  const byId = new Map(all.map((s) => [s.id, s]));
  // A session named by ID that the listing left out: its own read says why (NOT_FOUND, CORRUPT, UNSAFE_PATH).
  for (const id of ids) if (!byId.has(id)) byId.set(id, await archive.sessions.get(id));

  // Each selected root session with the folder it moves from.
  const bases = new Map<string, string>();
  for (const id of ids) bases.set(id, (byId.get(id) as Candidate).directory);
  for (const s of all) {
    if (bases.has(s.id)) continue;
    for (const pattern of dirs) {
      const base = globBase(pattern, s.directory);
      if (base !== undefined) {
        bases.set(s.id, base);
        break;
      }
    }
    if (!bases.has(s.id) && projects.includes(s.projectID)) {
      const worktree = await archive.projects.get(s.projectID).then(
        (p) => p.worktree,
        () => undefined,
      );
      bases.set(s.id, worktree !== undefined && worktree !== '/' && inside(s.directory, worktree) ? worktree : s.directory);
    }
  }
  // Child trees come along, keeping their place below their root's base.
  const queue = [...bases.keys()];
  while (queue.length) {
    const parent = queue.shift() as string;
    for (const child of all) {
      if (child.parentID === parent && !bases.has(child.id)) {
        bases.set(child.id, bases.get(parent) as string);
        queue.push(child.id);
      }
    }
  }

  const planned: MigrateRow[] = [];
  const failed: MigrateResult['failed'] = [];
  for (const [id, base] of bases) {
    const s = byId.get(id) as Candidate;
    const directory = inside(s.directory, base) ? resolve(to, relative(base, s.directory)) : to;
    try {
      // Detected only: a dry run writes nothing, not even a project record.
      const project = await archive.projects.detect(directory);
      const rel = relative(project.worktree, directory);
      const path = rel.startsWith('..') || isAbsolute(rel) ? '' : rel.split(sep).join('/');
      planned.push({
        id,
        title: s.title,
        from: { directory: s.directory, projectID: s.projectID },
        to: { directory, projectID: project.id, path },
      });
    } catch (error) {
      if (!isArchiveError(error)) throw error;
      failed.push({ id, code: error.code, reason: error.message });
    }
  }
  if (options.dryRun || planned.length === 0) return { dryRun: options.dryRun ?? false, moved: planned, failed };
  const target = new Map(planned.map((r) => [r.id, r.to]));
  const apply = (info: Session): Session => {
    const t = target.get(info.id) as MigrateRow['to'];
    return { ...info, directory: t.directory, projectID: t.projectID, path: t.path };
  };
  // The target projects are recorded first, so that no session names a project without a record.
  const recorded = new Set<string>();
  for (const row of planned) {
    if (recorded.has(row.to.projectID)) continue;
    recorded.add(row.to.projectID);
    await archive.projects.record(await archive.projects.detect(row.to.directory));
  }
  try {
    // All as one unit: a process killed midway leaves all moved or none.
    await archive.sessions.modifyMany(
      planned.map((r) => r.id),
      apply,
      { onProgress: onProgress && ((done, total) => onProgress(done, total, 'moving')) },
    );
    return { dryRun: false, moved: planned, failed };
  } catch (error) {
    if (!isArchiveError(error)) throw error;
  }
  // The unit failed (a session locked, broken, …): move the others one by one
  // and report each failure with its reason.
  const moved: MigrateRow[] = [];
  onProgress?.(0, planned.length, 'moving');
  for (const [i, row] of planned.entries()) {
    try {
      await archive.sessions.modify(row.id, apply);
      moved.push(row);
    } catch (error) {
      if (!isArchiveError(error)) throw error;
      failed.push({ id: row.id, code: error.code, reason: error.message });
    }
    onProgress?.(i + 1, planned.length, 'moving');
  }
  return { dryRun: options.dryRun ?? false, moved, failed };
}
