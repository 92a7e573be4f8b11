import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportSessions, openArchive } from '../../src/index.js';
import { isTempName } from '../../src/store/temp-names.js';
import { ROOT, runWorker, tempArchive, userMessage } from '../helpers.js';

const WORKER = join(ROOT, 'test', 'fixtures', 'import-worker.ts');
const SESSIONS = 20;
const RUNS = 16;

describe('a killed import', () => {
  it(`leaves all ${SESSIONS} sessions or none, never a part (${RUNS} kills)`, async () => {
    const source = await tempArchive();
    const ids: string[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const s = await source.archive.sessions.create({ title: `s${i}` });
      for (let j = 0; j < 5; j++) await source.archive.messages.append(s.id, userMessage(`m${j}`.repeat(2000)));
      ids.push(s.id);
    }
    let text = '';
    for await (const piece of exportSessions(source.archive, ids)) text += piece;
    const payload = JSON.parse(text);
    const target = await tempArchive();
    const outcomes: string[] = [];
    let took = 0;
    for (let run = 0; run < RUNS; run++) {
      for (const s of payload.sessions) s.info.metadata = { batch: run };
      const file = join(target.root, `payload-${run}.json`);
      await writeFile(file, JSON.stringify(payload));
      // The first run measures how long an import takes; the others are killed
      // at a random moment across that span (and a little past it). The span is
      // the quickest import that completed, so a slow first run (cold caches,
      // a busy machine) does not leave most runs unkilled.
      const result = await runWorker(WORKER, [target.dir, target.stateDir, file], {
        killAfter: run === 0 ? undefined : Math.random() * took * 1.2,
      });
      if (result.end === 'failed') throw new Error(`import worker failed: ${result.stderr}`);
      if (result.end === 'done') took = run === 0 ? result.ms : Math.min(took, result.ms);
      outcomes.push(result.end);
    }
    expect(outcomes.filter((o) => o === 'killed').length).toBeGreaterThanOrEqual(RUNS / 3);
    // Opening the archive finishes any commit a kill cut short.
    const archive = await openArchive({ dir: target.dir, stateDir: target.stateDir });
    await archive.cleanup();
    const sessions = await archive.sessions.list();
    for (let run = 0; run < RUNS; run++) {
      const batch = sessions.filter((s) => s.metadata?.batch === run);
      expect([0, SESSIONS], `run ${run} (${outcomes[run]})`).toContain(batch.length);
      if (outcomes[run] === 'done') expect(batch.length).toBe(SESSIONS);
      for (const s of batch) expect((await archive.messages.list(s.id)).length).toBe(5);
    }
    expect((await readdir(join(target.dir, 'sessions'))).filter(isTempName)).toEqual([]);
    expect(await readdir(join(target.stateDir, 'journal')).catch(() => [])).toEqual([]);
  }, 180_000);
});
