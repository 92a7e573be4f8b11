import { basename, dirname } from 'node:path';
import type { AgentAdapter, SourceEntry, SourceStore } from '../../contract.js';
import { fileStamp, foldersOf, projectFolders, realRoot, walkFiles } from '../../kit/index.js';
import { readAiderHistory } from './convert.js';

// Aider keeps no store of its own: each repository it ran in has a
// `.aider.chat.history.md`. The archive looks in the repositories it knows
// (its projects' folders) and in the folders named by SARC_AIDER_DIRS (or
// `--from`), several joined by the path delimiter, down to three levels.

const FILE = '.aider.chat.history.md';
/** Folders below a named one that are never a repository's own. */
const SKIP = new Set(['node_modules', '.git', '.hg', '.svn', 'dist', 'build', 'target', '.venv', 'venv', '__pycache__']);
const DEPTH = 3;

export const aider: AgentAdapter = {
  name: 'aider',
  label: 'Aider',
  unit: 'history file',
  location: () => process.env.SARC_AIDER_DIRS ?? '',
  locate: (archive) => projectFolders(archive, 'SARC_AIDER_DIRS'),
  async open(from) {
    const roots: string[] = [];
    for (const r of foldersOf(from)) {
      const real = await realRoot(r);
      if (real && !roots.includes(real)) roots.push(real);
    }
    if (roots.length === 0) return undefined;
    const store: SourceStore = {
      async list() {
        const seen = new Map<string, SourceEntry>();
        for (const root of roots) {
          const { files } = await walkFiles(root, {
            depth: DEPTH,
            want: (_rel, name) => name === FILE,
            enter: (_rel, name) => !SKIP.has(name),
          });
          for (const f of files) if (!seen.has(f.path)) seen.set(f.path, { key: f.path, stamp: fileStamp(f), where: f.path, depth: 0 });
        }
        return [...seen.values()];
      },
      read: (entry, stats) => readAiderHistory(entry, stats),
    };
    return store;
  },
  // A repository's file, or one a level below a named folder (its repositories): watching deeper would follow whole trees.
  watchTargets: (from) =>
    foldersOf(from).map((path) => ({
      path,
      depth: 1,
      accept: (p: string) => p.endsWith(FILE) || (dirname(p) === path && !SKIP.has(basename(p))),
    })),
  archiveIds: () => [],
};
