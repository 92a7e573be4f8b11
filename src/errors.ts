/**
 * The one error type of the library. Callers branch on `code`, never on the
 * message text; the server and the CLI map codes to HTTP statuses and exit
 * codes in one place each.
 */
export type ArchiveErrorCode =
  /** A session, message, part, project or file does not exist. */
  | 'NOT_FOUND'
  /** An ID does not have the required shape. */
  | 'INVALID_ID'
  /** A caller-chosen ID is already taken. */
  | 'DUPLICATE_ID'
  /** Input (an option, a patch, a message body) does not validate. */
  | 'INVALID_INPUT'
  /** A file in the archive cannot be parsed or does not validate; it is left untouched. */
  | 'CORRUPT'
  /** The session is busy (e.g. an agent is writing to it). */
  | 'BUSY'
  /** The session's lock could not be taken in time, or was lost. */
  | 'LOCKED'
  /** A file changed under us between read and write; nothing was written. */
  | 'CONFLICT'
  /** The folder is not an archive. */
  | 'NOT_AN_ARCHIVE'
  /** The archive was written by a newer format version than this library reads. */
  | 'UNSUPPORTED_VERSION'
  /** A session folder, messages folder or data file is a symbolic link (or leads out of the archive); never followed. */
  | 'UNSAFE_PATH'
  /** Any other file-system failure. */
  | 'IO';

export interface ArchiveErrorOptions {
  /** The file the error is about, if any. */
  path?: string;
  /** The underlying error. */
  cause?: unknown;
  /** Structured details, e.g. every validation issue with its field path. */
  details?: unknown;
}

export class ArchiveError extends Error {
  override readonly name = 'ArchiveError';
  readonly code: ArchiveErrorCode;
  readonly path: string | undefined;
  readonly details: unknown;

  constructor(code: ArchiveErrorCode, message: string, options: ArchiveErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
    this.details = options.details;
  }
}

/** True when `error` is an ArchiveError, optionally with one of the given codes. */
export function isArchiveError(error: unknown, ...codes: ArchiveErrorCode[]): error is ArchiveError {
  return error instanceof ArchiveError && (codes.length === 0 || codes.includes(error.code));
}

/** The errno code of a Node file-system error (`ENOENT`, …), if it has one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
