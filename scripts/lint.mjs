// npm run lint: `biome check --error-on-warnings .` (arguments after `--`
// are passed on). Biome's command line is a native program that npm installs
// as an optional dependency of @biomejs/biome; an install without optional
// dependencies (`npm install --omit=optional`) has none. The lint then says
// so and is skipped, as a test whose tool is missing is, and fails instead
// under CI=true, where it must run.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Biome's program for this platform is installed (any libc: Biome's launcher picks between them). Also asked by the tests. */
export function biomeInstalled() {
  if (process.env.BIOME_BINARY) return true;
  const base = `@biomejs/cli-${process.platform}-${process.arch}`;
  return [base, `${base}-musl`].some((name) => {
    try {
      require.resolve(`${name}/package.json`);
      return true;
    } catch {
      return false;
    }
  });
}

/** Runs the lint, or says why it cannot. */
function lint() {
  if (!biomeInstalled()) {
    const ci = process.env.CI === 'true';
    process.stderr.write(
      `lint ${ci ? 'failed' : 'skipped'}: Biome's program for ${process.platform}-${process.arch} is not installed (an optional dependency: npm install --omit=optional leaves it out; a plain npm install brings it)\n`,
    );
    return ci ? 1 : 0;
  }
  const run = spawnSync(
    process.execPath,
    [require.resolve('@biomejs/biome/bin/biome'), 'check', '--error-on-warnings', '.', ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  );
  return run.status ?? 1;
}

if (process.argv[1] === import.meta.filename) process.exit(lint());
