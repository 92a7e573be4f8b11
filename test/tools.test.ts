import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
// @ts-expect-error: a plain script of the project, without types
import { biomeInstalled } from '../scripts/lint.mjs';
import { hasTool, ROOT, tempDir } from './helpers.js';

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

describe('npm run lint (scripts/lint.mjs)', () => {
  /** The lint script in a folder of its own whose node_modules has Biome's launcher but not its program (as --omit=optional installs). */
  async function withoutBiome(): Promise<string> {
    const dir = await tempDir();
    mkdirSync(join(dir, 'scripts'));
    copyFileSync(join(ROOT, 'scripts', 'lint.mjs'), join(dir, 'scripts', 'lint.mjs'));
    mkdirSync(join(dir, 'node_modules', '@biomejs'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', '@biomejs', 'biome'), join(dir, 'node_modules', '@biomejs', 'biome'));
    return dir;
  }
  const env = (ci: string | undefined) => {
    const out: NodeJS.ProcessEnv = { ...process.env, CI: ci };
    delete out.BIOME_BINARY;
    if (ci === undefined) delete out.CI;
    return out;
  };

  it("without Biome's program: skipped with the reason, and a failure under CI=true", async () => {
    const dir = await withoutBiome();
    const skipped = spawnSync(process.execPath, ['scripts/lint.mjs'], { cwd: dir, env: env(undefined), encoding: 'utf8' });
    expect(skipped.status).toBe(0);
    expect(skipped.stderr).toContain("lint skipped: Biome's program for");
    expect(skipped.stderr).toContain('npm install --omit=optional leaves it out');
    const failed = spawnSync(process.execPath, ['scripts/lint.mjs'], { cwd: dir, env: env('true'), encoding: 'utf8' });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('lint failed:');
  });

  // Biome's program is an optional dependency: an install without optional dependencies has none to run.
  const program = `@biomejs/cli-${process.platform}-${process.arch}`;
  const installed = biomeInstalled();
  if (!installed) {
    if (process.env.CI === 'true') throw new Error(`${program} is not installed: under CI=true the lint must run`);
    console.warn(`skipped: needs ${program}, an optional dependency this install left out (npm install brings it)`);
  }

  it.skipIf(!installed)('with it: runs biome check, which fails on a finding', async () => {
    const dir = await tempDir();
    writeFileSync(join(dir, 'bad.ts'), 'var x = 1\n');
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts', 'lint.mjs')], { cwd: dir, env: env(undefined), encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).toContain('bad.ts');
  });
});
