/** The sources `sarc sync` reads (a file of its own so the command line names them without loading the converters). */
export const SYNC_SOURCES = ['claude-code', 'codex', 'opencode'] as const;
export type SyncSourceName = (typeof SYNC_SOURCES)[number];
