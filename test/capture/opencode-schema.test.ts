import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syncAgent, watchSync } from '../../src/index.js';
import { tempArchive } from '../helpers.js';
import { HAVE_SQLITE, openWriter } from './contract/opencode-fixture.js';

// A database OpenCode might have one day (neither generation's tables as this version knows them): a clear error
// before anything is written, and a watcher that backs off instead of repeating it.

/** A database with a `session_v3` table and a `project` table, open for writing. */
function futureDatabase(file: string) {
  const db = openWriter(file);
  if (!db) throw new Error('no SQLite for Node here');
  db.prepare('CREATE TABLE session_v3 (id text PRIMARY KEY)').run();
  db.prepare('CREATE TABLE project (id text PRIMARY KEY, worktree text)').run();
  return db;
}

describe.skipIf(!HAVE_SQLITE)('an OpenCode database of an unknown schema', () => {
  it('is a clear error before anything is written', async () => {
    const file = join((await tempArchive()).root, 'opencode.db');
    futureDatabase(file).close();
    const { archive, dir } = await tempArchive();
    await expect(syncAgent(archive, 'opencode', { from: file })).rejects.toThrow(
      `${file}: not an OpenCode database this version reads (neither OpenCode 1's session tables nor OpenCode 2's session_v2 and session_message as it knows them; found project, session_v3): nothing was written`,
    );
    expect(await archive.sessions.list()).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(['.gitignore', 'archive.json', 'projects', 'schema', 'sessions']);
    expect(await readdir(join(dir, 'projects'))).toEqual([]);
  });

  it('--watch backs off instead of repeating the error while the database keeps changing', async () => {
    const file = join((await tempArchive()).root, 'opencode.db');
    const db = futureDatabase(file);
    const { archive } = await tempArchive();
    const errors: string[] = [];
    const watcher = watchSync(archive, ['opencode'], {
      from: { opencode: file },
      delayMs: 50,
      onError: (_agent, e) => errors.push(String(e)),
    });
    try {
      await watcher.ready;
      // A change every 100 ms for 1.5 s: without backing off, each would run a sync that fails.
      for (let i = 0; i < 15; i++) {
        db.prepare('INSERT INTO project VALUES (?, ?)').run(`p${i}`, '/w');
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(errors.length).toBeGreaterThanOrEqual(1);
      expect(errors.length).toBeLessThanOrEqual(2);
      expect(errors[0]).toContain('not an OpenCode database this version reads');
    } finally {
      await watcher.close();
      db.close();
    }
  });
});
