import { appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { claudeSessionId, codexSessionId } from '../../../src/index.js';

// Small agent stores built by hand, one per adapter, for the contract suite:
// each can grow a session, leave a record half written and finish it, lose a
// source, and holds one record of a type the adapter does not know.

export interface ContractStore {
  /** What to sync (a folder, or a database). */
  from: string;
  /** Archive sessions the first sync makes. */
  sessions: number;
  /** Archive sessions that have a parent among them. */
  children: number;
  /** The session `grow` adds to. */
  grownId: string;
  /** Adds a turn (a prompt and an answer) to that session. */
  grow(text: string): Promise<void>;
  /** Starts a record without finishing it (a file being written); only where {@link ContractFixture.halfWritten}. */
  cut(): Promise<void>;
  /** Finishes the cut record. */
  finish(): Promise<void>;
  /** Removes the source of the grown session (the agent deleted it). */
  remove(): Promise<void>;
}

export interface ContractFixture {
  agent: string;
  /** Which of the agent's stores, where it has more than one (Cursor: the editor's, the command-line agent's). */
  variant?: string;
  /** Why the fixture cannot be made here (a tool the machine lacks), or `undefined`. */
  missing?: string;
  /** Whether a record can be half written (a file; a database writes whole transactions). */
  halfWritten: boolean;
  /** A record type the adapter does not map, which the store holds once; `undefined` where a store has none (a mirror keeps all). */
  unknownType?: string;
  make(dir: string): Promise<ContractStore>;
}

/** A record as a line of JSON Lines. */
export const line = (r: unknown) => `${JSON.stringify(r)}\n`;
const iso = (t: number) => new Date(t).toISOString();
/** A clock that moves a second each time it is read. */
export const clock = (start: string) => {
  let t = Date.parse(start);
  return () => {
    t += 1000;
    return iso(t);
  };
};

/** The store of a fixture whose grown session is one file that turns are appended to. */
export function appendedStore(a: {
  from: string;
  sessions: number;
  children: number;
  grownId: string;
  file: string;
  turn: (text: string) => string;
}): ContractStore {
  let pending = '';
  return {
    from: a.from,
    sessions: a.sessions,
    children: a.children,
    grownId: a.grownId,
    grow: (text) => appendFile(a.file, a.turn(text)),
    cut: () => {
      pending = a.turn('half a line');
      return appendFile(a.file, pending.slice(0, 40));
    },
    finish: () => appendFile(a.file, pending.slice(40)),
    remove: () => rm(a.file),
  };
}

/** Claude Code: two transcripts, one with a sub-agent in its folder. */
export const claudeFixture: ContractFixture = {
  agent: 'claude-code',
  halfWritten: true,
  unknownType: 'hologram',
  async make(dir) {
    const from = join(dir, 'projects');
    const folder = join(from, '-home-dev-shop');
    const s1 = 'c0ffee00-0000-4000-8000-000000000001';
    const s2 = 'c0ffee00-0000-4000-8000-000000000002';
    await mkdir(join(folder, s1, 'subagents'), { recursive: true });
    const tick = clock('2026-06-01T10:00:00.000Z');
    let n = 0;
    const base = (session: string) => ({ cwd: '/home/dev/shop', sessionId: session, version: '2.1.300', gitBranch: 'main' });
    const user = (session: string, text: string, extra: Record<string, unknown> = {}) =>
      line({
        ...base(session),
        type: 'user',
        uuid: `u${n++}`,
        timestamp: tick(),
        message: { role: 'user', content: text },
        ...extra,
      });
    const answer = (session: string, text: string, extra: Record<string, unknown> = {}) =>
      line({
        ...base(session),
        type: 'assistant',
        uuid: `a${n++}`,
        timestamp: tick(),
        message: {
          id: `msg_${n}`,
          role: 'assistant',
          model: 'claude-sonnet-4-5',
          content: [{ type: 'text', text }],
          usage: { input_tokens: 3, output_tokens: 2 },
        },
        ...extra,
      });
    await writeFile(
      join(folder, `${s1}.jsonl`),
      user(s1, 'Add a cart') + answer(s1, 'Added.') + line({ type: 'hologram', sessionId: s1, shimmer: true }),
    );
    await writeFile(
      join(folder, s1, 'subagents', 'agent-f00d.jsonl'),
      user(s1, 'Find the cart code', { isSidechain: true, agentId: 'f00d' }) +
        answer(s1, 'src/cart.ts', { isSidechain: true, agentId: 'f00d' }),
    );
    const second = join(folder, `${s2}.jsonl`);
    await writeFile(second, user(s2, 'Why is checkout slow?') + answer(s2, 'An N+1 query.'));
    return appendedStore({
      from,
      sessions: 3,
      children: 1,
      grownId: claudeSessionId(s2),
      file: second,
      turn: (text) => user(s2, text) + answer(s2, `Re: ${text}`),
    });
  },
};

/** Codex: two rollouts in dated folders. */
export const codexFixture: ContractFixture = {
  agent: 'codex',
  halfWritten: true,
  unknownType: 'event hologram',
  async make(dir) {
    const from = join(dir, 'sessions');
    const day = join(from, '2026', '06', '01');
    await mkdir(day, { recursive: true });
    const tick = clock('2026-06-01T10:00:00.000Z');
    const r = (type: string, payload: unknown) => line({ timestamp: tick(), type, payload });
    const rollout = (id: string, cwd: string) =>
      r('session_meta', { id, timestamp: '2026-06-01T10:00:00.000Z', cwd, originator: 'codex_cli_rs', cli_version: '0.171.0' }) +
      r('turn_context', { cwd, model: 'gpt-5-codex' });
    const turn = (text: string) =>
      r('response_item', { type: 'message', role: 'user', content: [{ type: 'input_text', text }] }) +
      r('response_item', { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: `Re: ${text}` }] });
    const id1 = '01a20000-0000-7000-8000-000000000001';
    const id2 = '01a20000-0000-7000-8000-000000000002';
    await writeFile(
      join(day, `rollout-2026-06-01T10-00-00-${id1}.jsonl`),
      rollout(id1, '/home/dev/api') + turn('Rename the route') + r('event_msg', { type: 'hologram', shimmer: true }),
    );
    const second = join(day, `rollout-2026-06-01T11-00-00-${id2}.jsonl`);
    await writeFile(second, rollout(id2, '/home/dev/api') + turn('Why does the test fail?'));
    return appendedStore({ from, sessions: 2, children: 0, grownId: codexSessionId(id2), file: second, turn });
  },
};

export const FIXTURES: ContractFixture[] = [claudeFixture, codexFixture];
