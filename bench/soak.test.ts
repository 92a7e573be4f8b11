// npm run soak: the crash harness of test/sync/crash-harness.test.ts, longer
// (SOAK_KILLS, default 2000 SIGKILLs over 4 archives).
import { expect, it } from 'vitest';
import { runChaos } from '../test/fixtures/chaos.js';

it(
  'soak: many SIGKILLs lose nothing acknowledged and leave nothing half done',
  async () => {
    const kills = Number(process.env.SOAK_KILLS ?? 2000);
    const report = await runChaos(kills, 4);
    console.log(
      `soak: ${report.kills} kills, ${report.acks} acknowledged operations, ${report.files} files and ${report.sessions} sessions checked`,
    );
    expect(report.kills).toBe(kills);
  },
  24 * 3_600_000,
);
