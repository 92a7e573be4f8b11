import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSchemas } from '../scripts/schemas.js';
import { ROOT } from './helpers.js';

describe('schema/', () => {
  it('is current with src/model (run `npm run schema` after changing the model)', async () => {
    const built = buildSchemas();
    expect((await readdir(join(ROOT, 'schema'))).sort()).toEqual([...built.keys()].sort());
    for (const [name, text] of built) {
      expect(await readFile(join(ROOT, 'schema', name), 'utf8'), name).toBe(text);
    }
  });

  it('samples/schema, which the sample archive carries, is current too', async () => {
    for (const [name, text] of buildSchemas()) {
      expect(await readFile(join(ROOT, 'samples', 'schema', name), 'utf8'), name).toBe(text);
    }
  });

  it('is draft-07 and allows unknown fields', () => {
    const info = JSON.parse(buildSchemas().get('session-info.schema.json') ?? '{}');
    expect(info.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(info.required).toEqual(['id', 'slug', 'projectID', 'directory', 'title', 'version', 'time']);
    expect(info.additionalProperties).toEqual({});
  });
});
