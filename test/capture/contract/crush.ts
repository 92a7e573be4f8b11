import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { crushSessionId } from '../../../src/ops/capture/agents/crush/convert.js';
import type { ContractFixture } from './fixtures.js';
import { HAVE_SQLITE, openWriter, runSql } from './opencode-fixture.js';

// Crush: `<project>/.crush/crush.db`, built with Crush's own tables (its first migration's columns, and the
// provider column later ones add); a session grows as Crush adds rows.

const SCHEMA = `
CREATE TABLE sessions (id TEXT PRIMARY KEY, parent_session_id TEXT, title TEXT NOT NULL, message_count INTEGER NOT NULL DEFAULT 0,
  prompt_tokens INTEGER NOT NULL DEFAULT 0, completion_tokens INTEGER NOT NULL DEFAULT 0, cost REAL NOT NULL DEFAULT 0.0,
  updated_at INTEGER NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE files (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, path TEXT NOT NULL, content TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE messages (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, role TEXT NOT NULL, parts BLOB NOT NULL default '[]', model TEXT,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, finished_at INTEGER, provider TEXT);`;

const T0 = Date.parse('2026-06-01T10:00:00.000Z') / 1000;

export const crushFixture: ContractFixture = {
  agent: 'crush',
  ...(HAVE_SQLITE ? {} : { missing: 'needs SQLite for Node (node:sqlite or better-sqlite3)' }),
  halfWritten: false,
  unknownType: 'part hologram',
  async make(dir) {
    const project = join(dir, 'shop');
    await mkdir(join(project, '.crush'), { recursive: true });
    const path = join(project, '.crush', 'crush.db');
    let clock = T0;
    let n = 0;
    const write = (sql: string, ...params: unknown[]) => runSql(path, sql, ...params);
    const first = openWriter(path);
    (first as unknown as { exec(sql: string): void }).exec(SCHEMA);
    first?.close();
    const session = (id: string, title: string, parent?: string) =>
      write(
        'INSERT INTO sessions (id, parent_session_id, title, prompt_tokens, completion_tokens, cost, updated_at, created_at) VALUES (?, ?, ?, 120, 30, 0.0042, ?, ?)',
        id,
        parent ?? null,
        title,
        clock,
        clock,
      );
    const message = (session: string, role: string, parts: unknown[], model?: string) => {
      clock += 1;
      write(
        'INSERT INTO messages (id, session_id, role, parts, model, provider, created_at, updated_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        `m${++n}`,
        session,
        role,
        JSON.stringify(parts),
        model ?? null,
        model ? 'anthropic' : null,
        clock,
        clock,
        role === 'assistant' ? clock : null,
      );
      write('UPDATE sessions SET updated_at = ? WHERE id = ?', clock, session);
    };
    const turn = (session: string, text: string, extra: unknown[] = []) => {
      message(session, 'user', [
        { type: 'text', data: { text } },
        { type: 'finish', data: { reason: 'stop', time: clock } },
      ]);
      message(
        session,
        'assistant',
        [{ type: 'text', data: { text: `Re: ${text}` } }, ...extra, { type: 'finish', data: { reason: 'end_turn', time: clock + 1 } }],
        'claude-sonnet-4-5',
      );
    };
    const a = '8f1e0c2a-0000-4000-8000-000000000001';
    const b = '8f1e0c2a-0000-4000-8000-000000000002';
    const child = '8f1e0c2a-0000-4000-8000-000000000003';
    session(a, 'Add a cart');
    turn(a, 'Add a cart', [
      { type: 'tool_call', data: { id: 'call_1', name: 'bash', input: '{"command":"ls"}', finished: true } },
      { type: 'hologram', data: { shimmer: true } },
    ]);
    message(a, 'tool', [{ type: 'tool_result', data: { tool_call_id: 'call_1', name: 'bash', content: 'cart.py', is_error: false } }]);
    session(child, 'Find the cart code', a);
    turn(child, 'Find the cart code');
    session(b, 'Why is checkout slow?');
    turn(b, 'Why is checkout slow?');
    return {
      from: dir,
      sessions: 3,
      children: 1,
      grownId: crushSessionId(b),
      grow: async (text) => turn(b, text),
      cut: async () => {},
      finish: async () => {},
      remove: async () => write('DELETE FROM sessions WHERE id = ?', b),
    };
  },
};
