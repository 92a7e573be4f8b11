import { sep } from 'node:path';
import type { OnProgress } from '../../progress.js';
import type { ArchivePaths } from '../../store/paths.js';
import type { ListingCache } from './listing.js';
import { INFO_SUFFIX } from './path-stamp.js';
import type { Reconciler } from './reconciler.js';
import { StatScan } from './stat-scan.js';
import type { SummaryTable } from './summary-table.js';

/** How the summary table is first filled (see {@link loadTable}). */
export interface LoadOptions {
  /** Read every `info.json` rather than the snapshot. */
  rebuild?: boolean;
  /** 'background': the snapshot is used as it is, and checked by the function returned. */
  verify?: 'open' | 'background';
  /** The table is kept for long (decoded whole). */
  watch: boolean;
  onProgress?: OnProgress;
  onWarning: (message: string) => void;
}

/**
 * Fills the summary table: from the snapshot checked against the files (or
 * from the files when there is none, or it is damaged). The listing of
 * `sessions/` is read off this thread while the snapshot loads here; the
 * stats of the snapshot's sessions start as soon as it is read (its rows are
 * decoded only when asked for). Resolves to the check still to run when it
 * is left for the background.
 */
export async function loadTable(
  parts: { table: SummaryTable; reconciler: Reconciler; paths: ArchivePaths; listings: ListingCache },
  options: LoadOptions,
): Promise<(() => Promise<void>) | undefined> {
  const { table, reconciler, paths, listings } = parts;
  const { onProgress } = options;
  const first = listings.current();
  // Settled here so that a failed listing is not reported unhandled while the snapshot loads (it is awaited below).
  first.catch(() => {});
  const loaded = !options.rebuild && (await table.loadSnapshot());
  const background = loaded && options.verify === 'background';
  // A row damaged by hand, found while the table is checked or decoded, is no reason not to open:
  // the index is then read from the files (the damaged snapshot is gone by then).
  const fromFiles = async (error?: unknown) => {
    if (error !== undefined) {
      if (!table.snapshotDamaged) throw error;
      options.onWarning((error as Error).message);
    }
    await reconciler.rebuild({ onProgress, listing: await listings.current() });
  };
  if (!loaded) await fromFiles();
  else if (!background) {
    const rows = table.snapshotIds;
    const scan = rows && new StatScan(`${paths.sessions}${sep}`, rows, [INFO_SUFFIX]);
    const listing = await first.catch((error: unknown) => {
      void scan?.cancel();
      throw error;
    });
    await reconciler.reconcile({ quiet: true, onProgress, listing, scan }).catch(fromFiles);
  }
  // A watching process keeps the table for long: decoded whole, it holds no copy of the snapshot's text.
  if (loaded && options.watch) {
    try {
      table.whole();
    } catch (error) {
      await fromFiles(error);
    }
  }
  return background ? () => reconciler.reconcile({ onProgress }).then(() => undefined, fromFiles) : undefined;
}
