import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { singleReducerGcFlag } from '../../src/cli/long-running.js';

/** What this Node's V8 prints on stderr when `flag` is set at run time. */
function stderrOfSetting(flag: string): string {
  const script = `require('node:v8').setFlagsFromString(${JSON.stringify(flag)})`;
  return spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' }).stderr;
}

describe('the V8 setting of sarc serve and sarc watch', () => {
  it('picks the memory-reducer flag this Node has, which V8 takes without complaint', () => {
    const options = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8', maxBuffer: 16 << 20 }).stdout;
    const flag = singleReducerGcFlag(options);
    expect(flag).toBeDefined();
    expect(options).toContain((flag as string).split('=')[0]);
    expect(stderrOfSetting(flag as string)).toBe('');
    // The check can fail: a flag V8 lacks is reported on stderr, on every start.
    expect(stderrOfSetting('--memory-reducer-no-such-flag')).toMatch(/unrecognized flag/);
  });

  it('reads either spelling of the flag, and none from a list without it', () => {
    const older =
      '  --memory-reducer-single-gc (only schedule a single GC from memory reducer)\n        type: bool  default: --no-memory-reducer-single-gc\n';
    const newer =
      '  --memory-reducer-gc-count (Maximum number of memory reducer GCs scheduled)\n        type: int  default: --memory-reducer-gc-count=2\n';
    expect(singleReducerGcFlag(older)).toBe('--memory-reducer-single-gc');
    expect(singleReducerGcFlag(newer)).toBe('--memory-reducer-gc-count=1');
    expect(singleReducerGcFlag(older + newer)).toBe('--memory-reducer-gc-count=1');
    expect(singleReducerGcFlag('  --memory-reducer (use memory reducer)\n')).toBeUndefined();
  });
});
