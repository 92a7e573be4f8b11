import { close, constants, fstatSync, fsync, open, type Stats, statSync, write } from 'node:fs';
import { mkdir, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ArchiveError, errnoCode } from '../errors.js';
import { tempPathFor } from './temp-names.js';

/** What the target must still look like just before the rename (see PITFALLS: late lock holders). */
export type WritePrecondition = { absent: true } | { mtimeMs: number; size: number; ino: number };

/** The precondition matching a file as stat'ed now (absent when `stats` is undefined). */
export function preconditionOf(stats: Stats | undefined): WritePrecondition {
  return stats ? { mtimeMs: stats.mtimeMs, size: stats.size, ino: stats.ino } : { absent: true };
}

function holds(expect: WritePrecondition, now: Stats | undefined): boolean {
  if ('absent' in expect) return now === undefined;
  return now !== undefined && now.mtimeMs === expect.mtimeMs && now.size === expect.size && now.ino === expect.ino;
}

/** Throws `CONFLICT` when `target` no longer looks as `expect` says (a writer that lost its lock raced us). */
export function checkPrecondition(target: string, expect: WritePrecondition): void {
  if (!holds(expect, statSync(target, { throwIfNoEntry: false }))) {
    throw new ArchiveError('CONFLICT', `${target}: changed by another writer while this one held a lost lock; nothing written`, {
      path: target,
    });
  }
}

// Creating, writing and renaming files stays asynchronous, in the thread
// pool: on ext4 each of them may wait for the journal commit another write's
// fsync started (milliseconds), and made synchronously that wait held the
// event loop — in the HTTP load mix a fork's synchronous creates were 30% of
// the server's time. Reads and stats, which take no journal handle, are
// synchronous (see readDataFile and checkPrecondition).

// Files are written through plain descriptors and the callback API, not
// fs/promises' FileHandle: each FileHandle is an object with a handle of its
// own for the garbage collector, and its calls cost the event loop about
// twice the CPU (4,000 files created, written, fsynced and closed four at a
// time: 290 ms of user CPU against 150 ms). The calls go to the thread pool alike.
// (Wrapped here rather than with util.promisify: node:util is not loaded by a command that only reads.)
const settle = <T>(call: (done: (error: NodeJS.ErrnoException | null, value: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => call((error, value) => (error ? reject(error) : resolve(value))));
const openFd = (path: string, flags: string | number, mode?: number) => settle<number>((done) => open(path, flags, mode, done));
/** Resolves to the number of bytes written. */
const writeFd = (fd: number, bytes: Uint8Array, offset: number, length: number, position: number | null) =>
  settle<number>((done) => write(fd, bytes, offset, length, position, done));
const fsyncFd = (fd: number) => settle<void>((done) => fsync(fd, (error) => done(error, undefined)));
const closeFd = (fd: number) => settle<void>((done) => close(fd, (error) => done(error ?? null, undefined)));

/**
 * fsync a folder so a rename inside it survives a power cut. Resolves once
 * the fsync is done; the descriptor is closed after, without waiting for it.
 */
export async function fsyncFolder(folder: string): Promise<void> {
  const fd = await openFd(folder, constants.O_RDONLY);
  try {
    await fsyncFd(fd);
  } finally {
    closeFolder(fd);
  }
}

/** Closes a folder's read-only descriptor in the background: nothing is lost when that fails. */
function closeFolder(fd: number): void {
  closeFd(fd).catch(() => {});
}

/**
 * What a data file is written from: its text, or its text in pieces (a file of
 * any size, never held as one string; see `canonicalPieces`).
 */
export type FileText = string | Iterable<string>;

/** Writes all of `text` at the file's position (a write may take fewer bytes than it was given). */
async function writeAll(fd: number, text: string): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length; ) at += await writeFd(fd, bytes, at, bytes.length - at, null);
}

/** Writes `data` at the file's position, in writes of up to 64 KiB (small files, one piece and the newline, are one write). */
async function writeText(fd: number, data: FileText): Promise<void> {
  let pending = '';
  for (const piece of typeof data === 'string' ? [data] : data) {
    if (pending.length + piece.length > 1 << 16 && pending !== '') {
      await writeAll(fd, pending);
      pending = '';
    }
    pending += piece;
  }
  if (pending !== '') await writeAll(fd, pending);
}

/** Creates `path` (it must not exist), writes `data` and fsyncs it. */
async function createFsynced(path: string, data: FileText): Promise<void> {
  const fd = await openFd(path, 'wx', 0o644);
  try {
    await writeText(fd, data);
    await fsyncFd(fd);
  } finally {
    await closeFd(fd);
  }
}

/**
 * Creates the temp file and opens its folder (for the fsync after the
 * rename) at once. On failure nothing stays open and no temp is left.
 */
async function openTempAndFolder(temp: string, folder: string): Promise<[number, number]> {
  const [file, dir] = await Promise.allSettled([openFd(temp, 'wx', 0o644), openFd(folder, constants.O_RDONLY)]);
  if (file.status === 'fulfilled' && dir.status === 'fulfilled') return [file.value, dir.value];
  if (file.status === 'fulfilled') {
    await closeFd(file.value).catch(() => {});
    await unlink(temp).catch(() => {});
  }
  if (dir.status === 'fulfilled') await closeFd(dir.value).catch(() => {});
  throw file.status === 'rejected' ? file.reason : (dir as PromiseRejectedResult).reason;
}

