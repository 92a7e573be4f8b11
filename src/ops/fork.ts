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
}

/** OpenCode's fork title: `X` → `X (fork #1)`, `X (fork #1)` → `X (fork #2)`. */
export function forkTitle(title: string): string {
  const match = /^(.+) \(fork #(\d+)\)$/.exec(title);
  return match ? `${match[1]} (fork #${Number(match[2]) + 1})` : `${title} (fork #1)`;
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
    title: forkTitle(title),
    version: VERSION,
    time: { created: now, updated: now },
  };
  assignNewIds(copied, remap);
  return archive.sessions.insert(info, { messages: copied.map((m) => remap.apply(m)) });
}
