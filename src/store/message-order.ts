import { lstatSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { type ArchiveError, isArchiveError } from '../errors.js';
import type { MessageWithParts } from '../model/message.js';
import type { StoreContext } from './context.js';
import { mapLimit, yieldNow } from './map-limit.js';
import { loadMessage, messageIds } from './message-file.js';

/** Where a message file stands in its session's order, and the stamp that says whether it is still so. */
export interface OrderKey {
  id: string;
  /** `time.created`; for a broken file, its mtime (so it still has a place). */
  created: number;
  mtimeMs: number;
  size: number;
  /** Why the file cannot be read as a message (`path: line:column …`, with the field paths in `details`), when it cannot. */
  broken?: ArchiveError;
}

/** The store's message order: `time.created`, then ID. Never the ID alone: OpenCode's IDs wrapped in 2026. */
export const compareKeys = (a: OrderKey, b: OrderKey) => a.created - b.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** How many sessions' orders are kept in memory (each ~100 bytes a message). */
const SESSIONS_KEPT = 64;

/** How long a watched session's order is trusted without a listing (a lost watch event is found within this). */
const TRUST_MS = 60_000;

/** Touched files of a session before it is simpler to look at all of them again. */
const TOUCHED_MAX = 1_000;

/** Handed each message a pass reads to learn its place (see {@link MessageOrder.keys}). */
export type ReadSink = (key: OrderKey, value: MessageWithParts) => void;

/** What vouches for a session's messages folder: a token that stays the same while one unbroken watch covers it. */
export type OrderWatch = (sessionID: string) => number | undefined;

interface Kept {
  keys: Map<string, OrderKey>;
  sorted: OrderKey[];
  /** The watch that covered the folder when it was last listed. */
  token: number | undefined;
  listedAt: number;
}

/**
 * Each session's message order, kept in memory and checked against the
 * folder: a listing and a `stat` of each file, and only files whose mtime or
 * size changed are read again. So a page of N messages reads N files (plus
 * the changed ones), not the whole session, whoever changed what in between
 * (another process, a hand edit, a `git pull`).
 *
 * While a folder watch covers the session's messages folder (an open index's
 * watcher, see {@link watchedBy}), the listing is skipped too: the watch's
 * notices ({@link touch}) name the files to look at again, so a page costs
 * its own files and nothing per message of the session. The listing is
 * repeated when the watch changed, a notice named the folder, or a minute
 * passed (a lost event is found then).
 */
export class MessageOrder {
  private readonly kept = new Map<string, Kept>();
  private readonly building = new Map<string, Promise<OrderKey[]>>();
  private readonly touched = new Map<string, Set<string> | 'all'>();
  private watch: OrderWatch | undefined;
  /** Folder listings made (a diagnostic: a watched session's pages make none). */
  listings = 0;
  /** Message files read to learn their place (a diagnostic). */
  reads = 0;

  constructor(private readonly ctx: StoreContext) {}

  /** Trust kept orders while this watch vouches for their folder (undefined: always list). */
  watchedBy(watch: OrderWatch | undefined): void {
    this.watch = watch;
  }

  /** A message file changed (or, without an ID, anything in the folder): looked at on the next use. */
  touch(sessionID: string, messageID?: string): void {
    if (!this.kept.has(sessionID) && !this.building.has(sessionID)) return;
    const now = this.touched.get(sessionID);
    if (now === 'all') return;
    if (messageID === undefined || (now?.size ?? 0) >= TOUCHED_MAX) {
      this.touched.set(sessionID, 'all');
      return;
    }
    if (now) now.add(messageID);
    else this.touched.set(sessionID, new Set([messageID]));
  }

  /**
   * The session's keys in order. Concurrent calls for one session share one
   * pass. `sink` is handed every message this call's pass reads (none when
   * the kept order needed no file read, or another call's pass was under way).
   */
  keys(sessionID: string, sink?: ReadSink): Promise<OrderKey[]> {
    let pass = this.building.get(sessionID);
    if (!pass) {
      pass = this.build(sessionID, sink).finally(() => this.building.delete(sessionID));
      this.building.set(sessionID, pass);
    }
    return pass;
  }

  private async build(sessionID: string, sink?: ReadSink): Promise<OrderKey[]> {
    const kept = this.kept.get(sessionID);
    const token = this.watch?.(sessionID);
    const touched = this.touched.get(sessionID);
    // Taken before looking: a notice that arrives meanwhile is kept for the next use.
    this.touched.delete(sessionID);
    if (kept && token !== undefined && kept.token === token && touched !== 'all' && Date.now() - kept.listedAt < TRUST_MS) {
      if (touched) {
        for (const id of touched) kept.keys.delete(id);
        await this.refresh(sessionID, [...touched], kept.keys, new Map(), sink);
        kept.sorted = [...kept.keys.values()].sort(compareKeys);
      }
      this.keep(sessionID, kept);
      return kept.sorted;
    }
    const listedAt = Date.now();
    this.listings++;
    const known = kept?.keys ?? new Map<string, OrderKey>();
    const ids = await messageIds(this.ctx, sessionID);
    const next = new Map<string, OrderKey>();
    let changed: string[] = [];
    // Nothing kept (a fresh process): every file is read anyway, so none is stat'ed first.
    if (known.size === 0) changed = ids;
    else
      for (const id of ids) {
        // Synchronous: a stat takes no journal handle and costs microseconds, a trip through the thread pool more.
        const stamp = lstatSync(this.ctx.paths.message(sessionID, id), { throwIfNoEntry: false }); // undefined: removed meanwhile
        const old = known.get(id);
        if (stamp && old && old.mtimeMs === stamp.mtimeMs && old.size === stamp.size) next.set(id, old);
        else if (stamp) changed.push(id);
        await yieldNow();
      }
    await this.refresh(sessionID, changed, next, known, sink);
    const sorted = [...next.values()].sort(compareKeys);
    this.keep(sessionID, { keys: next, sorted, token, listedAt });
    return sorted;
  }

  /** Reads the keys of these files into `into` (a file that is gone is left out; one whose stamp is unchanged in `known` is kept as it was). */
  private async refresh(
    sessionID: string,
    ids: string[],
    into: Map<string, OrderKey>,
    known: Map<string, OrderKey>,
    sink?: ReadSink,
  ): Promise<void> {
    // Few at once: a message can be large, and a session far larger than memory.
    await mapLimit(ids, 4, async (id) => {
      try {
        this.reads++;
        const loaded = await loadMessage(this.ctx, sessionID, id);
        if (!loaded) return;
        const old = known.get(id);
        const key =
          old && old.mtimeMs === loaded.stats.mtimeMs && old.size === loaded.stats.size
            ? old
            : { id, created: loaded.value.info.time.created, mtimeMs: loaded.stats.mtimeMs, size: loaded.stats.size };
        into.set(id, key);
        sink?.(key, loaded.value);
      } catch (error) {
        // Broken, or a link (never followed): it keeps a place in the order and is reported there.
        if (!isArchiveError(error, 'CORRUPT', 'UNSAFE_PATH')) throw error;
        const stamp = await lstat(this.ctx.paths.message(sessionID, id)).catch(() => undefined);
        if (stamp) into.set(id, { id, created: stamp.mtimeMs, mtimeMs: stamp.mtimeMs, size: stamp.size, broken: error });
      }
    });
  }

  private keep(sessionID: string, kept: Kept): void {
    this.kept.delete(sessionID);
    this.kept.set(sessionID, kept);
    if (this.kept.size > SESSIONS_KEPT) this.kept.delete(this.kept.keys().next().value as string);
  }

  /** Forgets a session (deleted, or its folder replaced). */
  forget(sessionID: string): void {
    this.kept.delete(sessionID);
    this.touched.delete(sessionID);
  }
}
