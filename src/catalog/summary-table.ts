import { existsSync } from 'node:fs';
import type { Project } from '../model/project.js';
import { type HistoryItem, type HistoryQuery, history, type ListQuery, list } from './query.js';
import { loadSnapshot, saveSnapshot, snapshotPath } from './snapshot.js';
import { SortedList } from './sorted-list.js';
import { byCreated, byUpdated, type FileStamp, type SessionSummary } from './summary.js';

/** The snapshot is saved once changes pause this long… */
const SAVE_QUIET_MS = 2_000;
/** …or this long after the first unsaved change, whichever comes first. */
const SAVE_AT_MOST_MS = 60_000;

/** One session in the table: its summary and the stamp of the `info.json` it was read from. */
export interface SummaryEntry {
  summary: SessionSummary;
  stamp: FileStamp;
}

/**
 * The in-memory table of session summaries, with the two orders the queries
 * need (updated desc for `list`, created desc for `history`), and its
 * persisted copy in the state dir (`index.ndjson`), saved a little after the
 * last change. It knows nothing of files beyond the snapshot: what goes in is
 * decided by the reconciler.
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

  constructor(
    private readonly stateDir: string,
    private readonly archiveRoot: string,
    private readonly onWarning: (message: string) => void,
  ) {}

  /** True when a snapshot file is there to load (whether it is usable is known only once loaded). */
  hasSnapshot(): boolean {
    return existsSync(snapshotPath(this.stateDir));
  }

  /** Loads the snapshot; false when there is none usable (it is only a cache). */
  async loadSnapshot(): Promise<boolean> {
    const snapshot = await loadSnapshot(this.stateDir, this.archiveRoot);
    if (!snapshot) return false;
    this.replace(snapshot);
    this.dirty = false;
    return true;
  }

  /** Replaces the whole table (not saved: a snapshot just loaded need not be written back). */
  replace(entries: Iterable<SummaryEntry>): void {
    this.dirty = true;
    this.changes++;
    this.entries.clear();
    for (const e of entries) this.entries.set(e.summary.id, e);
    const all = [...this.entries.values()].map((e) => e.summary);
    this.updated.reset(all);
    this.created.reset(all);
  }

  put(entry: SummaryEntry): void {
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
    return this.entries.get(id);
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  get size(): number {
    return this.entries.size;
  }

  invalidCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (!e.summary.valid) n++;
    return n;
  }

  // --------------------------------------------------------------- queries

  list(query: ListQuery): SessionSummary[] {
    return list(this.updated, query);
  }

  history(query: HistoryQuery): { items: HistoryItem[]; nextCursor?: string } {
    return history(this.created, this.projects, query);
  }

  /** Summaries matching `pick`, oldest created first. */
  oldestFirst(pick: (s: SessionSummary) => boolean): SessionSummary[] {
    return this.created.filterReversed(pick);
  }

  /** Every summary, newest created first. */
  all(): SessionSummary[] {
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
      await saveSnapshot(this.stateDir, this.archiveRoot, this.entries);
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
