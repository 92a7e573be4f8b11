// npm run bench:start: how long `sarc --help`, `sarc --version` and `sarc list`
// (the four sample sessions, no watcher) take as whole processes, installed
// from the packed tarball as a person installs it, against `node -e 0` started
// the same way in the same rounds. Rounds interleave the four; medians of
// BENCH_RUNS (21). BENCH_NODES: more Node binaries to measure with (comma
// separated; e.g. one npx -p node@22 installed). Writes the `<!-- start -->`
// section of RESULTS.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSection } from './results.js';

const ROOT = join(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const nodes = [process.execPath, ...(process.env.BENCH_NODES ?? '').split(',').filter(Boolean)];

const work = mkdtempSync(join(tmpdir(), 'sarc-start-bench-'));
const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key))),
  HOME: join(work, 'home'),
  npm_config_cache: join(work, 'npm-cache'),
};
execFileSync('npm', ['pack', '--pack-destination', work], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
const tarball = join(work, readdirSync(work).find((n) => n.endsWith('.tgz')) as string);
const prefix = join(work, 'prefix');
execFileSync('npm', ['install', '-g', '--prefix', prefix, tarball], { env, stdio: ['ignore', 'ignore', 'inherit'] });
const bin = join(prefix, 'lib', 'node_modules', 'session-archive', 'bin', 'sarc.cjs');
const archive = join(work, 'archive');
cpSync(join(ROOT, 'samples'), archive, { recursive: true });
const runEnv = { ...env, SARC_ARCHIVE: archive, SARC_STATE_DIR: join(work, 'state'), SARC_NO_WATCHER: '1', NO_COLOR: '1' };

const CASES: Array<[string, (node: string) => string[]]> = [
  ['`node -e 0`', () => ['-e', '0']],
  ['`sarc --help`', () => [bin, '--help']],
  ['`sarc --version`', () => [bin, '--version']],
  ['`sarc list --all`, 4 sessions', () => [bin, 'list', '--all']],
];

function timed(node: string, args: string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(node, args, { env: runEnv, cwd: work, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${node} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const tables: string[] = [];
for (const node of nodes) {
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  // Warm: the page cache, the index snapshot, Node's compile cache where it has one.
  for (const [, args] of CASES) for (let i = 0; i < 3; i++) timed(node, args(node));
  const times = CASES.map(() => [] as number[]);
  for (let round = 0; round < RUNS; round++) {
    // The order turns each round, so no case always follows another.
    for (let k = 0; k < CASES.length; k++) {
      const i = (k + round) % CASES.length;
      times[i]?.push(timed(node, (CASES[i] as (typeof CASES)[number])[1](node)));
    }
  }
  const base = median(times[0] as number[]);
  const targets = [undefined, 1.3, undefined, 2];
  const rows = CASES.map(([label], i) => {
    const ms = median(times[i] as number[]);
    const target = targets[i];
    const ratio = ms / base;
    return `| ${label} | ${ms.toFixed(0)} ms | ${ratio.toFixed(2)}× | ${target ? `≤ ${target}×: ${ratio <= target ? 'met' : 'not met'}` : ''} |`;
  });
  tables.push(`Node ${version}:\n\n| command | median | against \`node -e 0\` | target |\n|---|---|---|---|\n${rows.join('\n')}`);
}
rmSync(work, { recursive: true, force: true });

const body = `## CLI start

\`npm run bench:start\`, ${new Date().toISOString().slice(0, 10)}: \`sarc\` installed globally from the packed tarball (\`npm pack\`,
\`npm install -g\`), each command a whole process (wall time from spawn to exit), rounds interleaving the four in turn,
medians of ${RUNS}, after three warm-up runs of each. \`--help\` and \`--version\` are answered from the texts the build stored
beside the bundled CLI; \`list\` loads the bundled program and library chunks it uses and reads the archive without a watcher
(\`SARC_NO_WATCHER=1\`).

${tables.join('\n\n')}
`;
writeSection('start', body);
console.log(body);
