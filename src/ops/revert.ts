import { ArchiveError } from '../errors.js';
import { StatusStore } from '../index/status.js';
import { assertId } from '../model/ids.js';
import type { Session } from '../model/session.js';
import type { Archive } from '../store/archive.js';

async function notBusy(archive: Archive, sessionID: string, what: string): Promise<void> {
  const status = await new StatusStore(archive.stateDir).get(sessionID);
  if (status.type === 'busy' || status.type === 'retry') {
    throw new ArchiveError('BUSY', `cannot ${what} session ${sessionID}: it is ${status.type}; wait until it is idle or abort it`);
  }
}

/**
 * OpenCode's revert: records `revert` on the session and deletes nothing.
 * The next message added removes the target and everything after it (with
 * `partID`: that part and the later parts of the target, and every later
 * message) and clears `revert`. `snapshot` is the latest snapshot the
 * session's parts recorded, the state an unrevert returns to.
 */
export async function revert(archive: Archive, sessionID: string, target: { messageID: string; partID?: string }): Promise<Session> {
  assertId('session', sessionID);
  assertId('message', target?.messageID);
  if (target.partID !== undefined) assertId('part', target.partID);
  await notBusy(archive, sessionID, 'revert');
  const messages = await archive.messages.list(sessionID);
  const message = messages.find((m) => m.info.id === target.messageID);
  if (!message) throw new ArchiveError('NOT_FOUND', `message not found: ${target.messageID} in session ${sessionID}`);
  if (target.partID !== undefined && !message.parts.some((p) => p.id === target.partID)) {
    throw new ArchiveError('NOT_FOUND', `part not found: ${target.partID} in message ${target.messageID}`);
  }
  let snapshot: string | undefined;
  for (const m of messages) {
    for (const p of m.parts) {
      if ((p.type === 'step-start' || p.type === 'step-finish' || p.type === 'snapshot') && p.snapshot) snapshot = p.snapshot;
    }
  }
  const state: NonNullable<Session['revert']> = { messageID: target.messageID };
  if (target.partID !== undefined) state.partID = target.partID;
  if (snapshot !== undefined) state.snapshot = snapshot;
  return archive.sessions.update(sessionID, { revert: state });
}

/** Clears a pending revert (nothing was deleted, so nothing comes back). */
export async function unrevert(archive: Archive, sessionID: string): Promise<Session> {
  await notBusy(archive, sessionID, 'unrevert');
  return archive.sessions.update(sessionID, { revert: null });
}
