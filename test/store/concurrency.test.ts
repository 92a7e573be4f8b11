import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runWorker, tempArchive } from '../helpers.js';

const WORKER = join(ROOT, 'test', 'fixtures', 'append-worker.ts');

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
});
