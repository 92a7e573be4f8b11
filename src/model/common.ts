import * as z from 'zod';

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

export const tokenCache = z
  .looseObject({ read: z.number().describe('Tokens read from the cache'), write: z.number().describe('Tokens written to the cache') })
  .describe('Prompt cache use');

export const tokens = z.looseObject({
  total: z.number().optional().describe('All tokens'),
  input: z.number().describe('Input (prompt) tokens'),
  output: z.number().describe('Output tokens'),
  reasoning: z.number().describe('Reasoning tokens'),
  cache: tokenCache,
});

export const snapshotFileDiff = z.looseObject({
  file: z.string().optional().describe('The file, relative to the worktree'),
  patch: z.string().optional().describe('Its change as a unified patch'),
  additions: z.number().describe('Lines added'),
  deletions: z.number().describe('Lines deleted'),
  status: z.enum(['added', 'deleted', 'modified']).optional().describe('"added", "deleted" or "modified"'),
});
