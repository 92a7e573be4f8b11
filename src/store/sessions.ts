import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ArchiveError, errnoCode, isArchiveError } from '../errors.js';
import { assertId, isId, newId } from '../model/ids.js';
import { type MessageWithParts, messageFile } from '../model/message.js';
import { type ForkedFrom, type Session, sessionInfo } from '../model/session.js';
import { type Todo, todoList } from '../model/todo.js';
import type { OnProgress } from '../progress.js';
import { VERSION } from '../version.js';
import { preconditionOf, syncFolder, tempPathFor, writeFileAtomic, writeStagedFile } from './atomic-write.js';
import { commitMoves, existsNonEmpty, type StagedMove } from './commit.js';
import { loadInfo, nextUpdated, type StoreContext, withSession, withSessions, writeData } from './context.js';
import { formatCanonical, type LoadedFile, validate } from './json-file.js';
import { mapLimit } from './map-limit.js';
import { checkMessageIds } from './message-file.js';
import type { ProjectStore } from './projects.js';
import { newSlug } from './slug.js';

/** What a new session may be given; everything else gets OpenCode's defaults. */
export interface CreateSessionInput {
  /** A caller-chosen ID, `ses_` + 12 hex + 14 base62; generated when absent. */
  id?: string;
  /** The parent of a sub-agent session; must exist. */
  parentID?: string;
  /** @default "New session - <ISO time>" ("Child session - …" with a parent) */
  title?: string;
  /** The working folder; decides `projectID` and `path`. @default process.cwd() */
  directory?: string;
  workspaceID?: string;
  forkedFrom?: ForkedFrom;
  agent?: string;
  model?: Session['model'];
  permission?: Session['permission'];
  metadata?: Session['metadata'];
}

/**
 * A change to a session's info: each key set replaces the field, `null`
 * removes it. `time` takes `archived` and `compacting` only. Unknown keys are
 * stored as given. Every real change moves `time.updated`.
 */
export type SessionPatch = {
  title?: string;
  metadata?: Record<string, unknown> | null;
  permission?: Session['permission'] | null;
  share?: { url: string } | null;
  revert?: Session['revert'] | null;
  summary?: Session['summary'] | null;
  time?: { archived?: number | null; compacting?: number | null };
} & Record<string, unknown>;

/** What a new session starts with besides its info (see {@link SessionStore.insert}). */
export interface SessionContent {
  messages?: readonly MessageWithParts[];
  todos?: readonly Todo[];
}

export interface DeleteSessionOptions {
  /**
   * The direct children of a session, e.g. `(id) => index.childIds(id)` from
   * an open index, which spares reading every `info.json`. A child the
   * lookup misses is kept (it then points to a parent that is gone).
   */
  children?: (sessionID: string) => readonly string[];
}

export interface ListSessionsOptions {
  /** Called for every session folder whose `info.json` cannot be used; it is skipped. */
  onInvalid?: (error: ArchiveError) => void;
  /** Session folders read of all. */
  onProgress?: OnProgress;
}

const FIXED_KEYS = new Set(['id']);

function applyPatch(info: Session, patch: SessionPatch): Session {
  const next: Record<string, unknown> = { ...info };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (FIXED_KEYS.has(key)) {
      if (value !== info[key as keyof Session]) throw new ArchiveError('INVALID_INPUT', `invalid session update: ${key} cannot be changed`);
      continue;
    }
    if (key === 'time') {
      const time: Record<string, unknown> = { ...info.time };
      for (const [field, v] of Object.entries(value as Record<string, unknown>)) {
        if (field !== 'archived' && field !== 'compacting') {
          throw new ArchiveError(
            'INVALID_INPUT',
            `invalid session update: time.${field} cannot be set (only time.archived and time.compacting)`,
          );
        }
        if (v === null) delete time[field];
        else if (v !== undefined) time[field] = v;
      }
      next.time = time;
    } else if (value === null) {
      delete next[key];
    } else {
      next[key] = value;
    }
  }
  return next as Session;
}

