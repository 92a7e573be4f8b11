import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import type { z } from 'zod';
import { ArchiveError, errnoCode } from '../errors.js';
import { jsonChunks, piecesEqual } from './json-chunks.js';
import { findStructureProblem, locateSyntaxError } from './json-syntax.js';
import { unsafePath } from './safe-path.js';
import { validate } from './validate.js';

/**
 * Canonical bytes: 2-space indent, `\n`, trailing newline. Key order comes from
 * the zod schema the value was parsed with (known keys in schema order, then
 * unknown keys in their original order), so `format(parse(text))` is
 * byte-identical for a canonical file.
 */
export function formatCanonical(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** {@link formatCanonical} in pieces of about 64 K characters: for writing a file of any size. */
export function* canonicalPieces(value: unknown): Generator<string> {
  yield* jsonChunks(value, 2);
  yield '\n';
}

/** True when `text` is the canonical form of `value` (compared piece by piece). */
export function isCanonicalText(value: unknown, text: string): boolean {
  return piecesEqual(canonicalPieces(value), text);
}

const CONFLICT_MARKER = /^(<{7}|={7}|>{7}|\|{7})(?: |$)/m;

/** Line and column (both 1-based) of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { line, column };
}

/**
 * Parses JSON written by the archive or by hand: a UTF-8 BOM and CRLF line
 * ends are accepted. Git conflict markers, syntax errors and (unless
 * `structure: 'trust'`) what a data file must not hold — a key named twice in
 * one object, a `__proto__` key, nesting deeper than 256 levels — become
 * `CORRUPT` errors naming the file and the line:column.
 */
export function parseJsonText(text: string, path: string, options: { structure?: 'check' | 'trust' } = {}): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    throw syntaxError(body, path, cause);
  }
  if (options.structure !== 'trust') {
    const problem = findStructureProblem(body);
    if (problem) {
      const { line, column } = lineColumn(body, problem.offset);
      throw new ArchiveError('CORRUPT', `${path}:${line}:${column}: invalid JSON: ${problem.reason}`, {
        path,
        details: { line, column, reason: 'structure' },
      });
    }
  }
  return value;
}

/**
 * Caller input (an import file, an upload, a request body) as JSON, checked as
 * strictly as a data file — UTF-8, syntax with line:column, duplicate keys —
 * but failing with `INVALID_INPUT`.
 */
