import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic-write.js';
import type { FileStamp, SessionSummary, SummaryRow } from './summary.js';
import { fromRow, toRow } from './summary.js';

/** Bump when the row layout changes: an old snapshot is then ignored and rebuilt. */
const SNAPSHOT_VERSION = 2;

export const snapshotPath = (stateDir: string) => join(stateDir, 'index.ndjson');

type Loaded = Array<{ summary: SessionSummary; stamp: FileStamp }>;

/**
 * Loads the persisted index, or undefined when there is none usable (it is
 * only a cache). The file is a header line and one JSON row per session,
 * read in chunks so the whole text never sits in memory next to the index.
 */
export async function loadSnapshot(stateDir: string, archiveRoot: string): Promise<Loaded | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(snapshotPath(stateDir), 'r');
  } catch {
    return undefined;
  }
  const out: Loaded = [];
  const intern = new Map<string, string>();
  try {
    let header: { version?: unknown; archive?: unknown; count?: unknown } | undefined;
    let rest = '';
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      const text = rest + buffer.toString('utf8', 0, bytesRead);
      const lines = text.split('\n');
      rest = bytesRead === 0 ? '' : (lines.pop() ?? '');
      for (const line of lines) {
        if (line === '') continue;
        if (!header) {
          header = JSON.parse(line);
          if (header?.version !== SNAPSHOT_VERSION || header.archive !== archiveRoot) return undefined;
          continue;
        }
        out.push(fromRow(JSON.parse(line) as SummaryRow, intern));
      }
      if (bytesRead === 0) break;
    }
    // A snapshot cut short (it is written atomically, so only by hand) is not trusted.
    return header && header.count === out.length ? out : undefined;
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/** Persists the index atomically. */
export async function saveSnapshot(
  stateDir: string,
  archiveRoot: string,
  entries: ReadonlyMap<string, { summary: SessionSummary; stamp: FileStamp }>,
): Promise<void> {
  const lines = [JSON.stringify({ version: SNAPSHOT_VERSION, archive: archiveRoot, count: entries.size })];
  for (const { summary, stamp } of entries.values()) lines.push(JSON.stringify(toRow(summary, stamp)));
  lines.push('');
  await writeFileAtomic(snapshotPath(stateDir), lines.join('\n'));
}
