import { readdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ZodType } from 'zod';
import { ArchiveError, isArchiveError } from '../errors.js';
import { assertId, isId } from '../model/ids.js';
import { messageFile } from '../model/message.js';
import { sessionInfo } from '../model/session.js';
import { todoList } from '../model/todo.js';
import type { Archive } from '../store/archive.js';
import { readDataFile } from '../store/json-file.js';
import { assertNoLink } from '../store/safe-path.js';
import { type MergeConflict, mergeInfo, mergeMessage, mergeTodos } from './merge.js';
import { quarantine, quarantineFolder } from './quarantine.js';

const DROPBOX = /^(.*) \([^)]*(?:conflicted copy|Case Conflict|Unicode Encoding Conflict)[^)]*\)(\.[^.]*)?$/i;
const SYNCTHING = /^(.*)\.sync-conflict-\d{8}-\d{6}-[A-Z0-9]+(\.[^.]*)?$/;

/** The name a Dropbox or Syncthing conflict copy stands for, or undefined when `name` is not one. */
export function conflictOriginal(name: string): string | undefined {
  const m = DROPBOX.exec(name) ?? SYNCTHING.exec(name);
  return m ? `${m[1]}${m[2] ?? ''}` : undefined;
}

export interface ResolveResult {
  /** Each conflict copy dealt with: merged into its original, or kept (it had none), then quarantined. */
  resolved: Array<{
    path: string;
    into: string;
    action: 'merged' | 'kept';
    quarantined: string;
    /** Fields the copy and the original both had with different values: the newer was kept, the other stays in the quarantined copy. */
    unmerged: MergeConflict[];
  }>;
  /** Copies that could not be merged (broken JSON, another session's IDs); left where they are. */
  failed: Array<{ path: string; reason: string }>;
}

async function names(folder: string): Promise<string[]> {
  return readdir(folder).catch(() => [] as string[]);
}

/** A conflict copy, read as the store reads data: a link is refused (UNSAFE_PATH), never read through. */
async function readValid<T>(schema: ZodType<T>, path: string): Promise<T> {
  const loaded = await readDataFile(schema, path);
  if (!loaded) throw new ArchiveError('NOT_FOUND', `${path}: gone meanwhile`, { path });
  return loaded.value as T;
}

/**
 * Merges Dropbox/Syncthing conflict copies of `info.json`, `todos.json` and
 * message files back into their originals — field by field, where both
 * differ the newer side wins (`time.updated`; a message's completion time) —
 * keeps a copy that has no original (a message only one side had), then
 * moves every handled copy into the quarantine folder. Copies of a whole
 * session folder are handled file by file.
 */
export async function resolveConflicts(archive: Archive, options: { sessionID?: string } = {}): Promise<ResolveResult> {
  if (options.sessionID !== undefined) assertId('session', options.sessionID);
  const result: ResolveResult = { resolved: [], failed: [] };
  const folder = quarantineFolder(archive);
  const sessionsDir = join(archive.dir, 'sessions');
  const top = await names(sessionsDir);
  const targets = new Map<string, string[]>(); // session ID → folders holding its files (the real one and copies)
  for (const name of top) {
    const id = isId('session', name) ? name : conflictOriginal(name);
    if (!id || !isId('session', id) || (options.sessionID && id !== options.sessionID)) continue;
    targets.set(id, [...(targets.get(id) ?? []), name]);
  }

  for (const [id, folders] of targets) {
    const real = join(sessionsDir, id);
    for (const name of folders) {
      const dir = join(sessionsDir, name);
      const isCopyFolder = name !== id;
      // A folder (or its messages folder) that is a link is reported, and nothing is read, merged or moved through it.
      const link = await assertNoLink(archive.dir, join(dir, 'messages'), { self: true }).then(
        () => undefined,
        (error: unknown) => (isArchiveError(error, 'UNSAFE_PATH') ? error : Promise.reject(error)),
      );
      if (link) {
        result.failed.push({ path: link.path ?? dir, reason: link.message });
        continue;
      }
      if (
        isCopyFolder &&
        !(await stat(join(real, 'info.json')).then(
          () => true,
          () => false,
        ))
      ) {
        // The whole session exists only as a copy: it becomes the session.
        await rename(dir, real);
        result.resolved.push({ path: dir, into: real, action: 'kept', quarantined: '', unmerged: [] });
        continue;
      }
      const candidates: Array<{ path: string; original: string }> = [];
      for (const file of await names(dir)) {
        const original = isCopyFolder ? file : conflictOriginal(file);
        if (original && (original === 'info.json' || original === 'todos.json') && (isCopyFolder || original !== file))
          candidates.push({ path: join(dir, file), original });
      }
      for (const file of await names(join(dir, 'messages'))) {
        const original = isCopyFolder ? file : conflictOriginal(file);
        if (original?.endsWith('.json') && isId('message', original.slice(0, -5)))
          candidates.push({ path: join(dir, 'messages', file), original: `messages/${original}` });
      }
      for (const c of candidates) {
        try {
          const unmerged: MergeConflict[] = [];
          const action = await mergeOne(archive, id, c.path, c.original, unmerged);
          const moved = await quarantine(archive, folder, c.path);
          result.resolved.push({ path: c.path, into: join(real, c.original), action, quarantined: moved, unmerged });
        } catch (error) {
          if (!isArchiveError(error)) throw error;
          result.failed.push({ path: c.path, reason: error.message });
        }
      }
      if (isCopyFolder && result.failed.every((f) => !f.path.startsWith(dir))) {
        const moved = await quarantine(archive, folder, dir);
        result.resolved.push({ path: dir, into: real, action: 'merged', quarantined: moved, unmerged: [] });
      }
    }
  }
  return result;
}

async function mergeOne(
  archive: Archive,
  id: string,
  copy: string,
  original: string,
  unmerged: MergeConflict[],
): Promise<'merged' | 'kept'> {
  if (original === 'info.json') {
    const theirs = await readValid(sessionInfo, copy);
    if (theirs.id !== id) throw new ArchiveError('CORRUPT', `${copy}: id ${theirs.id} is not ${id}`, { path: copy });
    await archive.sessions.modify(id, (ours) => {
      unmerged.length = 0; // modify may run fn again after a retry
      return mergeInfo(undefined, ours, theirs, unmerged);
    });
    return 'merged';
  }
  if (original === 'todos.json') {
    const theirs = await readValid(todoList, copy);
    await archive.todos.set(id, mergeTodos(undefined, await archive.todos.get(id), theirs));
    return 'merged';
  }
  const messageID = original.slice('messages/'.length, -'.json'.length);
  const theirs = await readValid(messageFile, copy);
  if (theirs.info.id !== messageID || theirs.info.sessionID !== id) {
    throw new ArchiveError('CORRUPT', `${copy}: holds message ${theirs.info.id} of ${theirs.info.sessionID}, not ${messageID} of ${id}`, {
      path: copy,
    });
  }
  const ours = await archive.messages
    .get(id, messageID)
    .catch((e: unknown) => (isArchiveError(e, 'NOT_FOUND') ? undefined : Promise.reject(e)));
  await archive.messages.upsert(id, ours ? mergeMessage(undefined, ours, theirs, unmerged) : theirs);
  return ours ? 'merged' : 'kept';
}
