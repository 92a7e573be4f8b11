import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { applyEdits, modify, type ParseError, parse } from 'jsonc-parser';
import { errnoCode } from '../errors.js';
import { buildSchemas, SCHEMA_FILES } from '../model/json-schema.js';
import { writeFileAtomic } from './atomic-write.js';
import { assertNoLink } from './safe-path.js';

// The archive carries its JSON Schema files (`<archive>/schema/`), so an
// editor validates hand edits and shows each field's help without the
// package installed anywhere near; and an editor is pointed at them.

/** The archive's schema folder. */
export function schemaFolder(archiveRoot: string): string {
  return join(archiveRoot, 'schema');
}

/** Schema files of the archive that are missing or differ from this version's: their paths. */
export async function staleSchemaFiles(archiveRoot: string, built = buildSchemas()): Promise<string[]> {
  const stale: string[] = [];
  for (const [name, text] of built) {
    const path = join(schemaFolder(archiveRoot), name);
    const current = await readFile(path, 'utf8').catch((error: unknown) => {
      if (errnoCode(error) === 'ENOENT') return undefined;
      throw error;
    });
    if (current !== text) stale.push(path);
  }
  return stale;
}

/** Writes the schema files that are missing or out of date; returns their paths. */
export async function writeSchemaFiles(archiveRoot: string): Promise<string[]> {
  await assertNoLink(archiveRoot, schemaFolder(archiveRoot), { self: true });
  await mkdir(schemaFolder(archiveRoot), { recursive: true });
  const built = buildSchemas();
  const stale = await staleSchemaFiles(archiveRoot, built);
  for (const path of stale) await writeFileAtomic(path, built.get(path.slice(path.lastIndexOf(sep) + 1)) as string);
  return stale;
}

/**
 * The folder a person opens in an editor to edit the archive: the top of the
 * git repository holding it (a `.sessions/` inside a project), else the
 * archive itself (a standalone archive, in git or not).
 */
export async function editorWorkspace(archiveRoot: string): Promise<string> {
  return (await repositoryOf(archiveRoot)) ?? archiveRoot;
}

/** The top of the git repository a folder is in (itself, or one above), or undefined when it is in none. */
export async function repositoryOf(folder: string): Promise<string | undefined> {
  const top = await new Promise<string | undefined>((done) =>
    execFile('git', ['rev-parse', '--show-toplevel'], { cwd: folder, timeout: 10_000 }, (error, stdout) =>
      done(error ? undefined : stdout.trim()),
    ),
  );
  return top && (folder === top || folder.startsWith(`${top}${sep}`)) ? top : undefined;
}

export interface EditorSettingsResult {
  /** The settings file written or found up to date. */
  path: string;
  /** Mappings added (none: everything was there). */
  added: number;
  /** Why nothing was written, when the file could not be merged safely. */
  skipped?: string;
}

/**
 * Adds `json.schemas` mappings for the archive's data files to
 * `<workspace>/.vscode/settings.json` (VS Code reads settings only from the
 * folder it opened): one per schema file, paths relative to the workspace.
 * What the file holds is kept — comments, other settings, other mappings;
 * a mapping whose `url` is already there is left as it is. A file that is
 * not valid JSON with comments is not touched (`skipped` says why).
 */
export async function addEditorSchemas(archiveRoot: string, workspace: string): Promise<EditorSettingsResult> {
  const path = join(workspace, '.vscode', 'settings.json');
  const rel = relative(workspace, archiveRoot).split(sep).join('/');
  const prefix = rel === '' ? '' : `${rel}/`;
  let text = await readFile(path, 'utf8').catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  });
  const original = text;
  const errors: ParseError[] = [];
  const settings = text === undefined ? {} : parse(text, errors, { allowTrailingComma: true });
  if (errors.length > 0 || settings === null || typeof settings !== 'object' || Array.isArray(settings)) {
    return { path, added: 0, skipped: `${path} is not a JSON object (with comments); add the mappings by hand` };
  }
  const existing = (settings as Record<string, unknown>)['json.schemas'];
  if (existing !== undefined && !Array.isArray(existing)) {
    return { path, added: 0, skipped: `${path}: "json.schemas" is not a list; add the mappings by hand` };
  }
  const urls = new Set((existing ?? []).map((entry) => (entry as { url?: unknown })?.url));
  text ??= '{}\n';
  let added = 0;
  let index = existing?.length ?? 0;
  for (const { name, files } of SCHEMA_FILES) {
    const url = `./${prefix}schema/${name}`;
    if (urls.has(url)) continue;
    const entry = { fileMatch: [`/${prefix}${files}`], url };
    const edits =
      existing === undefined && added === 0
        ? modify(text, ['json.schemas'], [entry], { formattingOptions: { insertSpaces: true, tabSize: 2 } })
        : modify(text, ['json.schemas', index], entry, { isArrayInsertion: true, formattingOptions: { insertSpaces: true, tabSize: 2 } });
    text = applyEdits(text, edits);
    index++;
    added++;
  }
  if (text !== original && added > 0) {
    await mkdir(join(workspace, '.vscode'), { recursive: true });
    await writeFileAtomic(path, text.endsWith('\n') ? text : `${text}\n`);
  }
  return { path, added };
}
