import type { Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { sep } from 'node:path';
import { errnoCode, isArchiveError } from '../../errors.js';
import { isId } from '../../model/ids.js';
import type { MessageWithParts } from '../../model/message.js';
import type { Todo } from '../../model/todo.js';
import type { OnProgress } from '../../progress.js';
import { readDataText } from '../../store/json-file.js';
import { mapLimit } from '../../store/map-limit.js';
import { type PathStamp, pathStamp, type StatScan, sessionAgent } from '../index/index.js';
import { PER_SESSION, SESSION_PATHS, type StoredStamps } from './saved-stamps.js';
import type { SearchRows } from './search-rows.js';
import { messageText, todosText } from './search-text.js';
import { num, rowAt, type SessionRow, stampOf, storedRow, str } from './stored-rows.js';
import { type MessageUsage, messageUsage } from './usage.js';

/** Message files (and sessions) read at once while catching up… */
const PARALLEL = 32;
/** …and at most this many bytes of them. */
const BYTES_AT_ONCE = 8 * 1024 * 1024;
/** A message file larger than this is not read for search (its text would not fit a small heap). */
const LARGEST_FILE = 32 * 1024 * 1024;

/** A session folder's `info.json`, `todos.json` and messages folder, each stamped (undefined when missing). */
type SessionStats = Array<PathStamp | undefined>;
/** A session whose stamps changed: its ID, its paths' stamps and the stored row (none when new). */
export type Changed = [string, SessionStats, SessionRow | undefined];

/** Adds to `changed` each of the scan's sessions (`stored`'s, in its order) whose stamps are not the stored ones. */
export function compare(scan: StatScan, stored: StoredStamps, changed: Changed[]): void {
  for (let i = 0; i < scan.ids.length; i++) {
    if (scan.matches(i, stored.numbers, i * PER_SESSION)) continue;
    changed.push([scan.ids[i] as string, SESSION_PATHS.map((_, j) => scan.entry(i, j)), rowAt(stored, i)]);
  }
}
const sessionStats = (dir: string): SessionStats => SESSION_PATHS.map((p) => pathStamp(`${dir}${p}`));
const statOrUndefined = (path: string) =>
  stat(path).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return undefined;
    throw error;
  });
/**
 * A data file parsed, or undefined when it is absent or cannot be indexed
 * (not JSON, not UTF-8, not a regular file, a link). Small files are read
 * with synchronous calls, as the store reads them (see `readDataText`).
 */
const readJson = async (path: string): Promise<unknown> => {
  try {
    const read = await readDataText(path);
    return read && JSON.parse(read.text);
  } catch (error) {
    if (error instanceof SyntaxError || isArchiveError(error, 'CORRUPT', 'UNSAFE_PATH')) return undefined;
    throw error;
  }
};
const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/**
 * A session's files read into the search index's rows: its `info.json` and
 * `todos.json` when their stamps changed, and its message files whose stamps
 * changed (or that were named), a bounded batch at a time.
 */
export class SessionReader {
  constructor(
    private readonly rows: SearchRows,
    /** The archive's `sessions/` folder. */
    private readonly sessions: string,
    /** True once the index closes: a long session stops between batches. */
    private readonly closed: () => boolean,
    /** True once the index is closing: a catch-up stops between batches of sessions. */
    private readonly stopping: () => boolean,
  ) {}

  /**
   * Reads again the sessions whose stamps changed, a batch at a time, each
   * batch committed in one transaction; progress counts the `total`
   * sessions checked, the unchanged ones done at once. Resolves to how many
   * were read again.
   */
  async refreshChanged(changed: readonly Changed[], total: number, onProgress?: OnProgress): Promise<number> {
    const STEP = 256;
    let done = total - changed.length;
    onProgress?.(done, total);
    for (let i = 0; i < changed.length && !this.stopping(); i += STEP) {
      const step = changed.slice(i, i + STEP);
      await this.rows.batch(() => mapLimit(step, PARALLEL, ([id, stats, row]) => this.refreshSession(id, row, undefined, stats)));
      done += step.length;
      onProgress?.(done, total);
    }
    return changed.length;
  }

