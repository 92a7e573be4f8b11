import { lstatSync, readlinkSync, type Stats } from 'node:fs';
import { relative, sep } from 'node:path';
import { ArchiveError, errnoCode } from '../errors.js';

/**
 * The typed error for a link inside the archive. A git repository, an
 * unpacked archive or a hand can put a symbolic link where a session folder,
 * a messages folder or a data file belongs; following it would read, write,
 * delete or move files outside the archive, so nothing ever does.
 */
export function unsafePath(link: string, target?: string): ArchiveError {
  return new ArchiveError(
    'UNSAFE_PATH',
    `${link}: is a symbolic link${target ? ` (to ${target})` : ''}; the archive never follows links — replace it with the real folder or file`,
    { path: link },
  );
}

/** The folders from just below `root` down to `path` (with `self`, `path` too; without, its parent). */
function steps(root: string, path: string, self: boolean): string[] {
  const parts = relative(root, path).split(sep).filter(Boolean);
  if (parts[0] === '..') throw new ArchiveError('UNSAFE_PATH', `${path}: is outside the archive ${root}`, { path });
  const out: string[] = [];
  let at = root;
  for (const part of self ? parts : parts.slice(0, -1)) {
    at = `${at}${sep}${part}`;
    out.push(at);
  }
  return out;
}

/**
 * Throws `UNSAFE_PATH` when any entry between the archive root and `path`
 * (with `self`: `path` too) is a symbolic link. Entries that do not exist
 * are fine (nothing can be followed through them). The root itself may be a
 * link: where the archive lives is the user's choice.
 */
export async function assertNoLink(root: string, path: string, options: { self: boolean }): Promise<void> {
  // Synchronous: this runs on every read and write of a session, an lstat
  // costs microseconds, and each asynchronous one was a trip to the thread pool.
  const error = linkBetween(root, path, options);
  if (error) throw error;
}

/** {@link assertNoLink}, synchronous (for the index's chunked scans); returns the error instead of throwing. */
export function linkBetween(root: string, path: string, options: { self: boolean } = { self: true }): ArchiveError | undefined {
  for (const step of steps(root, path, options.self)) {
    let stats: Stats;
    try {
      stats = lstatSync(step);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return undefined;
      throw error;
    }
    if (stats.isSymbolicLink()) {
      let target: string | undefined;
      try {
        target = readlinkSync(step);
      } catch {
        target = undefined;
      }
      return unsafePath(step, target);
    }
  }
  return undefined;
}
