import { unlink } from 'node:fs/promises';
import { ArchiveError, errnoCode } from '../errors.js';
import { assertId, newId } from '../model/ids.js';
import { type ModelSchemas, modelSchemas } from '../model/lazy.js';
import type { MessageWithParts } from '../model/message.js';
import type { Part } from '../model/part.js';
import type { Session } from '../model/session.js';
import { fsyncFolder } from './atomic-write.js';
import { loadInfo, loadInfoToWrite, type StoreContext, withSession, writeData } from './context.js';
import { isCanonicalText, type LoadedFile } from './json-file.js';
import { mapLimit } from './map-limit.js';
import { MessageReads } from './message-reads.js';
import type { RevertStore } from './revert.js';
import type { SessionStore } from './sessions.js';
import { validate } from './validate.js';

/** A message as a caller hands it in: IDs, `sessionID`, `messageID` and `time.created` are filled in when absent. */
export interface MessageInput {
  info: Record<string, unknown> & { role: 'user' | 'assistant'; id?: string };
  parts?: Array<Record<string, unknown> & { type: string; id?: string }>;
}

/** A part as a caller hands it in: `id`, `sessionID` and `messageID` are filled in when absent. */
export type PartInput = Record<string, unknown> & { type: string; id?: string };

/** Messages (one file each, with their parts) and parts: read (see {@link MessageReads}) and written. */
export class MessageStore extends MessageReads {
  constructor(
    ctx: StoreContext,
    private readonly sessions: SessionStore,
    private readonly reverts: RevertStore,
  ) {
    super(ctx);
  }

  /**
   * Builds and validates a complete message file from caller input. With
   * `like` (the stored message of the same ID), what the caller left out is
   * taken from it rather than made anew — `time.created`, and the IDs of
   * parts in the same places — so that a retry of the same input gives the
   * same bytes. `schemas`: the model's (see {@link modelSchemas}).
   */
  private complete(schemas: ModelSchemas, sessionID: string, input: MessageInput, like?: MessageWithParts): MessageWithParts {
    if (typeof input !== 'object' || input === null || typeof input.info !== 'object' || input.info === null) {
      throw new ArchiveError('INVALID_INPUT', 'invalid message: expected {info, parts}');
    }
    // Absent means "make one"; anything else (null too) must be a valid ID.
    const id = input.info.id === undefined ? newId('message') : input.info.id;
    assertId('message', id);
    if (input.info.sessionID !== undefined && input.info.sessionID !== sessionID) {
      throw new ArchiveError('INVALID_INPUT', `invalid message: info.sessionID ${String(input.info.sessionID)} is not ${sessionID}`);
    }
    const time = { created: like?.info.time.created ?? this.ctx.now(), ...(input.info.time as object | undefined) };
    const parts = (input.parts ?? []).map((p, i) => {
      const same = like?.parts[i];
      return this.completePart(sessionID, id, p.id === undefined && same?.type === p.type ? { ...p, id: same.id } : p);
    });
    return validate(schemas.messageFile, { info: { ...input.info, id, sessionID, time }, parts }, 'invalid message', 'INVALID_INPUT');
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
    if (loaded && isCanonicalText(file, loaded.text)) return; // unchanged: nothing written, nothing moves
    // Both files at once, so their fsyncs overlap. A crash between the two
    // leaves a message without the newer time.updated, or the newer time
    // without the message: either is a consistent session.
    const [message, touched] = await Promise.allSettled([
      writeData(this.ctx.paths.message(sessionID, file.info.id), file, loaded, { makeFolder: true }),
      this.sessions.touch(sessionID, info),
    ]);
    this.order.touch(sessionID, file.info.id);
    if (message.status === 'rejected') throw message.reason;
    // The message is written: an error now would be a lie (a client would send it again). time.updated is
    // moved once more from the file as it is; if that fails too, the session keeps its older time, still consistent.
    if (touched.status === 'rejected') await this.sessions.touch(sessionID).catch(() => {});
  }

  /**
   * Adds a new message with its parts. When a message with its ID exists:
   * the same message sent again (a client retrying after an error answer)
   * is answered as the first time, anything else is `DUPLICATE_ID`. A broken
   * file of that ID is `CORRUPT`, and a failed read an `IO` error — never
   * taken for "exists".
   */
  async append(sessionID: string, input: MessageInput): Promise<MessageWithParts> {
    assertId('session', sessionID);
    const schemas = await modelSchemas();
    const file = this.complete(schemas, sessionID, input);
    return withSession(this.ctx, sessionID, async () => {
      let info = await loadInfoToWrite(this.ctx, sessionID);
      // An ID made just now by this process exists nowhere yet (the write's
      // precondition still refuses to replace a file); a caller's ID is looked up.
      const existing = input.info?.id === undefined ? undefined : await this.load(sessionID, file.info.id);
      if (existing) {
        if (!isCanonicalText(this.complete(schemas, sessionID, input, existing.value), existing.text)) {
          throw new ArchiveError('DUPLICATE_ID', `message ID already exists: ${file.info.id} in session ${sessionID}`);
        }
        // The first attempt may have stopped between the two files: finish it.
        if (info.value.time.updated < existing.value.info.time.created) await this.sessions.touch(sessionID, info);
        return existing.value;
      }
      if (info.value.revert) info = await this.reverts.cleanup(sessionID, info);
      await this.write(sessionID, file, undefined, info);
      return file;
    });
  }

  /** Creates or replaces a whole message with its parts. Replacing a broken file is refused (`CORRUPT`). */
  async upsert(sessionID: string, input: MessageInput): Promise<MessageWithParts> {
    assertId('session', sessionID);
    const file = this.complete(await modelSchemas(), sessionID, input);
    return withSession(this.ctx, sessionID, async () => {
      let info = await loadInfoToWrite(this.ctx, sessionID);
      const existing = await this.load(sessionID, file.info.id);
      if (!existing && info.value.revert) info = await this.reverts.cleanup(sessionID, info);
      await this.write(sessionID, file, existing, info);
      return file;
    });
  }

  /**
   * Writes whole messages as given (IDs and times kept) without moving the
   * session's `time.updated`: for a mirror of another store, whose caller
   * sets the session's times itself. A file whose bytes would not change is
   * not written, and a broken one is not replaced (`CORRUPT`). Up to 8 files
   * are written at once, so their fsyncs overlap. Returns the IDs written.
   */
  async putMany(sessionID: string, files: readonly MessageWithParts[]): Promise<string[]> {
    assertId('session', sessionID);
    const schemas = await modelSchemas();
    const checked = files.map((f) => this.complete(schemas, sessionID, f as MessageInput));
    return withSession(this.ctx, sessionID, async () => {
      await loadInfo(this.ctx, sessionID); // the session must exist
      const written = await mapLimit(checked, 8, async (file) => {
        const existing = await this.load(sessionID, file.info.id);
        if (existing && isCanonicalText(file, existing.text)) return undefined;
        try {
          await writeData(this.ctx.paths.message(sessionID, file.info.id), file, existing, { makeFolder: true });
        } finally {
          this.order.touch(sessionID, file.info.id);
        }
        return file.info.id;
      });
      return written.filter((id): id is string => id !== undefined);
    });
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
      } finally {
        this.order.touch(sessionID, messageID);
      }
      await fsyncFolder(this.ctx.paths.messages(sessionID));
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
      const file = validate(
        (await modelSchemas()).messageFile,
        { ...loaded.value, parts },
        `invalid part ${String(draft.id)}`,
        'INVALID_INPUT',
      );
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
