import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';

// Before any test: the CLI built once (as the package builds it, so its
// paths to samples/ stay right) and each worker of the crash and concurrency
// tests bundled into one file. A test's child process then starts in a
// fraction of the time tsx takes to compile the source at every start —
// hundreds of children are started — and it runs the same code.

const ROOT = join(import.meta.dirname, '..');
export const BUILD = join(ROOT, '.test-build');

export default async function setup(): Promise<void> {
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
}
