import * as z from 'zod';

export const ARCHIVE_FORMAT = 'session-archive';
/** The newest on-disk format version this library reads and writes. */
export const ARCHIVE_VERSION = 1;

/** `archive.json`, the marker of an archive folder. */
export const archiveMeta = z.looseObject({
  format: z.literal(ARCHIVE_FORMAT).describe('Always "session-archive": marks the folder as an archive'),
  version: z.number().int().positive().describe('The on-disk format version; a newer one than this program reads is refused'),
});

export type ArchiveMeta = z.infer<typeof archiveMeta>;
