import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSchemas, initArchive, schemaFolder } from '../../src/index.js';
import { SAMPLE, SAMPLES, tempDir } from '../helpers.js';
import { editorFor } from './editor.js';

// What VS Code's JSON editor (its own language service) shows for a data
// file mapped to the archive's schema files.

const messagePath = join(SAMPLES, 'sessions', SAMPLE.main, 'messages', 'msg_019a8b7c6d01Zq8Wm3Nx5Rv7Tb.json');

describe('hand edits in an editor', () => {
  it('every field of every data file has a description', () => {
    for (const [name, text] of buildSchemas()) {
      const missing: string[] = [];
      const walk = (node: unknown, path: string): void => {
        if (Array.isArray(node)) {
          for (const n of node) walk(n, path);
          return;
        }
        if (node === null || typeof node !== 'object') return;
        const properties = (node as { properties?: Record<string, { description?: string; const?: unknown }> }).properties ?? {};
        for (const [key, value] of Object.entries(properties)) {
          // `const` members of a discriminator are described on the enum that lists them.
          if (!value.description && value.const === undefined) missing.push(`${path}.${key}`);
          walk(value, `${path}.${key}`);
        }
        for (const [key, value] of Object.entries(node)) if (key !== 'properties') walk(value, path);
      };
      walk(JSON.parse(text), '');
      expect([...new Set(missing)], name).toEqual([]);
    }
  });

  it('the schema files init writes into the archive: a sample file has no problem, a typo in a part type is one problem naming the valid types, and hovers explain fields', async () => {
    const archive = await initArchive(join(await tempDir(), 'archive'));
    const editor = await editorFor(schemaFolder(archive), 'message.schema.json');
    const text = await readFile(messagePath, 'utf8');
    expect(await editor.diagnostics(text)).toEqual([]);

    const typo = await editor.diagnostics(text.replace('"type": "text"', '"type": "txet"'));
    expect(typo.map((d) => d.message)).toEqual([expect.stringContaining('"text", "subtask", "reasoning", "file", "tool"')]);

    // Once the type is right, a wrong field is reported against that part type alone.
    const wrongField = await editor.diagnostics(text.replace(/"text": "[^"]*"/, '"text": 42'));
    expect(wrongField.map((d) => d.message)).toEqual(['Incorrect type. Expected "string".']);

    expect(await editor.hover(text, '"agent"')).toContain('The agent asked');
    expect(await editor.hover(text, '"parts"')).toContain('Its parts, in order');
    const info = await editorFor(schemaFolder(archive), 'session-info.schema.json');
    const infoText = await readFile(join(SAMPLES, 'sessions', SAMPLE.main, 'info.json'), 'utf8');
    expect(await info.diagnostics(infoText)).toEqual([]);
    expect(await info.hover(infoText, '"title"')).toContain('The title shown in lists');
    expect(await info.hover(infoText, '"created"')).toContain('When the session was created');
  });
});
