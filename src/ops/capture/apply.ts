import { isAbsolute, relative, sep, win32 } from 'node:path';
import { isArchiveError } from '../../errors.js';
import { type MessageWithParts, messageFile } from '../../model/message.js';
import { type Session, sessionInfo } from '../../model/session.js';
import { todoList } from '../../model/todo.js';
import type { Archive } from '../../store/archive.js';
import { canonicalPieces, formatCanonical } from '../../store/json-file.js';
import { validate } from '../../store/validate.js';
import type { Redactor } from '../redact/redactor.js';
import type { ConvertedInfo } from './contract.js';
import { hashPieces, hashText, rememberHash, type SessionBase } from './state.js';

// Writing what a source gave, three-way: the base is what sync wrote last
// (hashes in the state dir), "ours" is the archive now, "theirs" the source
// now. Only what the source changed since the last sync is applied, so an
// edit made in the archive (a title renamed by hand) stays while the source
// leaves that field alone. An archive file that holds an older version sync
// wrote itself (a `git checkout` of the archive) is behind, not edited: it is
// brought forward. A session or message that sync wrote and that is gone from
// the archive is written again.

export type Outcome = 'new' | 'updated' | 'unchanged';

/** A field's text for hashing (absent and `undefined` are the same). */
const textOf = (v: unknown): string => (v === undefined ? '' : JSON.stringify(v));

/** Reads and writes a value at a dotted path (`title`, `time.updated`, `metadata.claudeCode`). */
function getAt(obj: Record<string, unknown>, path: string): unknown {
  let at: unknown = obj;
  for (const key of path.split('.')) at = at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
  return at;
}

