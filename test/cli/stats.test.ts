import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SearchIndex } from '../../src/index.js';
import { fixture } from '../catalog/usage-fixture.js';
import { hasTool } from '../helpers.js';
import { sarc } from './helpers.js';

const HAVE_SQLITE = hasTool('SQLite', () => SearchIndex.available(), 'node-sqlite3-wasm is a dependency: npm install');

async function setup() {
  const f = await fixture();
  const run = (...args: string[]) => sarc(['--archive', f.dir, 'stats', ...args], { env: { TZ: 'UTC', SARC_NO_WATCHER: '1' } });
  const json = async (...args: string[]) => {
    const r = await run(...args, '--json');
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };
  return { ...f, run, json };
}

describe.skipIf(!HAVE_SQLITE)('sarc stats', () => {
  it('prints totals and tables that match the hand-computed figures; filters by project name or folder, agent and whole days', async () => {
    const { run, json, ids } = await setup();
    const all = await json('--by', 'day,week,month,project,model,agent,session');
    expect(all.total.cost).toBe(1.827075);
    expect(all.total.unpriced).toEqual({ replies: 1, tokens: 777 });
    expect(all.tables.day.map((r: { key: string[] }) => r.key[0])).toEqual(['2026-03-10', '2026-03-11', '2026-03-12']);
    expect(all.projects).toMatchObject({ a1b2c3: 'shop' });
    expect(all.prices.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(all.heaviest.map((r: { key: string[] }) => r.key[0])).toEqual([ids.a, ids.c, ids.b, ids.f]);

    expect((await json('--project', 'shop')).total.cost).toBe(1.534575);
    expect((await json('--project', '/w/shop')).total.cost).toBe(1.534575);
    expect((await json('--project', 'a1b2c3')).total.cost).toBe(1.534575);
    expect((await json('--agent', 'codex')).total.cost).toBe(0.0425);
    expect((await json('--agent', 'codex,opencode')).total.cost).toBe(0.2925);
    // A date in --until counts whole: the 11th is F's new reply only.
    expect((await json('--since', '2026-03-11', '--until', '2026-03-11')).total).toMatchObject({ cost: 0.0006, sessions: 1 });

    const human = await run('--by', 'project,model', '--top', '2');
    expect(human.code, human.stderr).toBe(0);
    const out = human.stdout;
    expect(out).toMatch(/^\$1\.83 over 4 sessions, 11 messages, 3 tool calls \(1 failed\), 4 min active\n/);
    expect(out).toContain('$1.58 of it reckoned from tokens at list prices of');
    expect(out).toContain('unpriced, not in the cost (+): mystery-model-9 (1 reply, 777 tokens)');
    // Projects by name, never their ID; the heaviest session by title with its agent and project.
    expect(out).toMatch(/^shop +2 +6 +2 \(1✗\) +251k +1\.6k +2\.1k +~\$1\.53 +3 min$/m);
    // A cost with unpriced replies left out is marked.
    expect(out).toMatch(/^mystery-model-9 .* \$0\.0000\+ /m);
    expect(out).not.toContain('a1b2c3');
    expect(out).toMatch(/^A +ses_\w+ +claude-code +shop +1 +4 /m);
    expect(out).toContain(`read one: sarc show ${ids.a}`);
  }, 60_000);

  it('says what is wrong with its input, and takes another price table from a file', async () => {
    const { run, json, root } = await setup();
    const unknownProject = await run('--project', 'nope');
    expect(unknownProject.code).toBe(1);
    expect(unknownProject.stderr).toContain('no project named "nope"; the archive knows shop');
    const badAgent = await run('--agent', 'clippy');
    expect(badAgent.code).toBe(2);
    expect(badAgent.stderr).toContain('invalid --agent "clippy": expected claude-code, codex');
    const badBy = await run('--by', 'hour');
    expect(badBy.code).toBe(2);
    expect(badBy.stderr).toContain('invalid --by "hour": expected day, week, month, session, project, model, agent');
    const badSince = await run('--since', 'yesterday');
    expect(badSince.code).toBe(2);

    const prices = join(root, 'prices.json');
    await writeFile(
      prices,
      JSON.stringify({ date: '2026-12-01', source: 'mine', models: { 'mystery-model-9': { input: 1000, output: 10_000 } } }),
    );
    const priced = await json('--prices', prices);
    expect(priced.total.cost).toBe(3.297075);
    expect(priced.prices).toEqual({ date: '2026-12-01', source: 'mine' });
    expect(priced.unpriced).toEqual([]);
    const missing = await run('--prices', join(root, 'none.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read the price file');
  }, 60_000);
});
