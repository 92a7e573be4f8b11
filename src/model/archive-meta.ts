import * as z from 'zod';

import { ARCHIVE_FORMAT } from './archive-format.js';

export { ARCHIVE_FORMAT, ARCHIVE_VERSION } from './archive-format.js';

/** `archive.json`, the marker of an archive folder. */
export const archiveMeta = z.looseObject({
  format: z.literal(ARCHIVE_FORMAT).describe('Always "session-archive": marks the folder as an archive'),
  version: z.number().int().positive().describe('The on-disk format version; a newer one than this program reads is refused'),
});

export type ArchiveMeta = z.infer<typeof archiveMeta>;
