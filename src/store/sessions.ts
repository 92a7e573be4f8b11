import { lstatSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';
import { ArchiveError, errnoCode, isArchiveError } from '../errors.js';
import { assertId, isId, newId } from '../model/ids.js';
import { modelSchemas } from '../model/lazy.js';
import type { Session } from '../model/session.js';
import type { OnProgress } from '../progress.js';
import { VERSION } from '../version.js';
import { preconditionOf, writeFileAtomic } from './atomic-write.js';
import { keepWrittenInfo, loadInfo, nextUpdated, type StoreContext, withSession, withSessions, writeData } from './context.js';
import { formatCanonical, type LoadedFile } from './json-file.js';
import { mapLimit } from './map-limit.js';
import type { ProjectStore } from './projects.js';
import { existsNonEmpty } from './rename-journal.js';
import { assertNoLink } from './safe-path.js';
import { modifySessions } from './session-batch.js';
import { type DeleteSessionOptions, deleteTree, sessionTree } from './session-delete.js';
import {
  applyPatch,
  type CreateSessionInput,
  changedInfo,
  checkDirectory,
  prepareSession,
  type SessionContent,
  type SessionPatch,
} from './session-input.js';
import { stageNewSessions } from './session-staging.js';
import { newSlug } from './slug.js';
import { validate } from './validate.js';

export type { DeleteSessionOptions } from './session-delete.js';
export type { CreateSessionInput, SessionContent, SessionPatch } from './session-input.js';

export interface ListSessionsOptions {
  /** Called for every session folder whose `info.json` cannot be used (broken, or a link); it is skipped. */
  onInvalid?: (error: ArchiveError) => void;
  /** Session folders read of all. */
  onProgress?: OnProgress;
}

/** Sessions: create, read, change, delete, list (plain, by reading every `info.json`). */
export class SessionStore {
  constructor(
    private readonly ctx: StoreContext,
    private readonly projects: ProjectStore,
  ) {}

  /** Creates a session. Invalid `id` → `INVALID_ID`, taken → `DUPLICATE_ID`; nothing is written then. */
  async create(input: CreateSessionInput = {}): Promise<Session> {
    if (input.id !== undefined) assertId('session', input.id);
    if (input.parentID !== undefined) {
      assertId('session', input.parentID);
      await this.get(input.parentID).catch((error: unknown) => {
        if (isArchiveError(error, 'NOT_FOUND'))
          throw new ArchiveError('NOT_FOUND', `parent session not found: ${input.parentID}`, { cause: error });
        throw error;
      });
    }
    const directory = checkDirectory(input.directory);
    const project = await this.projects.projectFor(directory);
    const id = input.id ?? newId('session');
    const now = this.ctx.now();
    const rel = relative(project.worktree, directory);
    const info = validate(
      (await modelSchemas()).sessionInfo,
      {
        id,
        slug: newSlug(),
        projectID: project.id,
        workspaceID: input.workspaceID,
        directory,
        path: rel.startsWith('..') || isAbsolute(rel) ? '' : rel.split(sep).join('/'),
        parentID: input.parentID,
        forkedFrom: input.forkedFrom,
        title: input.title ?? `${input.parentID ? 'Child' : 'New'} session - ${new Date(now).toISOString()}`,
        agent: input.agent,
        model: input.model,
        version: VERSION,
        metadata: input.metadata,
        time: { created: now, updated: now },
        permission: input.permission,
      },
      'invalid session',
      'INVALID_INPUT',
    );
    return (await this.insertAll([{ info }], { madeHere: input.id === undefined }))[0] as Session;
  }

  /**
   * Puts a complete new session into place atomically: its info, messages
   * and todos are validated, written into a staging folder and that folder is
   * renamed to the session's name, so a crash leaves the whole session or
   * nothing. `DUPLICATE_ID` when the ID is taken. Times and IDs are kept as
   * given (for import, fork and tools that bring their own).
   */
  async insert(info: Session, content: SessionContent = {}): Promise<Session> {
    const [inserted] = await this.insertMany([{ info, ...content }]);
    return inserted as Session;
  }

  /**
   * Inserts several complete sessions as one unit: all are validated and
   * staged first, every ID is checked (`DUPLICATE_ID` naming each one taken,
   * nothing written), then all are moved into place through a journal that
   * the next `openArchive` finishes if this process is killed midway.
   */
  async insertMany(
    entries: ReadonlyArray<{ info: Session } & SessionContent>,
    options: { onProgress?: OnProgress } = {},
  ): Promise<Session[]> {
    return this.insertAll(entries, options);
  }

  /**
   * {@link insertMany}; with `madeHere`, the IDs were made by this process
   * just now ({@link newId}: 80 random bits), so no other writer can know
   * them yet and no lock is taken. The move into place still refuses a
   * folder that is not empty.
   */
  private async insertAll(
    entries: ReadonlyArray<{ info: Session } & SessionContent>,
    options: { onProgress?: OnProgress; madeHere?: boolean },
  ): Promise<Session[]> {
    const { paths } = this.ctx;
    const prepared: Array<Awaited<ReturnType<typeof prepareSession>>> = [];
    for (const [i, entry] of entries.entries()) prepared.push(await prepareSession(entry, entries.length > 1 ? `sessions[${i}]` : ''));
    const ids = prepared.map((p) => p.info.id);
    const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (repeated.length) throw new ArchiveError('INVALID_INPUT', `session ID given more than once: ${[...new Set(repeated)].join(', ')}`);
    if (!lstatSync(paths.sessions, { throwIfNoEntry: false })) await mkdir(paths.sessions, { recursive: true });
    await assertNoLink(paths.root, paths.sessions, { self: true });
    // Nothing to sweep: a folder with anything in it is refused, and the new one comes whole from staging.
    const locked = <T>(fn: () => Promise<T>) => (options.madeHere ? fn() : withSessions(this.ctx, ids, fn, { sweep: false }));
    return locked(async () => {
      const taken: string[] = [];
      for (const id of ids) if (await existsNonEmpty(paths.session(id))) taken.push(id);
      if (taken.length) {
        throw new ArchiveError(
          'DUPLICATE_ID',
          `session ID${taken.length > 1 ? 's' : ''} already exist${taken.length > 1 ? '' : 's'}: ${taken.join(', ')}`,
          {
            details: { ids: taken },
          },
        );
      }
      await stageNewSessions(this.ctx, prepared, ids, options.onProgress);
      for (const id of ids) this.ctx.swept.add(id);
      return prepared.map((p) => p.info);
    });
  }

  /** A session's info; `NOT_FOUND` when absent, `CORRUPT` when its `info.json` is broken. */
  async get(id: string): Promise<Session> {
    return (await loadInfo(this.ctx, id)).value;
  }

  /**
   * The infos of these sessions, in the same order, read a few at a time. A
   * session deleted meanwhile is left out; any other failure (a broken file,
   * a failed read — EMFILE too) throws: a list is never silently shorter.
   */
  async getMany(ids: readonly string[]): Promise<Session[]> {
    const found = await mapLimit(ids, 32, (id) =>
      this.get(id).catch((error: unknown) => {
        if (isArchiveError(error, 'NOT_FOUND')) return undefined;
        throw error;
      }),
    );
    return found.filter((s): s is Session => s !== undefined);
  }

  /** Applies `patch` (see {@link SessionPatch}); a no-op patch writes nothing. */
  async update(id: string, patch: SessionPatch): Promise<Session> {
    return this.modify(id, (info) => applyPatch(info, patch));
  }

  /**
   * Read-modify-write of a session's info under its lock. `fn` gets a copy and
   * returns the new info; the result is validated, `time.updated` moves when
   * anything changed, and nothing is written when nothing did. With
   * `keepTime`, `time.updated` is what `fn` returns (a mirror of another
   * store keeps that store's times).
   */
  async modify(id: string, fn: (info: Session) => Session, options: { keepTime?: boolean } = {}): Promise<Session> {
    assertId('session', id);
    return withSession(this.ctx, id, async () => {
      const loaded = await loadInfo(this.ctx, id);
      const next = changedInfo(await modelSchemas(), id, loaded, fn);
      if (!next) return loaded.value;
      if (!options.keepTime) next.time.updated = nextUpdated(this.ctx, loaded.value.time.updated);
      await writeData(this.ctx.paths.info(id), next, loaded);
      return next;
    });
  }

  /**
   * {@link modify} for several sessions as one unit: every new `info.json` is
   * validated and staged first, then all replace the old ones through a
   * journal, so a process killed midway leaves all changed once the archive
   * is next opened, or none. Unchanged sessions are not written. If any
   * `info.json` changed after it was read (a writer that took over a lock
   * this process held too long), nothing is written and `CONFLICT` is thrown.
   */
  async modifyMany(ids: readonly string[], fn: (info: Session) => Session, options: { onProgress?: OnProgress } = {}): Promise<Session[]> {
    return modifySessions(this.ctx, ids, fn, options);
  }

  /**
   * Marks a session changed (`time.updated` = now) after a message or part
   * changed. Call under its lock; `loadedInfo` saves a read when the caller
   * already read the info under that lock. What is written is kept for the
   * next write (see `loadInfoToWrite`).
   */
  async touch(id: string, loadedInfo?: LoadedFile<Session>): Promise<void> {
    const loaded = loadedInfo ?? (await loadInfo(this.ctx, id));
    const next = structuredClone(loaded.value);
    next.time.updated = nextUpdated(this.ctx, loaded.value.time.updated);
    const text = formatCanonical(next);
    const stats = await writeFileAtomic(this.ctx.paths.info(id), text, preconditionOf(loaded.stats));
    keepWrittenInfo(this.ctx, id, { value: next, text, stats });
  }

  /**
   * A cheap stamp of a session's files — the size, mtime and inode of
   * `info.json` and `todos.json`, and the mtime and inode of its messages
   * folder (which change when a message file is replaced, added or removed) —
   * from three `lstat`s, without reading anything. A writer that keeps what
   * it wrote (e.g. a sync) can tell from it whether anything else changed the
   * session since.
   */
  fileStamp(id: string): string {
    const { paths } = this.ctx;
    const of = (path: string, withSize: boolean) => {
      const s = lstatSync(path, { throwIfNoEntry: false });
      if (!s) return '-';
      return `${withSize ? `${s.size}/` : ''}${Math.floor(s.mtimeMs)}/${s.ino}${s.isSymbolicLink() ? '/link' : ''}`;
    };
    return `${of(paths.info(id), true)} ${of(paths.messages(id), false)} ${of(paths.todos(id), true)}`;
  }

  /** The IDs of every session folder (valid ID names only; conflict copies and temps are not sessions). */
  async ids(): Promise<string[]> {
    try {
      return (await readdir(this.ctx.paths.sessions)).filter((name) => isId('session', name));
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return [];
      throw error;
    }
  }

  /** Every valid session, most recently updated first (then by ID). Reads every `info.json`. */
  async list(options: ListSessionsOptions = {}): Promise<Session[]> {
    const ids = await this.ids();
    let read = 0;
    options.onProgress?.(0, ids.length);
    const found = await mapLimit(ids, 32, async (id) => {
      try {
        return await this.get(id);
      } catch (error) {
        if (isArchiveError(error, 'NOT_FOUND')) return undefined;
        if (isArchiveError(error, 'CORRUPT', 'UNSAFE_PATH')) {
          options.onInvalid?.(error);
          return undefined;
        }
        throw error;
      } finally {
        options.onProgress?.(++read, ids.length);
      }
    });
    return found
      .filter((s): s is Session => s !== undefined)
      .sort((a, b) => b.time.updated - a.time.updated || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * Deletes a session and, recursively, its child sessions (by `parentID`;
   * `options.children` may supply them, else every `info.json` is read).
   * Each folder is renamed away first, so it disappears at once, then removed.
   * Returns the deleted IDs, the session first.
   */
  async delete(id: string, options: DeleteSessionOptions = {}): Promise<string[]> {
    assertId('session', id);
    if ((await this.ids()).indexOf(id) < 0)
      throw new ArchiveError('NOT_FOUND', `session not found: ${id}`, { path: this.ctx.paths.session(id) });
    return deleteTree(this.ctx, sessionTree(id, options.children ?? (await this.childrenFromFiles())));
  }

  /** Children by parent, from every `info.json` (when no index supplies them). */
  private async childrenFromFiles(): Promise<(sessionID: string) => readonly string[]> {
    const byParent = new Map<string, string[]>();
    for (const s of await this.list()) if (s.parentID) byParent.set(s.parentID, [...(byParent.get(s.parentID) ?? []), s.id]);
    return (parent) => byParent.get(parent) ?? [];
  }
}
