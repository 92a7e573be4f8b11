import * as z from 'zod';
import { message, messageFile, part, permissionRule, sessionInfo, statusInput, todo } from '../index.js';
import { queryBool, queryNumber } from './define-route.js';

// Request and response shapes of the HTTP API, in OpenCode's names. The same
// schemas validate the requests and make the OpenAPI document.

export const instanceQuery = z.looseObject({ directory: z.string().optional(), workspace: z.string().optional() });

export const sessionListQuery = instanceQuery.extend({
  roots: queryBool.optional(),
  start: queryNumber.optional(),
  search: z.string().optional(),
  limit: queryNumber.optional().describe('Sessions to answer (default 100, as OpenCode)'),
  scope: z.string().optional(),
  path: z.string().optional(),
});

export const historyQuery = instanceQuery.extend({
  limit: queryNumber.optional(),
  cursor: z.string().optional(),
  search: z.string().optional(),
  roots: queryBool.optional(),
  archived: z.enum(['true', 'false', 'include', 'exclude', 'only']).optional(),
  project: z.string().optional(),
  start: queryNumber.optional(),
});

export const searchQuery = z.object({
  query: z.string().describe('Words (all must match, in any form), "a phrase", word* for a beginning, -word to leave out'),
  project: z.string().optional().describe('Only this project (ID)'),
  directory: z.string().optional().describe('Only sessions in this folder (and below) or matching this glob'),
  from: queryNumber.optional().describe('Only from this time on (epoch ms)'),
  to: queryNumber.optional().describe('Only before this time (epoch ms)'),
  role: z.enum(['user', 'assistant']).optional().describe('Only messages of this role'),
  archived: z.enum(['include', 'exclude', 'only']).optional().describe('Archived sessions (default include)'),
  limit: queryNumber.optional().describe('Hits per page, 1–500 (default 20)'),
  offset: queryNumber.optional().describe('Hits to skip (default 0)'),
});

export const searchResult = z.object({
  hits: z.array(
    z.object({
      sessionID: z.string(),
      messageID: z.string().optional(),
      role: z.enum(['user', 'assistant']).optional(),
      field: z.enum(['title', 'todos', 'message']),
      title: z.string(),
      directory: z.string(),
      projectID: z.string(),
      archived: z.boolean(),
      time: z.number().describe("The message's time.created, or the session's time.updated"),
      snippet: z.string(),
      marks: z.array(z.tuple([z.number(), z.number()])).describe('[start, end) of each matched word in snippet'),
    }),
  ),
  more: z.boolean().describe('More hits follow (ask with offset + limit)'),
  rankedAmong: z.number().optional().describe('Set when so many rows match that only the newest this many were ranked and paged'),
  complete: z.boolean().describe('False while the search index is still being built after the server started'),
});

export const modelRef = z.looseObject({ id: z.string(), providerID: z.string(), variant: z.string().optional() });

export const createSessionBody = z.looseObject({
  id: z.string().optional(),
  parentID: z.string().optional(),
  title: z.string().optional(),
  agent: z.string().optional(),
  model: modelRef.optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  permission: z.array(permissionRule).optional(),
  workspaceID: z.string().optional(),
});

export const updateSessionBody = z.object({
  title: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  permission: z.array(permissionRule).optional(),
  time: z.object({ archived: z.number().nullable().optional() }).optional(),
});

export const forkBody = z.object({ messageID: z.string().optional(), id: z.string().optional() });
export const revertBody = z.object({ messageID: z.string(), partID: z.string().optional() });
export const initBody = z.looseObject({ modelID: z.string(), providerID: z.string(), messageID: z.string() });
export const messagesQuery = instanceQuery.extend({ limit: queryNumber.optional(), before: z.string().optional() });
export const diffQuery = instanceQuery.extend({ messageID: z.string().optional() });

/** What POST /session/:id/message takes (OpenCode's prompt body); the archive stores the user message and runs no model. */
export const promptBody = z.looseObject({
  messageID: z.string().optional(),
  model: z.looseObject({ providerID: z.string(), modelID: z.string() }).optional(),
  agent: z.string().optional(),
  noReply: z.boolean().optional(),
  system: z.string().optional(),
  tools: z.record(z.string(), z.boolean()).optional(),
  parts: z.array(z.looseObject({ type: z.string(), id: z.string().optional() })),
});

