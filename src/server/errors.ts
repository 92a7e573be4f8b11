import type { Context } from 'hono';
import { ArchiveError } from '../index.js';

type HttpErrorKind = 'Params' | 'Query' | 'Body' | 'Payload';

/** A 400 from the HTTP layer itself (bad query, bad body). */
export class BadRequest extends Error {
  override readonly name = 'BadRequest';
  constructor(
    message: string,
    readonly kind: HttpErrorKind = 'Body',
  ) {
    super(message);
  }
}

/** A refusal by the HTTP layer that is not about the archive: no route, no credentials, too large. */
export class HttpRefusal extends Error {
  constructor(
    readonly status: 401 | 403 | 404 | 413 | 415 | 421,
    readonly errorName:
      | 'UnauthorizedError'
      | 'ForbiddenError'
      | 'NotFoundError'
      | 'PayloadTooLarge'
      | 'UnsupportedMediaType'
      | 'MisdirectedRequest',
    message: string,
  ) {
    super(message);
  }
}

export interface ErrorResponse {
  status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 421 | 500;
  body: Record<string, unknown>;
}

/**
 * The one place errors become HTTP responses, in OpenCode's shapes:
 * `{name: "NotFoundError", data: {message}}` (404), `{name: "BadRequest",
 * data: {message, kind}}` (400), `{_tag: "SessionBusyError", …}` and
 * `{_tag: "ConflictError", …}` (409); and the archive's own for a broken
 * file (`CorruptFileError`, naming it) and a failed read or write (`StorageError`).
 */
export function toErrorResponse(error: unknown, sessionID?: string): ErrorResponse {
  if (error instanceof BadRequest) return { status: 400, body: { name: 'BadRequest', data: { message: error.message, kind: error.kind } } };
  if (error instanceof HttpRefusal) return { status: error.status, body: { name: error.errorName, data: { message: error.message } } };
  if (error instanceof ArchiveError) {
    switch (error.code) {
      case 'NOT_FOUND':
        return { status: 404, body: { name: 'NotFoundError', data: { message: error.message } } };
      case 'INVALID_ID':
      case 'INVALID_INPUT':
        return {
          status: 400,
          body: { name: 'BadRequest', data: { message: error.message, kind: error.code === 'INVALID_ID' ? 'Params' : 'Body' } },
        };
      case 'BUSY':
        return { status: 409, body: { _tag: 'SessionBusyError', sessionID: sessionID ?? '', message: error.message } };
      case 'DUPLICATE_ID':
      case 'LOCKED':
      case 'CONFLICT':
        return {
          status: 409,
          body: { _tag: 'ConflictError', name: 'ConflictError', message: error.message, data: { message: error.message } },
        };
      case 'UNSUPPORTED_VERSION':
        return { status: 400, body: { name: 'BadRequest', data: { message: error.message, kind: 'Body' } } };
      case 'CORRUPT':
        // The archive's data is broken, not the request: say which file and where, so a person can fix it.
        return { status: 500, body: { name: 'CorruptFileError', data: { message: error.message, path: error.path ?? null } } };
      case 'UNSAFE_PATH':
        return { status: 500, body: { name: 'UnsafePathError', data: { message: error.message, path: error.path ?? null } } };
      case 'IO':
        return { status: 500, body: { name: 'StorageError', data: { message: error.message, path: error.path ?? null } } };
      case 'NOT_AN_ARCHIVE':
        // The server's own folder is not an archive (moved or removed under it): nothing the request can change.
        return { status: 500, body: { name: 'NotAnArchiveError', data: { message: error.message, path: error.path ?? null } } };
    }
    // Every code is answered above: a new one fails to compile here instead of becoming an unexplained 500.
    const unmapped: never = error.code;
    return { status: 500, body: { name: 'UnknownError', data: { message: `${error.message} (${String(unmapped)})` } } };
  }
  return { status: 500, body: { name: 'UnknownError', data: { message: error instanceof Error ? error.message : String(error) } } };
}

/** The JSON answer to an error, through {@link toErrorResponse}. */
export function errorResponse(c: Context, error: unknown, sessionID?: string): Response {
  const { status, body } = toErrorResponse(error, sessionID);
  if (status === 401) c.header('WWW-Authenticate', 'Basic realm="session-archive"');
  return c.json(body, status);
}

/** The message of an error answer, for pages that show it to a person. */
export function errorMessage(response: ErrorResponse): string {
  const body = response.body as { data?: { message?: string }; message?: string };
  return body.data?.message ?? body.message ?? 'error';
}
