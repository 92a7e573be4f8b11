import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, isArchiveError } from '../errors.js';
import { isId } from '../model/ids.js';
import type { ArchivePaths } from './paths.js';
import { assertNoLink } from './safe-path.js';
import { isTempName } from './temp-names.js';

/** Why a file in the archive is not data (`link`: a session or messages folder that is a symbolic link, never followed). */
export type StrayKind = 'conflict' | 'temp' | 'swap' | 'unknown' | 'link';

/** A file or folder in the archive that is never loaded as data. */
export interface StrayFile {
  /** Path relative to the archive folder. */
  path: string;
  kind: StrayKind;
  /** The session folder it sits in, if any. */
  sessionID?: string;
}

const CONFLICT = [
  / \([^)]*conflicted copy[^)]*\)/i,
  /\(Case Conflict( \d+)?\)/i,
  /\(Unicode Encoding Conflict( \d+)?\)/i,
  /\.sync-conflict-\d{8}-\d{6}-[A-Z0-9]+/,
];
const TEMP = [/\.tmp$/i, /^\.syncthing\..+\.tmp$/, /^~syncthing~/, /^\..+\.[A-Za-z0-9]{6}$/];
const SWAP = [/^\..+\.sw[a-p]$/, /~$/, /^\.#/, /^#.+#$/];

/** What kind of stray a file name is (a name that is data returns undefined). */
export function strayKind(name: string): StrayKind {
  if (CONFLICT.some((re) => re.test(name))) return 'conflict';
  if (isTempName(name) || TEMP.some((re) => re.test(name))) return 'temp';
  if (SWAP.some((re) => re.test(name))) return 'swap';
  return 'unknown';
}

async function names(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return [];
    throw error;
  }
}

const SESSION_ENTRIES = new Set(['info.json', 'todos.json', 'messages']);

/** The strays inside one session folder (its files and its messages folder). */
export async function sessionStrays(paths: ArchivePaths, sessionID: string): Promise<StrayFile[]> {
  const out: StrayFile[] = [];
  const rel = (p: string) => paths.rel(p);
  // A linked folder is reported as such and not looked into: its files are not the archive's.
  const link = await assertNoLink(paths.root, paths.messages(sessionID), { self: true }).then(
    () => undefined,
    (error: unknown) => (isArchiveError(error, 'UNSAFE_PATH') ? error.path : Promise.reject(error)),
  );
  if (link) return [{ path: rel(link), kind: 'link', sessionID }];
  for (const name of await names(paths.session(sessionID))) {
    if (!SESSION_ENTRIES.has(name)) out.push({ path: rel(join(paths.session(sessionID), name)), kind: strayKind(name), sessionID });
  }
  for (const name of await names(paths.messages(sessionID))) {
    if (!(name.endsWith('.json') && isId('message', name.slice(0, -5)))) {
      out.push({ path: rel(join(paths.messages(sessionID), name)), kind: strayKind(name), sessionID });
    }
  }
  return out;
}

/** Strays among the entries of `sessions/` (names that are not session IDs). */
export function topLevelStrays(paths: ArchivePaths, entries: readonly string[]): StrayFile[] {
  return entries.filter((n) => !isId('session', n)).map((n) => ({ path: paths.rel(join(paths.sessions, n)), kind: strayKind(n) }));
}
