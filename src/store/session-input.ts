import { resolve } from 'node:path';
import { ArchiveError } from '../errors.js';
import { assertId } from '../model/ids.js';
import { type ModelSchemas, modelSchemas } from '../model/lazy.js';
import type { MessageWithParts } from '../model/message.js';
import type { ForkedFrom, Session } from '../model/session.js';
import type { Todo } from '../model/todo.js';
import type { FileText } from './atomic-write.js';
import { canonicalPieces, formatCanonical, type LoadedFile } from './json-file.js';
import { yieldNow } from './map-limit.js';
import { checkMessageIds } from './message-file.js';
import { validate } from './validate.js';

// What callers may hand the session store, and how it is checked: the rules
// of a session's input, apart from the I/O that stores it.

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

const FIXED_KEYS = new Set(['id']);

export function applyPatch(info: Session, patch: SessionPatch): Session {
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
export async function prepareSession(
  entry: { info: Session } & SessionContent,
  where: string,
): Promise<{ info: Session; files: Map<string, FileText> }> {
  const at = (path: string) => (where ? `${where}.${path}` : path);
  if (typeof entry?.info !== 'object' || entry.info === null)
    throw new ArchiveError('INVALID_INPUT', `invalid session: ${at('info')}: expected an object`);
  assertId('session', entry.info.id);
  const { sessionInfo, messageFile, todoList } = await modelSchemas();
  const info = validate(sessionInfo, entry.info, `invalid session: ${at('info')}`, 'INVALID_INPUT');
  const files = new Map<string, FileText>([['info.json', formatCanonical(info)]]);
  for (const [i, m] of (entry.messages ?? []).entries()) {
    await yieldNow(); // thousands of messages (a fork, an import) are validated and formatted here
    const file = validate(messageFile, m, `invalid message: ${at(`messages[${i}]`)}`, 'INVALID_INPUT');
    assertId('message', file.info.id);
    checkMessageIds(file, info.id, file.info.id, `invalid message: ${at(`messages[${i}]`)}`, 'INVALID_INPUT');
    const name = `messages/${file.info.id}.json`;
    if (files.has(name))
      throw new ArchiveError('INVALID_INPUT', `invalid message: ${at(`messages[${i}]`)}: message ID ${file.info.id} given more than once`);
    // Formatted as it is written, in pieces: a large message is never one more string of its whole text.
    files.set(name, canonicalPieces(file));
  }
  if (entry.todos?.length)
    files.set('todos.json', formatCanonical(validate(todoList, entry.todos, `invalid todos: ${at('todos')}`, 'INVALID_INPUT')));
  return { info, files };
}

export function checkDirectory(directory: string | undefined): string {
  const dir = directory ?? process.cwd();
  if (typeof dir !== 'string' || dir === '' || dir.includes('\0')) {
    throw new ArchiveError('INVALID_INPUT', `invalid directory ${JSON.stringify(dir)}: expected an absolute path without NUL bytes`);
  }
  return resolve(dir);
}

/**
 * The new info `fn` makes of a loaded one, validated; undefined when its
 * canonical bytes are unchanged (nothing is written then). The shared core of
 * `modify` and `modifyMany`. `schemas`: the model's, loaded (an info was read with them).
 */
export function changedInfo(
  schemas: ModelSchemas,
  id: string,
  loaded: LoadedFile<Session>,
  fn: (info: Session) => Session,
): Session | undefined {
  const changed = fn(structuredClone(loaded.value));
  if (changed.id !== id) throw new ArchiveError('INVALID_INPUT', `invalid session update: id cannot be changed (${id})`);
  const next = validate(schemas.sessionInfo, changed, `invalid update of session ${id}`, 'INVALID_INPUT');
  return formatCanonical(next) === formatCanonical(loaded.value) ? undefined : next;
}
