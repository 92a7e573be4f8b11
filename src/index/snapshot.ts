import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic-write.js';
import type { FileStamp, SessionSummary, SummaryRow } from './summary.js';
import { fromRow, toRow } from './summary.js';

/** Bump when the row layout changes: an old snapshot is then ignored and rebuilt. */
const SNAPSHOT_VERSION = 1;

interface SnapshotFile {
  version: number;
  archive: string;
  rows: SummaryRow[];
}

export const snapshotPath = (stateDir: string) => join(stateDir, 'index.json');

/** Loads the persisted index, or undefined when there is none usable (it is only a cache). */
export async function loadSnapshot(
  stateDir: string,
  archiveRoot: string,
): Promise<Array<{ summary: SessionSummary; stamp: FileStamp }> | undefined> {
  let file: SnapshotFile;
  try {
    file = JSON.parse(await readFile(snapshotPath(stateDir), 'utf8')) as SnapshotFile;
  } catch {
    return undefined;
  }
  if (file?.version !== SNAPSHOT_VERSION || file.archive !== archiveRoot || !Array.isArray(file.rows)) return undefined;
  return file.rows.map(fromRow);
}

/** Persists the index atomically. */
export async function saveSnapshot(
  stateDir: string,
  archiveRoot: string,
  entries: Iterable<{ summary: SessionSummary; stamp: FileStamp }>,
): Promise<void> {
  const rows: SummaryRow[] = [];
  for (const { summary, stamp } of entries) rows.push(toRow(summary, stamp));
  await mkdir(stateDir, { recursive: true });
  await writeFileAtomic(snapshotPath(stateDir), JSON.stringify({ version: SNAPSHOT_VERSION, archive: archiveRoot, rows }));
}
