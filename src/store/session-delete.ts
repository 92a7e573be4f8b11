import { rename, rm } from 'node:fs/promises';
import { ArchiveError, errnoCode } from '../errors.js';
import { isId } from '../model/ids.js';
import { fsyncFolder } from './atomic-write.js';
import { type StoreContext, withSession } from './context.js';
import { tempPathFor } from './temp-names.js';

export interface DeleteSessionOptions {
  /**
   * The direct children of a session, e.g. `(id) => index.childIds(id)` from
   * an open index, which spares reading every `info.json`. A child the
   * lookup misses is kept (it then points to a parent that is gone).
   */
  children?: (sessionID: string) => readonly string[];
}

/**
 * Deletes the sessions of a tree (root first, as {@link sessionTree} gives
 * it), the deepest first: each folder is renamed away under the session's
 * lock, so it disappears at once, then removed. Returns the tree.
 */
export async function deleteTree(ctx: StoreContext, tree: string[]): Promise<string[]> {
  const { paths } = ctx;
  for (const sid of [...tree].reverse()) {
    await withSession(ctx, sid, async () => {
      const folder = paths.session(sid);
      const trash = tempPathFor(folder);
      try {
        await rename(folder, trash);
      } catch (error) {
        if (errnoCode(error) === 'ENOENT') return;
        throw new ArchiveError('IO', `cannot delete ${folder}: ${(error as Error).message}`, { path: folder, cause: error });
      }
      await fsyncFolder(paths.sessions);
      await rm(trash, { recursive: true, force: true });
    });
  }
  return tree;
}

/** A session and its descendants by `parentID`, root first, each once. */
export function sessionTree(id: string, childrenOf: (sessionID: string) => readonly string[]): string[] {
  const tree = [id];
  const inTree = new Set(tree);
  for (let i = 0; i < tree.length; i++) {
    for (const child of childrenOf(tree[i] as string)) {
      if (inTree.has(child) || !isId('session', child)) continue;
      inTree.add(child);
      tree.push(child);
    }
  }
  return tree;
}
