import { type Stats, statSync } from 'node:fs';
import { sep } from 'node:path';
import { errnoCode } from '../../errors.js';
import type { FileStamp } from './summary.js';

/**
 * Stamps of paths, with nothing heavier than Node's own modules under them:
 * a one-off search starts its stats from here before the rest of the
 * library has loaded (see saved-stamps.ts).
 */

/** A session's `info.json`, from its folder: what a {@link StatScan} of the index stamps first. */
export const INFO_SUFFIX = `${sep}info.json`;

/** A path's stamp, and whether it is a file (not a folder or anything else). */
export interface PathStamp extends FileStamp {
  file: boolean;
}

/**
 * The stamp of whatever is at `path`, or undefined when there is nothing:
 * missing, or under an entry that is not a folder (a stray file named like a
 * session). Other errors (EACCES…) are thrown. Synchronous: cheap, and run in
 * chunks.
 */
export function pathStamp(path: string): PathStamp | undefined {
  let stats: Stats | undefined;
  try {
    stats = statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    if (errnoCode(error) === 'ENOTDIR') return undefined;
    throw error;
  }
  return stats && { mtimeMs: stats.mtimeMs, size: stats.size, file: stats.isFile() };
}
