import { type Archive, newId } from '../../src/index.js';
import { assistantInfo, tempArchive } from '../helpers.js';

// Sessions from several agents with tokens, costs, tool calls and times chosen
// so that every figure of `sarc stats` can be worked out by hand (see fixture).

/** 2026-03-10 20:00 UTC: 2026-03-11 01:30 in Kolkata, 16:00 in New York. */
export const T0 = Date.UTC(2026, 2, 10, 20, 0, 0);
export const S = 1000;
export const H = 3600 * S;

type Tokens = { input?: number; output?: number; reasoning?: number; read?: number; write?: number };

export interface Msg {
  role: 'user' | 'assistant';
  at: number;
  done?: number;
  model?: string;
  tokens?: Tokens;
  cost?: number;
  tools?: Array<'completed' | 'error'>;
}

/** Writes a session with these messages (full files, chosen times). */
export async function session(
  archive: Archive,
  opts: { source?: string; projectID?: string; created?: number; forkedFrom?: string; title: string },
  msgs: Msg[],
): Promise<string> {
  const id = newId('session');
  const created = opts.created ?? msgs[0]?.at ?? T0;
  let parent = '';
  const messages = msgs.map((m) => {
    const mid = newId('message');
    const part = (extra: Record<string, unknown>) => ({ id: newId('part'), sessionID: id, messageID: mid, ...extra });
    if (m.role === 'user') {
      parent = mid;
      return {
        info: {
          id: mid,
          sessionID: id,
          role: 'user' as const,
          time: { created: m.at },
          agent: 'build',
          model: { providerID: 'x', modelID: 'y' },
        },
        parts: [part({ type: 'text', text: 'please' })],
      };
    }
    const t = m.tokens ?? {};
    const time = { start: m.at, end: m.done ?? m.at };
    return {
      info: {
        ...assistantInfo(parent, {
          modelID: m.model ?? 'm',
          cost: m.cost ?? 0,
          tokens: {
            input: t.input ?? 0,
            output: t.output ?? 0,
            reasoning: t.reasoning ?? 0,
            cache: { read: t.read ?? 0, write: t.write ?? 0 },
          },
        }),
        id: mid,
        sessionID: id,
        time: m.done === undefined ? { created: m.at } : { created: m.at, completed: m.done },
      },
      parts: [
        part({ type: 'text', text: 'done' }),
        ...(m.tools ?? []).map((status) =>
          part({
            type: 'tool',
            callID: newId('part'),
            tool: 'bash',
            state:
              status === 'completed'
                ? { status, input: {}, output: 'ok', title: 'bash', metadata: {}, time }
                : { status, input: {}, error: 'exit 1', time },
          }),
        ),
      ],
    };
  });
  await archive.sessions.insert(
    {
      id,
      slug: 's',
      projectID: opts.projectID ?? 'global',
      directory: '/w',
      title: opts.title,
      version: '1.18.33',
      ...(opts.source ? { metadata: { source: opts.source } } : {}),
      ...(opts.forkedFrom ? { forkedFrom: { sessionID: opts.forkedFrom } } : {}),
      time: { created, updated: msgs.at(-1)?.at ?? created },
    },
    { messages: messages as never },
  );
  return id;
}

/**
 * The fixture, with what each reply costs worked out by hand from the shipped
 * prices (dollars per million tokens):
 * - A (claude-code, project "shop"), 2026-03-10 UTC:
 *   a1 claude-sonnet-4-5, 1000 in, 500 out, 2000 cache read, 100 cache write:
 *      1000×3 + 500×15 + 2000×0.3 + 100×3.75 = 11,475 → $0.011475
 *   a2 the same model, a prompt over 200k (250,000 in, 1000 out) at its dearer rates:
 *      250,000×6 + 1000×22.5 = 1,522,500 → $1.5225
 *   active: 10 s before a1 + 60 s of a1 + 30 s between + 60 s of a2 = 160 s; the user's
 *   message an hour later adds nothing (a pause over five minutes)
 * - B (codex, global), 2026-03-12: gpt-5, 10,000 in, 2000 out, 500 reasoning (at the output
 *   rate), 40,000 cache read: 12,500 + 20,000 + 5,000 + 5,000 = 42,500 → $0.0425
 * - C (opencode), 2026-03-12: a reply with its own cost $0.25 (its tokens not priced again),
 *   and one of an unknown model with 777 tokens: unpriced, not $0
 * - F, a fork of A made 2026-03-11: A's two messages copied (not counted again) and a new
 *   claude-haiku-4-5 reply, 100 in, 100 out: 100×1 + 100×5 = 600 → $0.0006
 */
export async function fixture() {
  const { archive, dir, root } = await tempArchive();
  await archive.projects.upsert({ id: 'a1b2c3', worktree: '/w/shop', vcs: 'git', time: { created: T0, updated: T0 } });
  const a = await session(archive, { source: 'claude-code', projectID: 'a1b2c3', title: 'A' }, [
    { role: 'user', at: T0 },
    {
      role: 'assistant',
      at: T0 + 10 * S,
      done: T0 + 70 * S,
      model: 'claude-sonnet-4-5-20250929',
      tokens: { input: 1000, output: 500, read: 2000, write: 100 },
      tools: ['completed', 'error'],
    },
    { role: 'assistant', at: T0 + 100 * S, done: T0 + 160 * S, model: 'claude-sonnet-4-5', tokens: { input: 250_000, output: 1000 } },
    { role: 'user', at: T0 + H },
  ]);
  const b = await session(archive, { source: 'codex', title: 'B' }, [
    { role: 'user', at: T0 + 48 * H },
    {
      role: 'assistant',
      at: T0 + 48 * H + 5 * S,
      done: T0 + 48 * H + 65 * S,
      model: 'gpt-5',
      tokens: { input: 10_000, output: 2000, reasoning: 500, read: 40_000 },
      tools: ['completed'],
    },
  ]);
  const c = await session(archive, { title: 'C' }, [
    { role: 'user', at: T0 + 49 * H },
    { role: 'assistant', at: T0 + 49 * H + S, model: 'claude-opus-4-5', tokens: { input: 1_000_000 }, cost: 0.25 },
    { role: 'assistant', at: T0 + 49 * H + 2 * S, model: 'mystery-model-9', tokens: { input: 700, output: 77 } },
  ]);
  const f = await session(archive, { source: 'claude-code', projectID: 'a1b2c3', created: T0 + 24 * H, forkedFrom: a, title: 'F' }, [
    { role: 'user', at: T0 },
    { role: 'assistant', at: T0 + 10 * S, model: 'claude-sonnet-4-5', tokens: { input: 1000, output: 500 } },
    { role: 'user', at: T0 + 24 * H + S },
    { role: 'assistant', at: T0 + 24 * H + 2 * S, model: 'claude-haiku-4-5', tokens: { input: 100, output: 100 } },
  ]);
  return { archive, dir, root, ids: { a, b, c, f } };
}
