import { readdir, readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { archiveMeta, messageFile, project, sessionInfo, todoList } from '../../src/index.js';
import { writeFileAtomic } from '../../src/store/atomic-write.js';
import { formatCanonical, readDataFile } from '../../src/store/json-file.js';
import { SAMPLES, tempArchive } from '../helpers.js';

function schemaFor(rel: string): z.ZodType | undefined {
  const parts = rel.split(sep);
  if (rel === 'archive.json') return archiveMeta;
  if (parts[0] === 'projects') return project;
  if (parts[2] === 'info.json') return sessionInfo;
  if (parts[2] === 'todos.json') return todoList;
  if (parts[2] === 'messages') return messageFile;
  return undefined;
}

describe('canonical bytes', () => {
  it('rewriting every file of samples/ through the store changes no byte', async () => {
    const { dir } = await tempArchive({ samples: true });
    // Data files (the schema files are not data, and are checked in schema.test.ts).
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.json') && !f.startsWith('schema/'));
    expect(files.length).toBeGreaterThanOrEqual(15);
    for (const rel of files) {
      const schema = schemaFor(rel);
      if (!schema) throw new Error(`no schema for ${rel}`);
      const path = join(dir, rel);
      const loaded = await readDataFile(schema, path);
      await writeFileAtomic(path, formatCanonical(loaded?.value));
      expect(await readFile(path, 'utf8'), rel).toBe(await readFile(join(SAMPLES, rel), 'utf8'));
    }
  });

  it('orders keys by schema, then unknown keys in their original order', async () => {
    const text = JSON.stringify({
      zeta: 1,
      time: { updated: 2, created: 1 },
      title: 't',
      version: 'v',
      id: 'ses_x',
      alpha: 2,
      directory: '/',
      projectID: 'p',
      slug: 's',
    });
    const value = sessionInfo.parse(JSON.parse(text));
    expect(formatCanonical(value)).toBe(
      '{\n  "id": "ses_x",\n  "slug": "s",\n  "projectID": "p",\n  "directory": "/",\n  "title": "t",\n  "version": "v",\n  "time": {\n    "created": 1,\n    "updated": 2\n  },\n  "zeta": 1,\n  "alpha": 2\n}\n',
    );
  });

  it('the samples hold what the docs promise', async () => {
    const { archive } = await tempArchive({ samples: true });
    const sessions = await archive.sessions.list();
    expect(sessions.length).toBeGreaterThanOrEqual(4);
    expect(sessions.some((s) => s.forkedFrom)).toBe(true);
    expect(sessions.some((s) => s.parentID)).toBe(true);
    expect((await archive.projects.list()).length).toBeGreaterThanOrEqual(2);
    const types = new Set<string>();
    let todos = 0;
    for (const s of sessions) {
      for (const m of await archive.messages.list(s.id)) for (const p of m.parts) types.add(p.type);
      todos += (await archive.todos.get(s.id)).length;
    }
    expect(todos).toBeGreaterThan(0);
    for (const t of [
      'text',
      'reasoning',
      'file',
      'tool',
      'step-start',
      'step-finish',
      'patch',
      'snapshot',
      'agent',
      'subtask',
      'retry',
      'compaction',
    ]) {
      expect(types, t).toContain(t);
    }
  });
});