/** Validates a whole session (`where` prefixes error paths) and renders its files canonically. */
function prepareSession(entry: { info: Session } & SessionContent, where: string): { info: Session; files: Map<string, string> } {
  const at = (path: string) => (where ? `${where}.${path}` : path);
  if (typeof entry?.info !== 'object' || entry.info === null)
    throw new ArchiveError('INVALID_INPUT', `invalid session: ${at('info')}: expected an object`);
  assertId('session', entry.info.id);
  const info = validate(sessionInfo, entry.info, `invalid session: ${at('info')}`, 'INVALID_INPUT');
  const files = new Map<string, string>([['info.json', formatCanonical(info)]]);
  (entry.messages ?? []).forEach((m, i) => {
    const file = validate(messageFile, m, `invalid message: ${at(`messages[${i}]`)}`, 'INVALID_INPUT');
    assertId('message', file.info.id);
    checkMessageIds(file, info.id, file.info.id, `invalid message: ${at(`messages[${i}]`)}`, 'INVALID_INPUT');
    const name = `messages/${file.info.id}.json`;
    if (files.has(name))
      throw new ArchiveError('INVALID_INPUT', `invalid message: ${at(`messages[${i}]`)}: message ID ${file.info.id} given more than once`);
    files.set(name, formatCanonical(file));
  });
  if (entry.todos?.length)
    files.set('todos.json', formatCanonical(validate(todoList, entry.todos, `invalid todos: ${at('todos')}`, 'INVALID_INPUT')));
  return { info, files };
}

