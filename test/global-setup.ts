import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
// @ts-expect-error: a plain script of the build, without types
import { bundleCli } from '../scripts/bundle-cli.mjs';

// Before any test: the CLI built once (as the package builds it, so its
// paths to samples/ stay right) and each worker of the crash and concurrency
// tests bundled into one file. A test's child process then starts in a
// fraction of the time tsx takes to compile the source at every start —
// hundreds of children are started — and it runs the same code.

const ROOT = join(import.meta.dirname, '..');

/** Whether a process runs. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Builds into a folder of this run's own (two runs at once — a whole suite and
 * one file beside it — never pull the build from under each other), named in
 * SARC_TEST_BUILD for the tests; the folders of runs that ended are removed.
 */
export default async function setup(): Promise<() => void> {
  const top = join(ROOT, '.test-build');
  mkdirSync(top, { recursive: true });
  for (const name of readdirSync(top)) {
    const pid = Number(/^run-(\d+)$/.exec(name)?.[1]);
    if (!pid || !alive(pid)) rmSync(join(top, name), { recursive: true, force: true });
  }
  const BUILD = join(top, `run-${process.pid}`);
  rmSync(BUILD, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const built = spawnSync(
    process.execPath,
    [
      tsc,
      '-p',
      'tsconfig.build.json',
      '--outDir',
      join(BUILD, 'dist'),
      '--declaration',
      'false',
      '--declarationMap',
      'false',
      '--sourceMap',
      'false',
    ],
    { cwd: ROOT, encoding: 'utf8', timeout: 300_000 },
  );
  if (built.status !== 0) throw new Error(`building the CLI for the tests failed:\n${built.stdout}${built.stderr}`);
  // The built CLI finds samples/ two folders above its cli/ folder, as in the
  // package: a copy (a link would be copied as a link, and a demo archive made
  // from it would write into the repository's samples).
  cpSync(join(ROOT, 'samples'), join(BUILD, 'samples'), { recursive: true });
  // And the price table in data/, as the package ships it.
  cpSync(join(ROOT, 'data'), join(BUILD, 'data'), { recursive: true });
  // The CLI as the package runs it: its launcher, bundled, with its stored help texts (scripts/bundle-cli.mjs).
  await bundleCli(join(BUILD, 'dist'));
  cpSync(join(ROOT, 'bin'), join(BUILD, 'bin'), { recursive: true });
  const fixtures = join(ROOT, 'test', 'fixtures');
  await build({
    entryPoints: readdirSync(fixtures)
      .filter((f) => f.endsWith('-worker.ts'))
      .map((f) => join(fixtures, f)),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outdir: join(BUILD, 'workers'),
    outExtension: { '.js': '.mjs' },
    logLevel: 'error',
  });
  process.env.SARC_TEST_BUILD = BUILD;
  return () => rmSync(BUILD, { recursive: true, force: true });
}
