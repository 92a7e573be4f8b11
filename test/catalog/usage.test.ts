import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPrices, openIndex, priceOf, replyCost, SearchIndex, shippedPrices, type UsageResult, usageIndex } from '../../src/index.js';
import { assistantInfo, hasTool, tempDir } from '../helpers.js';
import { fixture, H, type Msg, S, session, T0 } from './usage-fixture.js';

const HAVE_SQLITE = hasTool('SQLite', () => SearchIndex.available(), 'node-sqlite3-wasm is a dependency: npm install');

const byKey = (r: UsageResult, table: string) => Object.fromEntries((r.tables[table] ?? []).map((row) => [row.key.join(' '), row.figures]));

describe.skipIf(!HAVE_SQLITE)('usage figures', () => {
  it('sum to hand-computed totals: sources’ own costs win, other replies priced by model and prompt size, unknown models unpriced', async () => {
    const { archive, ids } = await fixture();
    const r = await usageIndex(archive, { timeZone: 'UTC', tables: [['day'], ['model'], ['agent'], ['project'], ['month'], ['week']] });
    expect(r.total.cost).toBe(1.827075);
    expect(r.total.estimated).toBe(1.577075);
    expect(r.total.sessions).toBe(4);
    // A 4, B 2, C 3, F 2 (its two copies not counted).
    expect(r.total.messages).toBe(11);
    expect(r.total.replies).toBe(6);
    expect(r.total.tokens).toEqual({
      input: 1000 + 250_000 + 10_000 + 1_000_000 + 700 + 100,
      output: 500 + 1000 + 2000 + 77 + 100,
      reasoning: 500,
      cacheRead: 2000 + 40_000,
      cacheWrite: 100,
      total: 1_261_800 + 3677 + 500 + 42_000 + 100,
    });
    expect(r.total.unpriced).toEqual({ replies: 1, tokens: 777 });
    expect(r.unpriced).toEqual([{ model: 'mystery-model-9', replies: 1, tokens: 777 }]);
    expect(r.total.tools).toBe(3);
    expect(r.total.failedTools).toBe(1);
    // A 160 s; B 5 + 60 s; C 1 + 1 s; F 1 s after its user message.
    expect(r.total.activeMs).toBe((160 + 65 + 2 + 1) * S);

    const day = byKey(r, 'day');
    expect(Object.keys(day)).toEqual(['2026-03-10', '2026-03-11', '2026-03-12']);
    expect(day['2026-03-10']?.cost).toBe(1.533975);
    expect(day['2026-03-11']?.cost).toBe(0.0006);
    expect(day['2026-03-12']?.cost).toBe(0.2925);
    const model = byKey(r, 'model');
    expect(model['claude-sonnet-4-5-20250929']?.cost).toBe(0.011475);
    expect(model['claude-sonnet-4-5']?.cost).toBe(1.5225);
    expect(model['mystery-model-9']?.cost).toBe(0);
    expect(model['mystery-model-9']?.unpriced.tokens).toBe(777);
    const agent = byKey(r, 'agent');
    expect(Object.keys(agent)).toEqual(['claude-code', 'codex', 'opencode']);
    expect(agent['claude-code']).toMatchObject({ sessions: 2, cost: 1.534575, messages: 6 });
    expect(agent.codex?.cost).toBe(0.0425);
    expect(byKey(r, 'project').a1b2c3?.cost).toBe(1.534575);
    expect(byKey(r, 'month')['2026-03']?.cost).toBe(1.827075);
    // 2026-03-10 is a Tuesday: its week starts on Monday the 9th.
    expect(Object.keys(byKey(r, 'week'))).toEqual(['2026-03-09']);

    expect(r.heaviest.map((h) => h.key[0])).toEqual([ids.a, ids.c, ids.b, ids.f]);
    expect(r.heaviest[0]?.session).toMatchObject({ title: 'A', projectID: 'a1b2c3', agent: 'claude-code' });
  });

  it('filters by time, project and agent, and counts days in the time zone asked for', async () => {
    const { archive } = await fixture();
    const ask = (q: Parameters<typeof usageIndex>[1]) => usageIndex(archive, q);
    expect((await ask({ agents: ['codex'] })).total.cost).toBe(0.0425);
    expect((await ask({ projects: ['a1b2c3'] })).total.cost).toBe(1.534575);
    expect((await ask({ since: T0 + 24 * H, until: T0 + 48 * H + 30 * 60 * 1000 })).total).toMatchObject({ cost: 0.0431, sessions: 2 });
    // In Kolkata (UTC+5:30) A's replies are on the 11th, F's on the 12th, B's and C's on the 13th; in New York on the 10th and 11th.
    const kolkata = byKey(await ask({ timeZone: 'Asia/Kolkata', tables: [['day']] }), 'day');
    expect(kolkata['2026-03-11']?.cost).toBe(1.533975);
    expect(kolkata['2026-03-12']?.cost).toBe(0.0006);
    expect(kolkata['2026-03-13']?.cost).toBe(0.2925);
    expect(kolkata['2026-03-10']).toBeUndefined();
    // Daylight saving time: 04:30 UTC is 00:30 on 11 March (EDT, from the 8th) and 23:30 on 1 November (EST, from the 1st).
    const reply = (at: number): Msg => ({ role: 'assistant', at, model: 'claude-haiku-4-5', tokens: { output: 1000 } });
    const user = (at: number): Msg => ({ role: 'user', at });
    const march = Date.UTC(2026, 2, 11, 4, 30);
    const november = Date.UTC(2026, 10, 2, 4, 30);
    await session(archive, { source: 'pi', title: 'DST' }, [user(march), reply(march), user(november), reply(november)]);
    const newYork = byKey(await ask({ timeZone: 'America/New_York', tables: [['day', 'agent']] }), 'day,agent');
    expect(newYork['2026-03-10 claude-code']?.cost).toBe(1.533975);
    expect(newYork['2026-03-11 claude-code']?.cost).toBe(0.0006);
    expect(newYork['2026-03-11 pi']?.cost).toBe(0.005);
    expect(newYork['2026-11-01 pi']?.cost).toBe(0.005);
    expect(Object.keys(newYork).filter((k) => k.endsWith(' pi'))).toEqual(['2026-03-11 pi', '2026-11-01 pi']);
    await expect(ask({ timeZone: 'Mars/Olympus' })).rejects.toThrow('unknown time zone "Mars/Olympus"');
  });

  it('follows the files: a message edited, added or removed moves the figures of a running index', async () => {
    const { archive, dir, ids } = await fixture();
    const index = await openIndex(archive, { search: true });
    try {
      await index.searchReady();
      expect(index.usage({}).total.cost).toBe(1.827075);
      // C's unknown model gets a cost of its own, by hand.
      const page = await archive.messages.list(ids.c);
      const last = page.at(-1);
      if (!last) throw new Error('no message');
      const file = join(dir, 'sessions', ids.c, 'messages', `${last.info.id}.json`);
      await writeFile(file, JSON.stringify({ ...last, info: { ...last.info, cost: 0.5 } }, null, 2));
      const settled = async (cost: number) => {
        for (let i = 0; i < 100 && index.usage({}).total.cost !== cost; i++) {
          await index.settle();
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return index.usage({});
      };
      expect((await settled(2.327075)).total.cost).toBe(2.327075);
      expect(index.usage({}).unpriced).toEqual([]);
      await archive.sessions.delete(ids.a);
      expect((await settled(0.7931)).total.cost).toBe(0.7931);
    } finally {
      await index.close();
    }
  });

  it('an open index that answered once sees what another process wrote to the index since', async () => {
    const { archive, ids } = await fixture();
    // No watcher: only the other writer's commit can tell this index that C has a new reply.
    const index = await openIndex(archive, { search: true, watch: false });
    try {
      await index.searchReady();
      expect(index.usage({}).total.cost).toBe(1.827075);
      // A reply with a cost of its own comes in (written as any program writes: the session's info.json moves too).
      const first = (await archive.messages.list(ids.c))[0];
      await archive.messages.append(ids.c, { info: assistantInfo(first?.info.id as string, { cost: 0.5 }), parts: [] } as never);
      // A one-off question (its own connection) catches the index up and writes C's new row.
      expect((await usageIndex(archive, {})).total.cost).toBe(2.327075);
      expect(index.usage({}).total.cost).toBe(2.327075);
    } finally {
      await index.close();
    }
  });

  it('prices a reply the way the figures do, and a price file (this format or LiteLLM’s) replaces the shipped prices', async () => {
    const shipped = shippedPrices();
    expect(shipped.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(shipped.source).toContain('LiteLLM');
    for (const name of ['claude-sonnet-4.5', 'anthropic/claude-sonnet-4-5', 'claude-sonnet-4-5@20250929', 'claude-sonnet-4-5[1m]']) {
      expect(priceOf(shipped, name)?.input, name).toBe(3);
    }
    expect(priceOf(shipped, 'claude-sonnet')).toBeUndefined();
    const tokens = { input: 1000, output: 500, reasoning: 0, cache: { read: 2000, write: 100 } };
    expect(replyCost({ modelID: 'claude-sonnet-4-5', cost: 0, tokens })).toEqual({ cost: 0.011475, estimated: true });
    expect(replyCost({ modelID: 'claude-sonnet-4-5', cost: 0.3, tokens })).toEqual({ cost: 0.3, estimated: false });
    expect(replyCost({ modelID: 'mystery', cost: 0, tokens })).toBeUndefined();

    const dir = await tempDir();
    const ours = join(dir, 'ours.json');
    await writeFile(
      ours,
      JSON.stringify({ date: '2026-12-01', source: 'by hand', models: { 'mystery-model-9': { input: 1000, output: 10_000 } } }),
    );
    const litellm = join(dir, 'litellm.json');
    await writeFile(
      litellm,
      JSON.stringify({
        sample_spec: { input_cost_per_token: 0 },
        'mystery-model-9': { litellm_provider: 'x', mode: 'chat', input_cost_per_token: 0.001, output_cost_per_token: 0.01 },
      }),
    );
    const { archive } = await fixture();
    for (const file of [ours, litellm]) {
      const prices = await loadPrices(file);
      const r = await usageIndex(archive, {}, { prices });
      // 700 × $1,000 + 77 × $10,000 per million: $0.7 + $0.77, on top of the rest.
      expect(r.total.cost, file).toBe(3.297075);
      expect(r.unpriced).toEqual([]);
    }
    const broken = join(dir, 'broken.json');
    await writeFile(broken, JSON.stringify({ models: { x: { input: 'free' } } }));
    await expect(loadPrices(broken)).rejects.toThrow(`${broken}: models.x: input and output must be numbers ≥ 0`);
    await expect(loadPrices(join(dir, 'none.json'))).rejects.toThrow('cannot read the price file');
  });
});
