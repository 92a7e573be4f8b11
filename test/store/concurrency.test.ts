import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runWorker, tempArchive, workerArgs } from '../helpers.js';

const WORKER = join(ROOT, 'test', 'fixtures', 'append-worker.ts');
const MIXED = join(ROOT, 'test', 'fixtures', 'mixed-worker.ts');
const STALL = join(ROOT, 'test', 'fixtures', 'stall-worker.ts');

describe('concurrent writers', () => {
  it('4 processes × 250 appends to one session lose nothing', async () => {
    const { archive, dir, stateDir } = await tempArchive();
    const s = await archive.sessions.create();
    const started = Date.now();
    const runs = await Promise.all(['a', 'b', 'c', 'd'].map((tag) => runWorker(WORKER, [dir, stateDir, s.id, '250', tag])));
    for (const run of runs) expect(run.stderr).toBe('');
    expect(runs.map((r) => r.end)).toEqual(['done', 'done', 'done', 'done']);
    const messages = await archive.messages.list(s.id);
    expect(messages.length).toBe(1000);
    const texts = new Set(messages.map((m) => (m.parts[0]?.type === 'text' ? m.parts[0].text : '')));
    for (const tag of ['a', 'b', 'c', 'd']) for (let i = 0; i < 250; i++) expect(texts.has(`${tag}-${i}`)).toBe(true);
    // time.updated moved with every append: at least the newest message's time, never in the future.
    const info = await archive.sessions.get(s.id);
    const newest = Math.max(...messages.map((m) => m.info.time.created));
    expect(info.time.updated).toBeGreaterThanOrEqual(newest);
    expect(info.time.updated).toBeLessThanOrEqual(Date.now());
    expect(info.time.updated).toBeGreaterThanOrEqual(started);
  }, 180_000);

  it('a lock left by a killed process is taken over once stale', async () => {
    const { stateDir, archive } = await tempArchive({ lock: { staleMs: 2_000, timeoutMs: 20_000 } });
    const s = await archive.sessions.create();
    // A holder that takes the lock and is killed while holding it.
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import lockfile from 'proper-lockfile';
         import { mkdirSync } from 'node:fs';
         mkdirSync(${JSON.stringify(join(stateDir, 'locks'))}, { recursive: true });
         const p = ${JSON.stringify(join(stateDir, 'locks', `${s.id}.lock`))};
         await lockfile.lock(p, { lockfilePath: p, realpath: false, stale: 2000, onCompromised() {} });
         process.stdout.write('locked\\n');
         setInterval(() => {}, 1000);`,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout.on('data', (d) => String(d).includes('locked') && resolve()));
    holder.kill('SIGKILL');
    const updated = await archive.sessions.update(s.id, { title: 'after takeover' });
    expect(updated.title).toBe('after takeover');
  }, 60_000);

  it('4 processes × 500 mixed operations on shared sessions lose no message and no field update', async () => {
    const { archive, dir, stateDir } = await tempArchive();
    const ids = [(await archive.sessions.create()).id, (await archive.sessions.create()).id, (await archive.sessions.create()).id];
    const tags = ['a', 'b', 'c', 'd'];
    const runs = await Promise.all(tags.map((tag) => runWorker(MIXED, [dir, stateDir, ids.join(','), '500', tag])));
    for (const run of runs) expect(run.stderr).toBe('');
    expect(runs.map((r) => r.end)).toEqual(['done', 'done', 'done', 'done']);
    const acks = runs.flatMap((r) => r.stdout.split('\n').filter((l) => l.startsWith('ack ')));
    expect(acks.length).toBe(2000);
    // Every acknowledged message is there; for each worker and session, its last field update is the value.
    const lastField = new Map<string, number>();
    let appended = 0;
    for (const line of acks) {
      const [, op, id, a, b] = line.split(' ') as [string, string, string, string, string];
      if (op === 'append') appended++;
      else lastField.set(`${id} ${a}`, Number(b));
    }
    let messages = 0;
    for (const id of ids) {
      const texts = new Set((await archive.messages.list(id)).map((m) => (m.parts[0]?.type === 'text' ? m.parts[0].text : '')));
      messages += texts.size;
      for (const line of acks.filter((l) => l.startsWith(`ack append ${id} `))) expect(texts.has(line.split(' ')[3] as string)).toBe(true);
      const info = await archive.sessions.get(id);
      for (const tag of tags) expect(info.metadata?.[tag], `${id} ${tag}`).toBe(lastField.get(`${id} ${tag}`));
    }
    expect(messages).toBe(appended);
  }, 180_000);

  it('a holder whose event loop stalls past the stale time cannot overwrite what the next holder wrote', async () => {
    const { archive, dir, stateDir } = await tempArchive({ lock: { staleMs: 1_000, timeoutMs: 20_000 } });
    const s = await archive.sessions.create({ title: 'before' });
    const child = spawn(process.execPath, [...workerArgs(STALL), dir, stateDir, s.id, '1000', '4000'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const stalled = new Promise<void>((resolve) =>
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('stalling')) resolve();
      }),
    );
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    await stalled;
    // The stalled holder's lock goes stale; this process takes it over and writes.
    const newer = await archive.sessions.update(s.id, { title: 'newer, by the next holder' });
    expect(newer.title).toBe('newer, by the next holder');
    await exited;
    const outcome = /outcome (\S+)/.exec(out)?.[1];
    expect(['CONFLICT', 'LOCKED']).toContain(outcome);
    expect((await archive.sessions.get(s.id)).title).toBe('newer, by the next holder');
  }, 60_000);
});
