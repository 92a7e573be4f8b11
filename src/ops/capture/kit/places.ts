import { delimiter } from 'node:path';
import type { Archive } from '../../../store/archive.js';

// Agents that keep their sessions inside each repository (Aider's history
// file, Crush's `.crush/crush.db`) have no one place: the archive looks in
// the repositories it knows (its projects' folders) and in folders a person
// names, several joined by the path delimiter as PATH is.

/** The folders a `from` names (one, or several joined by the path delimiter). */
export const foldersOf = (from: string): string[] => from.split(delimiter).filter((p) => p !== '');

/** The folders named by an environment variable and the archive's projects' folders, as one `from`. */
export async function projectFolders(archive: Archive, variable: string): Promise<string> {
  const known = (await archive.projects.list()).map((p) => p.worktree).filter((w) => w && w !== '/');
  return [...new Set([...foldersOf(process.env[variable] ?? ''), ...known])].join(delimiter);
}
