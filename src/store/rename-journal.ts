import { randomBytes } from 'node:crypto';
import { lstatSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errnoCode } from '../errors.js';
import { isId } from '../model/ids.js';
import { checkPrecondition, fsyncFolder, type WritePrecondition, writeFileAtomic } from './atomic-write.js';
import type { StoreContext } from './context.js';
import { isTempName, ownerMayBeAlive, ownerTag, sweepTemps } from './temp-names.js';

/** A staged session folder, or a staged `info.json`, and where it goes. */
export interface StagedMove {
  stage: string;
  target: string;
  /** `folder` (a new session) or `file` (a new `info.json` replacing the old). @default 'folder' */
  kind?: 'folder' | 'file';
  /** For a file: what the target must still look like when the commit starts (see `writeFileAtomic`). */
  expect?: WritePrecondition;
}

const journalFolder = (ctx: StoreContext) => join(ctx.stateDir, 'journal');

/** True when `folder` exists and holds anything. */
export async function existsNonEmpty(folder: string): Promise<boolean> {
  // Most often nothing is there (a new ID): one synchronous lstat tells, no trip to the thread pool.
  if (!lstatSync(folder, { throwIfNoEntry: false })) return false;
  try {
    return (await readdir(folder)).length > 0;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Moves staged session folders into place as one unit. One folder is one
 * rename. Several are recorded first in a journal in the state dir, so that
 * a process killed between renames is finished by the next `openArchive`
 * (see {@link recoverCommits}): afterwards either every session is there or,
 * if the kill came before the journal, none is (the stages are swept).
 */
export async function commitMoves(ctx: StoreContext, moves: readonly StagedMove[]): Promise<void> {
  // Every replaced file is as it was read, or nothing moves.
  for (const move of moves) if (move.expect) checkPrecondition(move.target, move.expect);
  let journal: string | undefined;
  if (moves.length > 1) {
    await mkdir(journalFolder(ctx), { recursive: true });
    journal = join(journalFolder(ctx), `${ownerTag()}-${randomBytes(8).toString('hex')}.json`);
    await writeFileAtomic(
      journal,
      `${JSON.stringify({ moves: moves.map(({ stage, target, kind }) => ({ stage, target, kind })) }, null, 2)}\n`,
    );
  }
  const done: StagedMove[] = [];
  try {
    for (const move of moves) {
      await rename(move.stage, move.target);
      done.push(move);
    }
    for (const folder of new Set(moves.map((m) => dirname(m.target)))) await fsyncFolder(folder);
  } catch (error) {
    // A folder move fails only in a race with another creator of the same ID
    // (IDs were checked under their locks): put back what moved, so nothing is
    // half in. A replaced file cannot be put back; its journal stays, and the
    // next open finishes the rest instead.
    if (moves.every((m) => (m.kind ?? 'folder') === 'folder')) {
      for (const move of done.reverse()) await rename(move.target, move.stage).catch(() => {});
      if (journal) await unlink(journal).catch(() => {});
    }
    throw error;
  }
  if (journal) await unlink(journal);
}

/** A journal entry may only move a staging folder of `sessions/` to a session folder beside it. */
function plausible(ctx: StoreContext, move: StagedMove): boolean {
  const sessions = ctx.paths.sessions;
  if (typeof move.stage !== 'string' || typeof move.target !== 'string' || !isTempName(basename(move.stage))) return false;
  if ((move.kind ?? 'folder') === 'folder') {
    return dirname(move.stage) === sessions && dirname(move.target) === sessions && isId('session', basename(move.target));
  }
  const folder = dirname(move.target);
  return (
    move.kind === 'file' &&
    basename(move.target) === 'info.json' &&
    dirname(move.stage) === folder &&
    dirname(folder) === sessions &&
    isId('session', basename(folder))
  );
}

/**
 * Finishes multi-session commits cut short by a crash: every staged folder of
 * a journal that is still there is moved into place. Returns the sessions
 * moved. Runs when an archive is opened, before temps are swept.
 */
export async function recoverCommits(ctx: StoreContext): Promise<string[]> {
  let names: string[];
  try {
    // Only journals of dead processes: a live one is still committing.
    names = (await readdir(journalFolder(ctx))).filter((n) => {
      const owner = /^([0-9a-z]{6})-(\d+)-[0-9a-f]{16}\.json$/.exec(n);
      return owner !== null && !ownerMayBeAlive(owner[1] as string, Number(owner[2]));
    });
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
  const moved: string[] = [];
  for (const name of names) {
    const path = join(journalFolder(ctx), name);
    let moves: StagedMove[] = [];
    try {
      moves = (JSON.parse(await readFile(path, 'utf8')) as { moves: StagedMove[] }).moves;
    } catch {
      // A journal is written atomically, so an unreadable one was never ours.
    }
    for (const move of Array.isArray(moves) ? moves : []) {
      if (!plausible(ctx, move)) continue;
      const staged = await stat(move.stage).then(
        () => true,
        () => false,
      );
      if (staged && (move.kind === 'file' || !(await existsNonEmpty(move.target)))) {
        await rename(move.stage, move.target);
        moved.push(move.target);
      } else if (staged) {
        await rm(move.stage, { recursive: true, force: true });
      }
    }
    for (const folder of new Set(moved.map((m) => dirname(m)))) await fsyncFolder(folder);
    await unlink(path);
  }
  // A journal whose writer was killed before its rename is only a temp, never a commit: removed.
  await sweepTemps(journalFolder(ctx));
  return moved;
}
