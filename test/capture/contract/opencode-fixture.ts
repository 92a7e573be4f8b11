import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { HAVE_OPENCODE, opencode } from '../opencode-server.js';
import type { ContractFixture } from './fixtures.js';

// OpenCode's store for the contract suite: a database the real OpenCode
// 1.18.33 made (two sessions, one with a child), made once per test file and
// copied for each test; a session grows or goes through SQL on the copy, as
// OpenCode would change its rows.

export type Db = {
  prepare(sql: string): { run(...a: unknown[]): unknown; all(...a: unknown[]): Array<Record<string, unknown>> };
  close(): void;
};

/** A SQLite writer: Node's own (22.5+), else better-sqlite3. */
export function openWriter(path: string): Db | undefined {
  const require = createRequire(import.meta.url);
  try {
    const { DatabaseSync } = require('node:sqlite') as { DatabaseSync: new (p: string) => Db };
    return new DatabaseSync(path);
  } catch {}
  try {
    const Database = require('better-sqlite3') as new (p: string) => Db;
    return new Database(path);
  } catch {
    return undefined;
  }
}

const probe = join(tmpdir(), 'sarc-sqlite-probe.db');
/** Runs one SQL statement on a database file (opened, run, closed), as an agent writing its store would. */
export function runSql(file: string, sql: string, ...params: unknown[]): void {
  const db = openWriter(file);
  if (!db) throw new Error('no SQLite for Node here');
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

export const HAVE_SQLITE = (() => {
  const db = openWriter(probe);
  db?.close();
  return db !== undefined;
})();

let template: Promise<{ dir: string; a: string; b: string }> | undefined;
const made: string[] = [];
afterAll(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
  await rm(probe, { force: true });
});

/** The database the real OpenCode made, in a folder kept for the whole file. */
function opencodeTemplate(): Promise<{ dir: string; a: string; b: string }> {
  template ??= (async () => {
    const oc = await opencode();
    const say = (id: string, text: string) => oc.call('POST', `/session/${id}/message`, { noReply: true, parts: [{ type: 'text', text }] });
    const a = await oc.call('POST', '/session', { title: 'Add a cart' });
    await say(a.id, 'Add a cart to the shop.');
    const child = await oc.call('POST', '/session', { title: 'Find the cart code', parentID: a.id });
    await say(child.id, 'Where is the cart?');
    const b = await oc.call('POST', '/session', { title: 'Slow checkout' });
    await say(b.id, 'Why is checkout slow?');
    await oc.stop();
    const dir = await mkdtemp(join(tmpdir(), 'sarc-opencode-template-'));
    made.push(dir);
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(`${oc.db}${suffix}`)) await copyFile(`${oc.db}${suffix}`, join(dir, `opencode.db${suffix}`));
    }
    return { dir, a: a.id, b: b.id };
  })();
  return template;
}

export const OPENCODE_FIXTURE: ContractFixture = {
  agent: 'opencode',
  missing: !HAVE_SQLITE
    ? 'needs SQLite for Node (node:sqlite or better-sqlite3)'
    : !HAVE_OPENCODE
      ? 'needs the opencode binary'
      : undefined,
  halfWritten: false,
  async make(dir) {
    const t = await opencodeTemplate();
    await mkdir(dir, { recursive: true });
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(join(t.dir, `opencode.db${suffix}`)))
        await copyFile(join(t.dir, `opencode.db${suffix}`), join(dir, `opencode.db${suffix}`));
    }
    const from = join(dir, 'opencode.db');
    const write = (fn: (db: Db) => void) => {
      const db = openWriter(from) as Db;
      try {
        fn(db);
      } finally {
        db.close();
      }
    };
    let n = 0;
    const unsupported = () => Promise.reject(new Error('a database is never half written'));
    return {
      from,
      sessions: 3,
      children: 1,
      grownId: t.b,
      async grow(text) {
        write((db) => {
          const now = Date.parse('2026-06-02T10:00:00.000Z') + ++n * 1000;
          const user = `msg_f${String(n).padStart(11, '0')}AAAAAAAAAAAAA${n}`.slice(0, 30);
          const answer = `msg_f${String(n).padStart(11, '0')}BBBBBBBBBBBBB${n}`.slice(0, 30);
          const info = (role: string, extra: Record<string, unknown>) => JSON.stringify({ role, time: { created: now }, ...extra });
          db.prepare('INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?)').run(
            user,
            t.b,
            now,
            now,
            info('user', { agent: 'build', model: { providerID: 'mock', modelID: 'mock-model' } }),
          );
          db.prepare('INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?, ?)').run(
            `prt_f${String(n).padStart(11, '0')}AAAAAAAAAAAAAA`.slice(0, 30),
            user,
            t.b,
            now,
            now,
            JSON.stringify({ type: 'text', text }),
          );
          db.prepare('INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?)').run(
            answer,
            t.b,
            now + 1,
            now + 1,
            info('assistant', {
              parentID: user,
              modelID: 'mock-model',
              providerID: 'mock',
              mode: 'build',
              agent: 'build',
              path: { cwd: '/', root: '/' },
              cost: 0,
              tokens: { input: 1, output: 1, reasoning: 0, cache: { read: 0, write: 0 } },
            }),
          );
          db.prepare('UPDATE session SET time_updated = ? WHERE id = ?').run(now + 1, t.b);
        });
      },
      cut: unsupported,
      finish: unsupported,
      async remove() {
        write((db) => {
          for (const table of ['part', 'message', 'todo']) db.prepare(`DELETE FROM ${table} WHERE session_id = ?`).run(t.b);
          db.prepare('DELETE FROM session WHERE id = ?').run(t.b);
        });
      },
    };
  },
};
