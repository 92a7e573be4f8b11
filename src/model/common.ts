import { z } from 'zod';

// Small shapes shared by several schemas. Every object is loose: unknown
// fields are kept on read and written back after the known ones.

/** Epoch milliseconds, as OpenCode's integer times. */
export const epochMs = z.number().int().nonnegative();

// References to IDs: OpenCode's prefix rule, and only the characters IDs are
// made of (letters, digits, `_`), so no reference can carry a path or a NUL.
export const sessionIdRef = z.string().regex(/^ses[0-9A-Za-z_]{0,200}$/, 'expected a session ID (ses_…)');
export const messageIdRef = z.string().regex(/^msg[0-9A-Za-z_]{0,200}$/, 'expected a message ID (msg_…)');
export const partIdRef = z.string().regex(/^prt[0-9A-Za-z_]{0,200}$/, 'expected a part ID (prt_…)');

/** A free-form JSON object (`metadata`, tool `input`). */
export const jsonObject = z.record(z.string(), z.unknown());

export const tokenCache = z.looseObject({ read: z.number(), write: z.number() });

export const tokens = z.looseObject({
  total: z.number().optional(),
  input: z.number(),
  output: z.number(),
  reasoning: z.number(),
  cache: tokenCache,
});

export const snapshotFileDiff = z.looseObject({
  file: z.string().optional(),
  patch: z.string().optional(),
  additions: z.number(),
  deletions: z.number(),
  status: z.enum(['added', 'deleted', 'modified']).optional(),
});
