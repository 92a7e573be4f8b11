import { lstat } from 'node:fs/promises';
import { type ArchiveError, errnoCode, isArchiveError } from '../errors.js';
import type { StoreContext } from './context.js';
import { mapLimit } from './map-limit.js';
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

/**
 * Each session's message order, kept in memory and checked against the
 * folder on every use: a listing and a `stat` of each file, and only files
 * whose mtime or size changed are read again. So a page of N messages reads
 * N files (plus the changed ones), not the whole session, whoever changed
 * what in between (another process, a hand edit, a `git pull`).
 */
export class MessageOrder {
  private readonly kept = new Map<string, Map<string, OrderKey>>();
  private readonly building = new Map<string, Promise<OrderKey[]>>();

  constructor(private readonly ctx: StoreContext) {}

  /** The session's keys in order. Concurrent calls for one session share one pass. */
  keys(sessionID: string): Promise<OrderKey[]> {
    let pass = this.building.get(sessionID);
    if (!pass) {
      pass = this.build(sessionID).finally(() => this.building.delete(sessionID));
      this.building.set(sessionID, pass);
    }
    return pass;
  }

  private async build(sessionID: string): Promise<OrderKey[]> {
    const known = this.kept.get(sessionID) ?? new Map<string, OrderKey>();
    const ids = await messageIds(this.ctx, sessionID);
    const next = new Map<string, OrderKey>();
    const changed: string[] = [];
    await mapLimit(ids, 32, async (id) => {
      const stamp = await lstat(this.ctx.paths.message(sessionID, id)).catch((error: unknown) => {
        if (errnoCode(error) === 'ENOENT') return undefined; // removed meanwhile
        throw error;
      });
      const old = known.get(id);
      if (stamp && old && old.mtimeMs === stamp.mtimeMs && old.size === stamp.size) next.set(id, old);
      else if (stamp) changed.push(id);
    });
    // Few at once: a message can be large, and a session far larger than memory.
    await mapLimit(changed, 4, async (id) => {
      try {
        const loaded = await loadMessage(this.ctx, sessionID, id);
        if (loaded) next.set(id, { id, created: loaded.value.info.time.created, mtimeMs: loaded.stats.mtimeMs, size: loaded.stats.size });
      } catch (error) {
        // Broken, or a link (never followed): it keeps a place in the order and is reported there.
        if (!isArchiveError(error, 'CORRUPT', 'UNSAFE_PATH')) throw error;
        const stamp = await lstat(this.ctx.paths.message(sessionID, id));
        next.set(id, { id, created: stamp.mtimeMs, mtimeMs: stamp.mtimeMs, size: stamp.size, broken: error });
      }
    });
    this.kept.delete(sessionID);
    this.kept.set(sessionID, next);
    if (this.kept.size > SESSIONS_KEPT) this.kept.delete(this.kept.keys().next().value as string);
    return [...next.values()].sort(compareKeys);
  }

  /** Forgets a session (deleted, or its folder replaced). */
  forget(sessionID: string): void {
    this.kept.delete(sessionID);
  }
}
