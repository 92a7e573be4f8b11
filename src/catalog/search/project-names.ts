import { basename, resolve } from 'node:path';
import { ArchiveError } from '../../errors.js';
import type { Archive } from '../../store/archive.js';
import type { UsageQuery, UsageResult } from './usage.js';

// Projects as people name them: a question by a project's name, folder or
// ID, and answers labelled with names rather than IDs.

/** A project's name as people see it: its `name`, else its folder's name, else its ID ("global" for sessions outside a repository). */
export function projectLabel(p: { id: string; name?: string; worktree?: string }): string {
  if (p.name) return p.name;
  if (p.id !== 'global' && p.worktree && p.worktree !== '/') return basename(p.worktree);
  return p.id;
}

/** Every project's label by ID. */
export async function projectLabels(archive: Archive): Promise<Map<string, string>> {
  return new Map((await archive.projects.list()).map((p) => [p.id, projectLabel(p)]));
}

/**
 * The projects a person named: by ID, by name or folder name (any case), or
 * by its folder's path (`~` not expanded here). Fails, listing the names it
 * knows, when none matches.
 */
export async function findProjects(archive: Archive, named: string): Promise<string[]> {
  const projects = await archive.projects.list();
  const want = named.trim();
  const lower = want.toLowerCase();
  const path = resolve(want);
  const ids = projects
    .filter(
      (p) =>
        p.id === want ||
        p.worktree === path ||
        projectLabel(p).toLowerCase() === lower ||
        (p.worktree && basename(p.worktree).toLowerCase() === lower),
    )
    .map((p) => p.id);
  if (ids.length) return [...new Set(ids)];
  // A project's ID as sessions carry it, whether or not it has a record (a root commit, or "global").
  if (want === 'global' || /^[0-9a-f]{40}$/.test(want)) return [want];
  const known = projects.map(projectLabel).sort();
  throw new ArchiveError(
    'NOT_FOUND',
    `no project named ${JSON.stringify(named)}${known.length ? `; the archive knows ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}` : ''}`,
  );
}

/** The one project a person named (see {@link findProjects}); a name that several projects share is an error listing their IDs. */
export async function findProject(archive: Archive, named: string): Promise<string> {
  const ids = await findProjects(archive, named);
  if (ids.length > 1) {
    throw new ArchiveError(
      'INVALID_INPUT',
      `${ids.length} projects are named ${JSON.stringify(named)}: ${ids.join(', ')}; give one's ID or folder`,
    );
  }
  return ids[0] as string;
}

/** A usage question as people ask it: a project by its name, folder or ID (see {@link findProjects}). */
export type UsageAsk = Omit<UsageQuery, 'projects'> & { project?: string };

/** A usage answer with every project's name by ID, for its tables. */
export type UsageAnswer = UsageResult & { projects: Record<string, string> };

/** Answers a usage question asked by project name with `ask` (an open index's, or one caught up for it), project names added. */
export async function answerUsage(
  archive: Archive,
  question: UsageAsk,
  ask: (query: UsageQuery) => UsageResult | Promise<UsageResult>,
): Promise<UsageAnswer> {
  const { project, ...rest } = question;
  const query: UsageQuery = project === undefined ? rest : { ...rest, projects: await findProjects(archive, project) };
  const result = await ask(query);
  return { ...result, projects: Object.fromEntries(await projectLabels(archive)) };
}
