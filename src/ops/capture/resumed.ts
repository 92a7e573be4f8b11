import type { MessageWithParts } from '../../model/message.js';
import type { Session } from '../../model/session.js';
import type { Archive } from '../../store/archive.js';
import { IdRemap } from '../remap.js';
import type { ConvertedInfo } from './contract.js';
import type { ResumedRecord } from './state.js';

// What sync does with a file the archive wrote into an agent's store for
// `sarc resume` (see resume.ts): the copies of the archive's own messages are
// not brought in again, and what the agent added goes into the session itself
// (resumed in its own agent) or into a continuation of it.

/** A message of a resumed file that the archive wrote there itself (it is no later than the last one written). */
export function isResumedCopy(r: ResumedRecord | undefined, m: MessageWithParts): boolean {
  if (!r) return false;
  const time = m.info.time as { created: number };
  return time.created <= r.after;
}

/**
 * Where a resumed file's session goes. Resumed in the agent it came from: into
 * that same session, its info left as the archive has it but for the last
 * update (`target` is the session, the file's own ID only keys what sync
 * remembers). Resumed elsewhere, or when the session is no longer in the
 * archive: a continuation (a fork of it, after its last message) holding only
 * what the agent added.
 */
export async function resumedTarget(
  archive: Archive,
  info: ConvertedInfo,
  r: ResumedRecord | undefined,
): Promise<{ c: ConvertedInfo; target: string }> {
  if (!r) return { c: info, target: info.id };
  if (r.same) {
    const current = await archive.sessions.get(r.session).catch(() => undefined);
    if (current)
      return {
        target: r.session,
        c: {
          ...info,
          id: r.session,
          title: current.title,
          directory: current.directory,
          parentID: current.parentID,
          forkedFrom: current.forkedFrom,
          version: current.version,
          metadata: {},
          project: undefined,
          mirror: undefined,
          todos: info.todos,
          created: current.time.created,
          updated: Math.max(current.time.updated, info.updated),
        },
      };
  }
  const forkedFrom = { sessionID: r.session };
  const metadata = { ...info.metadata, resumedFrom: { session: r.session, at: r.writtenAt, agentID: r.agentID } };
  return {
    target: info.id,
    c: {
      ...info,
      forkedFrom,
      metadata,
      // A mirror (OpenCode) is written as the agent has it, plus the link.
      ...(info.mirror ? { mirror: { ...info.mirror, forkedFrom, metadata: { ...info.mirror.metadata, ...metadata } } as Session } : {}),
    },
  };
}

/** The messages of the agent's session `key`, renamed to name `target` when they go into another session. */
export function renamedInto(key: string, target: string, messages: MessageWithParts[]): MessageWithParts[] {
  if (target === key) return messages;
  const into = new IdRemap();
  into.set(key, target);
  return messages.map((m) => into.apply(m));
}