export const migrateOneBody = z.object({ directory: z.string() });
export const migrateBody = z.object({
  ids: z.array(z.string()).optional(),
  fromDir: z.union([z.string(), z.array(z.string())]).optional(),
  fromProject: z.union([z.string(), z.array(z.string())]).optional(),
  to: z.string(),
  dryRun: z.boolean().optional(),
});

export const exportBody = z.object({
  sessionID: z.string(),
  children: z.boolean().optional(),
  format: z.enum(['archive', 'opencode']).optional(),
});
export const importQuery = z.object({ mode: z.enum(['clone', 'keep-ids']).optional() });

export const sessionResponse = sessionInfo;
export const sessionsResponse = z.array(sessionInfo);
export const globalSession = sessionInfo.extend({
  project: z.looseObject({ id: z.string(), name: z.string().optional(), worktree: z.string() }).nullable(),
});
export const messageResponse = messageFile;
export const messagesResponse = z.array(messageFile);
export const todosResponse = z.array(todo);
export const statusMap = z.record(z.string(), statusInput);
export { message, part, statusInput, todo };

const commaList = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

export const usageQuery = z.object({
  since: queryNumber.optional().describe('From this time on (epoch ms)'),
  until: queryNumber.optional().describe('Before this time (epoch ms)'),
  project: z.string().optional().describe('Only this project: its name, its folder or its ID'),
  agent: commaList.optional().describe('Only sessions from these agents, comma-separated (claude-code,codex; archive: made here)'),
  by: commaList
    .pipe(z.array(z.enum(['day', 'week', 'month', 'session', 'project', 'model', 'agent'])).max(3))
    .optional()
    .describe('One table grouped by these dimensions together (day,agent): day, week, month, session, project, model, agent'),
  top: queryNumber.optional().describe('How many of the heaviest sessions (0–1000, default 10)'),
  timeZone: z.string().optional().describe("The IANA time zone days are counted in (default the server's)"),
});

const tokenCounts = z.object({
  input: z.number(),
  output: z.number().describe('Without reasoning'),
  reasoning: z.number(),
  cacheRead: z.number(),
  cacheWrite: z.number(),
  total: z.number(),
});

const figures = z.object({
  sessions: z.number(),
  messages: z.number(),
  replies: z.number().describe("The agent's messages"),
  tokens: tokenCounts,
  cost: z.number().describe("Dollars: the sources' own costs plus `estimated`"),
  estimated: z.number().describe('Dollars of `cost` reckoned from tokens at list prices'),
  unpriced: z.object({ replies: z.number(), tokens: z.number() }).describe('Replies with tokens but no cost and no price: not in `cost`'),
  tools: z.number(),
  failedTools: z.number(),
  activeMs: z.number().describe('Time from message to message, pauses over five minutes left out'),
});

const usageRow = z.object({
  key: z
    .array(z.string())
    .describe('One value per dimension: a date (2026-11-30), week (its Monday), month (2026-11), session ID, project ID, model or agent'),
  figures,
  session: z.object({ title: z.string(), projectID: z.string(), agent: z.string(), directory: z.string() }).optional(),
});

export const usageResult = z.object({
  prices: z.object({ date: z.string(), source: z.string() }).describe('The price table used'),
  timeZone: z.string(),
  total: figures,
  span: z
    .object({ first: z.number(), last: z.number() })
    .optional()
    .describe('The first and last quarter hour with a message in the selection (epoch ms)'),
  tables: z.record(z.string(), z.array(usageRow)).describe('The table asked for, keyed by its dimensions joined with ","'),
  heaviest: z.array(usageRow),
  unpriced: z.array(z.object({ model: z.string(), replies: z.number(), tokens: z.number() })),
  projects: z.record(z.string(), z.string()).describe("Every project's name by ID"),
  complete: z.boolean().describe('False while the search index is still being built after the server started'),
});
