import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { buildSchemas } from '../../src/index.js';
import { gitRepo, hasTool, tempDir } from '../helpers.js';
import { sarc } from './helpers.js';

type Mapping = { fileMatch: string[]; url: string };
const mappings = async (file: string): Promise<Mapping[]> => parse(await readFile(file, 'utf8'))['json.schemas'];

describe('sarc init', () => {
  it.skipIf(!hasTool('git'))(
    'without a folder makes ./.sessions, with its schema files, and maps them in the repository root’s .vscode/settings.json, keeping what is there',
    async () => {
      const root = await tempDir();
      const repo = join(root, 'repo');
      await mkdir(join(repo, 'pkg'), { recursive: true });
      execFileSync('git', ['init', '-q'], { cwd: repo });
      await mkdir(join(repo, '.vscode'));
      const settings = join(repo, '.vscode', 'settings.json');
      await writeFile(
        settings,
        '{\n  // mine\n  "editor.tabSize": 4,\n  "json.schemas": [{ "fileMatch": ["/a.json"], "url": "./a.schema.json" }],\n}\n',
      );
      const env = { SARC_STATE_DIR: join(root, 'state'), SARC_ARCHIVE: '' };
      const run = await sarc(['init'], { cwd: join(repo, 'pkg'), env });
      expect(run.code).toBe(0);
      const archive = join(repo, 'pkg', '.sessions');
      expect(run.stdout).toContain(`archive ready at ${archive}`);
      expect(run.stdout).toContain(`VS Code: 5 schema mappings added to ${settings}`);
      expect((await readdir(join(archive, 'schema'))).sort()).toEqual([...buildSchemas().keys()].sort());
      for (const [name, text] of buildSchemas()) expect(await readFile(join(archive, 'schema', name), 'utf8')).toBe(text);

      const text = await readFile(settings, 'utf8');
      expect(text).toContain('// mine');
      expect(parse(text)['editor.tabSize']).toBe(4);
      expect(await mappings(settings)).toEqual([
        { fileMatch: ['/a.json'], url: './a.schema.json' },
        { fileMatch: ['/pkg/.sessions/archive.json'], url: './pkg/.sessions/schema/archive.schema.json' },
        { fileMatch: ['/pkg/.sessions/sessions/*/info.json'], url: './pkg/.sessions/schema/session-info.schema.json' },
        { fileMatch: ['/pkg/.sessions/sessions/*/messages/*.json'], url: './pkg/.sessions/schema/message.schema.json' },
        { fileMatch: ['/pkg/.sessions/sessions/*/todos.json'], url: './pkg/.sessions/schema/todos.schema.json' },
        { fileMatch: ['/pkg/.sessions/projects/*.json'], url: './pkg/.sessions/schema/project.schema.json' },
      ]);
      // Found from below by every command; a second init adds nothing.
      expect((await sarc(['list', '--all', '--json'], { cwd: join(repo, 'pkg'), env })).code).toBe(0);
      const again = await sarc(['init', '--json'], { cwd: join(repo, 'pkg'), env });
      expect(JSON.parse(again.stdout).editor).toEqual({ path: settings, added: 0 });
      expect(await readFile(settings, 'utf8')).toBe(text);
    },
  );

  it('an archive in no repository gets no editor settings unless --vscode; a repository of its own maps them in its .vscode/settings.json; a settings file that is not JSON is left alone; --no-vscode writes none', async () => {
    const root = await tempDir();
    const env = { SARC_STATE_DIR: join(root, 'state'), SARC_ARCHIVE: '' };
    // A data folder (~/.local/share/session-archive): nobody opens it in an editor.
    const data = join(root, 'data');
    const quiet = await sarc(['init', data], { cwd: root, env });
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toContain('not in a git repository: no .vscode/settings.json written');
    expect(await readdir(data)).not.toContain('.vscode');
    expect((await sarc(['init', data, '--vscode'], { cwd: root, env })).code).toBe(0);
    expect(await readdir(data)).toContain('.vscode');

    const standalone = join(root, 'sessions');
    await mkdir(standalone);
    gitRepo(standalone);
    expect((await sarc(['init', standalone], { cwd: root, env })).code).toBe(0);
    expect((await mappings(join(standalone, '.vscode', 'settings.json'))).map((m) => [m.fileMatch[0], m.url])).toContainEqual([
      '/sessions/*/messages/*.json',
      './schema/message.schema.json',
    ]);

    const broken = join(root, 'broken');
    await mkdir(join(broken, '.vscode'), { recursive: true });
    await writeFile(join(broken, '.vscode', 'settings.json'), '{ "a": ');
    const run = await sarc(['init', broken, '--vscode'], { cwd: root, env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('is not a JSON object (with comments); add the mappings by hand');
    expect(await readFile(join(broken, '.vscode', 'settings.json'), 'utf8')).toBe('{ "a": ');

    const plain = join(root, 'plain');
    expect((await sarc(['init', plain, '--no-vscode'], { cwd: root, env })).code).toBe(0);
    expect(await readdir(plain)).not.toContain('.vscode');
    expect(await readdir(plain)).toContain('schema');
  });

  it('doctor reports a missing or outdated schema file and --fix writes it', async () => {
    const root = await tempDir();
    const archive = join(root, 'a');
    const env = { SARC_STATE_DIR: join(root, 'state'), SARC_ARCHIVE: archive };
    expect((await sarc(['init', archive, '--no-vscode'], { env })).code).toBe(0);
    expect((await sarc(['doctor'], { env })).code).toBe(0);
    await rm(join(archive, 'schema', 'message.schema.json'));
    await writeFile(join(archive, 'schema', 'todos.schema.json'), '{}');
    const check = await sarc(['doctor', '--json'], { env });
    expect(check.code).toBe(1);
    expect(
      JSON.parse(check.stdout)
        .problems.map((p: { kind: string; path: string }) => [p.kind, p.path])
        .sort(),
    ).toEqual([
      ['stale-schema', join(archive, 'schema', 'message.schema.json')],
      ['stale-schema', join(archive, 'schema', 'todos.schema.json')],
    ]);
    expect((await sarc(['doctor', '--fix'], { env })).code).toBe(0);
    expect(await readFile(join(archive, 'schema', 'todos.schema.json'), 'utf8')).toBe(buildSchemas().get('todos.schema.json'));
    expect((await sarc(['doctor'], { env })).code).toBe(0);
  });
});