function checkDirectory(directory: string | undefined): string {
  const dir = directory ?? process.cwd();
  if (typeof dir !== 'string' || dir === '' || dir.includes('\0')) {
    throw new ArchiveError('INVALID_INPUT', `invalid directory ${JSON.stringify(dir)}: expected an absolute path without NUL bytes`);
  }
  return resolve(dir);
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
      sessionInfo,
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
    return this.insert(info);
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
    const { paths } = this.ctx;
    const prepared = entries.map((entry, i) => prepareSession(entry, entries.length > 1 ? `sessions[${i}]` : ''));
    const ids = prepared.map((p) => p.info.id);
    const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (repeated.length) throw new ArchiveError('INVALID_INPUT', `session ID given more than once: ${[...new Set(repeated)].join(', ')}`);
    await mkdir(paths.sessions, { recursive: true });
    return withSessions(this.ctx, ids, async () => {
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
      const moves: StagedMove[] = [];
      options.onProgress?.(0, prepared.length);
      try {
        for (const { info, files } of prepared) {
          const target = paths.session(info.id);
          const stage = tempPathFor(target);
          moves.push({ stage, target });
          await mkdir(join(stage, 'messages'), { recursive: true });
          // A few files at once: their fsyncs overlap (a fork of a long session writes
          // hundreds), and other writers still find room in the thread pool and the disk queue.
          await mapLimit([...files], 4, ([name, text]) => writeStagedFile(join(stage, name), text));
          await syncFolder(join(stage, 'messages'));
          await syncFolder(stage);
          options.onProgress?.(moves.length, prepared.length);
        }
        // rename(2) replaces an empty folder but fails on a non-empty one, so
        // a creator racing us on the same ID cannot be overwritten.
        await commitMoves(this.ctx, moves);
      } catch (error) {
        for (const { stage } of moves) await rm(stage, { recursive: true, force: true });
        const code = errnoCode(error);
        if (code === 'ENOTEMPTY' || code === 'EEXIST')
          throw new ArchiveError('DUPLICATE_ID', `session ID already exists (created meanwhile): ${ids.join(', ')}`, { cause: error });
        throw error;
      }
      return prepared.map((p) => p.info);
    });
  }

  /** A session's info; `NOT_FOUND` when absent, `CORRUPT` when its `info.json` is broken. */
  async get(id: string): Promise<Session> {
    return (await loadInfo(this.ctx, id)).value;
  }

  /** Applies `patch` (see {@link SessionPatch}); a no-op patch writes nothing. */
  async update(id: string, patch: SessionPatch): Promise<Session> {
    return this.modify(id, (info) => applyPatch(info, patch));
  }

  /**
   * Read-modify-write of a session's info under its lock. `fn` gets a copy and
   * returns the new info; the result is validated, `time.updated` moves when
   * anything changed, and nothing is written when nothing did.
   */
  async modify(id: string, fn: (info: Session) => Session): Promise<Session> {
    assertId('session', id);
    return withSession(this.ctx, id, async () => {
      const loaded = await loadInfo(this.ctx, id);
      const changed = fn(structuredClone(loaded.value));
      if (changed.id !== id) throw new ArchiveError('INVALID_INPUT', `invalid session update: id cannot be changed (${id})`);
      const next = validate(sessionInfo, changed, `invalid update of session ${id}`, 'INVALID_INPUT');
      if (formatCanonical(next) === formatCanonical(loaded.value)) return loaded.value;
      next.time.updated = nextUpdated(this.ctx, loaded.value.time.updated);
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
    for (const id of ids) assertId('session', id);
    return withSessions(this.ctx, ids, async () => {
      const out: Session[] = [];
      const moves: StagedMove[] = [];
      options.onProgress?.(0, ids.length);
      try {
        for (const id of ids) {
          if (out.length) options.onProgress?.(out.length, ids.length); // the last one counts once committed
          const loaded = await loadInfo(this.ctx, id);
          const changed = fn(structuredClone(loaded.value));
          if (changed.id !== id) throw new ArchiveError('INVALID_INPUT', `invalid session update: id cannot be changed (${id})`);
          const next = validate(sessionInfo, changed, `invalid update of session ${id}`, 'INVALID_INPUT');
          if (formatCanonical(next) === formatCanonical(loaded.value)) {
            out.push(loaded.value);
            continue;
          }
          next.time.updated = nextUpdated(this.ctx, loaded.value.time.updated);
          const target = this.ctx.paths.info(id);
          const stage = tempPathFor(target);
          await writeFileAtomic(stage, formatCanonical(next));
          moves.push({ stage, target, kind: 'file', expect: preconditionOf(loaded.stats) });
          out.push(next);
        }
        await commitMoves(this.ctx, moves);
        options.onProgress?.(ids.length, ids.length);
      } catch (error) {
        for (const { stage } of moves) await rm(stage, { force: true });
        throw error;
      }
      return out;
    });
  }

  /**
   * Marks a session changed (`time.updated` = now) after a message or part
   * changed. Call under its lock; `loadedInfo` saves a read when the caller
   * already read the info under that lock.
   */
  async touch(id: string, loadedInfo?: LoadedFile<Session>): Promise<Session> {
    const loaded = loadedInfo ?? (await loadInfo(this.ctx, id));
    const next = structuredClone(loaded.value);
    next.time.updated = nextUpdated(this.ctx, loaded.value.time.updated);
    await writeData(this.ctx.paths.info(id), next, loaded);
    return next;
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
        if (isArchiveError(error, 'CORRUPT')) {
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
    const { paths } = this.ctx;
    if ((await this.ids()).indexOf(id) < 0) throw new ArchiveError('NOT_FOUND', `session not found: ${id}`, { path: paths.session(id) });
    let childrenOf = options.children;
    if (!childrenOf) {
      const byParent = new Map<string, string[]>();
      for (const s of await this.list()) if (s.parentID) byParent.set(s.parentID, [...(byParent.get(s.parentID) ?? []), s.id]);
      childrenOf = (parent) => byParent.get(parent) ?? [];
    }
    const tree = [id];
    const inTree = new Set(tree);
    for (let i = 0; i < tree.length; i++) {
      for (const child of childrenOf(tree[i] as string)) {
        if (inTree.has(child) || !isId('session', child)) continue;
        inTree.add(child);
        tree.push(child);
      }
    }
    for (const sid of [...tree].reverse()) {
      await withSession(this.ctx, sid, async () => {
        const folder = paths.session(sid);
        const trash = tempPathFor(folder);
        try {
          await rename(folder, trash);
        } catch (error) {
          if (errnoCode(error) === 'ENOENT') return;
          throw new ArchiveError('IO', `cannot delete ${folder}: ${(error as Error).message}`, { path: folder, cause: error });
        }
        await syncFolder(paths.sessions);
        await rm(trash, { recursive: true, force: true });
      });
    }
    return tree;
  }
}
