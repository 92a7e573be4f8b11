import { z } from 'zod';
import { epochMs, jsonObject, messageIdRef, sessionIdRef, snapshotFileDiff, tokens } from './common.js';
import { apiError, part } from './part.js';

const namedError = <N extends string, D extends z.ZodRawShape>(name: N, data: D) =>
  z.looseObject({ name: z.literal(name), data: z.looseObject(data) });

/** The errors an assistant message can carry, by `name`. */
export const messageError = z.discriminatedUnion('name', [
  namedError('ProviderAuthError', { providerID: z.string(), message: z.string() }),
  namedError('UnknownError', { message: z.string(), ref: z.string().optional() }),
  namedError('MessageOutputLengthError', {}),
  namedError('MessageAbortedError', { message: z.string() }),
  namedError('StructuredOutputError', { message: z.string(), retries: z.number().int().nonnegative() }),
  namedError('ContextOverflowError', { message: z.string(), responseBody: z.string().optional() }),
  namedError('ContentFilterError', { message: z.string() }),
  apiError,
]);

/** The output format a user asked for: plain text, or JSON matching a schema. */
export const outputFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_schema'), schema: jsonObject, retryCount: z.number().int().nonnegative().optional() }),
]);

export const userMessage = z.looseObject({
  id: messageIdRef,
  sessionID: sessionIdRef,
  role: z.literal('user'),
  time: z.looseObject({ created: z.number().nonnegative() }),
  format: outputFormat.optional(),
  summary: z.looseObject({ title: z.string().optional(), body: z.string().optional(), diffs: z.array(snapshotFileDiff) }).optional(),
  agent: z.string(),
  model: z.looseObject({ providerID: z.string(), modelID: z.string(), variant: z.string().optional() }),
  system: z.string().optional(),
  tools: z.record(z.string(), z.boolean()).optional(),
});

export const assistantMessage = z.looseObject({
  id: messageIdRef,
  sessionID: sessionIdRef,
  role: z.literal('assistant'),
  time: z.looseObject({ created: epochMs, completed: epochMs.optional() }),
  error: messageError.optional(),
  parentID: messageIdRef,
  modelID: z.string(),
  providerID: z.string(),
  mode: z.string(),
  agent: z.string(),
  path: z.looseObject({ cwd: z.string(), root: z.string() }),
  summary: z.boolean().optional(),
  cost: z.number(),
  tokens,
  structured: z.unknown().optional(),
  variant: z.string().optional(),
  finish: z.string().optional(),
});

export const message = z.discriminatedUnion('role', [userMessage, assistantMessage]);

/** A message file (`messages/<messageID>.json`): the message and its parts, in order. */
export const messageFile = z.looseObject({
  info: message,
  parts: z.array(part),
});

export type UserMessage = z.infer<typeof userMessage>;
export type AssistantMessage = z.infer<typeof assistantMessage>;
export type Message = z.infer<typeof message>;
export type MessageWithParts = z.infer<typeof messageFile>;
