// `npm run bench:export`: export of one 10,000-message session (~17 MB of
// message files) against `cp -r` of its folder, and import of the export
// against a copy that writes and fsyncs every file (the same durability), in
// the same run, on the compiled code (`dist/`, built first). Medians of 5
// rounds, each step beside its baseline; the files are in the page cache. Writes the `<!-- export -->` section of RESULTS.md.
import { execFileSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSection } from './results.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..');
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const RUNS = 5;

execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
const lib = await import(join(ROOT, 'dist', 'index.js'));
const work = join(tmpdir(), 'sarc-export-bench');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const dir = join(work, 'archive');
await lib.initArchive(dir);
const archive = await lib.openArchive({ dir, stateDir: join(work, 'state') });
const session = await archive.sessions.create({ title: 'a long conversation', directory: work });
const words = 'The parser keeps its tokens in a ring buffer and the tests cover the edge cases of nested blocks. ';
for (let i = 0; i < MESSAGES; i++) {
  await archive.messages.append(session.id, {
    info: { role: 'user', agent: 'build', model: { providerID: 'p', modelID: 'm' } },
    parts: [{ type: 'text', text: `Message ${i}. ${words.repeat(15)}` }],
  });
}
const folder = join(dir, 'sessions', session.id);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const copy = join(work, 'copy');
const file = join(work, 'export.json');
const target = join(work, 'target');

/** A copy of the folder that writes and fsyncs every file and folder: the floor for a durable import. */
function fsyncCopy(from: string, to: string): void {
  mkdirSync(to);
  for (const e of readdirSync(from, { withFileTypes: true })) {
    if (e.isDirectory()) fsyncCopy(join(from, e.name), join(to, e.name));
    else {
      const fd = openSync(join(to, e.name), 'w');
      writeSync(fd, readFileSync(join(from, e.name)));
      fsyncSync(fd);
      closeSync(fd);
    }
  }
  const d = openSync(to, 'r');
  fsyncSync(d);
  closeSync(d);
}

// Each measurement with its baseline next to it, round after round: the disk's
// fsync speed drifts over minutes on a shared machine, and a ratio of two
// blocks measured minutes apart would show the drift, not the code.
const steps = {
  cp: async () => execFileSync('cp', ['-r', folder, copy]),
  // Each export in a fresh archive object, as `sarc export` is a fresh process: nothing kept from the last run.
  exported: async () => lib.exportToFile(await lib.openArchive({ dir, stateDir: join(work, 'state') }), [session.id], file),
  synced: async () => fsyncCopy(folder, copy),
  imported: async () => {
    await lib.initArchive(target);
    const into = await lib.openArchive({ dir: target, stateDir: join(work, 'state2') });
    await lib.importSessions(into, await lib.readImportFile(file));
  },
};
const times: Record<keyof typeof steps, number[]> = { cp: [], exported: [], synced: [], imported: [] };
for (let i = 0; i < RUNS; i++) {
  for (const [name, step] of Object.entries(steps) as Array<[keyof typeof steps, () => Promise<unknown>]>) {
    rmSync(copy, { recursive: true, force: true });
    rmSync(target, { recursive: true, force: true });
    execFileSync('sync'); // the last step's writeback and these deletions are not charged to the next step
    const t = performance.now();
    await step();
    times[name].push(performance.now() - t);
  }
}
const [cp, exported, synced, imported] = (['cp', 'exported', 'synced', 'imported'] as const).map((name) => median(times[name])) as [
  number,
  number,
  number,
  number,
];
const bytes = readFileSync(file).length;
rmSync(work, { recursive: true, force: true });

const ms = (n: number) => `${n.toFixed(0)} ms`;
const body = `## Export and import

\`npm run bench:export\`, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}: one session of ${MESSAGES.toLocaleString('en')} messages
(${(bytes / 1e6).toFixed(1)} MB exported), medians of ${RUNS} interleaved rounds, page cache warm, the compiled library in one process.

| | time | baseline | ratio |
|---|---|---|---|
| export to a file | ${ms(exported)} | \`cp -r\` of the session folder ${ms(cp)} | ${(exported / cp).toFixed(2)}× |
| import of that file | ${ms(imported)} | a copy that fsyncs every file ${ms(synced)} | ${(imported / synced).toFixed(2)}× |

- ${exported <= 3 * cp ? 'Met' : '**Missed**'}: export ≤ 3× \`cp -r\`.
- ${imported <= 1.2 * synced ? 'Met' : '**Missed**'}: import ≤ 1.2× a copy that fsyncs every file.

`;
writeSection('export', body);
console.log(body);