function setAt(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = obj;
  for (const key of keys.slice(0, -1)) {
    if (!at[key] || typeof at[key] !== 'object') at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  const last = keys.at(-1) as string;
  if (value === undefined) delete at[last];
  else at[last] = structuredClone(value);
}

/**
 * Whether the source's version goes into the archive: it does when the source
 * changed it since the last sync (or sync never wrote it), and when the
 * archive lost it or holds an older version sync wrote; an edit made in the
 * archive to something the source left alone stays.
 */
export function sourceWins(source: string, base: readonly string[] | undefined, current: string | undefined | null): boolean {
  if (current === source) return false;
  if (base?.at(-1) !== source) return true;
  return current === null || (current !== undefined && base.includes(current));
}

/** A working folder fit for `directory`: absolute (POSIX or Windows), else none (kept in the metadata instead). */
export function usableDirectory(dir: string): string | undefined {
  if (dir.includes('\0')) return undefined;
  return isAbsolute(dir) || win32.isAbsolute(dir) ? dir : undefined;
}

/** The session info fields sync owns, by path: fixed ones, or for a mirror every field the source has. */
function ownedFields(target: Session, mirror: boolean, base: SessionBase | undefined): string[] {
  const fields = new Set<string>();
  if (mirror) {
    for (const key of Object.keys(target)) if (key !== 'id' && key !== 'time') fields.add(key);
    for (const key of Object.keys(target.time)) fields.add(`time.${key}`);
  } else {
    for (const f of ['title', 'directory', 'parentID', 'version', 'time.created', 'time.updated', 'forkedFrom']) fields.add(f);
    for (const key of Object.keys(target.metadata ?? {})) fields.add(`metadata.${key}`);
  }
  // A field sync wrote before that the source no longer has: its removal is a change of the source.
  for (const key of Object.keys(base?.info ?? {})) fields.add(key);
  fields.delete('todos');
  return [...fields];
}

/** One session being written, possibly in parts (a long transcript), then its base for the next run. */
export class SessionWriter {
  outcome: Outcome = 'unchanged';
  /** Secrets replaced by markers in what was written, by kind. */
  readonly redacted: Record<string, number> = {};
  private exists: boolean | undefined;
  private readonly next: SessionBase;
  /** Message IDs the source gave (for a mirror's removals). */
  private readonly given = new Set<string>();

  constructor(
    private readonly archive: Archive,
    private readonly id: string,
    private readonly base: SessionBase | undefined,
    private readonly options: { dryRun: boolean; verify: boolean; source: string; where: string; redactor?: Redactor },
  ) {
    this.next = { source: options.source, where: options.where, info: {}, messages: { ...base?.messages } };
    if (base?.todos) this.next.todos = base.todos;
  }

  /** What to remember for the next run. */
  baseForNext(): SessionBase {
    return this.next;
  }

  private changed(): void {
    if (this.outcome === 'unchanged') this.outcome = 'updated';
  }

  /** The info a new session starts with. */
  private async newInfo(c: ConvertedInfo): Promise<Session> {
    if (c.mirror) return c.mirror;
    const directory = usableDirectory(c.directory) ?? '/';
    const project = this.options.dryRun ? await this.archive.projects.detect(directory) : await this.archive.projects.projectFor(directory);
    const rel = relative(project.worktree, directory);
    return {
      id: c.id,
      slug: c.id.slice(-8).toLowerCase(),
      projectID: project.id,
      directory,
      path: rel.startsWith('..') || rel === '' || isAbsolute(rel) ? '' : rel.split(sep).join('/'),
      ...(c.parentID ? { parentID: c.parentID } : {}),
      ...(c.forkedFrom ? { forkedFrom: c.forkedFrom } : {}),
      title: c.title,
      version: c.version,
      metadata: c.metadata,
      time: { created: c.created, updated: c.updated },
    } as Session;
  }

  /** The info as the source would have it, on top of the archive's (for the fields sync owns). */
  private target(c: ConvertedInfo, current: Session): Session {
    if (c.mirror) return c.mirror;
    const directory = usableDirectory(c.directory) ?? current.directory;
    return {
      ...current,
      title: c.title,
      directory,
      parentID: c.parentID,
      forkedFrom: c.forkedFrom,
      version: c.version,
      metadata: { ...current.metadata, ...c.metadata },
      time: { ...current.time, created: c.created, updated: c.updated },
    } as Session;
  }

  /** Writes one part: these messages, then the session's info (`c.final` says whether more parts follow). */
  async write(given: ConvertedInfo, raw: readonly MessageWithParts[]): Promise<void> {
    // Secrets never reach the archive, nor the hashes kept of it: replaced before anything else.
    let c = given;
    let messages = raw;
    if (this.options.redactor) {
      const { values, found } = await this.options.redactor.redact<unknown>([given, ...raw]);
      c = values[0] as ConvertedInfo;
      messages = values.slice(1) as MessageWithParts[];
      for (const f of found) this.redacted[f.kind] = (this.redacted[f.kind] ?? 0) + 1;
    }
    const files = messages.map((m) => validate(messageFile, m, `invalid message ${m.info.id}`, 'INVALID_INPUT'));
    // Hashed piece by piece: a large message is never one more string of its whole text.
    const texts = files.map((f) => hashPieces(canonicalPieces(f)));
    const todos = c.todos ? validate(todoList, c.todos, `invalid todos of ${c.id}`, 'INVALID_INPUT') : undefined;
    for (const f of files) this.given.add(f.info.id);
    if (c.project && !this.options.dryRun) await this.archive.projects.upsert(c.project);
    if (this.exists === undefined) {
      this.exists = await this.archive.sessions.get(this.id).then(
        () => true,
        (error: unknown) => (isArchiveError(error, 'NOT_FOUND') ? false : Promise.reject(error)),
      );
    }
    if (!this.exists) {
      const info = validate(sessionInfo, await this.newInfo(c), `invalid session ${c.id}`, 'INVALID_INPUT');
      if (!this.options.dryRun) await this.archive.sessions.insert(info, { messages: files, todos: todos?.length ? todos : undefined });
      this.exists = true;
      this.outcome = 'new';
      files.forEach((f, i) => {
        this.next.messages[f.info.id] = rememberHash(this.next.messages[f.info.id], texts[i] as string);
      });
      if (todos) this.next.todos = hashText(textOf(todos));
      this.rememberInfo(info, c);
      return;
    }
    await this.writeMessages(files, texts);
    if (todos) await this.writeTodos(todos);
    if (c.final && c.mirror) await this.removeGone();
    await this.writeInfo(c);
  }

  private async writeMessages(files: MessageWithParts[], texts: string[]): Promise<void> {
    const out: MessageWithParts[] = [];
    for (const [i, file] of files.entries()) {
      const hash = texts[i] as string;
      const base = this.base?.messages[file.info.id];
      const known = this.next.messages[file.info.id];
      // Unchanged in the source, and nothing says the archive changed: not read at all.
      if (!this.options.verify && known?.at(-1) === hash) continue;
      const text = await this.archive.messages.text(this.id, file.info.id);
      const current = text === undefined ? null : hashText(text);
      if (sourceWins(hash, base, current)) out.push(file);
      this.next.messages[file.info.id] = current === hash || sourceWins(hash, base, current) ? rememberHash(known, hash) : (known ?? []);
    }
    if (out.length === 0) return;
    this.changed();
    if (!this.options.dryRun) await this.archive.messages.putMany(this.id, out);
  }

  private async writeTodos(todos: NonNullable<ConvertedInfo['todos']>): Promise<void> {
    const hash = hashText(textOf(todos));
    const current = await this.archive.todos.get(this.id);
    const currentHash = hashText(textOf(current));
    const base = this.base?.todos ? [this.base.todos] : undefined;
    if (sourceWins(hash, base, currentHash)) {
      this.changed();
      if (!this.options.dryRun) await this.archive.todos.set(this.id, todos);
    }
    this.next.todos = hash;
  }

  /** A mirror: messages sync wrote, unchanged since, that the source no longer has, go here too. */
  private async removeGone(): Promise<void> {
    for (const id of await this.archive.messages.ids(this.id)) {
      if (this.given.has(id)) continue;
      const written = this.base?.messages[id];
      const text = written ? await this.archive.messages.text(this.id, id) : undefined;
      if (!written || text === undefined || !written.includes(hashText(text))) continue; // not sync's, or edited here: kept
      this.changed();
      if (!this.options.dryRun) await this.archive.messages.delete(this.id, id);
      delete this.next.messages[id];
    }
  }

  private rememberInfo(target: Session, c: ConvertedInfo): void {
    for (const field of ownedFields(target, Boolean(c.mirror), undefined)) {
      this.next.info[field] = [hashText(textOf(getAt(target as Record<string, unknown>, field)))];
    }
  }

  private async writeInfo(c: ConvertedInfo): Promise<void> {
    const current = await this.archive.sessions.get(this.id);
    const target = this.target(c, current);
    const next = structuredClone(current) as Record<string, unknown>;
    for (const field of ownedFields(target, Boolean(c.mirror), this.base)) {
      const value = getAt(target as Record<string, unknown>, field);
      const hash = hashText(textOf(value));
      const base = this.base?.info[field];
      if (sourceWins(hash, base, hashText(textOf(getAt(next, field))))) setAt(next, field, value);
      this.next.info[field] = rememberHash(base, hash);
    }
    if (next.directory !== current.directory) {
      const project = await this.archive.projects.detect(String(next.directory));
      next.projectID = project.id;
    }
    const checked = validate(sessionInfo, next, `invalid session ${c.id}`, 'INVALID_INPUT');
    if (formatCanonical(checked) === formatCanonical(current)) return;
    this.changed();
    if (!this.options.dryRun) await this.archive.sessions.modify(this.id, () => structuredClone(checked), { keepTime: true });
  }
}
