import { lstatSync } from 'node:fs';
import { ArchiveError } from '../errors.js';
import { modelSchemas } from '../model/lazy.js';
import type { Session } from '../model/session.js';
import { preconditionOf, writeFileAtomic } from './atomic-write.js';
import { canonicalPieces, isCanonicalText, type LoadedFile, readDataFile } from './json-file.js';
import type { SessionLocks } from './lock.js';
import type { ArchivePaths } from './paths.js';
import { assertNoLink } from './safe-path.js';
import { sweepTemps } from './temp-names.js';

/** What every part of the store shares: the layout, the state dir, the locks and the clock. */
export interface StoreContext {
  paths: ArchivePaths;
  stateDir: string;
  locks: SessionLocks;
  now(): number;
  /** Sessions whose folders this process has already swept for crashed writers' temps. */
  swept: Set<string>;
  /** The `info.json` this process wrote last, of the sessions it wrote to most recently (see {@link loadInfoToWrite}). */
  written: Map<string, LoadedFile<Session>>;
}

/** How many sessions' last-written `info.json` a process keeps (an agent appends to one or a few at a time). */
const KEPT_INFOS = 64;

/** Keeps the `info.json` just written to session `id` (the value is not changed afterwards: it is the kept copy). */
export function keepWrittenInfo(ctx: StoreContext, id: string, written: LoadedFile<Session>): void {
  ctx.written.delete(id);
  ctx.written.set(id, written);
  if (ctx.written.size > KEPT_INFOS) ctx.written.delete(ctx.written.keys().next().value as string);
}

/** The next `time.updated`: now, and always later than the previous value. */
export function nextUpdated(ctx: StoreContext, previous: number): number {
  return Math.max(ctx.now(), previous + 1);
}

/**
 * Writes `value` (already validated, so its keys are in canonical order) to
 * `path` atomically, unless its canonical bytes equal what was read: re-saving
 * unchanged data changes no byte and no mtime. `loaded` also guards the write
 * against a writer that lost its lock (the file must be as it was read).
 */
export async function writeData(
  path: string,
  value: unknown,
  loaded?: LoadedFile<unknown>,
  options?: { makeFolder?: boolean },
): Promise<boolean> {
  if (loaded && isCanonicalText(value, loaded.text)) return false;
  await writeFileAtomic(path, canonicalPieces(value), preconditionOf(loaded?.stats), options);
  return true;
}

/** Reads and validates a session's `info.json`, checking its ID against its folder; `NOT_FOUND` when absent. */
export async function loadInfo(ctx: StoreContext, sessionID: string): Promise<LoadedFile<Session>> {
  const path = ctx.paths.info(sessionID);
  await assertNoLink(ctx.paths.root, ctx.paths.session(sessionID), { self: true });
  const loaded = await readDataFile((await modelSchemas()).sessionInfo, path);
  if (!loaded) throw new ArchiveError('NOT_FOUND', `session not found: ${sessionID}`, { path });
  if (loaded.value.id !== sessionID) {
    throw new ArchiveError('CORRUPT', `${path}: id: ${loaded.value.id} does not match its folder name ${sessionID}`, {
      path,
      details: { issues: [{ path: 'id', message: `does not match its folder name ${sessionID}` }] },
    });
  }
  return loaded;
}

/**
 * {@link loadInfo} for a writer holding the session's lock, where the same
 * `info.json` is read again and again (an agent's messages, one after
 * another): when the file is still the one this process wrote last — same
 * inode, size and mtime, one `lstat` — what was written is taken instead of
 * reading, parsing and validating it again. Any other write replaces the file
 * (a new inode) or changes its size or mtime; these are the stats the write
 * precondition trusts too. The value is shared: callers must not change it.
 */
export async function loadInfoToWrite(ctx: StoreContext, sessionID: string): Promise<LoadedFile<Session>> {
  const kept = ctx.written.get(sessionID);
  if (kept) {
    const now = lstatSync(ctx.paths.info(sessionID), { throwIfNoEntry: false });
    if (now && now.ino === kept.stats.ino && now.size === kept.stats.size && now.mtimeMs === kept.stats.mtimeMs) return kept;
    ctx.written.delete(sessionID);
  }
  return loadInfo(ctx, sessionID);
}

/**
 * Runs a read-modify-write of one session's files under its lock. The first
 * time this process writes to a session, temps left there by crashed writers
 * are swept — not for a session about to be made (`sweep: false`), whose
 * folder, if any, is empty.
 */
export async function withSession<T>(
  ctx: StoreContext,
  sessionID: string,
  fn: () => Promise<T>,
  options: { sweep?: boolean } = {},
): Promise<T> {
  const folder = ctx.paths.session(sessionID);
  return ctx.locks.with(sessionID, async () => {
    // Nothing is written, deleted or swept through a link (checked under the lock, before anything else).
    await assertNoLink(ctx.paths.root, ctx.paths.messages(sessionID), { self: true });
    if (options.sweep !== false && !ctx.swept.has(sessionID)) {
      ctx.swept.add(sessionID);
      await sweepTemps(folder, ctx.now());
      await sweepTemps(ctx.paths.messages(sessionID), ctx.now());
    }
    return fn();
  });
}

/** Runs `fn` holding the locks of several sessions, taken in ID order so that two callers cannot deadlock. */
export async function withSessions<T>(
  ctx: StoreContext,
  sessionIDs: readonly string[],
  fn: () => Promise<T>,
  options: { sweep?: boolean } = {},
): Promise<T> {
  const sorted = [...new Set(sessionIDs)].sort();
  const step = (i: number): Promise<T> => (i === sorted.length ? fn() : withSession(ctx, sorted[i] as string, () => step(i + 1), options));
  return step(0);
}
