import { basename, dirname } from 'node:path';
import type { AgentAdapter, SourceEntry, SourceStore } from '../../contract.js';
import { fileStamp, findInFolders, foldersOf, projectFolders } from '../../kit/index.js';
import { readAiderHistory } from './convert.js';

// Aider keeps no store of its own: each repository it ran in has a
// `.aider.chat.history.md`. The archive looks in the repositories it knows
// (its projects' folders) and in the folders named by SARC_AIDER_DIRS (or
// `--from`), several joined by the path delimiter, down to three levels.

const FILE = '.aider.chat.history.md';

export const aider: AgentAdapter = {
  name: 'aider',
  label: 'Aider',
  unit: 'history file',
  location: () => process.env.SARC_AIDER_DIRS ?? '',
  locate: (archive) => projectFolders(archive, 'SARC_AIDER_DIRS'),
  async open(from) {
    if (foldersOf(from).length === 0) return undefined;
    const store: SourceStore = {
      async list() {
        const files = await findInFolders(from, (_rel, name) => name === FILE);
        return files.map((f): SourceEntry => ({ key: f.path, stamp: fileStamp(f), where: f.path, depth: 0 }));
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
      accept: (p: string) => p.endsWith(FILE) || (dirname(p) === path && !basename(p).startsWith('.') && basename(p) !== 'node_modules'),
    })),
  archiveIds: () => [],
};
