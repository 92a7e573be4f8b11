import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  agentPart,
  apiError,
  assistantMessage,
  compactionPart,
  filePart,
  filePartSource,
  messageError,
  patchPart,
  project,
  reasoningPart,
  retryPart,
  sessionInfo,
  snapshotPart,
  stepFinishPart,
  stepStartPart,
  subtaskPart,
  textPart,
  todo,
  toolPart,
  toolState,
  userMessage,
} from '../../src/index.js';
import { ROOT } from '../helpers.js';

interface Shape {
  properties: Record<string, Shape | null>;
  required: string[];
}

type JsonSchema = { type?: string; properties?: Record<string, JsonSchema>; required?: string[] };

/** Our JSON Schema reduced to the same form as the OpenCode fixture. */
function reduce(schema: JsonSchema): Shape | null {
  if (schema.type !== 'object' || !schema.properties) return null;
  const properties: Record<string, Shape | null> = {};
  for (const key of Object.keys(schema.properties).sort()) properties[key] = reduce(schema.properties[key] as JsonSchema);
  return { properties, required: [...(schema.required ?? [])].sort() };
}

const byName = (union: { options: readonly z.ZodType[] }, index: number) => union.options[index] as z.ZodType;

const OURS: Record<string, z.ZodType> = {
  Session: sessionInfo,
  UserMessage: userMessage,
  AssistantMessage: assistantMessage,
  TextPart: textPart,
  ReasoningPart: reasoningPart,
  FilePart: filePart,
  FileSource: byName(filePartSource, 0),
  SymbolSource: byName(filePartSource, 1),
  ResourceSource: byName(filePartSource, 2),
  ToolPart: toolPart,
  ToolStatePending: byName(toolState, 0),
  ToolStateRunning: byName(toolState, 1),
  ToolStateCompleted: byName(toolState, 2),
  ToolStateError: byName(toolState, 3),
  StepStartPart: stepStartPart,
  StepFinishPart: stepFinishPart,
  SnapshotPart: snapshotPart,
  PatchPart: patchPart,
  AgentPart: agentPart,
  SubtaskPart: subtaskPart,
  RetryPart: retryPart,
  CompactionPart: compactionPart,
  Todo: todo,
  Project: project,
  ProviderAuthError: byName(messageError, 0),
  UnknownError: byName(messageError, 1),
  MessageOutputLengthError: byName(messageError, 2),
  MessageAbortedError: byName(messageError, 3),
  StructuredOutputError: byName(messageError, 4),
  ContextOverflowError: byName(messageError, 5),
  ContentFilterError: byName(messageError, 6),
  APIError: apiError,
};

/** Deliberate differences, each with its reason. */
function adjust(name: string, theirs: Shape): Shape {
  const copy = structuredClone(theirs);
  if (name === 'Session') copy.properties.forkedFrom = { properties: { messageID: null, sessionID: null }, required: ['sessionID'] }; // archive extension
  if (name === 'Todo') copy.properties.id = null; // kept where a writer gives one (DESIGN.md)
  if (name === 'Project') copy.required = copy.required.filter((r) => r !== 'sandboxes'); // written always, not required of hand-made files
  return copy;
}

describe('the model matches OpenCode 1.18.33', async () => {
  const fixture = JSON.parse(await readFile(join(ROOT, 'test', 'fixtures', 'opencode-1.18.33-shapes.json'), 'utf8')) as {
    schemas: Record<string, Shape>;
  };

  it('covers every fixture type', () => {
    expect(Object.keys(OURS).sort()).toEqual(Object.keys(fixture.schemas).sort());
  });

  it.each(Object.keys(fixture.schemas))('%s: same field names and required fields at every level', (name) => {
    const ours = reduce(z.toJSONSchema(OURS[name] as z.ZodType, { io: 'input', target: 'draft-07', unrepresentable: 'any' }) as JsonSchema);
    expect(ours).toEqual(adjust(name, fixture.schemas[name] as Shape));
  });
});
