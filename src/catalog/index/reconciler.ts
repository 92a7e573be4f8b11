import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../../errors.js';
import { isId } from '../../model/ids.js';
import { type ModelSchemas, modelSchemas } from '../../model/lazy.js';
import type { Session } from '../../model/session.js';
import type { OnProgress } from '../../progress.js';
import type { ArchivePaths } from '../../store/paths.js';
import { linkBetween } from '../../store/safe-path.js';
import { type StrayFile, sessionStrays, topLevelStrays } from '../../store/strays.js';
import { type ArchiveEvent, event } from './events.js';
import { readListing, type SessionListing } from './listing.js';
import { INFO_SUFFIX } from './path-stamp.js';
import { inChunks, readSession, type ScannedSession, type Slice, stampOf, unsafeSession } from './scan.js';
import type { CheckOptions, StatScan } from './stat-scan.js';
import type { FileStamp, SessionSummary, SummaryEntry } from './summary.js';
import type { SummaryTable } from './summary-table.js';

/**
 * Brings the summary table in line with the files: from scratch (`rebuild`),
 * by stamps (`reconcile`: stat every `info.json`, re-read the changed ones),
 * or one session at a time (`refreshSession`, what a watch notice leads to).
 * It is where session events are born: a change is announced when it is seen
 * in a file, whoever wrote it. It also keeps the strays (conflict copies,
 * temps) it meets on the way.
 */
export class Reconciler {
  private readonly strayFiles = new Map<string, StrayFile>();
  private reconciling: Promise<number> | undefined;

  constructor(
    private readonly paths: ArchivePaths,
    private readonly table: SummaryTable,
    private readonly emit: (e: ArchiveEvent) => void,
  ) {}

  /** Reads every `info.json` from scratch. */
  async rebuild(options: { onProgress?: OnProgress; listing?: SessionListing } = {}): Promise<void> {
    const { ids, links, strays } = options.listing ?? (await readListing(this.paths));
    const found: SummaryEntry[] = [];
    const schemas = await modelSchemas();
    await inChunks(ids, options.onProgress, (id) => {
      const s = this.scan(schemas, id, links.has(id));
      if (s) found.push({ summary: s.summary, stamp: s.stamp });
    });
    this.table.replace(found);
    this.setTopLevelStrays(strays);
    this.table.scheduleSave();
  }

  /** See {@link SessionIndex.reconcile}; concurrent calls share one run. */
  reconcile(options: CheckOptions & { quiet?: boolean } = {}): Promise<number> {
    this.reconciling ??= this.doReconcile(options.quiet ?? false, options.onProgress, options.slice, options.listing, options.scan).finally(
      () => {
        this.reconciling = undefined;
      },
    );
    return this.reconciling;
  }

  /** How many sessions the table holds. */
  get sessionCount(): number {
    return this.table.size;
  }

  /** Waits for a running reconcile, if any, ignoring its failure (for close). */
  async settled(): Promise<void> {
    await this.reconciling?.catch(() => {});
  }

