import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { z } from 'zod';
import { ArchiveError } from '../errors.js';
import { messageFile } from '../model/message.js';
import { sessionInfo } from '../model/session.js';
import { todoList } from '../model/todo.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { formatCanonical, parseJsonText, readDataText } from '../store/json-file.js';
import { type MergeConflict, mergeInfo, mergeMessage, mergeTodos } from './merge.js';

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

/** The name of the copy that keeps what a merge dropped: a conflict copy `sarc resolve` and `sarc doctor` know. */
export function droppedCopyName(name: string, now: number): string {
  const dot = name.lastIndexOf('.');
  const day = new Date(now).toISOString().slice(0, 10);
  return `${name.slice(0, dot)} (sarc merge conflicted copy ${day})${name.slice(dot)}`;
}

/** `value` with `field` (a path as `MergeConflict.field` names it) set to `to` (undefined removes it). */
function withField(value: unknown, field: string, to: unknown): unknown {
  const steps = [...field.matchAll(/([^.[\]]+)|\[([^\]]+)\]/g)].map((m) => (m[1] !== undefined ? { key: m[1] } : { id: m[2] as string }));
  const copy = structuredClone(value);
  let at: unknown = copy;
  steps.forEach((step, i) => {
    const last = i === steps.length - 1;
    if ('id' in step) {
      const list = Array.isArray(at) ? (at as Array<Record<string, unknown>>) : [];
      const index = list.findIndex((item) => item?.id === step.id);
      if (index < 0) return;
      if (last) {
        if (to === undefined) list.splice(index, 1);
        else list[index] = to as Record<string, unknown>;
      } else at = list[index];
    } else if (at !== null && typeof at === 'object') {
      const record = at as Record<string, unknown>;
      if (last) {
        if (to === undefined) delete record[step.key];
        else record[step.key] = to;
      } else at = record[step.key];
    }
  });
  return copy;
}

/** What a merge did: the fields both sides changed (the newer kept), and where the dropped values were kept. */
export interface MergeReport {
  conflicts: MergeConflict[];
  /** The copy holding the merge with every dropped value instead (beside the file), when anything was dropped. */
  droppedCopy?: string;
}

/**
 * Git's merge driver for archive files (`sarc merge-driver %O %A %B %P`):
 * merges base, ours and theirs field-wise and writes the canonical result to
 * `ours`. Which kind of file it is comes from its path (`info.json`,
 * `todos.json`, `messages/*.json`). Throws when a side does not parse or
 * validate; git then reports a conflict.
 *
 * Where both sides changed a field to different values, the newer side wins
 * (the same way in a merge and in the matching rebase) and nothing is lost:
 * the merge with the other side's values is written beside the file as a
 * conflict copy (`info (sarc merge conflicted copy <day>).json`, ignored by
 * git through the archive's .gitignore), which `sarc doctor` lists and
 * `sarc resolve` reports field by field. `cwd` is the repository's root (git
 * runs drivers there) and `path` the file's place in it.
 */
export async function mergeFiles(
  basePath: string,
  oursPath: string,
  theirsPath: string,
  path: string,
  options: { cwd?: string; now?: number } = {},
): Promise<MergeReport> {
  const name = path.split('/').pop() ?? '';
  const sides = [basePath, oursPath, theirsPath] as const;
  /** Ours and theirs, which an info or message file must both have (an empty todo list is fine). */
  const both = <T>(o: T | undefined, t: T | undefined): [T, T] => {
    if (!o || !t) throw new ArchiveError('CORRUPT', `${path}: one side is empty`);
    return [o, t];
  };
  const conflicts: MergeConflict[] = [];
  let merged: unknown;
  if (name === 'info.json') merged = await mergeSides(sessionInfo, sides, (b, o, t) => mergeInfo(b, ...both(o, t), conflicts));
  else if (name === 'todos.json') merged = await mergeSides(todoList, sides, (b, o, t) => mergeTodos(b, o ?? [], t ?? []));
  else if (path.includes('/messages/') || path.startsWith('messages/'))
    merged = await mergeSides(messageFile, sides, (b, o, t) => mergeMessage(b, ...both(o, t), conflicts));
  else throw new ArchiveError('INVALID_INPUT', `${path}: not an archive file the merge driver knows`);
  let droppedCopy: string | undefined;
  if (conflicts.length) {
    const other = conflicts.reduce((value, c) => withField(value, c.field, c.dropped), merged);
    droppedCopy = join(options.cwd ?? process.cwd(), dirname(path), droppedCopyName(name, options.now ?? Date.now()));
    await writeFileAtomic(droppedCopy, formatCanonical(other));
  }
  await writeFileAtomic(oursPath, formatCanonical(merged));
  return { conflicts, droppedCopy };
}

