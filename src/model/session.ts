import { z } from 'zod';
import { epochMs, jsonObject, messageIdRef, partIdRef, sessionIdRef, snapshotFileDiff, tokens } from './common.js';

export const permissionRule = z.looseObject({
  permission: z.string(),
  pattern: z.string(),
  action: z.string(),
});

export const revertState = z.looseObject({
  messageID: messageIdRef,
  partID: partIdRef.optional(),
  snapshot: z.string().optional(),
  diff: z.string().optional(),
});

/** Archive extension: where a fork came from. A fork is not a child (`parentID`). */
export const forkedFrom = z.looseObject({
  sessionID: sessionIdRef,
  messageID: messageIdRef.optional(),
});

/**
 * Session info (`info.json`): OpenCode 1.18.33's Session, fields in its order,
 * plus the archive's `forkedFrom`.
 */
export const sessionInfo = z.looseObject({
  id: sessionIdRef,
  slug: z.string(),
  projectID: z.string(),
  workspaceID: z.string().regex(/^wrk/, 'expected a workspace ID (wrk…)').optional(),
  directory: z.string(),
  path: z.string().optional(),
  parentID: sessionIdRef.optional(),
  forkedFrom: forkedFrom.optional(),
  summary: z
    .looseObject({
      additions: z.number(),
      deletions: z.number(),
      files: z.number(),
      diffs: z.array(snapshotFileDiff).optional(),
    })
    .optional(),
  cost: z.number().optional(),
  tokens: tokens.omit({ total: true }).optional(),
  share: z.looseObject({ url: z.string() }).optional(),
  title: z.string(),
  agent: z.string().optional(),
  model: z.looseObject({ id: z.string(), providerID: z.string(), variant: z.string().optional() }).optional(),
  version: z.string(),
  metadata: jsonObject.optional(),
  time: z.looseObject({
    created: epochMs,
    updated: epochMs,
    compacting: epochMs.optional(),
    archived: z.number().optional(),
  }),
  permission: z.array(permissionRule).optional(),
  revert: revertState.optional(),
});

export type Session = z.infer<typeof sessionInfo>;
export type RevertState = z.infer<typeof revertState>;
export type ForkedFrom = z.infer<typeof forkedFrom>;
