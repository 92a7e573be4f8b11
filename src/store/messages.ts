import { unlink } from 'node:fs/promises';
import { ArchiveError, errnoCode, isArchiveError } from '../errors.js';
import { assertId, newId } from '../model/ids.js';
import { type MessageWithParts, messageFile } from '../model/message.js';
import type { Part } from '../model/part.js';
import type { Session } from '../model/session.js';
import { syncFolder } from './atomic-write.js';
import { loadInfo, loadInfoToWrite, type StoreContext, withSession, writeData } from './context.js';
import { isCanonicalText, type LoadedFile, readDataText } from './json-file.js';
import { mapLimit } from './map-limit.js';
import { loadMessage, messageIds } from './message-file.js';
import { MessageOrder, type OrderKey, type OrderWatch, type ReadSink } from './message-order.js';
import type { RevertStore } from './revert.js';
import { assertNoLink } from './safe-path.js';
import type { SessionStore } from './sessions.js';
import { validate } from './validate.js';

/** How far a stream of messages reads ahead: up to 16 files, but no more than ~1 MiB of them (a large message is read alone). */
const AHEAD = { files: 16, bytes: 1 << 20 };

/** Keys in runs to read at once (see {@link AHEAD}). */
function* batches(keys: readonly OrderKey[]): Generator<OrderKey[]> {
  for (let i = 0; i < keys.length; ) {
    let end = i + 1;
    let bytes = keys[i]?.size ?? 0;
    while (end < keys.length && end - i < AHEAD.files && bytes + (keys[end]?.size ?? 0) <= AHEAD.bytes) bytes += keys[end++]?.size ?? 0;
    yield keys.slice(i, end);
    i = end;
  }
}

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
  /**
   * Counting from the oldest (0): only messages from this position on, then
   * the first `limit` of them — for reading forwards. Not with `before`.
   */
  start?: number;
}

/** A message file that cannot be read, in its place in the order (placed by its mtime). */
export interface BrokenMessage {
  info: { id: string; sessionID: string; time: { created: number } };
  parts: [];
  error: { name: 'CorruptFileError'; message: string; path: string };
}

/** True for a {@link BrokenMessage} in a page. */
export function isBroken(m: MessageWithParts | BrokenMessage): m is BrokenMessage {
  return 'error' in m && (m as BrokenMessage).error?.name === 'CorruptFileError';
}

/** A page of messages (see {@link MessageStore.page}). */
export interface MessagePage {
  items: Array<MessageWithParts | BrokenMessage>;
  /** True when older messages remain before the first item. */
  more: boolean;
}

/** Messages (one file each, with their parts) and parts. */
export class MessageStore {
  private readonly order: MessageOrder;
  /** Message files read by this store itself (the order's reads are counted there). */
  private reads = 0;

  constructor(
    private readonly ctx: StoreContext,
    private readonly sessions: SessionStore,
    private readonly reverts: RevertStore,
  ) {
    this.order = new MessageOrder(ctx);
  }

  private load(sessionID: string, messageID: string): Promise<LoadedFile<MessageWithParts> | undefined> {
    this.reads++;
    return loadMessage(this.ctx, sessionID, messageID);
  }

  private notFound(sessionID: string, messageID: string): ArchiveError {
    return new ArchiveError('NOT_FOUND', `message not found: ${messageID} in session ${sessionID}`, {
      path: this.ctx.paths.message(sessionID, messageID),
    });
  }

