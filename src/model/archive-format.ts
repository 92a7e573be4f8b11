// What marks a folder as an archive, without the schema library: opening an
// archive checks `archive.json` by these alone (./archive-meta.ts is its schema).
export const ARCHIVE_FORMAT = 'session-archive';
/** The newest on-disk format version this library reads and writes. */
export const ARCHIVE_VERSION = 1;
