import { mkdir, unlink } from 'node:fs/promises';
import { ArchiveError, errnoCode } from '../errors.js';
import { assertId, newId } from '../model/ids.js';
import { type MessageWithParts, messageFile } from '../model/message.js';
import type { Part } from '../model/part.js';
import type { Session } from '../model/session.js';
import { syncFolder } from './atomic-write.js';
import { loadInfo, type StoreContext, withSession, writeData } from './context.js';
import { formatCanonical, type LoadedFile, validate } from './json-file.js';
import { mapLimit } from './map-limit.js';
import { compareMessages, loadMessage, messageIds } from './message-file.js';
import type { RevertStore } from './revert.js';
import type { SessionStore } from './sessions.js';

/** A message as a caller hands it in: IDs, `sessionID`, `messageID` and `time.created` are filled in when absent. */
export interface MessageInput {
  info: Record<string, unknown> & { role: 'user' | 'assistant'; id?: string };
  parts?: Array<Record<string, unknown> & { type: string; id?: string }>;
}

/** A part as a caller hands it in: `id`, `sessionID` and `messageID` are filled in when absent. */
export type PartInput = Record<string, unknown> & { type: string; id?: string };

export interface ListMessagesOptions {
  /** Only the newest N messages (still returned oldest first). */
  limit?: number;
  /** Only messages before this message, or before this position (time.created, id) — a cursor for paging backwards. */
  before?: string | { time: number; id: string };
}

/** Messages (one file each, with their parts) and parts. */
export class MessageStore {
  constructor(
    private readonly ctx: StoreContext,
    private readonly sessions: SessionStore,
    private readonly reverts: RevertStore,
  ) {}

  private load(sessionID: string, messageID: string): Promise<LoadedFile<MessageWithParts> | undefined> {
    return loadMessage(this.ctx, sessionID, messageID);
  }

  private notFound(sessionID: string, messageID: string): ArchiveError {
    return new ArchiveError('NOT_FOUND', `message not found: ${messageID} in session ${sessionID}`, {
      path: this.ctx.paths.message(sessionID, messageID),
    });
  }

  /** Builds and validates a complete message file from caller input. */
  private complete(sessionID: string, input: MessageInput): MessageWithParts {
    if (typeof input !== 'object' || input === null || typeof input.info !== 'object' || input.info === null) {
      throw new ArchiveError('INVALID_INPUT', 'invalid message: expected {info, parts}');
    }
    // Absent means "make one"; anything else (null too) must be a valid ID.
    const id = input.info.id === undefined ? newId('message') : input.info.id;
    assertId('message', id);
    if (input.info.sessionID !== undefined && input.info.sessionID !== sessionID) {
      throw new ArchiveError('INVALID_INPUT', `invalid message: info.sessionID ${String(input.info.sessionID)} is not ${sessionID}`);
    }
    const time = { created: this.ctx.now(), ...(input.info.time as object | undefined) };
    const parts = (input.parts ?? []).map((p) => this.completePart(sessionID, id, p));
    return validate(messageFile, { info: { ...input.info, id, sessionID, time }, parts }, 'invalid message', 'INVALID_INPUT');
  }

  private completePart(sessionID: string, messageID: string, part: PartInput): Record<string, unknown> {
    const id = part.id === undefined ? newId('part') : part.id;
    assertId('part', id);
    for (const [field, expected] of [
      ['sessionID', sessionID],
      ['messageID', messageID],
    ] as const) {
      if (part[field] !== undefined && part[field] !== expected) {
        throw new ArchiveError('INVALID_INPUT', `invalid part ${id}: ${field} ${String(part[field])} is not ${expected}`);
      }
    }
    return { ...part, id, sessionID, messageID };
  }

  /** Writes a message file and moves the session's `time.updated`. Call under the session's lock. */
  private async write(
    sessionID: string,
    file: MessageWithParts,
    loaded?: LoadedFile<MessageWithParts>,
    info?: LoadedFile<Session>,
  ): Promise<void> {
    await mkdir(this.ctx.paths.messages(sessionID), { recursive: true });
    const text = formatCanonical(file);
    if (loaded && loaded.text === text) return; // unchanged: nothing written, nothing moves
    // Both files at once, so their fsyncs overlap. A crash between the two
    // leaves a message without the newer time.updated, or the newer time
    // without the message: either is a consistent session.
    await Promise.all([
      writeData(this.ctx.paths.message(sessionID, file.info.id), file, loaded, text),
      this.sessions.touch(sessionID, info),
    ]);
  }

  /** Adds a new message with its parts; `DUPLICATE_ID` when a message with its ID exists. */
  async append(sessionID: string, input: MessageInput): Promise<MessageWithParts> {
    assertId('session', sessionID);
    const file = this.complete(sessionID, input);
    return withSession(this.ctx, sessionID, async () => {
      let info = await loadInfo(this.ctx, sessionID);
      if (await this.load(sessionID, file.info.id).catch(() => true)) {
        throw new ArchiveError('DUPLICATE_ID', `message ID already exists: ${file.info.id} in session ${sessionID}`);
      }
      if (info.value.revert) info = await this.reverts.cleanup(sessionID, info);
      await this.write(sessionID, file, undefined, info);
      return file;
    });
  }

