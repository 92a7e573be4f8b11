import { afterEach, describe, expect, it, vi } from 'vitest';
import { hasTool } from './helpers.js';

describe('tests that need a system tool', () => {
  const ci = process.env.CI;
  afterEach(() => {
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
    vi.restoreAllMocks();
  });

  it('skip with a printed reason when the tool is missing, and fail instead under CI=true', () => {
    expect(hasTool('sh')).toBe(true);
    delete process.env.CI;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(hasTool('sarc-no-such-tool')).toBe(false);
    expect(warn).toHaveBeenCalledWith(
      'skipped: needs sarc-no-such-tool, which this machine lacks (apt-get install sarc-no-such-tool; .ci/run installs it)',
    );
    process.env.CI = 'true';
    expect(() => hasTool('sarc-no-such-tool')).toThrow('under CI=true a missing tool is a failure, not a skip');
  });
});
