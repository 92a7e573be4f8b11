import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArchiveError } from '../../errors.js';
import { writeFileAtomic } from '../../store/atomic-write.js';
import type { FileStamp, SessionSummary, SummaryEntry, SummaryRow } from './summary.js';
import { fromRow, toRow } from './summary.js';

/** Bump when the layout changes: an old snapshot is then ignored and rebuilt. */
const SNAPSHOT_VERSION = 4;

export const snapshotPath = (stateDir: string) => join(stateDir, 'index.ndjson');

/** The second line: what the checks and the orders need, one array per field, in the rows' order. */
interface Columns {
  ids: string[];
  mtimeMs: number[];
  size: number[];
  created: number[];
  /** Row numbers, newest created first (then by ID). */
  byCreated: number[];
  /** How many rows are of a broken `info.json`. */
  invalid: number;
}

/** What a list of summaries in one order offers the queries (a {@link SortedList} is one). */
export interface OrderedSummaries {
  readonly length: number;
  at(index: number): SessionSummary | undefined;
  /** The index of the first summary not before `probe` in the order. */
  lowerBound(probe: SessionSummary): number;
}

/**
 * A loaded snapshot whose rows are decoded only when asked for. The file is a
 * header line, a line of columns (IDs, stamps, creation times, the creation
 * order) and one JSON row per session, most recently updated first. A command
 * that checks the stamps and shows a page decodes the columns and that page's
 * rows, not 100,000 rows (~0.3 s and most of the collector's work at 100k).
 */
export class SnapshotRows {
  private index: Map<string, number> | undefined;
  private readonly made: Array<SummaryEntry | undefined>;
  /** The rows in `list`'s order (most recently updated first; `list` pages by count, not by cursor). */
  readonly byUpdated: Pick<OrderedSummaries, 'length' | 'at'>;
  /** A row failed to decode (see {@link entryAt}). */
  damaged = false;
  /** The rows in `history`'s order (newest created first), searched by the creation times and IDs of the columns alone. */
  readonly byCreated: OrderedSummaries;

  constructor(
    private readonly path: string,
    private readonly columns: Columns,
    /** The file's bytes, and where each row begins in them (one more: where the last one ends). */
    private readonly text: Buffer,
    private readonly starts: Int32Array,
    private readonly intern = new Map<string, string>(),
  ) {
    const n = columns.ids.length;
    this.made = new Array(n);
    const { byCreated, created, ids } = columns;
    this.byUpdated = {
      length: n,
      at: (k) => (k >= 0 && k < n ? this.entryAt(k).summary : undefined),
    };
    this.byCreated = {
      length: n,
      at: (k) => {
        const i = byCreated[k];
        return i === undefined ? undefined : this.entryAt(i).summary;
      },
      lowerBound: (probe) => {
        // The first row not before `probe` in (created desc, ID asc).
        let lo = 0;
        let hi = byCreated.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          const i = byCreated[mid] as number;
          const c = created[i] as number;
          if (c > probe.time.created || (c === probe.time.created && (ids[i] as string) < probe.id)) lo = mid + 1;
          else hi = mid;
        }
        return lo;
      },
    };
  }

  get length(): number {
    return this.columns.ids.length;
  }

  get invalid(): number {
    return this.columns.invalid;
  }

  get ids(): readonly string[] {
    return this.columns.ids;
  }

  indexOf(id: string): number {
    if (!this.index) {
      const ids = this.columns.ids;
      this.index = new Map();
      for (let i = 0; i < ids.length; i++) this.index.set(ids[i] as string, i);
    }
    return this.index.get(id) ?? -1;
  }

  stampAt(i: number): FileStamp {
    return { mtimeMs: this.columns.mtimeMs[i] as number, size: this.columns.size[i] as number };
  }

  /**
   * Row `i`, decoded once. A row that does not decode or is not of its
   * column's ID (the file was edited by hand: it is written atomically)
   * removes the snapshot, so that the next run rebuilds it, and throws.
   */
  entryAt(i: number): SummaryEntry {
    let entry = this.made[i];
    if (!entry) {
      const id = this.columns.ids[i] as string;
      try {
        entry = fromRow(
          JSON.parse(this.text.toString('utf8', this.starts[i], (this.starts[i + 1] as number) - 1)) as SummaryRow,
          this.intern,
        );
        if (entry.summary.id !== id) throw new Error('not its row');
      } catch {
        this.damaged = true;
        rmSync(this.path, { force: true });
        throw new ArchiveError(
          'IO',
          `the index snapshot ${this.path} was damaged (its row of ${id}); it is removed and rebuilt from the files on the next run`,
        );
      }
      // The columns are what the check compared with the files.
      entry.stamp = this.stampAt(i);
      this.made[i] = entry;
    }
    return entry;
  }

  /** Every entry, most recently updated first. */
  *entries(): IterableIterator<SummaryEntry> {
    for (let i = 0; i < this.length; i++) yield this.entryAt(i);
  }
}

