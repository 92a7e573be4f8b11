import * as z from 'zod';
import { epochMs } from './common.js';

/**
 * A project record (`projects/<id>.json`), OpenCode's Project. `sandboxes` is
 * required by OpenCode's API; the archive writes it but accepts files without it.
 */
export const project = z.looseObject({
  id: z
    .string()
    .regex(/^[0-9A-Za-z_-]{1,128}$/, 'expected a project ID (letters, digits, _ or -)')
    .describe('The project ID: the first root commit of its git repository, or "global"; must equal the file name'),
  worktree: z.string().describe("The repository's top folder (absolute)"),
  vcs: z.literal('git').optional().describe('"git" for a git repository'),
  name: z.string().optional().describe('A display name; edit freely'),
  icon: z
    .looseObject({
      url: z.string().optional().describe('An image URL'),
      override: z.string().optional().describe('An icon name chosen by hand'),
      color: z.string().optional().describe('A colour'),
    })
    .optional()
    .describe("The project's icon in OpenCode"),
  commands: z
    .looseObject({ start: z.string().optional().describe('A command run when a workspace of the project starts') })
    .optional()
    .describe('Project commands'),
  time: z
    .looseObject({
      created: epochMs.describe('When the record was created (epoch milliseconds)'),
      updated: epochMs.describe('When it last changed (epoch milliseconds)'),
      initialized: epochMs.optional().describe('When OpenCode initialised the project (epoch milliseconds)'),
    })
    .describe('Times, in epoch milliseconds'),
  sandboxes: z.array(z.string()).optional().describe('Other worktrees (git worktrees) of the project'),
});

export type Project = z.infer<typeof project>;
