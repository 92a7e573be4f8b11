import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ArchiveError, errnoCode } from '../errors.js';
import { ARCHIVE_FORMAT, ARCHIVE_VERSION } from '../model/archive-format.js';
import { isId } from '../model/ids.js';
import { modelSchemas } from '../model/lazy.js';
import { writeFileAtomic } from './atomic-write.js';
import type { StoreContext } from './context.js';
import { formatCanonical, parseJsonText, readDataFile } from './json-file.js';
import { stateDirFor } from './locate.js';
import { type LockOptions, SessionLocks } from './lock.js';
import { MessageStore } from './messages.js';
import { ArchivePaths } from './paths.js';
import { ProjectStore } from './projects.js';
import { recoverCommits } from './rename-journal.js';
import { RevertStore } from './revert.js';
import { SessionStore } from './sessions.js';
import { SignalStore } from './signals.js';
import { StatusStore } from './status.js';
import { sweepTemps } from './temp-names.js';
import { TodoStore } from './todos.js';

/** Written by `initArchive`: sync-tool conflict copies and half-written files stay out of git. */
export const GITIGNORE = `# session-archive: conflict copies and half-written files are never data
*.tmp
.*.sarc-*
*conflicted copy*
*Case Conflict*
*Unicode Encoding Conflict*
*.sync-conflict-*
.syncthing.*
~syncthing~*
.*.json.*
*.swp
*~
`;

export interface OpenArchiveOptions {
  /** The archive folder. */
  dir: string;
  /** Where derived, per-machine state goes. @default $SARC_STATE_DIR, else $XDG_STATE_HOME/session-archive/<hash> */
  stateDir?: string;
  /** Lock waiting and staleness. */
  lock?: LockOptions;
  /** The clock, for tests. @default Date.now */
  now?: () => number;
}

/** An open archive: sessions, messages and parts, todos and projects. */
export interface Archive {
  readonly dir: string;
  readonly stateDir: string;
  readonly sessions: SessionStore;
  readonly messages: MessageStore;
  readonly todos: TodoStore;
  readonly projects: ProjectStore;
  /** OpenCode's revert: record, clear, and the clean-up the next message runs. */
  readonly reverts: RevertStore;
  /** Runtime status per session (state dir, never the archive). */
  readonly status: StatusStore;
  /** Abort and init requests for a session's writer (state dir). */
  readonly signals: SignalStore;
  /** The archive's clock (epoch ms); a test clock when one was given. */
  now(): number;
  /** Removes temps and staging folders left by crashed writers anywhere in the archive; returns their paths. */
  cleanup(): Promise<string[]>;
}

/**
 * Makes `dir` an archive: `archive.json`, `.gitignore`, `sessions/`,
 * `projects/`, and `schema/` (the JSON Schema files editors check hand edits
 * with). Existing files are kept (schema files are brought up to date), so it
 * is safe to run twice.
 */
export async function initArchive(dir: string): Promise<string> {
  const paths = new ArchivePaths(dir);
  await mkdir(paths.sessions, { recursive: true });
  await mkdir(paths.projects, { recursive: true });
  const existing = await readDataFile((await modelSchemas()).archiveMeta, paths.meta);
  if (existing) checkVersion(existing.value.version, paths.meta);
  else await writeFileAtomic(paths.meta, formatCanonical({ format: ARCHIVE_FORMAT, version: ARCHIVE_VERSION }));
  const hasIgnore = await stat(paths.gitignore).then(
    () => true,
    () => false,
  );
  if (!hasIgnore) await writeFileAtomic(paths.gitignore, GITIGNORE);
  // Loaded here only: the schema files need the schema library and a JSON editor; opening an archive needs neither.
  await (await import('./schema-files.js')).writeSchemaFiles(paths.root);
  return paths.root;
}

function checkVersion(version: number, path: string): void {
  if (version > ARCHIVE_VERSION) {
    throw new ArchiveError(
      'UNSUPPORTED_VERSION',
      `${path}: format version ${version} is newer than this session-archive reads (${ARCHIVE_VERSION}); upgrade session-archive`,
      { path },
    );
  }
}

async function readMeta(paths: ArchivePaths): Promise<void> {
  let text: string;
  try {
    text = await readFile(paths.meta, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') {
      throw new ArchiveError(
        'NOT_AN_ARCHIVE',
        `${paths.root} is not a session archive (no archive.json); create one with \`sarc init ${paths.root}\``,
        {
          path: paths.meta,
          cause: error,
        },
      );
    }
    throw new ArchiveError('IO', `${paths.meta}: cannot read: ${(error as Error).message}`, { path: paths.meta, cause: error });
  }
  const value = parseJsonText(text, paths.meta) as { format?: unknown; version?: unknown };
  if (value === null || typeof value !== 'object' || value.format !== ARCHIVE_FORMAT) {
    throw new ArchiveError('NOT_AN_ARCHIVE', `${paths.meta}: not a session archive (expected "format": "${ARCHIVE_FORMAT}")`, {
      path: paths.meta,
    });
  }
  // By hand, as the format above: opening an archive loads no schema library (archive-meta.ts is the same rule as a schema).
  const { version } = value;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    throw new ArchiveError('CORRUPT', `${paths.meta}: version: expected a positive whole number`, { path: paths.meta });
  checkVersion(version, paths.meta);
}

/** Opens an existing archive; `NOT_AN_ARCHIVE` or `UNSUPPORTED_VERSION` when it cannot be used. */
export async function openArchive(options: OpenArchiveOptions): Promise<Archive> {
  const paths = new ArchivePaths(resolve(options.dir));
  await readMeta(paths);
  const stateDir = resolve(options.stateDir ?? stateDirFor(paths.root));
  await mkdir(stateDir, { recursive: true });
  const ctx: StoreContext = {
    paths,
    stateDir,
    locks: new SessionLocks(stateDir, options.lock),
    now: options.now ?? Date.now,
    swept: new Set(),
    written: new Map(),
  };
  // A multi-session insert cut short by a crash is finished before anything
  // else looks at the archive (and before its staging folders could be swept).
  await recoverCommits(ctx);
  const projects = new ProjectStore(ctx);
  const sessions = new SessionStore(ctx, projects);
  const status = new StatusStore(stateDir, ctx.now);
  const reverts = new RevertStore(ctx, sessions, status);
  return {
    dir: paths.root,
    stateDir,
    sessions,
    messages: new MessageStore(ctx, sessions, reverts),
    todos: new TodoStore(ctx),
    projects,
    reverts,
    status,
    signals: new SignalStore(stateDir),
    now: ctx.now,
    async cleanup() {
      await recoverCommits(ctx);
      const removed = [...(await sweepTemps(paths.root)), ...(await sweepTemps(paths.sessions)), ...(await sweepTemps(paths.projects))];
      const names = await readdir(paths.sessions).catch(() => [] as string[]);
      for (const name of names.filter((n) => isId('session', n))) {
        for (const folder of [join(paths.sessions, name), paths.messages(name)])
          for (const path of await sweepTemps(folder)) removed.push(path);
      }
      return removed;
    },
  };
}