/**
 * Loads the persisted index, or undefined when there is none usable (it is
 * only a cache): a different version or archive, or columns and rows that
 * do not agree.
 */
export async function loadSnapshot(stateDir: string, archiveRoot: string): Promise<SnapshotRows | undefined> {
  const path = snapshotPath(stateDir);
  let text: Buffer;
  try {
    text = await readFile(path);
  } catch {
    return undefined;
  }
  try {
    const first = text.indexOf(10);
    const second = text.indexOf(10, first + 1);
    if (first < 0 || second < 0) return undefined;
    const header = JSON.parse(text.toString('utf8', 0, first)) as { version?: unknown; archive?: unknown; count?: unknown };
    if (header.version !== SNAPSHOT_VERSION || header.archive !== archiveRoot) return undefined;
    const columns = JSON.parse(text.toString('utf8', first + 1, second)) as Columns;
    const n = header.count;
    const { ids, mtimeMs, size, created, byCreated } = columns;
    // A snapshot cut short or edited out of shape (it is written atomically, so only by hand) is not trusted.
    if (typeof n !== 'number' || typeof columns.invalid !== 'number') return undefined;
    if (![ids, mtimeMs, size, created, byCreated].every((a) => Array.isArray(a) && a.length === n)) return undefined;
    // Where each row begins: n rows, each ended by a newline, and nothing after them.
    const starts = new Int32Array(n + 1);
    let at = second + 1;
    for (let i = 0; i < n; i++) {
      starts[i] = at;
      const end = text.indexOf(10, at);
      if (end < 0) return undefined;
      at = end + 1;
    }
    starts[n] = at;
    if (at !== text.length) return undefined;
    return new SnapshotRows(path, columns, text, starts);
  } catch {
    return undefined;
  }
}

/**
 * Persists the index atomically: `updated` is every entry, most recently
 * updated first; `created` the same summaries newest created first.
 */
export async function saveSnapshot(
  stateDir: string,
  archiveRoot: string,
  updated: readonly SummaryEntry[],
  created: Iterable<SessionSummary>,
): Promise<void> {
  const at = new Map<string, number>();
  const columns: Columns = { ids: [], mtimeMs: [], size: [], created: [], byCreated: [], invalid: 0 };
  const lines = [JSON.stringify({ version: SNAPSHOT_VERSION, archive: archiveRoot, count: updated.length }), ''];
  for (const { summary, stamp } of updated) {
    at.set(summary.id, columns.ids.length);
    columns.ids.push(summary.id);
    columns.mtimeMs.push(stamp.mtimeMs);
    columns.size.push(stamp.size);
    columns.created.push(summary.time.created);
    if (!summary.valid) columns.invalid++;
    lines.push(JSON.stringify(toRow(summary, stamp)));
  }
  for (const s of created) columns.byCreated.push(at.get(s.id) as number);
  lines[1] = JSON.stringify(columns);
  lines.push('');
  await writeFileAtomic(snapshotPath(stateDir), lines.join('\n'));
}
