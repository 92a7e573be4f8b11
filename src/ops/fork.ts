import type { SessionIndex } from '../catalog/session-index.js';
import { ArchiveError } from '../errors.js';
import { assertId, newId } from '../model/ids.js';
import type { Session } from '../model/session.js';
import type { Archive } from '../store/archive.js';
import { newSlug } from '../store/slug.js';
import { VERSION } from '../version.js';
import { assignNewIds, IdRemap } from './remap.js';

export interface ForkOptions {
  /** Copy only the messages strictly before this one; all messages when absent. */
  messageID?: string;
  /** A caller-chosen ID for the fork (same rules as `sessions.create`). */
  id?: string;
  /** The titles of the session's fork family (see {@link forkFamilyTitles}): the fork is numbered after theirs. */
  taken?: Iterable<string>;
}

const FORK_TITLE = /^(.+) \(fork #(\d+)\)$/;

/**
 * A fork's title, as OpenCode titles forks (`X` → `X (fork #1)`, `X (fork
 * #1)` → `X (fork #2)`), but numbered after every title of `taken` of the
 * same `X`: forking a session twice, or a fork and its source, never gives
 * two forks the same title.
 */
export function forkTitle(title: string, taken: Iterable<string> = []): string {
  const match = FORK_TITLE.exec(title);
  const base = match ? (match[1] as string) : title;
  let n = match ? Number(match[2]) : 0;
  for (const t of taken) {
    const m = FORK_TITLE.exec(t);
    if (m && m[1] === base) n = Math.max(n, Number(m[2]));
  }
  return `${base} (fork #${n + 1})`;
}

/** The titles of a session's fork family: the session it was forked from (up to the first), and every fork of those, from the index. */
export function forkFamilyTitles(index: SessionIndex, sessionID: string): string[] {
  let root = sessionID;
  const seen = new Set([root]);
  for (let up = index.get(root)?.forkedFrom?.sessionID; up && !seen.has(up); up = index.get(up)?.forkedFrom?.sessionID) {
    seen.add(up);
    root = up;
  }
  const titles: string[] = [];
  const queue = [root];
  const visited = new Set<string>();
  while (queue.length) {
    const id = queue.shift() as string;
    if (visited.has(id)) continue;
    visited.add(id);
    const s = index.get(id);
    if (s) titles.push(s.title);
    for (const f of index.forks(id)) queue.push(f.id);
  }
  return titles;
}

/**
 * Forks a session at a message: a new session with the source's directory,
 * project, workspace, metadata, agent and model, titled as OpenCode titles
 * forks, with `forkedFrom` and copies of the messages before `messageID`.
 * Like OpenCode, no parent, todos, share, revert or summary. The fork appears
 * whole or not at all.
 */
export async function forkSession(archive: Archive, sessionID: string, options: ForkOptions = {}): Promise<Session> {
  assertId('session', sessionID);
  if (options.id !== undefined) assertId('session', options.id);
  if (options.messageID !== undefined) assertId('message', options.messageID);
  const source = await archive.sessions.get(sessionID);
  const messages = await archive.messages.list(sessionID);
  let copied = messages;
  if (options.messageID !== undefined) {
    const at = messages.findIndex((m) => m.info.id === options.messageID);
    if (at < 0) throw new ArchiveError('NOT_FOUND', `message not found: ${options.messageID} in session ${sessionID}`);
    copied = messages.slice(0, at);
  }
  const id = options.id ?? newId('session');
  const remap = new IdRemap();
  remap.set(sessionID, id);
  const now = archive.now();
  const {
    id: _id,
    slug: _slug,
    title,
    parentID: _parent,
    forkedFrom: _forkedFrom,
    share: _share,
    revert: _revert,
    summary: _summary,
    cost: _cost,
    tokens: _tokens,
    time: _time,
    version: _version,
    ...kept
  } = source;
  const info: Session = {
    ...kept,
    id,
    slug: newSlug(),
    forkedFrom: options.messageID === undefined ? { sessionID } : { sessionID, messageID: options.messageID },
    title: forkTitle(title, options.taken),
    version: VERSION,
    time: { created: now, updated: now },
  };
  assignNewIds(copied, remap);
  return archive.sessions.insert(info, { messages: copied.map((m) => remap.apply(m)) });
}
