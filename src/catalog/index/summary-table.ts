import type { Project } from '../../model/project.js';
import { type HistoryItem, type HistoryQuery, history, type ListQuery, list } from './query.js';
import { loadSnapshot, type SnapshotRows, saveSnapshot } from './snapshot.js';
import { SortedList } from './sorted-list.js';
import { byCreated, byUpdated, type FileStamp, type SessionSummary, type SummaryEntry } from './summary.js';

/** The snapshot is saved once changes pause this long… */
const SAVE_QUIET_MS = 2_000;
/** …or this long after the first unsaved change, whichever comes first. */
const SAVE_AT_MOST_MS = 60_000;

/**
 * The in-memory table of session summaries, with the two orders the queries
 * need (updated desc for `list`, created desc for `history`), and its
 * persisted copy in the state dir (`index.ndjson`), saved a little after the
 * last change. It knows nothing of files beyond the snapshot: what goes in is
 * decided by the reconciler.
 *
 * A snapshot just loaded is kept as it was read ({@link SnapshotRows}): the
 * stamps, the two orders and a page of rows are answered from it, each row
 * decoded when first asked for, so a command that changes nothing decodes a
 * page, not every session. The first change (or a query that needs every
 * row) decodes the rest into the map and sorted lists.
 */
export class SummaryTable {
  private readonly entries = new Map<string, SummaryEntry>();
  private readonly updated = new SortedList<SessionSummary>(byUpdated);
  private readonly created = new SortedList<SessionSummary>(byCreated);
  private saveTimer: NodeJS.Timeout | undefined;
  /** When the first change not yet saved was made. */
  private changedSince: number | undefined;
  private closed = false;
  /** The table differs from the snapshot on disk: a read-only run that changed nothing never writes it. */
  private dirty = false;
  private changes = 0;
  projects = new Map<string, Project>();
  /** The snapshot as loaded, until the table is first changed or wholly needed. */
  private loaded: SnapshotRows | undefined;

  constructor(
    private readonly stateDir: string,
    private readonly archiveRoot: string,
    private readonly onWarning: (message: string) => void,
  ) {}

  /** Loads the snapshot; false when there is none usable (it is only a cache). */
  async loadSnapshot(): Promise<boolean> {
    const snapshot = await loadSnapshot(this.stateDir, this.archiveRoot);
    if (!snapshot) return false;
    this.replace([]);
    this.loaded = snapshot;
    this.dirty = false;
    return true;
  }

  /**
   * Decodes every row of a loaded snapshot into the map and the sorted lists
   * (once; then the snapshot's text is let go): what a long-running process
   * does at once, where a command decodes only what it shows. Throws, the
   * table unchanged, when a row is damaged (see {@link SnapshotRows.entryAt}).
   */
  whole(): void {
    const loaded = this.loaded;
    if (!loaded) return;
    // Decoded before anything changes: a damaged row throws with the table as it was.
    const decoded = [...loaded.entries()];
    this.loaded = undefined;
    for (const e of decoded) this.entries.set(e.summary.id, e);
    const all = decoded.map((e) => e.summary);
    this.updated.reset(all);
    this.created.reset(all);
  }

  /** Replaces the whole table (not saved: a snapshot just loaded need not be written back). */
  replace(entries: Iterable<SummaryEntry>): void {
    this.loaded = undefined;
    this.dirty = true;
    this.changes++;
    this.entries.clear();
    for (const e of entries) this.entries.set(e.summary.id, e);
    const all = [...this.entries.values()].map((e) => e.summary);
    this.updated.reset(all);
    this.created.reset(all);
  }

  put(entry: SummaryEntry): void {
    this.whole();
    const old = this.entries.get(entry.summary.id);
    this.entries.set(entry.summary.id, entry);
    this.dirty = true;
    this.changes++;
    // An insert or removal moves up to every entry (a memmove at 100k); a summary whose times did not change keeps its place.
    for (const list of [this.updated, this.created]) {
      if (old && list.replace(old.summary, entry.summary)) continue;
      if (old) list.remove(old.summary);
      list.insert(entry.summary);
    }
    this.scheduleSave();
  }

