import { existsSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ArchiveError, type ArchiveErrorCode } from '../../errors.js';
import type { MessageWithParts } from '../../model/message.js';
import type { Session } from '../../model/session.js';
import type { Todo } from '../../model/todo.js';
import type { Archive } from '../../store/archive.js';
import { stateDirFor } from '../../store/locate.js';
import type { BrokenMessage } from '../../store/message-reads.js';
import type { HistoryQuery } from '../index/index.js';
import type { SearchQuery, UsageAsk } from '../search/index.js';

/**
 * A question a process that keeps a watched index open (`sarc serve`,
 * `sarc watch`) answers over its local socket, so a short-lived command
 * needs neither to load the index nor to check it against the files:
 * - `list`: a page of the history (`projectOf`: the project of this folder, as `sarc list` defaults to; `query.project` a project's name, folder or ID);
 * - `resolve`: a session named by full ID, unique prefix or `latest` → its full ID;
 * - `show`: that session's info, todos and messages;
 * - `search`: full-text search (only once the watcher's search index has caught up);
 * - `usage`: tokens, cost and time (from the same index, priced with the shipped table), with project names;
 * - `status`: the stored runtime status of every session that has one.
 */
export type LocalQuestion =
  | { op: 'list'; query: HistoryQuery; projectOf?: string }
  | { op: 'resolve'; session: string }
  | { op: 'show'; session: string }
  | { op: 'search'; query: SearchQuery }
  | { op: 'searchGroups'; query: SearchQuery }
  | { op: 'usage'; query: UsageAsk }
  | { op: 'status' };

/** What comes back: a value, an error (an `ArchiveError`'s code and message), or why this watcher cannot answer. */
export type LocalAnswer =
  | { value: unknown }
  | { error: { code: ArchiveErrorCode; message: string; path?: string } }
  | { unavailable: string };

/** A session whole, as `sarc show` prints it and a watcher answers `show`: a message file that cannot be read is in its place, with its error. */
export interface WholeSession {
  info: Session;
  todos: Todo[];
  messages: Array<MessageWithParts | BrokenMessage>;
}

/** Reads a session whole: info, todos and every message in order. */
export async function readWholeSession(archive: Archive, id: string): Promise<WholeSession> {
  const info = await archive.sessions.get(id);
  const messages: WholeSession['messages'] = [];
  const todos = await archive.todos.get(id);
  for await (const m of archive.messages.each(id)) messages.push(m);
  return { info, todos, messages };
}

/** The socket's file name in the state dir. */
export const LOCAL_SOCKET = 'watcher.sock';

/** Longest socket path the kernel takes (`sun_path` is 108 bytes with its terminating zero). */
export const MAX_SOCKET_PATH = 107;

/** Where the watcher of the archive whose state dir this is listens. */
export function localSocketPath(stateDir: string): string {
  return join(stateDir, LOCAL_SOCKET);
}

/** An archive folder as the socket's requests name it: its real path when it exists. */
export function archiveKey(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return resolve(dir);
  }
}

/**
 * Asks the watcher that runs for this archive, if any. Resolves with its
 * answer's value, or undefined when there is nobody to ask (no socket, a
 * stale one, a watcher that cannot vouch for its index right now, or no
 * answer within `idleMs` of silence): the caller then does the work itself.
 * An error the watcher reports (a session not found, a bad query) is thrown
 * as the same `ArchiveError`. `SARC_NO_WATCHER=1` in the environment skips
 * asking.
 */
export async function askWatcher(
  archiveDir: string,
  question: LocalQuestion,
  options: { stateDir?: string; idleMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<{ value: unknown } | undefined> {
  const env = options.env ?? process.env;
  if ((env.SARC_NO_WATCHER && env.SARC_NO_WATCHER !== '0') || process.platform === 'win32') return undefined;
  const path = localSocketPath(options.stateDir ?? stateDirFor(archiveDir, env));
  // No socket, nobody to ask: `node:net` is loaded only when there is one.
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH || !existsSync(path)) return undefined;
  const { createConnection } = await import('node:net');
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (answer: { value: unknown } | undefined, error?: Error) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error) fail(error);
      else done(answer);
    };
    const socket = createConnection(path);
    socket.setTimeout(options.idleMs ?? 5_000, () => finish(undefined));
    socket.on('error', () => finish(undefined));
    socket.on('connect', () => socket.end(`${JSON.stringify({ archive: archiveKey(archiveDir), ...question })}\n`));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      let answer: LocalAnswer;
      try {
        answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as LocalAnswer;
      } catch {
        finish(undefined);
        return;
      }
      if ('value' in answer) finish({ value: answer.value });
      else if ('error' in answer) finish(undefined, new ArchiveError(answer.error.code, answer.error.message, { path: answer.error.path }));
      else finish(undefined);
    });
  });
}
