// The benchmarks measure compiled JavaScript, as the library runs in
// production (tsx's loader thread alone would add tens of MB to the RSS):
// the whole project (src, test fixtures, bench) compiled into one folder.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Compiles the project for a benchmark; returns the folder (`src/`, `test/`, `bench/` inside). */
export function compileForBench(): string {
  const root = join(import.meta.dirname, '..');
  const build = join(root, 'node_modules', '.cache', 'sarc-bench-build');
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(root, 'tsconfig.json'),
      '--outDir',
      build,
      '--sourceMap',
      'false',
      '--declaration',
      'false',
    ],
    { stdio: 'inherit' },
  );
  return build;
}