const ATTRIBUTES = ['sessions/*/info.json merge=sarc', 'sessions/*/todos.json merge=sarc', 'sessions/*/messages/*.json merge=sarc'];

/** The repository holding `dir`, or INVALID_INPUT saying how to make one. */
async function topOf(dir: string): Promise<string> {
  try {
    return (await run('git', ['rev-parse', '--show-toplevel'], { cwd: dir })).stdout.trim();
  } catch (error) {
    throw new ArchiveError('INVALID_INPUT', `${dir} is not inside a git repository; run \`git init\` first`, { cause: error });
  }
}

/** Git's config line for the driver: a script in the git folder, found through git itself, so moving the repository breaks nothing. */
const DRIVER = 'sh "$(git rev-parse --git-path sarc-merge-driver)" %O %A %B %P';

/**
 * The driver script: the `sarc` on PATH when there is one — so moving node or
 * reinstalling the package breaks no later merge — else the `sarc` that ran
 * git-setup (a checkout, say).
 */
function driverScript(fallback: string, command = 'merge-driver', what = 'merge driver'): string {
  return `#!/bin/sh
# session-archive's ${what}, written by \`sarc git-setup\` (run it again to refresh).
if command -v sarc >/dev/null 2>&1; then exec sarc ${command} "$@"; fi
exec ${fallback} ${command} "$@"
`;
}

const HOOK_MARK = '# session-archive: pre-commit';

/** The pre-commit hook: `sarc scan --staged` of the archive, which refuses the commit when a staged file holds a secret. */
function hookScript(fallback: string, archiveDir: string): string {
  const args = `scan --staged --archive ${shellQuote(archiveDir)}`;
  return [
    '#!/bin/sh',
    `${HOOK_MARK}: refuses a commit that adds a secret to the archive (written by sarc git-setup).`,
    '# A value that is no secret: sarc redaction allow VALUE; to commit anyway: git commit --no-verify.',
    `if command -v sarc >/dev/null 2>&1; then exec sarc ${args}; fi`,
    `exec ${fallback} ${args}`,
    '',
  ].join('\n');
}

/**
 * Installs the pre-commit hook, unless the repository has a hook of its own
 * there (left as it is: the result says so, and how to call ours from it).
 */
async function installHook(top: string, archiveDir: string, fallback: string): Promise<{ hook: string; installed: boolean }> {
  const hook = resolve(top, (await run('git', ['rev-parse', '--git-path', 'hooks/pre-commit'], { cwd: top })).stdout.trim());
  const existing = await readFile(hook, 'utf8').catch(() => undefined);
  if (existing !== undefined && !existing.includes(HOOK_MARK)) return { hook, installed: false };
  await mkdir(dirname(hook), { recursive: true });
  await writeFileAtomic(hook, hookScript(fallback, archiveDir));
  await chmod(hook, 0o755);
  return { hook, installed: true };
}

/** The attribute lines that make \`git diff\` and \`git log -p\` show the conversation (see {@link gitSetup}'s \`textconv\`). */
const TEXTCONV_ATTRIBUTES = ['sessions/*/info.json diff=sarc', 'sessions/*/todos.json diff=sarc', 'sessions/*/messages/*.json diff=sarc'];

/**
 * Sets up the git repository holding the archive so its files merge field by
 * field: \`.gitattributes\` in the archive (existing lines kept), the driver
 * script in the git folder, and the \`merge.sarc\` driver in the repository's
 * config. \`fallbackCommand\` runs sarc when none is on PATH.
 */
