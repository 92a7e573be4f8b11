import { ArchiveError } from '../errors.js';
import { forkGrouping, SessionQueries } from './index/index.js';
import type { GroupedSearchResult, IndexSearch, PriceTable, SearchQuery, SearchResult, UsageQuery, UsageResult } from './search/index.js';

/**
 * The session index's questions to the search room: full-text search, usage
 * and whether search is current. The {@link SessionIndex} is this with the
 * search side set when it was opened with search; without one, search and
 * usage say so and the rest answer "none".
 */
export abstract class SearchingQueries extends SessionQueries {
  /** The search side, when the index was opened with search (the search room is loaded only then). */
  protected searching: IndexSearch | undefined;

  /** The search side, or the error saying the index has none. */
  protected searchSide(): IndexSearch {
    if (this.searching) return this.searching;
    throw new ArchiveError('INVALID_INPUT', 'this index was opened without search (openIndex(archive, { search: true }))');
  }

  /**
   * Full-text search over titles, todos and messages (see {@link SearchQuery}),
   * when the index was opened with `search: true`. While the search index is
   * still catching up with the files (its first build), hits come from what
   * it has so far and `complete` is false.
   */
  search(query: SearchQuery): SearchResult & { complete: boolean } {
    return this.searchSide().search(query);
  }

  /**
   * {@link search} with the hits grouped per session (see
   * {@link SearchIndex.searchGroups}): a fork's messages from before it was
   * made (copies of its source's) are folded into its source's group, so a
   * fork never doubles a hit.
   */
  searchGroups(query: SearchQuery): GroupedSearchResult & { complete: boolean } {
    return this.searchSide().searchGroups(
      query,
      forkGrouping((id) => this.table.entry(id)?.summary),
    );
  }

  /** Messages and failed tool calls per session (see {@link SearchIndex.sessionFacts}), or undefined without search or before its first build is done. */
  sessionFacts(ids: readonly string[]): Map<string, { messages: number; failed: number }> | undefined {
    return this.searching?.sessionFacts(ids);
  }

  /** Usage figures from the search index (see {@link SearchIndex.usage}); the index must have been opened with `search: true`. */
  usage(query: UsageQuery, prices?: PriceTable): UsageResult {
    return this.searchSide().usage(query, prices);
  }

  /**
   * Resolves when the search index has caught up with the files (at once
   * without search) — or after `withinMs`, for an answer that would rather
   * come from what the index has so far than wait for a first build.
   */
  searchReady(withinMs?: number): Promise<void> {
    return this.searching?.ready(withinMs) ?? Promise.resolve();
  }

  /** Makes what the watcher noticed searchable now (tests and writers that search their own write at once). */
  async flushSearch(): Promise<void> {
    await this.searching?.flush();
  }

  /** True when the index was opened with search (and it could be opened): `search` and `usage` answer. */
  get searchEnabled(): boolean {
    return this.searching?.engine !== undefined;
  }

  /** True once the search index has caught up with the files (false without search). */
  get searchCurrent(): boolean {
    return this.searching?.complete ?? false;
  }
}
