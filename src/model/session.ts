import * as z from 'zod';
import { epochMs, jsonObject, messageIdRef, partIdRef, sessionIdRef, snapshotFileDiff, tokens } from './common.js';

export const permissionRule = z.looseObject({
  permission: z.string().describe('What the rule is about (a tool or permission name, e.g. "edit", "bash")'),
  pattern: z.string().describe('Which uses it applies to (a glob over the tool argument, "*" for all)'),
  action: z.string().describe('What happens: "allow", "ask" or "deny"'),
});

export const revertState = z.looseObject({
  messageID: messageIdRef.describe('The message reverted to: it and everything after it are removed when the next message is sent'),
  partID: partIdRef.optional().describe('The part of that message reverted to (that part and later ones go)'),
  snapshot: z.string().optional().describe('The working-tree snapshot (git tree hash) taken before the revert, for unrevert'),
  diff: z.string().optional().describe('The diff the revert undid, as a unified patch'),
});

/** Archive extension: where a fork came from. A fork is not a child (`parentID`). */
export const forkedFrom = z.looseObject({
  sessionID: sessionIdRef.describe('The session this one was forked from'),
  messageID: messageIdRef.optional().describe('The message the fork was made before (absent: forked after the last message)'),
});

/**
 * Session info (`info.json`): OpenCode 1.18.33's Session, fields in its order,
 * plus the archive's `forkedFrom`.
 */
export const sessionInfo = z.looseObject({
  id: sessionIdRef.describe('The session ID; must equal the name of its folder (sessions/<id>/)'),
  slug: z.string().describe('A short readable name made from the title, as OpenCode makes it'),
  projectID: z
    .string()
    .describe('The project (projects/<id>.json): the first root commit of the git repository of `directory`, or "global"'),
  workspaceID: z
    .string()
    .regex(/^wrk/, 'expected a workspace ID (wrk…)')
    .optional()
    .describe('The OpenCode workspace the session belongs to (wrk…)'),
  directory: z.string().describe('The absolute folder the agent worked in; `sarc migrate` changes it'),
  path: z.string().optional().describe("`directory` relative to the project's worktree ('' at its top)"),
  parentID: sessionIdRef.optional().describe('The parent session of a sub-agent (child) session'),
  forkedFrom: forkedFrom.optional().describe('Archive extension: where this fork came from (a fork is not a child)'),
  summary: z
    .looseObject({
      additions: z.number().describe('Lines added across the session'),
      deletions: z.number().describe('Lines deleted across the session'),
      files: z.number().describe('Files changed'),
      diffs: z.array(snapshotFileDiff).optional().describe('Per-file changes'),
    })
    .optional()
    .describe('What the session changed in the working tree'),
  cost: z.number().optional().describe('Total cost in US dollars'),
  tokens: tokens.omit({ total: true }).optional().describe('Tokens used across the session'),
  share: z
    .looseObject({ url: z.string().describe('The public read-only URL of the shared session') })
    .optional()
    .describe('Present while the session is shared'),
  title: z.string().describe('The title shown in lists; edit freely'),
  agent: z.string().optional().describe('The agent the session runs with (e.g. "build", "plan")'),
  model: z
    .looseObject({
      id: z.string().describe('The model ID at its provider'),
      providerID: z.string().describe('The provider (e.g. "anthropic", "openai")'),
      variant: z.string().optional().describe('The model variant, if any'),
    })
    .optional()
    .describe('The model the session runs with'),
  version: z.string().describe('The version of the program that created the session'),
  metadata: jsonObject.optional().describe('Free-form data kept as it is (importers keep source fields here)'),
  time: z
    .looseObject({
      created: epochMs.describe('When the session was created (epoch milliseconds)'),
      updated: epochMs.describe('When it last changed (epoch milliseconds); moves with every message'),
      compacting: epochMs.optional().describe('When a compaction started, while it runs (epoch milliseconds)'),
      archived: z.number().optional().describe('When it was archived (epoch milliseconds); remove the field to unarchive'),
    })
    .describe('Times, in epoch milliseconds'),
  permission: z.array(permissionRule).optional().describe("Permission rules for the session's tools"),
  revert: revertState.optional().describe('A pending revert: what the next message will remove'),
});

export type Session = z.infer<typeof sessionInfo>;
export type RevertState = z.infer<typeof revertState>;
export type ForkedFrom = z.infer<typeof forkedFrom>;
