import { z } from 'zod';
import { archiveMeta, messageFile, project, sessionInfo, todoList } from '../src/model/index.js';
import { formatCanonical } from '../src/store/json-file.js';

/** The JSON Schema files of `schema/`, by file name, generated from the zod model. */
export function buildSchemas(): Map<string, string> {
  const entries: Array<[string, z.ZodType, string]> = [
    ['archive.schema.json', archiveMeta, 'archive.json: marks a session-archive folder'],
    ['session-info.schema.json', sessionInfo, 'sessions/<id>/info.json: session info (OpenCode Session + forkedFrom)'],
    ['message.schema.json', messageFile, 'sessions/<id>/messages/<messageID>.json: a message and its parts'],
    ['todos.schema.json', todoList, 'sessions/<id>/todos.json: the todo list'],
    ['project.schema.json', project, 'projects/<id>.json: a project record'],
  ];
  return new Map(
    entries.map(([name, schema, title]) => [
      name,
      formatCanonical({
        $schema: 'http://json-schema.org/draft-07/schema#',
        title,
        ...z.toJSONSchema(schema, { io: 'input', target: 'draft-07', unrepresentable: 'any' }),
      }),
    ]),
  );
}
