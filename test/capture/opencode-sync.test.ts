import { describe, expect, it } from 'vitest';
import { provenanceOf, syncAgent } from '../../src/index.js';
import { hasNativeSqlite, tempArchive } from '../helpers.js';
import { openWriter } from './contract/opencode-fixture.js';
import { HAVE_OPENCODE, opencode } from './opencode-server.js';

/** A SQLite binding: Node's own (22.5+), else the optional better-sqlite3 (built from source where no binary can be fetched). */
const HAVE_SQLITE = hasNativeSqlite();

describe('sarc sync opencode', () => {
  it.skipIf(!HAVE_OPENCODE || !HAVE_SQLITE)(
    'mirrors a real OpenCode: sessions, messages, parts, forks, renames and archives equal what its own routes answer; re-runs change nothing; a session deleted in OpenCode is kept here as it was, marked source gone',
    async () => {
      const oc = await opencode();
      const call = oc.call;
      const say = (id: string, text: string) => call('POST', `/session/${id}/message`, { noReply: true, parts: [{ type: 'text', text }] });
      const a = await call('POST', '/session', { title: 'Add retries' });
      await say(a.id, 'The client gives up after one failure.');
      await say(a.id, 'Use exponential backoff.');
      const b = await call('POST', '/session', { title: 'Notes' });
      await say(b.id, 'Remember the release.');
      const fork = await call('POST', `/session/${a.id}/fork`, {});
      await call('PATCH', `/session/${b.id}`, { title: 'Release notes' });
      await call('PATCH', `/session/${fork.id}`, { time: { archived: Date.now() } });

      // Todos come from OpenCode's todo tool, which needs a model: written into its database the way it keeps them.
      const db = openWriter(oc.db);
      if (!db) throw new Error('no SQLite writer for Node here');
      db.prepare('PRAGMA busy_timeout = 5000').all();
      const insert = db.prepare(
        'INSERT INTO todo (session_id, content, status, priority, position, time_created, time_updated) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      insert.run(a.id, 'Wrap fetch', 'completed', 'high', 0, Date.now(), Date.now());
      insert.run(a.id, 'Add a test', 'pending', 'medium', 1, Date.now(), Date.now());
      db.close();
      expect(await call('GET', `/session/${a.id}/todo`)).toEqual([
        { content: 'Wrap fetch', status: 'completed', priority: 'high' },
        { content: 'Add a test', status: 'pending', priority: 'medium' },
      ]);

      const { archive } = await tempArchive();
      const first = await syncAgent(archive, 'opencode', { from: oc.db });
      expect(first.sessions).toEqual({ new: 3, updated: 0, unchanged: 0, failed: 0 });

      /** Every session, and its messages, as OpenCode's GET routes answer them, against the archive. */
      const same = async (ids: string[]) => {
        for (const id of ids) {
          const info = await call('GET', `/session/${id}`);
          expect(await archive.sessions.get(id)).toEqual(info);
          expect(await archive.messages.list(id)).toEqual(await call('GET', `/session/${id}/message`));
          expect(await archive.todos.get(id)).toEqual(await call('GET', `/session/${id}/todo`));
        }
      };
      await same([a.id, b.id, fork.id]);
      expect((await archive.sessions.get(fork.id)).time.archived).toBeGreaterThan(0);

      const again = await syncAgent(archive, 'opencode', { from: oc.db });
      expect(again.sessions).toEqual({ new: 0, updated: 0, unchanged: 0, failed: 0 });
      expect(again.files).toEqual({ found: 3, read: 0, skipped: 3 });

      // A session that gains a message and a new title is updated in place.
      await say(b.id, 'And the changelog.');
      await call('PATCH', `/session/${b.id}`, { title: 'Release notes and changelog' });
      const grown = await syncAgent(archive, 'opencode', { from: oc.db });
      expect(grown.sessions).toEqual({ new: 0, updated: 1, unchanged: 0, failed: 0 });
      await same([a.id, b.id, fork.id]);
      expect((await archive.sessions.list()).length).toBe(3);

      // Deleted in OpenCode: kept here exactly as it was, marked "source gone".
      const before = await archive.sessions.get(b.id);
      await call('DELETE', `/session/${b.id}`);
      const afterDelete = await syncAgent(archive, 'opencode', { from: oc.db });
      expect(afterDelete.sessions).toEqual({ new: 0, updated: 0, unchanged: 0, failed: 0 });
      expect(afterDelete.gone).toBe(1);
      expect(await archive.sessions.get(b.id)).toEqual(before);
      expect((await archive.messages.list(b.id)).length).toBe(2);
      expect(await provenanceOf(archive, before)).toMatchObject({ agent: 'opencode', sourceID: b.id, gone: expect.any(Number) });
      await oc.stop();
    },
    120_000,
  );
});
