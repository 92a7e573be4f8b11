import * as z from 'zod';
import { epochMs, jsonObject, messageIdRef, partIdRef, sessionIdRef, tokens } from './common.js';

// Every part type OpenCode 1.18.33 serves, discriminated by `type` so that an
// error names the field that is wrong rather than "no union member matched".

const base = {
  id: partIdRef.describe('The part ID'),
  sessionID: sessionIdRef.describe('The session the part belongs to'),
  messageID: messageIdRef.describe('The message the part belongs to (this file)'),
};

/** The `type` of a part, with the same description everywhere (an editor shows it on hover). */
const kind = <T extends string>(value: T) =>
  z
    .literal(value)
    .describe(
      'What the part is: text, reasoning, tool, file, step-start, step-finish, snapshot, patch, agent, subtask, retry or compaction',
    );

const sourceText = z
  .looseObject({
    value: z.string().describe('The reference as typed'),
    start: z.number().describe('Where it starts in the message text'),
    end: z.number().describe('Where it ends in the message text'),
  })
  .describe('Where in the message text the file was referenced');
const position = z.looseObject({
  line: z.number().int().nonnegative().describe('Line (from 0)'),
  character: z.number().int().nonnegative().describe('Character in the line (from 0)'),
});
const sourceKind = <T extends string>(value: T) =>
  z.literal(value).describe('"file", "symbol" (in a file) or "resource" (from an MCP server)');

export const filePartSource = z.discriminatedUnion('type', [
  z.looseObject({ text: sourceText, type: sourceKind('file'), path: z.string().describe('The file, as referenced') }),
  z.looseObject({
    text: sourceText,
    type: sourceKind('symbol'),
    path: z.string().describe('The file holding the symbol'),
    range: z
      .looseObject({ start: position.describe('Where it starts'), end: position.describe('Where it ends') })
      .describe('Where the symbol is'),
    name: z.string().describe('The symbol'),
    kind: z.number().int().nonnegative().describe("The symbol's kind (LSP SymbolKind)"),
  }),
  z.looseObject({
    text: sourceText,
    type: sourceKind('resource'),
    clientName: z.string().describe('The MCP server it came from'),
    uri: z.string().describe("The resource's URI"),
  }),
]);

const span = z.looseObject({
  start: epochMs.describe('When it started (epoch milliseconds)'),
  end: epochMs.optional().describe('When it ended (epoch milliseconds)'),
});

export const textPart = z.looseObject({
  ...base,
  type: kind('text'),
  text: z.string().describe('The text (Markdown)'),
  synthetic: z.boolean().optional().describe('True for text the program added, not a person or the model'),
  ignored: z.boolean().optional().describe('True for text left out of what the model sees'),
  time: span.optional().describe('When it was written'),
  metadata: jsonObject.optional().describe('Free-form data kept as it is'),
});

export const reasoningPart = z.looseObject({
  ...base,
  type: kind('reasoning'),
  text: z.string().describe("The model's reasoning (thinking) text"),
  metadata: jsonObject.optional().describe('Free-form data kept as it is (e.g. a provider signature)'),
  time: span.describe('When it was written'),
});

export const filePart = z.looseObject({
  ...base,
  type: kind('file'),
  mime: z.string().describe('Its media type (e.g. "image/png", "text/plain")'),
  filename: z.string().optional().describe('Its file name'),
  url: z.string().describe('Where it is: a file:, data: or http(s): URL'),
  source: filePartSource.optional().describe('What in the workspace it came from (a file, a symbol, a resource)'),
});

const status = <T extends string>(value: T) => z.literal(value).describe('Where the call is: "pending", "running", "completed" or "error"');
const toolInput = jsonObject.describe('The arguments the model called the tool with');

