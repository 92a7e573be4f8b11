import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SearchIndex } from '../../src/index.js';
import { runWorker, tempArchive } from '../helpers.js';

// An answer is several queries (the ranked rows, then each shown hit by its row ID). Another
// process catching the same index up may move rows between two of them; each answer must still
// be made of one state of the tables.
describe('search beside another process writing the same index', () => {
  it('every answer is whole while the other process moves every row to a new row ID', async () => {
    const { archive, dir, stateDir } = await tempArchive({ samples: true });
    const index = await SearchIndex.open(archive);
    try {
      await index.catchUp();
      const ask = () => index.searchGroups({ query: 'retries' }).groups.map((g) => g.sessionID);
      const whole = ask();
      expect(whole.length).toBeGreaterThan(1);
      let writing = true;
      const other = runWorker(join(import.meta.dirname, 'search-rewriter.ts'), [dir, stateDir, '40']).finally(() => {
        writing = false;
      });
      const answers: string[][] = [];
      while (writing) {
        answers.push(ask());
        // Back to back (the worker's output is read in between).
        await new Promise((resolve) => setImmediate(resolve));
      }
      const run = await other;
      expect(run.end, run.stderr).toBe('done');
      expect(answers.length).toBeGreaterThan(100);
      expect(answers.filter((a) => a.join() !== whole.join())).toEqual([]);
    } finally {
      await index.close();
    }
  });
});
