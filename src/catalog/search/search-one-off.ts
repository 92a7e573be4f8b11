import type { OnProgress } from '../../progress.js';
import type { Archive } from '../../store/archive.js';
import type { PriceTable } from './prices.js';
import type { SearchCheck } from './saved-stamps.js';
import { SearchIndex } from './search-index.js';
import { ftsQuery, parseSearch } from './search-query.js';
import type { GroupedSearchResult, SearchQuery, SearchResult } from './search-types.js';
import type { UsageQuery, UsageResult } from './usage.js';

/** How a one-off question opens and catches up the index (see {@link searchIndex}). */
export interface OneOffOptions {
  onProgress?: OnProgress;
  rebuild?: boolean;
  onWarning?: (message: string) => void;
  early?: SearchCheck;
}

/**
 * Opens the search index in the state dir, brings it up to date (reading
 * only what changed; everything the first time, with progress), asks it and
 * closes it: for a question without a running index.
 */
async function caughtUp<T>(archive: Archive, options: OneOffOptions, ask: (index: SearchIndex) => T): Promise<T> {
  try {
    const index = await SearchIndex.open(archive, options);
    try {
      await index.catchUp(options);
      index.saveStamps();
      return ask(index);
    } finally {
      await index.close();
    }
  } finally {
    // Unused (a bad query, an index rebuilt, stamps no longer saved): its threads stop at their next chunk.
    void options.early?.scan.cancel();
  }
}

/** One search over an archive without a running index (see {@link caughtUp}). */
export async function searchIndex(archive: Archive, query: SearchQuery, options: OneOffOptions = {}): Promise<SearchResult> {
  try {
    parseCheck(query);
  } catch (error) {
    void options.early?.scan.cancel();
    throw error;
  }
  return caughtUp(archive, options, (index) => index.search(query));
}

/** A grouped search (see {@link SearchIndex.searchGroups}) over an archive without a running index. */
export async function searchGroupsIndex(
  archive: Archive,
  query: SearchQuery,
  options: OneOffOptions & { groupOf?: (sessionID: string, time: number) => string } = {},
): Promise<GroupedSearchResult> {
  try {
    parseCheck(query);
  } catch (error) {
    void options.early?.scan.cancel();
    throw error;
  }
  return caughtUp(archive, options, (index) => index.searchGroups(query, options.groupOf));
}

/** Usage figures over an archive without a running index (see {@link caughtUp}), priced with `prices` (the shipped table by default). */
export async function usageIndex(
  archive: Archive,
  query: UsageQuery,
  options: OneOffOptions & { prices?: PriceTable } = {},
): Promise<UsageResult> {
  return caughtUp(archive, options, (index) => index.usage(query, options.prices));
}

/** Fails on a query with nothing to search for before any file is read. */
function parseCheck(q: SearchQuery): void {
  ftsQuery(parseSearch(q.query));
}