  /**
   * Reads one session again where its stamps changed since `known` (the
   * stored row when not given); with `messages`, these message files are
   * read again whatever the stamps say.
   */
  async refreshSession(id: string, known?: SessionRow, messages?: Set<string>, stats?: SessionStats): Promise<void> {
    const dir = `${this.sessions}${sep}${id}`;
    const [info, todos, folder] = stats ?? sessionStats(dir);
    const row = known ?? storedRow(this.rows.sql, id);
    if (!info?.file) {
      if (row) this.rows.write(() => this.rows.dropSession(id));
      return;
    }
    const stamps = { info: stampOf(info), todos: stampOf(todos), messages: stampOf(folder) };
    const infoChanged = !row || row.info !== stamps.info || row.todos !== stamps.todos;
    const messagesChanged = !row || row.info !== stamps.info || row.messages !== stamps.messages;
    if (!infoChanged && !messagesChanged && !messages?.size) return;

    const session = obj(await readJson(`${dir}${sep}info.json`));
    if (str(session.id) !== id) {
      // Broken or not this session's: nothing of it is searchable until it is fixed.
      if (row) this.rows.write(() => this.rows.dropSession(id));
      return;
    }
    const todoList = infoChanged ? await readJson(`${dir}${sep}todos.json`) : undefined;
    const time = obj(session.time);
    if (messagesChanged || messages?.size) {
      await this.indexMessages(id, messagesChanged, messages);
      // A fork's messages from before it was made are its source's: counted there.
      const copiedBefore = session.forkedFrom === undefined ? Number.NEGATIVE_INFINITY : num(time.created);
      this.rows.write(() => this.rows.rebuildUsage(id, copiedBefore));
    }
    this.rows.write(() => {
      const fields = {
        project: str(session.projectID),
        directory: str(session.directory),
        title: str(session.title),
        archived: time.archived !== undefined,
        updated: num(time.updated),
        source: sessionAgent(session),
      };
      this.rows.putSession(id, fields, stamps);
      if (infoChanged) {
        const todosBody = Array.isArray(todoList) ? todosText(todoList.filter((t): t is Todo => typeof obj(t).content === 'string')) : '';
        this.rows.putDoc(id, '', undefined, num(time.updated), stamps.info, str(session.title), todosBody, row !== undefined);
      }
    });
  }

  /**
   * Indexes the message files of a session that changed since they were
   * indexed (all of them with `all`, else only `named`) and drops the rows
   * of files that are gone. Files are read a few at a time, at most
   * {@link BYTES_AT_ONCE} together, and written in batches: a session of
   * 100,000 messages or of 100 MB files costs memory for one batch.
   */
  private async indexMessages(sessionID: string, all: boolean, named?: Set<string>): Promise<void> {
    const folder = `${this.sessions}${sep}${sessionID}${sep}messages`;
    const stored = this.rows.messageStamps(sessionID);
    let ids: string[];
    if (all) {
      let names: string[] = [];
      try {
        names = await readdir(folder);
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT' && errnoCode(error) !== 'ENOTDIR') throw error;
      }
      ids = names.filter((n) => n.endsWith('.json') && isId('message', n.slice(0, -5))).map((n) => n.slice(0, -5));
    } else {
      ids = [...(named ?? [])].filter((m) => isId('message', m));
    }
    const seen = new Set<string>();
    const changed: Array<{ id: string; path: string; stats: Stats }> = [];
    await mapLimit(ids, PARALLEL, async (id) => {
      const path = `${folder}${sep}${id}.json`;
      const stats = await statOrUndefined(path);
      if (!stats?.isFile()) return;
      seen.add(id);
      if (stored.get(id) !== stampOf(stats)) changed.push({ id, path, stats });
    });
    for (let i = 0; i < changed.length && !this.closed(); ) {
      // A batch: up to PARALLEL files and BYTES_AT_ONCE bytes (always at least one file).
      let end = i + 1;
      let bytes = changed[i]?.stats.size ?? 0;
      while (end < changed.length && end - i < PARALLEL && bytes + (changed[end]?.stats.size ?? 0) <= BYTES_AT_ONCE)
        bytes += changed[end++]?.stats.size ?? 0;
      const docs = await Promise.all(changed.slice(i, end).map((f) => this.readMessage(f.path, f.stats)));
      const files = changed.slice(i, end);
      this.rows.write(
        () => {
          files.forEach((f, k) => {
            const d = docs[k];
            if (d) this.rows.putDoc(sessionID, f.id, d.role, d.created, stampOf(f.stats), '', d.text, stored.has(f.id), d.usage);
          });
        },
        docs.reduce((sum, d) => sum + d.text.length, 0),
      );
      i = end;
    }
    const candidates = all ? [...stored.keys()] : ids;
    const removed = candidates.filter((id) => stored.has(id) && !seen.has(id));
    if (removed.length) {
      this.rows.write(() => {
        for (const id of removed) this.rows.removeDoc(sessionID, id);
      });
    }
  }

  /** One message file's searchable text, role and time (a file too large or not JSON is indexed empty). */
  private async readMessage(path: string, stats: Stats): Promise<{ role?: string; created: number; text: string; usage?: MessageUsage }> {
    if (stats.size > LARGEST_FILE) return { created: stats.mtimeMs, text: '' };
    const file = obj(await readJson(path));
    const info = obj(file.info);
    const parts = Array.isArray(file.parts) ? file.parts.filter((p) => typeof obj(p).type === 'string') : [];
    const role = info.role === 'user' || info.role === 'assistant' ? info.role : undefined;
    const created = num(obj(info.time).created) || stats.mtimeMs;
    return { role, created, text: messageText({ info, parts } as unknown as MessageWithParts), usage: messageUsage(info, parts) };
  }
}
