import { mkdir, rename } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { Archive } from '../store/archive.js';
import { assertNoLink } from '../store/safe-path.js';

/** A quarantine folder for this run: `<state dir>/quarantine/<time>/`. */
export function quarantineFolder(archive: Archive): string {
  return join(archive.stateDir, 'quarantine', new Date(archive.now()).toISOString().replace(/[:.]/g, '-'));
}

/**
 * Moves a file or folder of the archive into the quarantine folder, keeping
 * its path below the archive, so nothing is deleted and everything can be
 * put back by hand. Returns where it went.
 */
export async function quarantine(archive: Archive, folder: string, path: string): Promise<string> {
  // The entry itself may be a link (the link moves, not what it points to); a folder above it may not.
  await assertNoLink(archive.dir, path, { self: false });
  const target = join(folder, relative(archive.dir, path));
  await mkdir(dirname(target), { recursive: true });
  await rename(path, target);
  return target;
}