/**
 * The one way the archive writes a data file: a temp file in the same folder,
 * fsync, rename over the target, fsync the folder. A reader never sees a
 * partial file and a crash leaves the old or the new file, never a mix.
 * With `makeFolder`, a missing folder is made (tried only after the first
 * open failed, so a write to an existing folder costs no mkdir).
 *
 * With `expect`, the target is checked just before the rename; when it changed
 * (a writer that lost its lock raced us) nothing is written and `CONFLICT` is
 * thrown.
 *
 * Resolves to the stats of the file written (taken from its own descriptor,
 * so they are those of this write even if another replaced it since).
 */
export async function writeFileAtomic(
  target: string,
  data: FileText,
  expect?: WritePrecondition,
  options: { makeFolder?: boolean } = {},
): Promise<Stats> {
  foreground++;
  try {
    return await replaceFile(target, data, expect, options);
  } finally {
    foreground--;
    if (foreground === 0) wakeBulk();
  }
}

async function replaceFile(
  target: string,
  data: FileText,
  expect: WritePrecondition | undefined,
  options: { makeFolder?: boolean },
): Promise<Stats> {
  const temp = tempPathFor(target);
  const folder = dirname(target);
  const failed = (error: unknown) =>
    error instanceof ArchiveError
      ? error
      : new ArchiveError('IO', `${target}: cannot write: ${(error as Error).message}`, { path: target, cause: error });
  // The same system calls as temp-fsync-rename-fsync one after another, in
  // five trips to the thread pool instead of eight: the folder is opened
  // while the temp file is made, the temp is closed while it is renamed
  // (its data is on disk from its fsync), and the folder is closed after
  // the fsync that makes the rename durable (see fsyncFolder).
  let fds: [number, number];
  try {
    fds = await openTempAndFolder(temp, folder);
  } catch (error) {
    if (!options.makeFolder || errnoCode(error) !== 'ENOENT') throw failed(error);
    // The folder is missing (a session made by hand, or by an older writer):
    // made, its own entry made durable, then the write again.
    try {
      await mkdir(folder, { recursive: true });
      await fsyncFolder(dirname(folder));
      fds = await openTempAndFolder(temp, folder);
    } catch (again) {
      throw failed(again);
    }
  }
  const [fd, folderFd] = fds;
  let closing: Promise<void> | undefined;
  let stats: Stats;
  try {
    await writeText(fd, data);
    await fsyncFd(fd);
    stats = fstatSync(fd);
    if (expect) checkPrecondition(target, expect);
    closing = closeFd(fd);
    await Promise.all([closing, rename(temp, target)]);
  } catch (error) {
    await (closing ?? closeFd(fd)).catch(() => {});
    await closeFd(folderFd).catch(() => {});
    await unlink(temp).catch(() => {});
    throw failed(error);
  }
  try {
    await fsyncFd(folderFd);
  } finally {
    closeFolder(folderFd);
  }
  return stats;
}

/**
 * Writes a new file inside a private staging folder (one that only becomes
 * visible by a rename of the whole folder): written and fsynced, but without
 * the temp-and-rename of {@link writeFileAtomic}, since nobody can see it
 * half written. The caller fsyncs the staging folders once before the rename.
 */
export async function writeStagedFile(path: string, data: FileText): Promise<void> {
  await bulkTurn();
  try {
    await createFsynced(path, data);
  } catch (error) {
    throw new ArchiveError('IO', `${path}: cannot write: ${(error as Error).message}`, { path, cause: error });
  } finally {
    bulkDone();
  }
}

// Writes somebody waits for (an append, an update: writeFileAtomic) and bulk
// writes (the many files of a fork or an import: writeStagedFile) share the
// thread pool's four threads and the disk's journal. A fork of a long session
// writing four files at a time filled both, and appends waited behind its
// fsyncs (their p99 in the HTTP load mix was 6× that of appends alone). So
// bulk writes take turns: up to BULK_ALONE at once while no other write is
// under way, one at a time beside one.
const BULK_ALONE = 4;
const BULK_BESIDE = 1;
/** writeFileAtomic calls under way in this process. */
let foreground = 0;
/** writeStagedFile calls under way, and those waiting for their turn. */
let bulkRunning = 0;
const bulkQueue: Array<() => void> = [];

const bulkLimit = () => (foreground > 0 ? BULK_BESIDE : BULK_ALONE);

function wakeBulk(): void {
  while (bulkQueue.length > 0 && bulkRunning < bulkLimit()) {
    bulkRunning++;
    bulkQueue.shift()?.();
  }
}

function bulkTurn(): Promise<void> {
  if (bulkQueue.length === 0 && bulkRunning < bulkLimit()) {
    bulkRunning++;
    return Promise.resolve();
  }
  return new Promise((resolve) => bulkQueue.push(resolve));
}

function bulkDone(): void {
  bulkRunning--;
  wakeBulk();
}
