import { describe, expect, it } from 'vitest';
import { runLoad } from '../fixtures/load.js';
import { SAMPLE, serveProcess, tempArchive } from '../helpers.js';

describe('load', () => {
  it('50 concurrent clients mixing list, get, append and fork: no error, no lost write', async () => {
    const { dir, stateDir } = await tempArchive({ samples: true });
    const server = await serveProcess({ ...process.env, SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir, SARC_SERVER_PASSWORD: '' });
    try {
      const report = await runLoad(server.url, [SAMPLE.main, SAMPLE.notes, SAMPLE.child], { clients: 50, seconds: 3 });
      expect(report.errors).toEqual([]);
      expect(report.lost).toEqual([]);
      // Every kind of request ran, many times over.
      for (const op of ['list', 'history', 'get', 'append', 'fork']) expect(report.latency[op]?.count, op).toBeGreaterThan(10);
    } finally {
      await server.stop();
    }
  }, 60_000);
});