export const toolState = z.discriminatedUnion('status', [
  z.looseObject({
    status: status('pending'),
    input: toolInput,
    raw: z.string().describe('The input as the model is still writing it'),
  }),
  z.looseObject({
    status: status('running'),
    input: toolInput,
    title: z.string().optional().describe('A one-line description of the call'),
    metadata: jsonObject.optional().describe('Free-form data from the tool'),
    time: z.looseObject({ start: epochMs.describe('When it started (epoch milliseconds)') }).describe('When it ran'),
  }),
  z.looseObject({
    status: status('completed'),
    input: toolInput,
    output: z.string().describe("The tool's output, as the model saw it"),
    title: z.string().describe('A one-line description of the call'),
    metadata: jsonObject.describe('Free-form data from the tool'),
    time: z
      .looseObject({
        start: epochMs.describe('When it started (epoch milliseconds)'),
        end: epochMs.describe('When it ended (epoch milliseconds)'),
        compacted: epochMs.optional().describe('When its output was compacted away (epoch milliseconds)'),
      })
      .describe('When it ran'),
    attachments: z.array(filePart).optional().describe('Files the tool returned'),
  }),
  z.looseObject({
    status: status('error'),
    input: toolInput,
    error: z.string().describe('What went wrong'),
    metadata: jsonObject.optional().describe('Free-form data from the tool'),
    time: z
      .looseObject({
        start: epochMs.describe('When it started (epoch milliseconds)'),
        end: epochMs.describe('When it ended (epoch milliseconds)'),
      })
      .describe('When it ran'),
  }),
]);

export const toolPart = z.looseObject({
  ...base,
  type: kind('tool'),
  callID: z.string().describe("The provider's ID of the call"),
  tool: z.string().describe('The tool called (e.g. "bash", "edit", "read")'),
  state: toolState.describe('Its input, and its output or error once done'),
  metadata: jsonObject.optional().describe('Free-form data kept as it is'),
});

export const stepStartPart = z.looseObject({
  ...base,
  type: kind('step-start'),
  snapshot: z.string().optional().describe('The working-tree snapshot (git tree hash) when the step began'),
});

export const stepFinishPart = z.looseObject({
  ...base,
  type: kind('step-finish'),
  reason: z.string().describe('Why the step ended (e.g. "stop", "tool-calls")'),
  snapshot: z.string().optional().describe('The working-tree snapshot (git tree hash) when the step ended'),
  cost: z.number().describe('Cost of the step in US dollars'),
  tokens: tokens.describe('Tokens the step used'),
});

export const snapshotPart = z.looseObject({
  ...base,
  type: kind('snapshot'),
  snapshot: z.string().describe('A working-tree snapshot (git tree hash)'),
});

export const patchPart = z.looseObject({
  ...base,
  type: kind('patch'),
  hash: z.string().describe('The snapshot (git tree hash) the change was made from'),
  files: z.array(z.string()).describe('The files changed'),
});

export const agentPart = z.looseObject({
  ...base,
  type: kind('agent'),
  name: z.string().describe('The agent mentioned (@name)'),
  source: z
    .looseObject({
      value: z.string().describe('The mention as typed'),
      start: z.number().int().nonnegative().describe('Where it starts in the text'),
      end: z.number().int().nonnegative().describe('Where it ends in the text'),
    })
    .optional()
    .describe('Where in the message text the mention is'),
});

export const subtaskPart = z.looseObject({
  ...base,
  type: kind('subtask'),
  prompt: z.string().describe('What the sub-agent was asked'),
  description: z.string().describe('A short description of the task'),
  agent: z.string().describe('The sub-agent'),
  model: z
    .looseObject({ providerID: z.string().describe('The provider'), modelID: z.string().describe('The model ID at its provider') })
    .optional()
    .describe('The model the sub-agent runs with'),
  command: z.string().optional().describe('The command that started it, if any'),
});

/** OpenCode's APIError, also used by retry parts and assistant errors. */
export const apiError = z.looseObject({
  name: z.literal('APIError').describe('The kind of error'),
  data: z
    .looseObject({
      message: z.string().describe('What went wrong'),
      statusCode: z.number().int().nonnegative().optional().describe("The provider's HTTP status"),
      isRetryable: z.boolean().describe('Whether asking again may work'),
      responseHeaders: z.record(z.string(), z.string()).optional().describe("The provider's response headers"),
      responseBody: z.string().optional().describe("The provider's response body"),
      metadata: z.record(z.string(), z.string()).optional().describe('Free-form data kept as it is'),
    })
    .describe('Its details'),
});

export const retryPart = z.looseObject({
  ...base,
  type: kind('retry'),
  attempt: z.number().int().nonnegative().describe('Which attempt this was'),
  error: apiError.describe('The error that caused the retry'),
  time: z.looseObject({ created: epochMs.describe('When it was retried (epoch milliseconds)') }).describe('When'),
});

export const compactionPart = z.looseObject({
  ...base,
  type: kind('compaction'),
  auto: z.boolean().describe('True when the program compacted on its own, false when asked'),
  overflow: z.boolean().optional().describe('True when the context had overflowed'),
  tail_start_id: messageIdRef.optional().describe('The first message kept after the compaction'),
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
