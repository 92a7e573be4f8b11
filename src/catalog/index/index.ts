// The session index's room: the table of session summaries, kept from the files (listing, stat checks, the snapshot), its queries and the process's runtime state.
// What other rooms and the rest of src/ use of it; its other modules are its own.

export { type ArchiveEvent, type ArchiveEventType, event } from './events.js';
export { findSessionByPrefix } from './find-session.js';
export { ListingCache, readListing, SETTLED_MS, type SessionListing } from './listing.js';
export { type LoadOptions, loadTable } from './load-table.js';
export type { IndexedSession, IndexStats, OpenIndexOptions } from './options.js';
export { INFO_SUFFIX, type PathStamp, pathStamp } from './path-stamp.js';
export { directoryMatcher, type HistoryItem, type HistoryQuery, type ListQuery } from './query.js';
export { Reconciler } from './reconciler.js';
export { Runtime } from './runtime.js';
export type { Slice } from './scan.js';
export { SessionQueries } from './session-queries.js';
export { type CheckOptions, StatScan } from './stat-scan.js';
export { type FileStamp, forkGrouping, resumedFromOf, type SessionSummary, sessionAgent } from './summary.js';
export { SummaryTable } from './summary-table.js';
