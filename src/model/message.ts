import * as z from 'zod';
import { epochMs, jsonObject, messageIdRef, sessionIdRef, snapshotFileDiff, tokens } from './common.js';
import { apiError, part } from './part.js';

const namedError = <N extends string, D extends z.ZodRawShape>(name: N, data: D) =>
  z.looseObject({ name: z.literal(name).describe('The kind of error'), data: z.looseObject(data).describe('Its details') });
const errorMessage = z.string().describe('What went wrong');

/** The errors an assistant message can carry, by `name`. */
export const messageError = z.discriminatedUnion('name', [
  namedError('ProviderAuthError', { providerID: z.string().describe('The provider that refused'), message: errorMessage }),
  namedError('UnknownError', { message: errorMessage, ref: z.string().optional().describe('A reference to more detail') }),
  namedError('MessageOutputLengthError', {}),
  namedError('MessageAbortedError', { message: errorMessage }),
  namedError('StructuredOutputError', {
    message: errorMessage,
    retries: z.number().int().nonnegative().describe('How often it was retried'),
  }),
  namedError('ContextOverflowError', {
    message: errorMessage,
    responseBody: z.string().optional().describe("The provider's response body"),
  }),
  namedError('ContentFilterError', { message: errorMessage }),
  apiError,
]);

/** The output format a user asked for: plain text, or JSON matching a schema. */
export const outputFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text').describe('"text": a plain answer; "json_schema": JSON matching `schema`') }),
  z.looseObject({
    type: z.literal('json_schema').describe('"text": a plain answer; "json_schema": JSON matching `schema`'),
    schema: jsonObject.describe('The JSON Schema the answer must match'),
    retryCount: z.number().int().nonnegative().optional().describe('How often to retry an answer that does not match'),
  }),
]);

const messageId = messageIdRef.describe('The message ID; must equal the file name (messages/<id>.json)');
const inSession = sessionIdRef.describe('The session the message belongs to; must equal the folder it is in');
const role = '"user" for what a person sent, "assistant" for what the model answered';

export const userMessage = z.looseObject({
  id: messageId,
  sessionID: inSession,
  role: z.literal('user').describe(role),
  time: z
    .looseObject({ created: z.number().nonnegative().describe('When it was sent (epoch milliseconds); messages are ordered by it') })
    .describe('When'),
  format: outputFormat.optional().describe('The answer format asked for'),
  summary: z
    .looseObject({
      title: z.string().optional().describe('A short title of what was asked'),
      body: z.string().optional().describe('A summary of what followed'),
      diffs: z.array(snapshotFileDiff).describe('Files changed in answer to it'),
    })
    .optional()
    .describe('What came of this message'),
  agent: z.string().describe('The agent asked (e.g. "build", "plan")'),
  model: z
    .looseObject({
      providerID: z.string().describe('The provider (e.g. "anthropic")'),
      modelID: z.string().describe('The model ID at its provider'),
      variant: z.string().optional().describe('The model variant, if any'),
    })
    .describe('The model asked'),
  system: z.string().optional().describe('An extra system prompt sent with the message'),
  tools: z.record(z.string(), z.boolean()).optional().describe('Tools turned on (true) or off (false) for this message'),
});

export const assistantMessage = z.looseObject({
  id: messageId,
  sessionID: inSession,
  role: z.literal('assistant').describe(role),
  time: z
    .looseObject({
      created: epochMs.describe('When the answer started (epoch milliseconds); messages are ordered by it'),
      completed: epochMs.optional().describe('When it finished (epoch milliseconds)'),
    })
    .describe('When'),
  error: messageError.optional().describe('Why the answer failed, if it did'),
  parentID: messageIdRef.describe('The user message this answers'),
  modelID: z.string().describe('The model that answered'),
  providerID: z.string().describe('Its provider'),
  mode: z.string().describe('The mode (agent) it ran in'),
  agent: z.string().describe('The agent that answered'),
  path: z
    .looseObject({ cwd: z.string().describe('The working folder'), root: z.string().describe("The project's worktree") })
    .describe('Where it ran'),
  summary: z.boolean().optional().describe('True for a compaction summary'),
  cost: z.number().describe('Cost in US dollars'),
  tokens: tokens.describe('Tokens used'),
  structured: z.unknown().optional().describe('The structured (JSON) answer, when one was asked for'),
  variant: z.string().optional().describe('The model variant, if any'),
  finish: z.string().optional().describe('Why the model stopped (e.g. "stop", "tool-calls", "length")'),
});

export const message = z.discriminatedUnion('role', [userMessage, assistantMessage]);

/** A message file (`messages/<messageID>.json`): the message and its parts, in order. */
export const messageFile = z.looseObject({
  info: message.describe('The message'),
  parts: z.array(part).describe('Its parts, in order: text, reasoning, tool calls, files, steps …'),
});

export type UserMessage = z.infer<typeof userMessage>;
export type AssistantMessage = z.infer<typeof assistantMessage>;
export type Message = z.infer<typeof message>;
export type MessageWithParts = z.infer<typeof messageFile>;
