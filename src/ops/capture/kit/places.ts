import { delimiter } from 'node:path';
import type { Archive } from '../../../store/archive.js';
import { type FoundFile, realRoot, walkFiles } from './files.js';

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

/** Folders below a named one that are never a repository's own. */
const SKIP = new Set(['node_modules', '.git', '.hg', '.svn', 'dist', 'build', 'target', '.venv', 'venv', '__pycache__']);

/**
 * The files under the folders a `from` names, three levels down, that `want`
 * takes (by the path relative to their folder and the name); hidden folders
 * are entered only when `hidden` names them. Each found once.
 */
export async function findInFolders(
  from: string,
  want: (rel: string, name: string) => boolean,
  hidden: readonly string[] = [],
): Promise<FoundFile[]> {
  const out = new Map<string, FoundFile>();
  for (const folder of foldersOf(from)) {
    const root = await realRoot(folder);
    if (!root) continue;
    const { files } = await walkFiles(root, {
      depth: 3,
      want,
      enter: (_rel, name) => !SKIP.has(name) && (!name.startsWith('.') || hidden.includes(name)),
    });
    for (const f of files) if (!out.has(f.path)) out.set(f.path, f);
  }
  return [...out.values()];
}