export function parseJsonInput(input: Uint8Array | string, where: string): unknown {
  try {
    return parseJsonText(typeof input === 'string' ? input : decodeUtf8(input, where), where);
  } catch (error) {
    if (error instanceof ArchiveError && error.code === 'CORRUPT') {
      throw new ArchiveError('INVALID_INPUT', error.message, { path: error.path, cause: error, details: error.details });
    }
    throw error;
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Bytes as UTF-8 text; invalid UTF-8 is `CORRUPT` naming the line and byte
 * (decoding it leniently would turn it into U+FFFD, and the next save would
 * lose the original bytes).
 */
export function decodeUtf8(bytes: Uint8Array, path: string): string {
  try {
    return UTF8.decode(bytes);
  } catch (cause) {
    // Where: the longest prefix that decodes (found by halving).
    let good = 0;
    let bad = bytes.length;
    while (bad - good > 1) {
      const mid = (good + bad) >>> 1;
      try {
        // Streaming: a sequence cut at the end of the prefix is not an error.
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
        good = mid;
      } catch {
        bad = mid;
      }
    }
    let line = 1;
    for (let i = 0; i < good; i++) if (bytes[i] === 0x0a) line++;
    throw new ArchiveError('CORRUPT', `${path}:${line}: invalid UTF-8 (byte ${bad - 1} from the start)`, {
      path,
      cause,
      details: { line, byte: bad - 1, reason: 'utf-8' },
    });
  }
}

/**
 * Why a text that JSON.parse refused is not JSON: git conflict markers (a line
 * starting with one can never be valid JSON, since strings hold no raw line
 * breaks, so they are looked for only after a failed parse) or the first
 * syntax error, with line:column.
 */
function syntaxError(body: string, path: string, cause: unknown): ArchiveError {
  const marker = CONFLICT_MARKER.exec(body);
  if (marker) {
    const { line } = lineColumn(body, marker.index);
    return new ArchiveError(
      'CORRUPT',
      `${path}:${line}: merge conflict (git conflict markers); resolve it by hand or with \`git mergetool\``,
      { path, details: { line, column: 1, reason: 'merge-conflict' } },
    );
  }
  const found = locateSyntaxError(body);
  const offset = found?.offset ?? body.length;
  const reason = found?.reason ?? (cause instanceof Error ? cause.message : String(cause));
  const { line, column } = lineColumn(body, offset);
  return new ArchiveError('CORRUPT', `${path}:${line}:${column}: invalid JSON: ${reason}`, {
    path,
    cause,
    details: { line, column, reason: 'syntax' },
  });
}

/** A data file as read: the parsed value, the exact text and the file's stats at that moment. */
export interface LoadedFile<T> {
  value: T;
  text: string;
  stats: Stats;
}

/**
 * Reads, parses and validates a data file. Returns `undefined` when the file
 * does not exist; throws `CORRUPT` when it cannot be used. The stats come from
 * the same open file as the text, so they describe exactly what was read.
 */
export async function readDataFile<S extends z.ZodType>(schema: S, path: string): Promise<LoadedFile<z.output<S>> | undefined> {
  const read = await readDataText(path);
  return read && { value: validate(schema, parseJsonText(read.text, path), path), text: read.text, stats: read.stats };
}

/**
 * A data file's text and stats, not parsed; undefined when it is absent. A
 * link is `UNSAFE_PATH`, a folder, anything not a regular file or text that
 * is not UTF-8 `CORRUPT`, any other failure `IO`.
 */
export async function readDataText(path: string): Promise<{ text: string; stats: Stats } | undefined> {
  try {
    return readSmallSync(path) ?? (await readAsync(path));
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    if (errnoCode(error) === 'ENOENT') return undefined;
    if (errnoCode(error) === 'ELOOP') throw unsafePath(path);
    throw new ArchiveError('IO', `${path}: cannot read: ${(error as Error).message}`, { path, cause: error });
  }
}

/** Files up to this size are read with synchronous calls (see {@link readSmallSync}). */
const SYNC_READ_MAX = 1 << 20;

/**
 * How a data file is opened for reading: O_NOFOLLOW, a data file that is a
 * link is refused, never read through; O_NONBLOCK, a FIFO in a file's place
 * is opened at once (and refused by {@link checkRegular}) instead of waiting
 * for a writer that never comes — on this thread or, asynchronously, on one
 * of the thread pool's, which would then also hold up the process's exit.
 */
export const DATA_READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | (constants.O_NONBLOCK ?? 0);

/** Throws CORRUPT unless the file opened for a data file is a regular file. */
export function checkRegular(stats: Stats, path: string): void {
  if (stats.isDirectory()) throw new ArchiveError('CORRUPT', `${path}: is a folder, expected a JSON file`, { path });
  if (!stats.isFile()) throw new ArchiveError('CORRUPT', `${path}: is not a regular file, expected a JSON file`, { path });
}

/**
 * A data file of up to {@link SYNC_READ_MAX} bytes read with synchronous
 * calls: open, fstat, read, close cost microseconds on a local disk, while
 * each asynchronous call is a round trip through the thread pool — four of
 * them were most of the time of reading a small file. Undefined (nothing
 * read) for a larger file. Opened with {@link DATA_READ_FLAGS}.
 */
function readSmallSync(path: string): { text: string; stats: Stats } | undefined {
  const fd = openSync(path, DATA_READ_FLAGS);
  try {
    const stats = fstatSync(fd);
    checkRegular(stats, path);
    if (stats.size > SYNC_READ_MAX) return undefined;
    return { text: decodeUtf8(readFileSync(fd), path), stats };
  } finally {
    closeSync(fd);
  }
}

async function readAsync(path: string): Promise<{ text: string; stats: Stats }> {
  // The same flags: the file may have been replaced since it was found too large to read here.
  const handle = await open(path, DATA_READ_FLAGS);
  try {
    const stats = await handle.stat();
    checkRegular(stats, path);
    return { text: decodeUtf8(await handle.readFile(), path), stats };
  } finally {
    await handle.close();
  }
}
