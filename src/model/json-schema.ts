import * as z from 'zod';
import { archiveMeta } from './archive-meta.js';
import { messageFile } from './message.js';
import { project } from './project.js';
import { sessionInfo } from './session.js';
import { todoList } from './todo.js';

// JSON Schema (draft-07) files for the archive's data files, generated from
// the zod model: editors validate hand edits and show each field's
// description on hover. The archive carries a copy (`<archive>/schema/`,
// written by `init`, refreshed by `doctor --fix`) and so does the package.

type JsonSchema = { [key: string]: unknown };

/** The schema files: name, the files they describe (relative to the archive root), and the title. */
export const SCHEMA_FILES: ReadonlyArray<{ name: string; files: string; title: string; schema: z.ZodType }> = [
  { name: 'archive.schema.json', files: 'archive.json', title: 'archive.json: marks a session-archive folder', schema: archiveMeta },
  {
    name: 'session-info.schema.json',
    files: 'sessions/*/info.json',
    title: 'sessions/<id>/info.json: session info (OpenCode Session + forkedFrom)',
    schema: sessionInfo,
  },
  {
    name: 'message.schema.json',
    files: 'sessions/*/messages/*.json',
    title: 'sessions/<id>/messages/<messageID>.json: a message and its parts',
    schema: messageFile,
  },
  { name: 'todos.schema.json', files: 'sessions/*/todos.json', title: 'sessions/<id>/todos.json: the todo list', schema: todoList },
  { name: 'project.schema.json', files: 'projects/*.json', title: 'projects/<id>.json: a project record', schema: project },
];

/** The one property whose `const` tells the branches of a `oneOf` apart (`type`, `role`, `status`, `name`), if any. */
function discriminator(branches: JsonSchema[]): string | undefined {
  const first = branches[0]?.properties as Record<string, JsonSchema> | undefined;
  if (!first) return undefined;
  for (const key of Object.keys(first)) {
    const values = branches.map((b) => ((b.properties as Record<string, JsonSchema> | undefined)?.[key] as JsonSchema | undefined)?.const);
    if (values.every((v) => typeof v === 'string') && new Set(values).size === values.length) return key;
  }
  return undefined;
}

/**
 * A `oneOf` of objects told apart by one constant field becomes `if`/`then`
 * on that field: a typo in a part's `type` is one error ("not one of text,
 * reasoning, …") instead of one per branch, and once `type` is right the
 * errors and hovers are those of that branch alone.
 */
function byDiscriminator(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(byDiscriminator);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) out[key] = byDiscriminator(value);
  const branches = out.oneOf as JsonSchema[] | undefined;
  const key = branches && discriminator(branches);
  if (!branches || !key) return out;
  const { oneOf: _, ...rest } = out;
  const member = (b: JsonSchema) => (b.properties as Record<string, JsonSchema>)[key] as JsonSchema;
  const values = branches.map((b) => member(b).const as string);
  const description = member(branches[0] as JsonSchema).description;
  return {
    ...rest,
    type: 'object',
    properties: { [key]: { ...(description ? { description } : {}), type: 'string', enum: values } },
    required: [key],
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, not a thenable
    allOf: branches.map((branch, i) => ({ if: { properties: { [key]: { const: values[i] } } }, then: branch })),
  };
}

/** The JSON Schema file texts, by file name. */
export function buildSchemas(): Map<string, string> {
  return new Map(
    SCHEMA_FILES.map(({ name, title, schema }) => {
      const generated = z.toJSONSchema(schema, { io: 'input', target: 'draft-07', unrepresentable: 'any' }) as JsonSchema;
      const document = { $schema: 'http://json-schema.org/draft-07/schema#', title, ...(byDiscriminator(generated) as JsonSchema) };
      return [name, `${JSON.stringify(document, null, 2)}\n`];
    }),
  );
}