  /** Creates or replaces a whole message with its parts. Replacing a broken file is refused (`CORRUPT`). */
  async upsert(sessionID: string, input: MessageInput): Promise<MessageWithParts> {
    assertId('session', sessionID);
    const file = this.complete(sessionID, input);
    return withSession(this.ctx, sessionID, async () => {
      let info = await loadInfo(this.ctx, sessionID);
      const existing = await this.load(sessionID, file.info.id);
      if (!existing && info.value.revert) info = await this.reverts.cleanup(sessionID, info);
      await this.write(sessionID, file, existing, info);
      return file;
    });
  }

  /** One message with its parts; `NOT_FOUND` when absent. */
  async get(sessionID: string, messageID: string): Promise<MessageWithParts> {
    const loaded = await this.load(sessionID, messageID);
    if (!loaded) {
      await loadInfo(this.ctx, sessionID);
      throw this.notFound(sessionID, messageID);
    }
    return loaded.value;
  }

  /** The IDs of the session's message files. */
  ids(sessionID: string): Promise<string[]> {
    return messageIds(this.ctx, sessionID);
  }

  /** The session's messages in order (`time.created`, then ID). A broken message file throws `CORRUPT`. */
  async list(sessionID: string, options: ListMessagesOptions = {}): Promise<MessageWithParts[]> {
    await loadInfo(this.ctx, sessionID);
    const files = await mapLimit(await this.ids(sessionID), 32, (id) => this.load(sessionID, id));
    let all = files.filter((f): f is LoadedFile<MessageWithParts> => f !== undefined).map((f) => f.value);
    all.sort(compareMessages);
    const before = options.before;
    if (typeof before === 'string') {
      assertId('message', before);
      const at = all.findIndex((m) => m.info.id === before);
      if (at < 0) throw this.notFound(sessionID, before);
      all = all.slice(0, at);
    } else if (before !== undefined) {
      // A position (time, id): still valid after that message was deleted.
      all = all.filter((m) => m.info.time.created < before.time || (m.info.time.created === before.time && m.info.id < before.id));
    }
    if (options.limit !== undefined) {
      if (!Number.isInteger(options.limit) || options.limit < 0)
        throw new ArchiveError('INVALID_INPUT', `invalid limit ${options.limit}: expected a whole number ≥ 0`);
      all = options.limit === 0 ? [] : all.slice(-options.limit);
    }
    return all;
  }

  /**
   * The session's message IDs in order, reading one file at a time and
   * keeping only its time: for streaming a session far larger than memory.
   */
  async orderedIds(sessionID: string): Promise<string[]> {
    await loadInfo(this.ctx, sessionID);
    const keys: Array<{ created: number; id: string }> = [];
    for (const id of await this.ids(sessionID)) {
      const loaded = await this.load(sessionID, id);
      if (loaded) keys.push({ created: loaded.value.info.time.created, id });
    }
    return keys.sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((k) => k.id);
  }

  /** Deletes a message file; `NOT_FOUND` when absent. */
  async delete(sessionID: string, messageID: string): Promise<void> {
    assertId('session', sessionID);
    const path = this.ctx.paths.message(sessionID, messageID);
    await withSession(this.ctx, sessionID, async () => {
      await loadInfo(this.ctx, sessionID);
      try {
        await unlink(path);
      } catch (error) {
        if (errnoCode(error) === 'ENOENT') throw this.notFound(sessionID, messageID);
        throw error;
      }
      await syncFolder(this.ctx.paths.messages(sessionID));
      await this.sessions.touch(sessionID);
    });
  }

  /** Adds a part to a message, or replaces the part with the same ID in place. */
  async upsertPart(sessionID: string, messageID: string, input: PartInput): Promise<Part> {
    assertId('session', sessionID);
    assertId('message', messageID);
    const draft = this.completePart(sessionID, messageID, input);
    return withSession(this.ctx, sessionID, async () => {
      const loaded = await this.load(sessionID, messageID);
      if (!loaded) throw this.notFound(sessionID, messageID);
      const parts: unknown[] = [...loaded.value.parts];
      const at = loaded.value.parts.findIndex((p) => p.id === draft.id);
      if (at < 0) parts.push(draft);
      else parts[at] = draft;
      const file = validate(messageFile, { ...loaded.value, parts }, `invalid part ${String(draft.id)}`, 'INVALID_INPUT');
      await this.write(sessionID, file, loaded);
      return file.parts[at < 0 ? parts.length - 1 : at] as Part;
    });
  }

  /** Removes one part of a message; `NOT_FOUND` when the message or part is absent. */
  async deletePart(sessionID: string, messageID: string, partID: string): Promise<void> {
    assertId('session', sessionID);
    assertId('part', partID);
    await withSession(this.ctx, sessionID, async () => {
      const loaded = await this.load(sessionID, messageID);
      if (!loaded) throw this.notFound(sessionID, messageID);
      const parts = loaded.value.parts.filter((p) => p.id !== partID);
      if (parts.length === loaded.value.parts.length) {
        throw new ArchiveError('NOT_FOUND', `part not found: ${partID} in message ${messageID}`, {
          path: this.ctx.paths.message(sessionID, messageID),
        });
      }
      await this.write(sessionID, { ...loaded.value, parts }, loaded);
    });
  }
}
