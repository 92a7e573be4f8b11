import type { Dirent } from 'node:fs';
import { statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { errnoCode } from '../../errors.js';
import { isId } from '../../model/ids.js';
import type { ArchivePaths } from '../../store/paths.js';
import { type StrayFile, topLevelStrays } from '../../store/strays.js';
import { inSlice, type Slice } from './scan.js';

/**
 * One reading of `sessions/`: the session IDs, which of them are links (the
 * entry types tell, at no cost) and the strays. What is derived from it (a
 * set to look IDs up in, each round's share) is worked out once, so a
 * listing kept between periodic rounds costs nothing to use again.
 */
export class SessionListing {
  readonly ids: readonly string[];
  readonly links: ReadonlySet<string>;
  readonly strays: readonly StrayFile[];
  /** IDs whose entry is not a folder (a link or a file). */
  private readonly notFolders = new Set<string>();
  private present: Set<string> | undefined;
  private readonly shares = new Map<string, readonly string[]>();

  constructor(paths: ArchivePaths, entries: readonly Dirent[]) {
    const ids: string[] = [];
    const links = new Set<string>();
    const others: string[] = [];
    for (const e of entries) {
      if (!isId('session', e.name)) others.push(e.name);
      else {
        ids.push(e.name);
        if (e.isSymbolicLink()) links.add(e.name);
        if (!e.isDirectory()) this.notFolders.add(e.name);
      }
    }
    this.ids = ids;
    this.links = links;
    this.strays = topLevelStrays(paths, others);
  }

  /** The session folders proper: no links (never watched or read through) and no files. */
  folders(): string[] {
    return this.notFolders.size ? this.ids.filter((id) => !this.notFolders.has(id)) : [...this.ids];
  }

  has(id: string): boolean {
    this.present ??= new Set(this.ids);
    return this.present.has(id);
  }

  /** The IDs of one round's share (all of them without a slice). */
  share(slice: Slice | undefined): readonly string[] {
    if (!slice || slice.of <= 1) return this.ids;
    const key = `${slice.index % slice.of}/${slice.of}`;
    let ids = this.shares.get(key);
    if (!ids) {
      ids = this.ids.filter((id) => inSlice(id, slice));
      this.shares.set(key, ids);
    }
    return ids;
  }
}

/** The entries of `sessions/`, with their types (none when it is missing). */
export async function listSessions(paths: ArchivePaths): Promise<Dirent[]> {
  try {
    return await readdir(paths.sessions, { withFileTypes: true });
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
}

export async function readListing(paths: ArchivePaths): Promise<SessionListing> {
  return new SessionListing(paths, await listSessions(paths));
}

/**
 * How old the folder's mtime must be, next to the clock, before a listing is
 * kept on its word: a change made in the same tick of a coarse file-system
 * clock (2 s on FAT) as the one before it would leave the mtime as it was.
 */
export const SETTLED_MS = 3_000;

/**
 * Keeps the listing of `sessions/` while the folder's mtime says no entry was
 * added, removed or renamed since it was read (as git's untracked cache
 * trusts a folder's mtime), so the index's check, the watcher's start, the
 * search index's catch-up and the periodic rounds share one reading: a round
 * over 100,000 sessions then reads no 100,000 names and leaves no garbage of
 * them for the collector. A listing is read anew when the mtime moved, when
 * it was too fresh to vouch for, and after `uses` uses whatever it says.
 */
export class ListingCache {
  private kept: { listing: SessionListing; mtimeMs: number; uses: number } | undefined;

  constructor(private readonly paths: ArchivePaths) {}

  /**
   * The entries of `sessions/` as they are now: the kept listing when the
   * folder's mtime vouches for it and it has served fewer than `uses` times,
   * else a new reading (kept when its mtime is settled).
   */
  async current(uses = Number.POSITIVE_INFINITY): Promise<SessionListing> {
    const kept = this.kept;
    // One synchronous stat: microseconds, where a trip to the thread pool costs more.
    const before = statSync(this.paths.sessions, { throwIfNoEntry: false })?.mtimeMs;
    if (kept && before !== undefined && before === kept.mtimeMs && kept.uses < uses) {
      kept.uses++;
      return kept.listing;
    }
    const readAt = Date.now();
    const listing = await readListing(this.paths);
    this.kept = before !== undefined && before < readAt - SETTLED_MS ? { listing, mtimeMs: before, uses: 1 } : undefined;
    return listing;
  }
}
