import { z } from 'zod';
import { epochMs, jsonObject, messageIdRef, partIdRef, sessionIdRef, tokens } from './common.js';

// Every part type OpenCode 1.18.33 serves, discriminated by `type` so that an
// error names the field that is wrong rather than "no union member matched".

const base = {
  id: partIdRef,
  sessionID: sessionIdRef,
  messageID: messageIdRef,
};

const sourceText = z.looseObject({ value: z.string(), start: z.number(), end: z.number() });
const position = z.looseObject({ line: z.number().int().nonnegative(), character: z.number().int().nonnegative() });

export const filePartSource = z.discriminatedUnion('type', [
  z.looseObject({ text: sourceText, type: z.literal('file'), path: z.string() }),
  z.looseObject({
    text: sourceText,
    type: z.literal('symbol'),
    path: z.string(),
    range: z.looseObject({ start: position, end: position }),
    name: z.string(),
    kind: z.number().int().nonnegative(),
  }),
  z.looseObject({ text: sourceText, type: z.literal('resource'), clientName: z.string(), uri: z.string() }),
]);

export const textPart = z.looseObject({
  ...base,
  type: z.literal('text'),
  text: z.string(),
  synthetic: z.boolean().optional(),
  ignored: z.boolean().optional(),
  time: z.looseObject({ start: epochMs, end: epochMs.optional() }).optional(),
  metadata: jsonObject.optional(),
});

export const reasoningPart = z.looseObject({
  ...base,
  type: z.literal('reasoning'),
  text: z.string(),
  metadata: jsonObject.optional(),
  time: z.looseObject({ start: epochMs, end: epochMs.optional() }),
});

export const filePart = z.looseObject({
  ...base,
  type: z.literal('file'),
  mime: z.string(),
  filename: z.string().optional(),
  url: z.string(),
  source: filePartSource.optional(),
});

export const toolState = z.discriminatedUnion('status', [
  z.looseObject({ status: z.literal('pending'), input: jsonObject, raw: z.string() }),
  z.looseObject({
    status: z.literal('running'),
    input: jsonObject,
    title: z.string().optional(),
    metadata: jsonObject.optional(),
    time: z.looseObject({ start: epochMs }),
  }),
  z.looseObject({
    status: z.literal('completed'),
    input: jsonObject,
    output: z.string(),
    title: z.string(),
    metadata: jsonObject,
    time: z.looseObject({ start: epochMs, end: epochMs, compacted: epochMs.optional() }),
    attachments: z.array(filePart).optional(),
  }),
  z.looseObject({
    status: z.literal('error'),
    input: jsonObject,
    error: z.string(),
    metadata: jsonObject.optional(),
    time: z.looseObject({ start: epochMs, end: epochMs }),
  }),
]);

export const toolPart = z.looseObject({
  ...base,
  type: z.literal('tool'),
  callID: z.string(),
  tool: z.string(),
  state: toolState,
  metadata: jsonObject.optional(),
});

export const stepStartPart = z.looseObject({
  ...base,
  type: z.literal('step-start'),
  snapshot: z.string().optional(),
});

export const stepFinishPart = z.looseObject({
  ...base,
  type: z.literal('step-finish'),
  reason: z.string(),
  snapshot: z.string().optional(),
  cost: z.number(),
  tokens,
});

export const snapshotPart = z.looseObject({ ...base, type: z.literal('snapshot'), snapshot: z.string() });

export const patchPart = z.looseObject({
  ...base,
  type: z.literal('patch'),
  hash: z.string(),
  files: z.array(z.string()),
});

export const agentPart = z.looseObject({
  ...base,
  type: z.literal('agent'),
  name: z.string(),
  source: z.looseObject({ value: z.string(), start: z.number().int().nonnegative(), end: z.number().int().nonnegative() }).optional(),
});

export const subtaskPart = z.looseObject({
  ...base,
  type: z.literal('subtask'),
  prompt: z.string(),
  description: z.string(),
  agent: z.string(),
  model: z.looseObject({ providerID: z.string(), modelID: z.string() }).optional(),
  command: z.string().optional(),
});

/** OpenCode's APIError, also used by retry parts and assistant errors. */
export const apiError = z.looseObject({
  name: z.literal('APIError'),
  data: z.looseObject({
    message: z.string(),
    statusCode: z.number().int().nonnegative().optional(),
    isRetryable: z.boolean(),
    responseHeaders: z.record(z.string(), z.string()).optional(),
    responseBody: z.string().optional(),
    metadata: z.record(z.string(), z.string()).optional(),
  }),
});

export const retryPart = z.looseObject({
  ...base,
  type: z.literal('retry'),
  attempt: z.number().int().nonnegative(),
  error: apiError,
  time: z.looseObject({ created: epochMs }),
});

export const compactionPart = z.looseObject({
  ...base,
  type: z.literal('compaction'),
  auto: z.boolean(),
  overflow: z.boolean().optional(),
  tail_start_id: messageIdRef.optional(),
});

export const part = z.discriminatedUnion('type', [
  textPart,
  subtaskPart,
  reasoningPart,
  filePart,
  toolPart,
  stepStartPart,
  stepFinishPart,
  snapshotPart,
  patchPart,
  agentPart,
  retryPart,
  compactionPart,
]);

export type Part = z.infer<typeof part>;
export type PartType = Part['type'];
export type ToolState = z.infer<typeof toolState>;