  private async doReconcile(
    quiet: boolean,
    onProgress?: OnProgress,
    slice?: Slice,
    given?: SessionListing,
    scan?: StatScan,
  ): Promise<number> {
    const listing = given ?? (await readListing(this.paths));
    const { links } = listing;
    this.setTopLevelStrays(listing.strays);
    let changes = 0;
    const stale: string[] = [];
    // How many of the table's sessions the listing has: all of them (and the table unchanged
    // meanwhile), and no entry of the table can be gone; the check for removals is skipped.
    let listed = 0;
    const version = this.table.version;
    const check = (id: string, stamp: FileStamp | undefined) => {
      const known = this.table.stamp(id);
      if (known) listed++;
      if (!stamp) {
        if (known) stale.push(id);
      } else if (!known || known.mtimeMs !== stamp.mtimeMs || known.size !== stamp.size) {
        stale.push(id);
      }
    };
    // Removals are seen from the whole listing; stamps are checked for this round's share.
    const ids = listing.share(slice);
    // Whether a session of the table may be missing from the listing without a failed stat saying so.
    let removals = true;
    if (scan && ids === listing.ids && links.size === 0 && (await this.checkSnapshotRows(scan, onProgress, stale, ids))) {
      removals = false;
    } else if (scan && scan.ids === ids && scan.suffixes[0] === INFO_SUFFIX) {
      // A scan of these IDs whose first path is `info.json` (the index's own, or a round's shared with the search index).
      await scan.join(onProgress);
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i] as string;
        check(id, links.has(id) ? unsafeSession(id, this.paths.session(id)).stamp : scan.stamp(i));
      }
    } else {
      void scan?.cancel();
      await inChunks(ids, onProgress, (id) =>
        check(id, links.has(id) ? unsafeSession(id, this.paths.session(id)).stamp : stampOf(this.paths, id)),
      );
    }
    // Before the re-reads below, which only touch listed sessions.
    const allListed = !removals || (ids === listing.ids && this.table.version === version && listed === this.table.size);
    for (const id of stale) if (await this.refreshSession(id, quiet)) changes++;
    if (allListed) return changes;
    for (const id of this.table.ids()) {
      if (!listing.has(id)) {
        this.removeSession(id, quiet);
        changes++;
      }
    }
    return changes;
  }

  /**
   * The check of a snapshot just loaded, by row: `scan` stamps the
   * snapshot's own IDs (started as soon as it was read, before the listing
   * was in), so no ID is looked up in the table. A session whose stat failed
   * is re-read (gone or broken); the listing is looked into only when it
   * holds more sessions than those found (new ones). False, and nothing
   * done, when the scan is not of the table as loaded.
   */
  private async checkSnapshotRows(
    scan: StatScan,
    onProgress: OnProgress | undefined,
    stale: string[],
    listed: readonly string[],
  ): Promise<boolean> {
    if (scan.ids !== this.table.snapshotIds || scan.suffixes[0] !== INFO_SUFFIX) return false;
    await scan.join(onProgress);
    // Nothing changes the table while it is first checked; should something have, the caller checks by ID.
    if (scan.ids !== this.table.snapshotIds) return false;
    const rows = scan.ids;
    let found = 0;
    for (let i = 0; i < rows.length; i++) {
      const stamp = scan.stamp(i);
      const known = this.table.snapshotStamp(i);
      if (stamp) found++;
      if (!stamp || known.mtimeMs !== stamp.mtimeMs || known.size !== stamp.size) stale.push(rows[i] as string);
    }
    // Each session found is listed (its folder holds its info.json): a longer listing has new ones.
    if (found !== listed.length) {
      for (const id of listed) if (this.table.stamp(id) === undefined && stampOf(this.paths, id)) stale.push(id);
    }
    return true;
  }

  /** Re-reads one session's `info.json` and updates the table; true when the summary changed. */
  async refreshSession(id: string, quiet = false): Promise<boolean> {
    const scanned = this.scan(await modelSchemas(), id, linkBetween(this.paths.root, this.paths.session(id)) !== undefined);
    const known = this.table.entry(id);
    if (!scanned) {
      if (!known) return false;
      this.removeSession(id, quiet);
      return true;
    }
    this.table.put({ summary: scanned.summary, stamp: scanned.stamp });
    const changed = !known || JSON.stringify(known.summary) !== JSON.stringify(scanned.summary);
    if (!quiet && scanned.info && (changed || known?.stamp.mtimeMs !== scanned.stamp.mtimeMs)) {
      this.emit(event(known?.summary.valid ? 'session.updated' : 'session.created', { sessionID: id, info: scanned.info }));
    }
    return changed;
  }

  private removeSession(id: string, quiet: boolean): void {
    const old = this.table.drop(id);
    for (const [path, s] of this.strayFiles) if (s.sessionID === id) this.strayFiles.delete(path);
    if (old && !quiet) this.emit(event('session.deleted', { sessionID: id, info: summaryAsInfo(old.summary) }));
  }

  /** A session as the files say, a linked folder being unsafe (never read through). */
  private scan(schemas: ModelSchemas, id: string, linked: boolean): ScannedSession | undefined {
    return linked ? unsafeSession(id, this.paths.session(id)) : readSession(this.paths, id, schemas);
  }

  // ---------------------------------------------------------------- strays

  private setTopLevelStrays(strays: readonly StrayFile[]): void {
    for (const [path, s] of this.strayFiles) if (!s.sessionID) this.strayFiles.delete(path);
    for (const s of strays) this.strayFiles.set(s.path, s);
  }

  /**
   * Looks again at the strays of `sessions/`: at one entry when named (what a
   * watch notice leads to: a create's staging folder costs one `lstat`, not
   * a listing of every session), else at all of them.
   */
  async refreshTopLevelStrays(name?: string): Promise<void> {
    if (name === undefined) {
      this.setTopLevelStrays((await readListing(this.paths)).strays);
      return;
    }
    if (isId('session', name)) return;
    const [stray] = topLevelStrays(this.paths, [name]);
    if (!stray) return;
    const there = await lstat(join(this.paths.sessions, name)).then(
      () => true,
      (error: unknown) => (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR' ? false : Promise.reject(error)),
    );
    if (there) this.strayFiles.set(stray.path, stray);
    else this.strayFiles.delete(stray.path);
  }

  async refreshSessionStrays(sessionID: string): Promise<void> {
    for (const [path, s] of this.strayFiles) if (s.sessionID === sessionID) this.strayFiles.delete(path);
    for (const s of await sessionStrays(this.paths, sessionID)) this.strayFiles.set(s.path, s);
  }

  /** Conflict copies, temps and other non-data files seen so far, by path. */
  strays(): StrayFile[] {
    return [...this.strayFiles.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  get strayCount(): number {
    return this.strayFiles.size;
  }

  /** Looks into every session folder (reads every folder: for doctor, not for listing). */
  async scanStrays(): Promise<StrayFile[]> {
    await this.refreshTopLevelStrays();
    for (const id of this.table.ids()) await this.refreshSessionStrays(id);
    return this.strays();
  }
}

/** The little a deleted session's event can say about it: what the index knew. */
function summaryAsInfo(s: SessionSummary): Session {
  const info: Session = {
    id: s.id,
    slug: s.slug,
    projectID: s.projectID,
    directory: s.directory,
    title: s.title,
    version: '',
    time: { ...s.time },
  };
  if (s.parentID) info.parentID = s.parentID;
  return info;
}
