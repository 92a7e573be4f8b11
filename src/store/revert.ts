import { unlink } from 'node:fs/promises';
import { ArchiveError } from '../errors.js';
import { assertId } from '../model/ids.js';
import type { MessageWithParts } from '../model/message.js';
import type { Session } from '../model/session.js';
import { fsyncFolder } from './atomic-write.js';
import { loadInfo, type StoreContext, writeData } from './context.js';
import type { LoadedFile } from './json-file.js';
import { compareMessages, loadMessage, messageIds } from './message-file.js';
import type { SessionStore } from './sessions.js';
import type { StatusStore } from './status.js';

/** A revert target: a message, or one part of it. */
export interface RevertTarget {
  messageID: string;
  partID?: string;
}

/**
 * OpenCode's revert, all of it in one place: `revert` records the target on
 * the session and deletes nothing; `cleanup` — run by the message store under
 * the session's lock when the next message is added — removes what was
 * reverted and clears the record. A rule of the format (every writer of an
 * archive must honour it), so it lives in the store rather than in `ops/`.
 */
export class RevertStore {
  constructor(
    private readonly ctx: StoreContext,
    private readonly sessions: SessionStore,
    private readonly status: StatusStore,
  ) {}

  private async notBusy(sessionID: string, what: string): Promise<void> {
    const status = await this.status.get(sessionID);
    if (status.type === 'busy' || status.type === 'retry') {
      throw new ArchiveError('BUSY', `cannot ${what} session ${sessionID}: it is ${status.type}; wait until it is idle or abort it`);
    }
  }

  /**
   * Records a revert to `target`. `snapshot` is the latest snapshot the
   * session's parts recorded, the state an unrevert returns to. `BUSY` while
   * the session is busy or retrying.
   */
  async revert(sessionID: string, target: RevertTarget): Promise<Session> {
    assertId('session', sessionID);
    assertId('message', target?.messageID);
    if (target.partID !== undefined) assertId('part', target.partID);
    await this.notBusy(sessionID, 'revert');
    const messages = await this.messagesInOrder(sessionID);
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
    return this.sessions.update(sessionID, { revert: state });
  }

  /** Clears a pending revert (nothing was deleted, so nothing comes back). */
  async unrevert(sessionID: string): Promise<Session> {
    await this.notBusy(sessionID, 'unrevert');
    return this.sessions.update(sessionID, { revert: null });
  }

  /**
   * Runs when a new message is added to a session with a pending revert
   * (under its lock): the target and every message after it go — with
   * `partID`, that part and the later parts of the target, and every later
   * message — and `revert` is cleared. Returns the info as now on disk.
   */
  async cleanup(sessionID: string, info: LoadedFile<Session>): Promise<LoadedFile<Session>> {
    const revert = info.value.revert;
    if (!revert) return info;
    const all = await this.messagesInOrder(sessionID);
    const at = all.findIndex((m) => m.info.id === revert.messageID);
    if (at >= 0) {
      const target = all[at] as MessageWithParts;
      const cut = revert.partID === undefined ? -1 : target.parts.findIndex((p) => p.id === revert.partID);
      const gone = revert.partID === undefined ? all.slice(at) : all.slice(at + 1);
      if (cut >= 0) {
        const path = this.ctx.paths.message(sessionID, target.info.id);
        await writeData(path, { ...target, parts: target.parts.slice(0, cut) }, await loadMessage(this.ctx, sessionID, target.info.id));
      }
      for (const m of gone) await unlink(this.ctx.paths.message(sessionID, m.info.id)).catch(() => {});
      await fsyncFolder(this.ctx.paths.messages(sessionID));
    }
    const { revert: _cleared, ...rest } = info.value;
    await writeData(this.ctx.paths.info(sessionID), rest, info);
    return loadInfo(this.ctx, sessionID);
  }

  private async messagesInOrder(sessionID: string): Promise<MessageWithParts[]> {
    await loadInfo(this.ctx, sessionID);
    const all: MessageWithParts[] = [];
    for (const id of await messageIds(this.ctx, sessionID)) {
      const loaded = await loadMessage(this.ctx, sessionID, id);
      if (loaded) all.push(loaded.value);
    }
    return all.sort(compareMessages);
  }
}

/** Reverts a session to a message or part (see {@link RevertStore.revert}). */
export function revert(archive: { readonly reverts: RevertStore }, sessionID: string, target: RevertTarget): Promise<Session> {
  return archive.reverts.revert(sessionID, target);
}

/** Clears a pending revert (see {@link RevertStore.unrevert}). */
export function unrevert(archive: { readonly reverts: RevertStore }, sessionID: string): Promise<Session> {
  return archive.reverts.unrevert(sessionID);
}
