import { lstat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { AgentAdapter, SourceEntry, SourceStore } from '../../contract.js';
import { findInFolders, foldersOf, openSqlite, projectFolders, type SqlDb } from '../../kit/index.js';
import { crushSessionId, readCrushSession } from './convert.js';

// Crush: `<project>/.crush/crush.db` in each project it ran in, read-only
// while Crush runs. Like Aider, found in the archive's project folders and
// the folders SARC_CRUSH_DIRS names (three levels down); one source per
// session: `<database>#<session id>`.

const DB = 'crush.db';

/** The databases under the named folders. */
async function databases(from: string): Promise<string[]> {
  const files = await findInFolders(from, (rel, name) => name === DB && basename(dirname(`/${rel}`)) === '.crush', ['.crush']);
  return files.map((f) => f.path);
}

export const crush: AgentAdapter = {
  name: 'crush',
  label: 'Crush',
  unit: 'session',
  location: () => process.env.SARC_CRUSH_DIRS ?? '',
  locate: (archive) => projectFolders(archive, 'SARC_CRUSH_DIRS'),
  async open(from) {
    // A database named itself (`--from …/.crush/crush.db`), or folders to look in.
    const direct = await lstat(from).then(
      (s) => s.isFile(),
      () => false,
    );
    const paths = direct ? [from] : await databases(from);
    if (paths.length === 0) return undefined;
    const open = new Map<string, SqlDb>();
    const db = (path: string) => {
      let d = open.get(path);
      if (!d) {
        d = openSqlite(path, { readOnly: true, purpose: 'reading Crush' });
        open.set(path, d);
      }
      return d;
    };
    const store: SourceStore = {
      async list() {
        const out: SourceEntry[] = [];
        for (const path of paths) {
          const rows = db(path)
            .prepare(
              `SELECT s.id, s.parent_session_id, s.updated_at, COUNT(m.id) AS n, MAX(m.updated_at) AS last, SUM(LENGTH(m.parts)) AS size
               FROM sessions s LEFT JOIN messages m ON m.session_id = s.id GROUP BY s.id ORDER BY s.created_at, s.id`,
            )
            .all();
          for (const r of rows) {
            out.push({
              key: `${path}#${String(r.id)}`,
              stamp: `${r.updated_at}:${r.n}:${r.last}:${r.size}`,
              where: path,
              depth: r.parent_session_id ? 1 : 0,
            });
          }
        }
        return out;
      },
      async *read(entry, stats) {
        const cut = entry.key.lastIndexOf('#');
        const path = entry.key.slice(0, cut);
        const id = entry.key.slice(cut + 1);
        const d = db(path);
        const session = d.prepare('SELECT * FROM sessions WHERE id = ?').all(id)[0];
        if (!session) return;
        const rows = d.prepare('SELECT * FROM messages WHERE session_id = ? ORDER BY created_at, rowid').all(id);
        yield* readCrushSession(session, rows, path, dirname(dirname(path)), stats);
      },
      close() {
        for (const d of open.values()) d.close();
        open.clear();
      },
    };
    return store;
  },
  // A project's `.crush` folder (its database and write-ahead log, not its -shm, which readers write to).
  watchTargets: (from) =>
    foldersOf(from).map((path) => ({
      path,
      depth: 2,
      accept: (p: string) =>
        [DB, `${DB}-wal`].includes(basename(p)) || basename(p) === '.crush' || (dirname(p) === path && !basename(p).startsWith('.')),
    })),
  archiveIds: (sourceID) => [crushSessionId(sourceID)],
};
