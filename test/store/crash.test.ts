import { readdir, rm } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isId } from '../../src/index.js';
import { isTempName } from '../../src/store/temp-names.js';
import { checkFiles } from '../fixtures/chaos.js';
import { ROOT, runWorker, tempArchive } from '../helpers.js';

const WORKER = join(ROOT, 'test', 'fixtures', 'crash-worker.ts');
const KILLS = 60;

describe('crash safety', () => {
  it(`SIGKILL of a writer at random points (${KILLS} kills) leaves every file parseable and every acknowledged write there`, async () => {
    const { archive, dir, stateDir } = await tempArchive();
    const s = await archive.sessions.create({ title: 'crash target' });
    const acked: string[] = [];
    for (let i = 0; i < KILLS; i++) {
      const run = await runWorker(WORKER, [dir, stateDir, s.id], { killAfter: Math.random() * 150, armAt: '\nack ' });
      if (run.end !== 'killed') throw new Error(`worker ended by itself: ${run.stderr}`);
      acked.push(...run.stdout.split('\n').filter((l) => l.startsWith('ack ')));
      // The killed writer cannot release its lock; it is dead, so its lock
      // folder may go (deleting the state dir loses nothing).
      await rm(join(stateDir, 'locks'), { recursive: true, force: true });
    }
    expect(acked.length).toBeGreaterThanOrEqual(KILLS);

    const files = await readdir(dir, { recursive: true });
    const temps: string[] = [];
    for (const rel of files) {
      const segments = rel.split(sep);
      const name = segments.pop() ?? '';
      if (isTempName(name) && !segments.some(isTempName)) temps.push(join(dir, rel));
    }
    await checkFiles(dir);
    // Every acknowledged message and session is there.
    for (const line of acked) {
      const [, kind, id] = line.split(' ');
      if (kind === 'message') expect((await archive.messages.get(s.id, id as string)).info.id).toBe(id);
      if (kind === 'session') expect((await archive.sessions.get(id as string)).parentID).toBe(s.id);
    }
    // No session folder is half there: each has a valid info.json.
    for (const name of await readdir(join(dir, 'sessions'))) {
      if (isId('session', name)) await archive.sessions.get(name);
    }
    // Crashed writers' temps are never data and are swept.
    const swept = await archive.cleanup();
    expect(new Set(swept)).toEqual(new Set(temps));
    expect((await readdir(dir, { recursive: true })).filter((rel) => isTempName(rel.split(sep).pop() ?? ''))).toEqual([]);
  }, 300_000);
});
