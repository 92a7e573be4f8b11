import { lstat, readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** The project a directory belongs to, derived as OpenCode derives it. */
export interface DetectedProject {
  id: string;
  worktree: string;
  vcs?: 'git';
}

/** OpenCode's project for everything outside a git repository. */
export const GLOBAL_PROJECT: DetectedProject = { id: 'global', worktree: '/' };

/** git's output, trimmed; undefined when it fails. node:child_process is loaded by the first call, not by every command's start. */
function git(cwd: string, args: string[]): Promise<string | undefined> {
  const { execFile } = process.getBuiltinModule('node:child_process');
  return new Promise((done) => {
    execFile('git', args, { cwd, timeout: 10_000, windowsHide: true, encoding: 'utf8' }, (error, stdout) =>
      done(error ? undefined : stdout.trim()),
    );
  });
}

/**
 * What a folder's project depends on, cheaply: the nearest `.git` entry at or
 * above it (a repository's folder or a worktree's file) and its mtime, which
 * moves when a repository is made, removed or gets its first commit (git
 * writes into that folder). Empty when there is none. A few `lstat`s: a
 * cached answer is checked against it before it is used again.
 */
export async function repositoryMark(directory: string): Promise<string> {
  if (!isAbsolute(directory) || directory.includes('\0')) return '';
  for (let dir = directory; ; dir = dirname(dir)) {
    const entry = join(dir, '.git');
    const found = await lstat(entry).catch(() => undefined);
    if (found) return `${entry}:${found.mtimeMs}`;
    if (dirname(dir) === dir) return '';
  }
}

/**
 * The project of `directory`: inside a git repository its ID is the first
 * (sorted) root commit hash, or the ID OpenCode cached in `<git dir>/opencode`,
 * and its worktree the repository's top folder; outside git, or in a
 * repository without commits, it is the `global` project. A folder that does
 * not exist is taken from its nearest existing ancestor. Reads only; never
 * writes into the user's repository.
 */
export async function detectProject(directory: string): Promise<DetectedProject> {
  if (!isAbsolute(directory) || directory.includes('\0')) return GLOBAL_PROJECT;
  // A folder that does not exist (yet, or any more) belongs where its nearest
  // existing ancestor does: a session moved into a sub-folder the target
  // repository does not have yet is still that repository's.
  for (;;) {
    const found = await stat(directory).then(
      (s) => (s.isDirectory() ? 'folder' : 'other'),
      () => 'missing',
    );
    if (found === 'folder') break;
    if (found === 'other' || dirname(directory) === directory) return GLOBAL_PROJECT;
    directory = dirname(directory);
  }
  const top = await git(directory, ['rev-parse', '--show-toplevel']);
  if (!top) return GLOBAL_PROJECT;
  const gitDir = await git(directory, ['rev-parse', '--git-common-dir']);
  if (gitDir) {
    const cached = await readFile(join(resolve(directory, gitDir), 'opencode'), 'utf8').catch(() => undefined);
    const id = cached?.trim();
    if (id && /^[0-9A-Za-z_-]{1,128}$/.test(id)) return { id, worktree: top, vcs: 'git' };
  }
  const roots = await git(directory, ['rev-list', '--max-parents=0', '--all']);
  const first = roots
    ?.split('\n')
    .map((s) => s.trim())
    .filter(Boolean)
    .sort()[0];
  if (!first) return GLOBAL_PROJECT;
  return { id: first, worktree: top, vcs: 'git' };
}
