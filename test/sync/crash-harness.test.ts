import { describe, expect, it } from 'vitest';
import { runChaos } from '../fixtures/chaos.js';

describe('crash safety under SIGKILL', () => {
  it('300 kills at random points of create, append, update, fork, import, migrate and delete lose nothing acknowledged and leave nothing half done', async () => {
    const report = await runChaos(300, 3);
    expect(report.kills).toBe(300);
    // Each run is killed only after its first acknowledged operation.
    expect(report.acks).toBeGreaterThanOrEqual(300);
    expect(report.files).toBeGreaterThan(100);
  }, 600_000);
});
