import { ArchiveError, isArchiveError } from '../errors.js';
import { assertId } from '../model/ids.js';
import type { MessageWithParts } from '../model/message.js';
import { loadInfo, type StoreContext } from './context.js';
import { type LoadedFile, readDataText } from './json-file.js';
import { mapLimit } from './map-limit.js';
import { loadMessage, messageIds } from './message-file.js';
import { MessageOrder, type OrderKey, type OrderWatch, type ReadSink } from './message-order.js';
import { assertNoLink } from './safe-path.js';

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

/**
 * Messages read: one, a page, a stream, a whole session once, in their
 * order (`time.created`, then ID) as {@link MessageOrder} keeps it. The
 * {@link MessageStore} is this with the writes.
 */
export class MessageReads {
  protected readonly order: MessageOrder;
  /** Message files read by this store itself (the order's reads are counted there). */
  private reads = 0;

  constructor(protected readonly ctx: StoreContext) {
    this.order = new MessageOrder(ctx);
  }

  protected load(sessionID: string, messageID: string): Promise<LoadedFile<MessageWithParts> | undefined> {
    this.reads++;
    return loadMessage(this.ctx, sessionID, messageID);
  }

  protected notFound(sessionID: string, messageID: string): ArchiveError {
    return new ArchiveError('NOT_FOUND', `message not found: ${messageID} in session ${sessionID}`, {
      path: this.ctx.paths.message(sessionID, messageID),
    });
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
}
