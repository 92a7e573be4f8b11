// The reading part of the public API: what listing and showing sessions
// needs (open an archive and its index, name a project), without the
// operations, capture or redaction the rest of src/index.ts brings. The CLI
// loads it alone for `sarc list`, so that command loads less code.
import type { Archive } from './store/archive.js';

export { openIndex, type SessionIndex } from './catalog/session-index.js';
export { type Archive, openArchive } from './store/archive.js';
export { detectProject } from './store/project-id.js';

/** The project a person named (see the search room's `findProject`), loading that room only when asked. */
export async function findProject(archive: Archive, named: string): Promise<string> {
  return (await import('./catalog/search/index.js')).findProject(archive, named);
}
