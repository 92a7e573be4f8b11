import { stat } from 'node:fs/promises';
import { sep } from 'node:path';
import type { SessionIndex } from '../catalog/session-index.js';
import type { Session } from '../model/session.js';
import type { Archive } from '../store/archive.js';
import { mapLimit } from '../store/map-limit.js';

export interface OrphanRow {
  id: string;
  title: string;
  directory: string;
  projectID: string;
  /** `missing-directory`: the folder is gone. `global-in-project`: a `global` session inside a known project's worktree. */
  reason: 'missing-directory' | 'global-in-project';
  /** Why, in words. */
  detail: string;
  /** For `global-in-project`: the project it belongs to. */
  suggested?: { projectID: string; worktree: string; name?: string };
}

/**
 * Sessions that lost their place: those whose directory no longer exists,
 * and `global` sessions whose directory lies inside a known project's
 * worktree (with that project suggested; the deepest worktree wins).
 * Uses the index when given.
 */
export async function orphans(archive: Archive, options: { index?: SessionIndex } = {}): Promise<OrphanRow[]> {
  // The index's summaries carry what is needed; without one, every info.json is read.
  const sessions: ReadonlyArray<Pick<Session, 'id' | 'title' | 'directory' | 'projectID'>> = options.index
    ? options.index.all().filter((s) => s.valid)
    : await archive.sessions.list();
  const projects = (await archive.projects.list()).filter((p) => p.id !== 'global' && p.worktree !== '/');
  const exists = await mapLimit(sessions, 32, (s) =>
    stat(s.directory).then(
      (st) => st.isDirectory(),
      () => false,
    ),
  );
  const rows: OrphanRow[] = [];
  sessions.forEach((s, i) => {
    const base = { id: s.id, title: s.title, directory: s.directory, projectID: s.projectID };
    if (!exists[i]) rows.push({ ...base, reason: 'missing-directory', detail: `directory ${s.directory} does not exist` });
    if (s.projectID !== 'global') return;
    const home = projects
      .filter((p) => s.directory === p.worktree || s.directory.startsWith(`${p.worktree}${sep}`))
      .sort((a, b) => b.worktree.length - a.worktree.length)[0];
    if (home) {
      rows.push({
        ...base,
        reason: 'global-in-project',
        detail: `in project global, but ${s.directory} is inside the worktree of project ${home.name ?? home.id} (${home.worktree})`,
        suggested: { projectID: home.id, worktree: home.worktree, ...(home.name ? { name: home.name } : {}) },
      });
    }
  });
  return rows;
}
