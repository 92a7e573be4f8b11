import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ArchiveError } from '../../errors.js';
import type { Archive } from '../../store/archive.js';
import { pull } from './engine.js';
import { loadAgent } from './registry.js';

// OpenCode 2 copied OpenCode 1's sessions once, when it first started; a
// session 1.x made or changed after that is only in 1.x's tables, and OpenCode
// 2 does not show it. The archive has it (sync reads both generations): it
// is written in OpenCode 2's export format, under its own ID, and OpenCode 2's
// own import puts it back.

/** One session put back (or, with `dryRun`, to put back). */
export interface RestorePlan {
  id: string;
  title: string;
  /** The export file written for OpenCode 2's import. */
  path: string;
  /** The command that imports it, and the folder to run it in (the session's own, so OpenCode 2 files it under its project). */
  command: string[];
  cwd: string;
}

/**
 * The sessions OpenCode 2 does not show (only OpenCode 1's tables hold them),
 * each brought into the archive as it is now (a sync of OpenCode first) and
 * written as an OpenCode 2 export file beside OpenCode's database; `ids`
 * picks some of them. Running each plan's command (`opencode session import`)
 * puts the session back.
 */
export async function restoreOpencodeSessions(
  archive: Archive,
  options: { from?: string; ids?: readonly string[]; dryRun?: boolean } = {},
): Promise<RestorePlan[]> {
  const adapter = await loadAgent('opencode');
  const from = options.from ?? adapter.location();
  const store = await adapter.open(from);
  if (!store) throw new ArchiveError('NOT_FOUND', `no OpenCode database at ${from}`);
  let hidden: Array<{ id: string; title: string }>;
  try {
    hidden = (await store.hiddenSessions?.()) ?? [];
  } finally {
    store.close?.();
  }
  const wanted = options.ids?.length ? new Set(options.ids) : undefined;
  if (wanted) {
    const known = new Set(hidden.map((h) => h.id));
    const not = [...wanted].filter((id) => !known.has(id));
    if (not.length)
      throw new ArchiveError(
        'INVALID_INPUT',
        `${not.join(', ')}: not among the sessions OpenCode 2 does not show (${hidden.length} at ${from})`,
      );
  }
  const chosen = hidden.filter((h) => !wanted || wanted.has(h.id));
  if (chosen.length === 0) return [];
  if (!options.dryRun) await pull(archive, adapter, { from });
  const back = adapter.exportBack;
  if (!back) throw new ArchiveError('IO', 'OpenCode has no export format');
  const plans: RestorePlan[] = [];
  for (const h of chosen) {
    const path = join(dirname(from), 'import', `${h.id}.json`);
    const info = await archive.sessions.get(h.id).catch(() => undefined);
    plans.push({
      id: h.id,
      title: info?.title ?? h.title,
      path,
      command: ['opencode', 'session', 'import', path],
      cwd: info?.directory ?? dirname(from),
    });
    if (options.dryRun) continue;
    if (!info) throw new ArchiveError('NOT_FOUND', `${h.id} did not come into the archive (see sarc sync opencode)`);
    let text = '';
    for await (const line of back.lines(archive, h.id)) text += line;
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
  }
  return plans;
}
