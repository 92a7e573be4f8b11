import type { Dirent } from 'node:fs';
import { lstat, opendir, readFile, realpath } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { errnoCode } from '../../../errors.js';
import { linkBetween } from '../../../store/safe-path.js';
import type { CaptureItem, ReadStats, SourceEntry, SourceStore } from '../contract.js';
import { type JsonRecord, parseRecord } from './jsonl.js';

// An agent's folder walked as untrusted ground: a symbolic link is never
// followed (a link loop, or a link to /usr, would otherwise be walked without
// end, and a linked transcript from elsewhere imported), the walk goes no
// deeper than the layout needs, and a file is stamped by its size, mtime and
// inode, read from lstat.

export interface FoundFile {
  /** Relative to the root, with `/` between names on every system. */
  rel: string;
  path: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

export interface WalkOptions {
  /** Levels below the root to enter (0: the root's own entries). */
  depth: number;
  /** Whether a file (by its relative path and name) is a source. */
  want(rel: string, name: string): boolean;
  /** Whether to enter a folder (default: every folder within `depth`). */
  enter?(rel: string, name: string): boolean;
}

export interface WalkResult {
  files: FoundFile[];
  /** Symbolic links met (and not followed). */
  links: number;
}

/** A file's change stamp: its size, mtime and inode. */
export function fileStamp(f: { size: number; mtimeMs: number; ino: number }): string {
  return `${f.size}:${Math.floor(f.mtimeMs)}:${f.ino}`;
}

/**
 * The root's real path (the user's or agent's own choice may be a link,
 * e.g. a dotfiles setup), or `undefined` when it does not exist.
 */
export async function realRoot(root: string): Promise<string | undefined> {
  try {
    const real = await realpath(root);
    return (await lstat(real)).isDirectory() ? real : undefined;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** Every wanted file below `root`, sorted by relative path; links are counted, never followed. */
export async function walkFiles(root: string, options: WalkOptions): Promise<WalkResult> {
  const out: FoundFile[] = [];
  let links = 0;
  const visit = async (dir: string, level: number): Promise<void> => {
    let handle: AsyncIterable<Dirent>;
    try {
      handle = await opendir(dir);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES') return;
      throw error;
    }
    const folders: string[] = [];
    for await (const entry of handle) {
      const path = join(dir, entry.name);
      const rel = relative(root, path).split(sep).join('/');
      if (entry.isSymbolicLink()) {
        links++;
        continue;
      }
      if (entry.isDirectory()) {
        if (level < options.depth && (options.enter?.(rel, entry.name) ?? true)) folders.push(path);
        continue;
      }
      if (!entry.isFile() || !options.want(rel, entry.name)) continue;
      const s = await lstat(path).catch(() => undefined);
      if (!s?.isFile()) continue;
      out.push({ rel, path, size: s.size, mtimeMs: s.mtimeMs, ino: s.ino });
    }
    for (const folder of folders) await visit(folder, level + 1);
  };
  await visit(root, 0);
  out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return { files: out, links };
}

/**
 * A file that holds one JSON document (not JSON Lines), as a record. Such a
 * file is rewritten whole by its agent, so it is read whole, up to
 * `maxBytes`; a larger one, or one that is not a JSON object, is reported
 * in `stats.skipped` and yields nothing.
 */
export async function readJsonDocument(
  path: string,
  stats: ReadStats,
  options: { maxBytes?: number; maxDepth?: number } = {},
): Promise<JsonRecord | undefined> {
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  const s = await lstat(path);
  if (!s.isFile()) throw new Error(`${path}: not a regular file`);
  if (s.size > maxBytes) {
    stats.skipped.push({ reason: `over ${maxBytes} bytes (a one-document file is read whole)` });
    return undefined;
  }
  const parsed = parseRecord(await readFile(path, 'utf8'), options.maxDepth ?? 200);
  if (typeof parsed === 'string') {
    // A document being rewritten may be cut: the next change reads it again.
    stats.pending++;
    return undefined;
  }
  stats.records++;
  return parsed;
}

/** Whether `path` is a regular file reached from `root` through no link; its stats if so. */
async function plainFile(root: string, path: string) {
  try {
    if (linkBetween(root, path, { self: true })) return undefined;
  } catch {
    return undefined; // outside the root
  }
  const s = await lstat(path).catch(() => undefined);
  return s?.isFile() ? s : undefined;
}

/** A small file next to a source (a sidecar), as a record; `undefined` when absent, reached through a link, too large or not JSON. */
export async function readSidecar(root: string, path: string, maxBytes = 1 << 20): Promise<JsonRecord | undefined> {
  const s = await plainFile(root, path);
  if (!s || s.size > maxBytes) return undefined;
  const parsed = parseRecord(await readFile(path, 'utf8'), 64);
  return typeof parsed === 'string' ? undefined : parsed;
}

/** A text file next to a source (a saved tool output), whole up to `maxBytes`; `undefined` when absent, reached through a link, or larger. */
export async function readSideText(root: string, path: string, maxBytes = 64 * 1024 * 1024): Promise<string | undefined> {
  const s = await plainFile(root, path);
  if (!s || s.size > maxBytes) return undefined;
  return readFile(path, 'utf8');
}

/** A store of source files below a folder (most agents keep one file per session). */
export interface FileStoreOptions extends WalkOptions {
  /** A file's depth below its parents (0 for a session with no parent in the store). @default 0 */
  depthOf?(rel: string): number;
  /**
   * Files of one source (an agent that continues a session in a second file):
   * files with the same group are one source, stamped by all of them and read
   * together in path order. @default every file is its own source
   */
  group?(rel: string): string;
  /** Reads one source: its file (`entry.where`), or its files in path order. */
  read(root: string, entry: SourceEntry, stats: ReadStats, files: string[]): AsyncIterable<CaptureItem>;
}

/** An adapter's `open` for a store of files: the folder's real path (or `undefined` when absent), its files as sources stamped by size, mtime and inode. */
export function fileStore(options: FileStoreOptions): (from: string) => Promise<SourceStore | undefined> {
  return async (from) => {
    const root = await realRoot(from);
    if (!root) return undefined;
    const groups = new Map<string, FoundFile[]>();
    const filesOf = async (key: string): Promise<string[]> => {
      if (!groups.has(key)) await list();
      return (groups.get(key) ?? []).map((f) => f.path);
    };
    const list = async (): Promise<SourceEntry[]> => {
      const { files } = await walkFiles(root, options);
      groups.clear();
      for (const f of files) {
        const key = options.group?.(f.rel) ?? f.rel;
        const members = groups.get(key);
        if (members) members.push(f);
        else groups.set(key, [f]);
      }
      return [...groups].map(([key, members]) => ({
        key,
        stamp: members.map(fileStamp).join(','),
        where: (members[0] as FoundFile).path,
        depth: options.depthOf?.(key) ?? 0,
      }));
    };
    return {
      list,
      read: (entry, stats) => {
        const iterate = async function* () {
          yield* options.read(root, entry, stats, await filesOf(entry.key));
        };
        return iterate();
      },
    };
  };
}
