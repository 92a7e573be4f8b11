import { ArchiveError } from '../../errors.js';
import type { OnProgress } from '../../progress.js';
import type { Archive } from '../../store/archive.js';
import { SQLITE_REMEDY } from '../../store/sqlite.js';
import type { SessionListing } from '../index/index.js';
import type { PriceTable } from './prices.js';
import type { SearchIndex } from './search-index.js';
import type { GroupedSearchResult, SearchQuery, SearchResult } from './search-types.js';
import type { UsageQuery, UsageResult } from './usage.js';

/**
 * The session index's search side: the search index when it was asked for
 * (or why there is none), its first catch-up, and whether that is done.
 */
export class IndexSearch {
  private caughtUp: Promise<void> = Promise.resolve();
  /** True once the first catch-up is done: answers before it come from what the index has so far. */
  complete = false;

  private constructor(
    /** The search index, when the index was opened with search and SQLite loads. */
    readonly engine: SearchIndex | undefined,
    private readonly problem: Error | undefined,
  ) {}

  static async open(archive: Archive, onWarning: (message: string) => void): Promise<IndexSearch> {
    const { SearchIndex } = await import('./search-index.js');
    if (SearchIndex.available()) return new IndexSearch(await SearchIndex.open(archive, { onWarning }), undefined);
    // Only a broken install: SQLite in WebAssembly is a dependency. Everything but search still works, and search says why.
    return new IndexSearch(undefined, new ArchiveError('IO', `full-text search needs SQLite, and none loads here: ${SQLITE_REMEDY}`));
  }

  /** Starts the first catch-up after the caller's turn (it watches first: a change after the catch-up read is always seen). */
  startCatchUp(listing: () => Promise<SessionListing>, onProgress: OnProgress | undefined, onWarning: (message: string) => void): void {
    const engine = this.engine;
    if (!engine) return;
    this.caughtUp = new Promise<void>((resolve) => setImmediate(resolve))
      .then(async () => engine.catchUp({ onProgress, listing: await listing() }))
      .then(
        () => {
          this.complete = true;
        },
        (error: unknown) => onWarning(`building the search index failed: ${(error as Error).message}`),
      );
  }

  private orThrow(): SearchIndex {
    if (this.engine) return this.engine;
    throw this.problem;
  }

  search(query: SearchQuery): SearchResult & { complete: boolean } {
    return { ...this.orThrow().search(query), complete: this.complete };
  }

  searchGroups(query: SearchQuery, groupOf: (sessionID: string, time: number) => string): GroupedSearchResult & { complete: boolean } {
    return { ...this.orThrow().searchGroups(query, groupOf), complete: this.complete };
  }

  sessionFacts(ids: readonly string[]): Map<string, { messages: number; failed: number }> | undefined {
    return this.engine && this.complete ? this.engine.sessionFacts(ids) : undefined;
  }

  usage(query: UsageQuery, prices?: PriceTable): UsageResult {
    return this.orThrow().usage(query, prices);
  }

  ready(withinMs?: number): Promise<void> {
    if (withinMs === undefined) return this.caughtUp;
    return Promise.race([this.caughtUp, new Promise<void>((resolve) => setTimeout(resolve, withinMs).unref())]);
  }

  /** Makes what was noticed searchable now; `onlyComplete`: not before the first catch-up is done. */
  async flush(onlyComplete = false): Promise<void> {
    if (!onlyComplete || this.complete) await this.engine?.flush();
  }

  async close(): Promise<void> {
    await this.engine?.close();
    await this.caughtUp;
  }
}
