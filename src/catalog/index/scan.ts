import { closeSync, fstatSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';
import { sep } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { errnoCode, isArchiveError } from '../../errors.js';
import { isId } from '../../model/ids.js';
import type { ModelSchemas } from '../../model/lazy.js';
import type { Session } from '../../model/session.js';
import type { OnProgress } from '../../progress.js';
import { checkRegular, DATA_READ_FLAGS, decodeUtf8, parseJsonText } from '../../store/json-file.js';
import type { ArchivePaths } from '../../store/paths.js';
import { unsafePath } from '../../store/safe-path.js';
import { validate } from '../../store/validate.js';
import { INFO_SUFFIX, pathStamp } from './path-stamp.js';
import { type FileStamp, invalidSummary, type SessionSummary, summarize } from './summary.js';

const CHUNK = 2000;

/**
 * A share of the sessions for a periodic check spread over several rounds:
 * round `index` of `of` takes the IDs whose hash falls on it, so each session
 * is looked at once every `of` rounds whatever the listing's order.
 */
export interface Slice {
  index: number;
  of: number;
}

export function inSlice(id: string, slice: Slice | undefined): boolean {
  if (!slice || slice.of <= 1) return true;
  let h = 0;
  for (let i = id.length - 6; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % slice.of === slice.index % slice.of;
}

/**
 * Runs the synchronous `fn` over every ID in chunks, giving the event loop a
 * turn between chunks (sync file calls are the quickest at 100k sessions, and
 * the loop still breathes), and reports progress after each chunk.
 */
export async function inChunks(ids: readonly string[], onProgress: OnProgress | undefined, fn: (id: string) => void): Promise<void> {
  onProgress?.(0, ids.length);
  for (let i = 0; i < ids.length; i += CHUNK) {
    for (const id of ids.slice(i, i + CHUNK)) fn(id);
    onProgress?.(Math.min(i + CHUNK, ids.length), ids.length);
    if (i + CHUNK < ids.length) await yieldToLoop();
  }
}

export interface ScannedSession {
  summary: SessionSummary;
  stamp: FileStamp;
  /** The full info, when it was valid. */
  info?: Session;
}

/**
 * `sessions/<id>/info.json` for an ID that came from a readdir filtered by
 * `isId`: plain concatenation, because at 100k sessions path.join and the
 * re-validation of `ArchivePaths` cost as much as the stat itself.
 */
function infoPath(paths: ArchivePaths, id: string): string {
  if (!isId('session', id)) throw new Error(`not a session ID: ${id}`);
  return `${paths.sessions}${sep}${id}${INFO_SUFFIX}`;
}

/**
 * A session folder (or its `info.json`) that is a symbolic link: listed as
 * invalid, with an error saying so, and never read through. Its stamp is
 * the link's own, so a reconcile sees it replaced.
 */
export function unsafeSession(id: string, link: string): ScannedSession {
  const stats = lstatSync(link, { throwIfNoEntry: false });
  const stamp = { mtimeMs: stats?.mtimeMs ?? 0, size: -1 };
  return { summary: invalidSummary(id, unsafePath(link).message, stamp.mtimeMs), stamp };
}

/** The stamp of the file at `path`, or undefined when it is missing or not a file. */
export function fileStamp(path: string): FileStamp | undefined {
  const stamp = pathStamp(path);
  return stamp?.file ? { mtimeMs: stamp.mtimeMs, size: stamp.size } : undefined;
}

/** The stamp of a session's `info.json`, or undefined when there is none. */
export function stampOf(paths: ArchivePaths, id: string): FileStamp | undefined {
  return fileStamp(infoPath(paths, id));
}

/**
 * Reads one session's `info.json` into a summary. A broken file becomes an
 * invalid summary carrying the error (path, line:column or field); a missing
 * one is undefined. Synchronous on purpose: for many small files, one sync
 * open/fstat/read/close costs a tenth of the promise-based calls, and callers
 * run it in chunks between which the event loop gets its turn. `schemas`:
 * the model's, loaded (`modelSchemas()`).
 */
export function readSession(paths: ArchivePaths, id: string, schemas: ModelSchemas): ScannedSession | undefined {
  const path = infoPath(paths, id);
  let bytes: Buffer;
  let stats: Stats;
  try {
    // As the store opens a data file: an info.json that is a link is listed as unsafe, never read through;
    // one that is a FIFO is opened at once, not waited on (and is listed as broken, below).
    const fd = openSync(path, DATA_READ_FLAGS);
    try {
      stats = fstatSync(fd);
      // Not a regular file (a FIFO, a folder): nothing is read; the check below says what it is.
      const size = stats.isFile() ? stats.size : 0;
      const buffer = Buffer.allocUnsafe(size);
      let read = 0;
      while (read < size) {
        const n = readSync(fd, buffer, read, size - read, read);
        if (n === 0) break;
        read += n;
      }
      bytes = buffer.subarray(0, read);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if (errnoCode(error) === 'ELOOP') return unsafeSession(id, path);
    return undefined;
  }
  const stamp = { mtimeMs: stats.mtimeMs, size: stats.size };
  try {
    checkRegular(stats, path);
    // Duplicate keys, __proto__ keys and deep nesting are left to the store's
    // reads and doctor: scanning for them costs more than parsing, and a
    // rebuild reads every info.json.
    const info = validate(schemas.sessionInfo, parseJsonText(decodeUtf8(bytes, path), path, { structure: 'trust' }), path);
    if (info.id !== id)
      return { summary: invalidSummary(id, `${path}: id: ${info.id} does not match its folder name ${id}`, stats.mtimeMs), stamp };
    return { summary: summarize(info), stamp, info };
  } catch (error) {
    if (isArchiveError(error, 'CORRUPT')) return { summary: invalidSummary(id, error.message, stats.mtimeMs), stamp };
    throw error;
  }
}