  drop(id: string): SummaryEntry | undefined {
    this.whole();
    const old = this.entries.get(id);
    if (!old) return undefined;
    this.entries.delete(id);
    this.dirty = true;
    this.changes++;
    this.updated.remove(old.summary);
    this.created.remove(old.summary);
    this.scheduleSave();
    return old;
  }

  /** Counts changes (put, drop, replace), so a caller can tell whether the table changed while it looked. */
  get version(): number {
    return this.changes;
  }

  entry(id: string): SummaryEntry | undefined {
    if (this.loaded) {
      const i = this.loaded.indexOf(id);
      return i < 0 ? undefined : this.loaded.entryAt(i);
    }
    return this.entries.get(id);
  }

  /**
   * The IDs of the snapshot just loaded, in its rows' order, while the table
   * is as loaded (undefined once changed): a check can stat them as soon as
   * the snapshot is read, and compare by row with {@link snapshotStamp}.
   */
  get snapshotIds(): readonly string[] | undefined {
    return this.loaded?.ids;
  }

  /** A row of the snapshot as loaded failed to decode (it was edited by hand; the file is removed by then). */
  get snapshotDamaged(): boolean {
    return this.loaded?.damaged ?? false;
  }

  /** The stamp of row `i` of the snapshot just loaded (see {@link snapshotIds}). */
  snapshotStamp(i: number): FileStamp {
    return (this.loaded as SnapshotRows).stampAt(i);
  }

  /** The stamp of the `info.json` a session was read from (no row is decoded for it). */
  stamp(id: string): FileStamp | undefined {
    if (this.loaded) {
      const i = this.loaded.indexOf(id);
      return i < 0 ? undefined : this.loaded.stampAt(i);
    }
    return this.entries.get(id)?.stamp;
  }

  ids(): string[] {
    return this.loaded ? [...this.loaded.ids] : [...this.entries.keys()];
  }

  get size(): number {
    return this.loaded ? this.loaded.length : this.entries.size;
  }

  invalidCount(): number {
    if (this.loaded) return this.loaded.invalid;
    let n = 0;
    for (const e of this.entries.values()) if (!e.summary.valid) n++;
    return n;
  }

  // --------------------------------------------------------------- queries

  list(query: ListQuery): SessionSummary[] {
    return list(this.loaded?.byUpdated ?? this.updated, query);
  }

  history(query: HistoryQuery): { items: HistoryItem[]; nextCursor?: string } {
    return history(this.loaded?.byCreated ?? this.created, this.projects, query);
  }

  /** Summaries matching `pick`, oldest created first. */
  oldestFirst(pick: (s: SessionSummary) => boolean): SessionSummary[] {
    this.whole();
    return this.created.filterReversed(pick);
  }

  /** Every summary, newest created first. */
  all(): SessionSummary[] {
    this.whole();
    return [...this.created.values()];
  }

  // -------------------------------------------------------------- snapshot

  /**
   * Saves the snapshot once changes pause for 2 s, or after a minute of
   * steady changes (and on close); the caller need not wait for the fsync.
   * At 100,000 sessions a save writes ~25 MB: saving every 2 s during a
   * stream of creates made each create cost O(N). A snapshot that lags is
   * only a cache: the next open checks it against the files anyway.
   */
  scheduleSave(): void {
    if (this.closed) return;
    const now = Date.now();
    this.changedSince ??= now;
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(
      () => {
        this.saveTimer = undefined;
        this.changedSince = undefined;
        void this.save().catch((error: unknown) => this.onWarning(`cannot save the index snapshot: ${(error as Error).message}`));
      },
      Math.max(0, Math.min(SAVE_QUIET_MS, this.changedSince + SAVE_AT_MOST_MS - now)),
    );
    this.saveTimer.unref();
  }

  /** Writes the snapshot now, if anything changed since it was loaded or last written. */
  async save(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      // Changed, so decoded whole (put, drop and replace decode a loaded snapshot first).
      const updated: SummaryEntry[] = [];
      for (const s of this.updated.values()) updated.push(this.entries.get(s.id) as SummaryEntry);
      await saveSnapshot(this.stateDir, this.archiveRoot, updated, this.created.values());
    } catch (error) {
      this.dirty = true;
      throw error;
    }
  }

  /** Stops scheduling saves; the caller saves once more itself. */
  close(): void {
    this.closed = true;
    clearTimeout(this.saveTimer);
  }
}