  /**
   * Builds and validates a complete message file from caller input. With
   * `like` (the stored message of the same ID), what the caller left out is
   * taken from it rather than made anew — `time.created`, and the IDs of
   * parts in the same places — so that a retry of the same input gives the
   * same bytes.
   */
  private complete(sessionID: string, input: MessageInput, like?: MessageWithParts): MessageWithParts {
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
   * Lets a folder watch vouch for kept message orders (an open index does
   * this): while it covers a session's messages folder, a page skips the
   * folder listing and looks only at the files {@link noticed} names.
   */
  watchedBy(watch: OrderWatch | undefined): void {
    this.order.watchedBy(watch);
  }

  /** Diagnostics: how many message files were read, to order sessions or to answer (an export reads each once). */
  fileReads(): number {
    return this.reads + this.order.reads;
  }

  /** Diagnostics: how many times a messages folder was listed to order a session (a watched session's pages list none). */
  orderListings(): number {
    return this.order.listings;
  }

  /** What a folder watch saw: a message file (or, without an ID, anything) in a session's messages folder changed. */
  noticed(sessionID: string, messageID?: string): void {
    this.order.touch(sessionID, messageID);
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
    const file = this.complete(sessionID, input);
    return withSession(this.ctx, sessionID, async () => {
      let info = await loadInfoToWrite(this.ctx, sessionID);
      // An ID made just now by this process exists nowhere yet (the write's
      // precondition still refuses to replace a file); a caller's ID is looked up.
      const existing = input.info?.id === undefined ? undefined : await this.load(sessionID, file.info.id);
      if (existing) {
        if (!isCanonicalText(this.complete(sessionID, input, existing.value), existing.text)) {
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
    const file = this.complete(sessionID, input);
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
    const checked = files.map((f) => this.complete(sessionID, f as MessageInput));
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

  /** A message file's text as it is on disk (not validated); `undefined` when absent. */
  async text(sessionID: string, messageID: string): Promise<string | undefined> {
    assertId('session', sessionID);
    assertId('message', messageID);
    await assertNoLink(this.ctx.paths.root, this.ctx.paths.messages(sessionID), { self: true });
    return (await readDataText(this.ctx.paths.message(sessionID, messageID)))?.text;
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

  /**
   * A page of the session's messages in order (`time.created`, then ID): the
   * newest `limit` before `before`, oldest first, and whether older ones
   * remain. Reads the files it returns (plus any changed since the last
   * look); the order itself comes from {@link MessageOrder}. A broken file is
   * returned in its place as a {@link BrokenMessage}.
   */
  async page(sessionID: string, options: ListMessagesOptions = {}): Promise<MessagePage> {
    const { chosen, more } = await this.select(sessionID, options);
    const items = await mapLimit(chosen, 8, (key) => this.readKey(sessionID, key));
    return { items: items.filter((m) => m !== undefined), more };
  }

  /**
   * The same messages as {@link page}, one at a time and a few files ahead:
   * for answers larger than a string can hold (a whole session of hundreds
   * of megabytes), which are streamed.
   */
  async *each(sessionID: string, options: ListMessagesOptions = {}): AsyncGenerator<MessageWithParts | BrokenMessage> {
    const { chosen } = await this.select(sessionID, options);
    for (const batch of batches(chosen)) {
      for (const m of await Promise.all(batch.map((key) => this.readKey(sessionID, key)))) if (m) yield m;
    }
  }

  /**
   * Every message of a session for one pass over all of them (an export):
   * the order first — a broken file fails here (`CORRUPT`), before any
   * message is handed out — then the messages, a few files ahead.
   * Messages read to learn the order are kept, up to `budget.bytes` (shared
   * by the calls given the same budget), and handed out without a second
   * read: in a fresh process that is every file of a session read once.
   */
  async readAll(
    sessionID: string,
    budget: { bytes: number },
  ): Promise<{ keys: OrderKey[]; messages: () => AsyncGenerator<MessageWithParts | BrokenMessage> }> {
    const read = new Map<string, { key: OrderKey; value: MessageWithParts }>();
    const keys = await this.wholeOrder(sessionID, (key, value) => {
      if (key.size > budget.bytes) return;
      budget.bytes -= key.size;
      read.set(key.id, { key, value });
    });
    const take = (key: OrderKey) => {
      const kept = read.get(key.id);
      if (!kept) return undefined;
      read.delete(key.id);
      budget.bytes += key.size;
      return kept.key === key ? kept.value : undefined;
    };
    const store = this;
    return {
      keys,
      async *messages() {
        for (const batch of batches(keys)) {
          for (const m of await Promise.all(batch.map((key) => take(key) ?? store.readKey(sessionID, key)))) if (m) yield m;
        }
      },
    };
  }

  /** The keys of a page: the newest `limit` before `before`, and whether older ones remain. */
  private async select(sessionID: string, options: ListMessagesOptions): Promise<{ keys: OrderKey[]; chosen: OrderKey[]; more: boolean }> {
    await loadInfo(this.ctx, sessionID);
    if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 0))
      throw new ArchiveError('INVALID_INPUT', `invalid limit ${options.limit}: expected a whole number ≥ 0`);
    const all = await this.order.keys(sessionID);
    let keys = all;
    const before = options.before;
    if (typeof before === 'string') {
      assertId('message', before);
      const at = keys.findIndex((k) => k.id === before);
      if (at < 0) throw this.notFound(sessionID, before);
      keys = keys.slice(0, at);
    } else if (before !== undefined) {
      // A position (time, id): still valid after that message was deleted.
      keys = keys.filter((k) => k.created < before.time || (k.created === before.time && k.id < before.id));
    }
    if (options.start !== undefined) {
      if (!Number.isInteger(options.start) || options.start < 0 || before !== undefined)
        throw new ArchiveError('INVALID_INPUT', `invalid start ${options.start}: expected a whole number ≥ 0, and no before`);
      const chosen = keys.slice(options.start, options.limit === undefined ? undefined : options.start + options.limit);
      return { keys: all, chosen, more: options.start > 0 };
    }
    const chosen = options.limit === undefined ? keys : options.limit === 0 ? [] : keys.slice(-options.limit);
    return { keys: all, chosen, more: chosen.length < keys.length };
  }

  /** One message of a page: the file (undefined when deleted meanwhile), or its place with the reason it cannot be read. */
  private async readKey(sessionID: string, key: OrderKey): Promise<MessageWithParts | BrokenMessage | undefined> {
    if (key.broken !== undefined) return this.broken(sessionID, key);
    try {
      return (await this.load(sessionID, key.id))?.value;
    } catch (error) {
      if (!isArchiveError(error, 'CORRUPT', 'UNSAFE_PATH')) throw error;
      return this.broken(sessionID, { ...key, broken: error });
    }
  }

  private broken(sessionID: string, key: OrderKey): BrokenMessage {
    return {
      info: { id: key.id, sessionID, time: { created: key.created } },
      parts: [],
      error: { name: 'CorruptFileError', message: key.broken?.message ?? '', path: this.ctx.paths.message(sessionID, key.id) },
    };
  }

  /** The session's messages in order (`time.created`, then ID); see {@link page}. A broken message file throws `CORRUPT`. */
  async list(sessionID: string, options: ListMessagesOptions = {}): Promise<MessageWithParts[]> {
    const { keys, chosen } = await this.select(sessionID, options);
    // The first broken file (in order) throws with its full detail (line:column, field paths).
    const broken = keys.find((k) => k.broken !== undefined)?.broken;
    if (broken) throw broken;
    const items = await mapLimit(chosen, 8, (key) => this.readKey(sessionID, key));
    const late = items.find((m) => m !== undefined && isBroken(m));
    if (late) throw new ArchiveError('CORRUPT', (late as BrokenMessage).error.message, { path: (late as BrokenMessage).error.path });
    return items.filter((m): m is MessageWithParts => m !== undefined);
  }

  /** The session's message IDs in order, without keeping any message in memory: for streaming a session far larger than memory. */
  async orderedIds(sessionID: string): Promise<string[]> {
    return (await this.wholeOrder(sessionID)).map((k) => k.id);
  }

  /** A session's whole order; the first broken file in it fails (`CORRUPT`). */
  private async wholeOrder(sessionID: string, sink?: ReadSink): Promise<OrderKey[]> {
    await loadInfo(this.ctx, sessionID);
    const keys = await this.order.keys(sessionID, sink);
    const broken = keys.find((k) => k.broken !== undefined)?.broken;
    if (broken) throw broken;
    return keys;
  }

  /**
   * How many messages the session has, and where one of them stands in the
   * order (0 = the oldest; -1 when it is not there): from the order alone,
   * no message read.
   */
  async position(sessionID: string, messageID?: string): Promise<{ index: number; total: number }> {
    await loadInfo(this.ctx, sessionID);
    const keys = await this.order.keys(sessionID);
    return { index: messageID === undefined ? -1 : keys.findIndex((k) => k.id === messageID), total: keys.length };
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
