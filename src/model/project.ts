import { z } from 'zod';
import { epochMs } from './common.js';

/**
 * A project record (`projects/<id>.json`), OpenCode's Project. `sandboxes` is
 * required by OpenCode's API; the archive writes it but accepts files without it.
 */
export const project = z.looseObject({
  id: z.string().regex(/^[0-9A-Za-z_-]{1,128}$/, 'expected a project ID (letters, digits, _ or -)'),
  worktree: z.string(),
  vcs: z.literal('git').optional(),
  name: z.string().optional(),
  icon: z.looseObject({ url: z.string().optional(), override: z.string().optional(), color: z.string().optional() }).optional(),
  commands: z.looseObject({ start: z.string().optional() }).optional(),
  time: z.looseObject({ created: epochMs, updated: epochMs, initialized: epochMs.optional() }),
  sandboxes: z.array(z.string()).optional(),
});

export type Project = z.infer<typeof project>;
