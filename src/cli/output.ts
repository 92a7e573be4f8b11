import { ArchiveError, formatDate } from '../basics.js';
import type { ArchiveErrorCode } from '../index.js';
import { colourOn, plainTerminal, writeErr, writeOut } from './terminal-text.js';

/** Global options every command sees. */
export interface GlobalOptions {
  archive?: string;
  json?: boolean;
  quiet?: boolean;
  debug?: boolean;
  utc?: boolean;
}

/** Thrown for bad command-line use: exit code 2, one line. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The one place ArchiveError codes become exit codes, every code named (the compiler checks): bad input is a usage error (2), the rest a failure (1). */
export const EXIT_CODES: Record<ArchiveErrorCode, 1 | 2> = {
  INVALID_ID: 2,
  INVALID_INPUT: 2,
  NOT_FOUND: 1,
  DUPLICATE_ID: 1,
  CORRUPT: 1,
  BUSY: 1,
  LOCKED: 1,
  CONFLICT: 1,
  NOT_AN_ARCHIVE: 1,
  UNSUPPORTED_VERSION: 1,
  UNSAFE_PATH: 1,
  IO: 1,
};

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return 2;
  if (error instanceof ArchiveError) return EXIT_CODES[error.code] ?? 1;
  return 1;
}

const HINTS: Partial<Record<ArchiveErrorCode, string>> = {
  NOT_AN_ARCHIVE: 'pass --archive DIR, set SARC_ARCHIVE, or run `sarc init`',
  LOCKED: 'another process is writing this session; try again',
  CORRUPT: 'fix the file by hand (the path and position are above), or run `sarc doctor`',
  BUSY: 'wait until the session is idle, or abort it',
  UNSAFE_PATH: 'a link inside the archive is never followed; put the real folder or file in its place (`sarc doctor` lists every link)',
};

/** Reports an error: one line on stderr (JSON with --json), the stack only with --debug. */
export function reportError(error: unknown, options: GlobalOptions): void {
  const code = error instanceof ArchiveError ? error.code : error instanceof UsageError ? 'USAGE' : 'ERROR';
  const message = error instanceof Error ? error.message : String(error);
  if (options.json) {
    const body: Record<string, unknown> = { code, message };
    if (error instanceof ArchiveError && error.path) body.path = error.path;
    process.stderr.write(`${JSON.stringify({ error: body })}\n`);
  } else {
    const hint = error instanceof ArchiveError ? HINTS[error.code] : undefined;
    writeErr(`sarc: ${message}${hint ? ` (${hint})` : ''}\n`);
  }
  if (options.debug && error instanceof Error && error.stack) writeErr(`${error.stack}\n`);
}

/** Colour only on a terminal and without NO_COLOR. */
export function colors(stream: NodeJS.WriteStream = process.stdout) {
  const on = colourOn(stream);
  // What is coloured is data (titles, paths, messages): cleaned of its own sequences first.
  const wrap = (open: number, close: number) => (text: string) =>
    on ? `\u001b[${open}m${plainTerminal(text)}\u001b[${close}m` : plainTerminal(text);
  return { dim: wrap(2, 22), bold: wrap(1, 22), green: wrap(32, 39), yellow: wrap(33, 39), red: wrap(31, 39), cyan: wrap(36, 39) };
}

/** Writes the result: JSON on stdout with --json, else the human text (unless --quiet). */
export function emit(options: GlobalOptions, json: unknown, human: () => string): void {
  if (options.json) {
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return;
  }
  if (options.quiet) return;
  const text = human();
  if (text) writeOut(text.endsWith('\n') ? text : `${text}\n`);
}

/** "3 min ago" and the like, for listings; older than 60 days, the day (local, or UTC with `utc`). */
export function ago(ms: number, now = Date.now(), utc = false): string {
  const s = Math.round((now - ms) / 1000);
  if (s < 60) return `${Math.max(s, 0)}s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  if (s < 86400 * 60) return `${Math.round(s / 86400)} d ago`;
  return formatDate(ms, { utc });
}

/** A whole number ≥ 1 given as an option's value. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`invalid number ${JSON.stringify(value)}: expected a whole number ≥ 1`);
  return n;
}
