import { describe, expect, it } from 'vitest';
import { EXIT_CODES, exitCodeFor } from '../../src/cli/output.js';
import { ArchiveError, type ArchiveErrorCode } from '../../src/index.js';
import { toErrorResponse } from '../../src/server/errors.js';

// EXIT_CODES is a Record over every code (the compiler holds it to that): its keys are the codes there are.
const CODES = Object.keys(EXIT_CODES) as ArchiveErrorCode[];

describe('error codes', () => {
  it('each has an HTTP answer of its own (none falls through to an unexplained 500) and an exit code', () => {
    expect(CODES).toContain('NOT_AN_ARCHIVE');
    for (const code of CODES) {
      const { status, body } = toErrorResponse(new ArchiveError(code, `a ${code} error`));
      expect(body.name ?? body._tag, code).not.toBe('UnknownError');
      expect([400, 404, 409, 500], code).toContain(status);
      expect([1, 2], code).toContain(exitCodeFor(new ArchiveError(code, 'x')));
    }
    expect(toErrorResponse(new ArchiveError('NOT_AN_ARCHIVE', '/srv is not an archive')).body).toMatchObject({ name: 'NotAnArchiveError' });
    expect(exitCodeFor(new ArchiveError('INVALID_INPUT', 'x'))).toBe(2);
  });
});