export async function gitSetup(
  archiveDir: string,
  fallbackCommand: string,
  options: { textconv?: boolean; hook?: boolean } = {},
): Promise<{ repository: string; attributes: string; driver: string; textconv?: string; hook?: string; hookInstalled: boolean }> {
  const top = await topOf(archiveDir);
  const attributes = join(archiveDir, '.gitattributes');
  // Read as a data file of the archive is: a FIFO (rsync -a copies them) or a link in its place is refused, not waited on or followed.
  const existing = (await readDataText(attributes))?.text ?? '';
  const lines = existing.split('\n').filter((l) => l !== '');
  for (const line of [...ATTRIBUTES, ...(options.textconv ? TEXTCONV_ATTRIBUTES : [])]) if (!lines.includes(line)) lines.push(line);
  await writeFileAtomic(attributes, `${lines.join('\n')}\n`);
  const script = resolve(top, (await run('git', ['rev-parse', '--git-path', 'sarc-merge-driver'], { cwd: top })).stdout.trim());
  await writeFileAtomic(script, driverScript(fallbackCommand));
  await run('git', ['config', 'merge.sarc.name', 'session-archive field-wise merge'], { cwd: archiveDir });
  await run('git', ['config', 'merge.sarc.driver', DRIVER], { cwd: archiveDir });
  let textconv: string | undefined;
  if (options.textconv) {
    // git diff and git log -p show message files as the conversation (textconv), not as JSON.
    textconv = resolve(top, (await run('git', ['rev-parse', '--git-path', 'sarc-textconv'], { cwd: top })).stdout.trim());
    await writeFileAtomic(textconv, driverScript(fallbackCommand, 'textconv', 'textconv for git diff'));
    await run('git', ['config', 'diff.sarc.textconv', 'sh "$(git rev-parse --git-path sarc-textconv)"'], { cwd: archiveDir });
  }
  const { hook, installed } =
    options.hook === false ? { hook: undefined, installed: false } : await installHook(top, resolve(archiveDir), fallbackCommand);
  return {
    repository: top,
    attributes: relative(top, attributes) || '.gitattributes',
    driver: script,
    ...(textconv ? { textconv } : {}),
    hook,
    hookInstalled: installed,
  };
}

/**
 * Proves the configured driver runs: it merges a small made-up \`info.json\`
 * (a title changed on one side, an archive time on the other) exactly as git
 * would call it, from the repository's root. Returns the merged file, or
 * throws with what the driver printed.
 */
export async function gitCheck(archiveDir: string): Promise<{ repository: string; driver: string }> {
  const top = await topOf(archiveDir);
  const driver = (await run('git', ['config', 'merge.sarc.driver'], { cwd: top }).catch(() => ({ stdout: '' }))).stdout.trim();
  if (!driver) throw new ArchiveError('INVALID_INPUT', `no merge driver "sarc" in ${top}; run \`sarc git-setup\``);
  const folder = await mkdtemp(join(tmpdir(), 'sarc-check-'));
  try {
    const info = (title: string, archived?: number) =>
      formatCanonical({
        id: 'ses_fe5e00000000AAAAAAAAAAAAAA',
        slug: 's',
        projectID: 'global',
        directory: '/',
        title,
        version: 'check',
        time: { created: 1, updated: 2, ...(archived ? { archived } : {}) },
      });
    const [base, ours, theirs] = ['base', 'ours', 'theirs'].map((n) => join(folder, n));
    await writeFile(base as string, info('before'));
    await writeFile(ours as string, info('renamed'));
    await writeFile(theirs as string, info('before', 3));
    const command = driver
      .replace('%O', shellQuote(base as string))
      .replace('%A', shellQuote(ours as string))
      .replace('%B', shellQuote(theirs as string))
      .replace('%P', 'sessions/check/info.json');
    try {
      await run('sh', ['-c', command], { cwd: top });
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new ArchiveError('IO', `the merge driver did not run (${command}): ${(e.stderr || e.message).trim()}`, { cause: error });
    }
    const merged = JSON.parse(await readFile(ours as string, 'utf8')) as { title?: string; time?: { archived?: number } };
    if (merged.title !== 'renamed' || merged.time?.archived !== 3)
      throw new ArchiveError('IO', `the merge driver ran but did not merge (${command})`);
    return { repository: top, driver };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** A word for sh: as is when plain, else single-quoted. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
