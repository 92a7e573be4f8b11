import { type Stats, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { isArchiveError } from '../errors.js';
import { type Session, sessionInfo } from '../model/session.js';
import { parseJsonText, validate } from '../store/json-file.js';
import type { ArchivePaths } from '../store/paths.js';
import { type FileStamp, invalidSummary, type SessionSummary, summarize } from './summary.js';

export interface ScannedSession {
  summary: SessionSummary;
  stamp: FileStamp;
  /** The full info, when it was valid. */
  info?: Session;
}

/** The stamp of a session's `info.json`, or undefined when there is none. Synchronous: cheap, and run in chunks. */
export function stampOf(paths: ArchivePaths, id: string): FileStamp | undefined {
  const stats = statSync(paths.info(id), { throwIfNoEntry: false });
  return stats?.isFile() ? { mtimeMs: stats.mtimeMs, size: stats.size } : undefined;
}

/**
 * Reads one session's `info.json` into a summary. A broken file becomes an
 * invalid summary carrying the error (path, line:column or field); a missing
 * one is undefined.
 */
export async function readSession(paths: ArchivePaths, id: string): Promise<ScannedSession | undefined> {
  const path = paths.info(id);
  let text: string;
  let stats: Stats;
  try {
    const handle = await open(path, 'r');
    try {
      stats = await handle.stat();
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
  const stamp = { mtimeMs: stats.mtimeMs, size: stats.size };
  try {
    const info = validate(sessionInfo, parseJsonText(text, path), path);
    if (info.id !== id)
      return { summary: invalidSummary(id, `${path}: id: ${info.id} does not match its folder name ${id}`, stats.mtimeMs), stamp };
    return { summary: summarize(info), stamp, info };
  } catch (error) {
    if (isArchiveError(error, 'CORRUPT')) return { summary: invalidSummary(id, error.message, stats.mtimeMs), stamp };
    throw error;
  }
}
