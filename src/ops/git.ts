import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import type { z } from 'zod';
import { ArchiveError } from '../errors.js';
import { messageFile } from '../model/message.js';
import { sessionInfo } from '../model/session.js';
import { todoList } from '../model/todo.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { formatCanonical, parseJsonText } from '../store/json-file.js';
import { mergeInfo, mergeMessage, mergeTodos } from './merge.js';

const run = promisify(execFile);

async function readJson<S extends z.ZodType>(schema: S, path: string): Promise<z.output<S> | undefined> {
  const text = await readFile(path, 'utf8').catch(() => '');
  if (text.trim() === '') return undefined;
  const parsed = schema.safeParse(parseJsonText(text, path));
  if (!parsed.success) throw new ArchiveError('CORRUPT', `${path}: does not validate`, { path });
  return parsed.data;
}

/** Reads the three sides with one schema and merges them; the result is validated again. */
async function mergeSides<S extends z.ZodType>(
  schema: S,
  sides: readonly [string, string, string],
  merge: (base: z.output<S> | undefined, ours: z.output<S> | undefined, theirs: z.output<S> | undefined) => unknown,
): Promise<unknown> {
  const [b, o, t] = await Promise.all(sides.map((side) => readJson(schema, side)));
  return schema.parse(merge(b, o, t));
}

/**
 * Git's merge driver for archive files (`sarc merge-driver %O %A %B %P`):
 * merges base, ours and theirs field-wise and writes the canonical result to
 * `ours`. Which kind of file it is comes from its path (`info.json`,
 * `todos.json`, `messages/*.json`). Throws when a side does not parse or
 * validate; git then reports a conflict.
 */
export async function mergeFiles(basePath: string, oursPath: string, theirsPath: string, path: string): Promise<void> {
  const name = path.split('/').pop() ?? '';
  const sides = [basePath, oursPath, theirsPath] as const;
  /** Ours and theirs, which an info or message file must both have (an empty todo list is fine). */
  const both = <T>(o: T | undefined, t: T | undefined): [T, T] => {
    if (!o || !t) throw new ArchiveError('CORRUPT', `${path}: one side is empty`);
    return [o, t];
  };
  let merged: unknown;
  if (name === 'info.json') merged = await mergeSides(sessionInfo, sides, (b, o, t) => mergeInfo(b, ...both(o, t)));
  else if (name === 'todos.json') merged = await mergeSides(todoList, sides, (b, o, t) => mergeTodos(b, o ?? [], t ?? []));
  else if (path.includes('/messages/') || path.startsWith('messages/'))
    merged = await mergeSides(messageFile, sides, (b, o, t) => mergeMessage(b, ...both(o, t)));
  else throw new ArchiveError('INVALID_INPUT', `${path}: not an archive file the merge driver knows`);
  await writeFileAtomic(oursPath, formatCanonical(merged));
}

const ATTRIBUTES = ['sessions/*/info.json merge=sarc', 'sessions/*/todos.json merge=sarc', 'sessions/*/messages/*.json merge=sarc'];

/**
 * Sets up the git repository holding the archive so its files merge field by
 * field: `.gitattributes` in the archive (existing lines kept) and the
 * `merge.sarc` driver in the repository's config, running `driverCommand`.
 */
export async function gitSetup(archiveDir: string, driverCommand: string): Promise<{ repository: string; attributes: string }> {
  let top: string;
  try {
    top = (await run('git', ['rev-parse', '--show-toplevel'], { cwd: archiveDir })).stdout.trim();
  } catch (error) {
    throw new ArchiveError('INVALID_INPUT', `${archiveDir} is not inside a git repository; run \`git init\` first`, { cause: error });
  }
  const attributes = join(archiveDir, '.gitattributes');
  const existing = await readFile(attributes, 'utf8').catch(() => '');
  const lines = existing.split('\n').filter((l) => l !== '');
  for (const line of ATTRIBUTES) if (!lines.includes(line)) lines.push(line);
  await writeFileAtomic(attributes, `${lines.join('\n')}\n`);
  await run('git', ['config', 'merge.sarc.name', 'session-archive field-wise merge'], { cwd: archiveDir });
  await run('git', ['config', 'merge.sarc.driver', `${driverCommand} merge-driver %O %A %B %P`], { cwd: archiveDir });
  return { repository: top, attributes: relative(top, attributes) || '.gitattributes' };
}
