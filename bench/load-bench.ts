// The load benchmark (part of npm run bench): 50 concurrent HTTP clients for
// BENCH_LOAD_SECONDS (default 20) mixing list, history, get, append and fork
// against `sarc serve` (compiled, in its own process), then a check that every
// acknowledged write is there. Baseline in the same run: the same clients
// against a bare node:http server that answers every request with a constant.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LoadReport, runLoad } from '../test/fixtures/load.js';

const SAMPLE_IDS = ['ses_fe5e0a1b2c3dKq7ZpX2mRtY9wA', 'ses_fe5e0a1b0e00Pa2QrS7tUv4WxY', 'ses_fe5e0a1b2a10Lm4NbV8cXz3QeR'];

/** Starts a process that prints its URL (in JSON or as text) on stdout. */
function serve(args: string[], env: NodeJS.ProcessEnv): Promise<{ url: string; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ url: m[1] as string, stop: () => child.kill('SIGTERM') });
    });
    child.on('close', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
}

const BARE = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.setHeader('content-type', 'application/json'); res.end('{"id":"x"}'); });
});
server.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + server.address().port));`;

/** Runs the load benchmark; `build` is the folder of the compiled code. Returns the RESULTS.md section. */
export async function loadBench(build: string, root: string): Promise<{ markdown: string; report: LoadReport }> {
  const seconds = Number(process.env.BENCH_LOAD_SECONDS ?? 20);
  const work = await mkdtemp(join(tmpdir(), 'sarc-load-'));
  try {
    await cp(join(root, 'samples'), join(work, 'archive'), { recursive: true });
    const env = { ...process.env, SARC_ARCHIVE: join(work, 'archive'), SARC_STATE_DIR: join(work, 'state'), SARC_SERVER_PASSWORD: '' };
    const sarc = await serve([join(build, 'src', 'bin', 'sarc.js'), 'serve', '--port', '0', '--json'], env);
    let report: LoadReport;
    let appendsOnly: LoadReport;
    try {
      report = await runLoad(sarc.url, SAMPLE_IDS, { clients: 50, seconds });
      appendsOnly = await runLoad(sarc.url, SAMPLE_IDS, { clients: 50, seconds: Math.min(seconds, 5), mix: ['append'] });
    } finally {
      sarc.stop();
    }
    const bare = await serve(['-e', BARE], process.env);
    let baseline: LoadReport;
    try {
      baseline = await runLoad(bare.url, SAMPLE_IDS, { clients: 50, seconds: Math.min(seconds, 5), check: false });
    } finally {
      bare.stop();
    }
    const rate = (r: LoadReport) => r.requests / r.seconds;
    const appendP99 = report.latency.append?.p99 ?? Number.NaN;
    const appendsOnlyP99 = appendsOnly.latency.all?.p99 ?? Number.NaN;
    const rows = Object.entries(report.latency).map(([op, l]) => `| ${op} | ${l.count} | ${l.p50.toFixed(1)} | ${l.p99.toFixed(1)} |`);
    const markdown = `## HTTP load

50 concurrent clients for ${seconds} s against \`sarc serve\` (compiled, its own process, the samples archive),
mixing list (\`GET /session\`), history, get, append (\`POST /session/:id/message\`) and fork; then every
acknowledged append and fork is looked up. Baseline, same run: the same clients against a bare
\`node:http\` server that answers every request with a constant.

- **${rate(report).toFixed(0)} requests/s** (${((rate(report) / rate(baseline)) * 100).toFixed(0)}% of the bare server's ${rate(baseline).toFixed(0)}/s), p99 ${report.latency.all?.p99.toFixed(1)} ms (bare: ${baseline.latency.all?.p99.toFixed(1)} ms).
- Errors: ${report.errors.length}. Lost writes: ${report.lost.length}.
- Appends only (same server, 50 clients, ${appendsOnly.seconds} s): ${rate(appendsOnly).toFixed(0)}/s, p50 ${appendsOnly.latency.all?.p50.toFixed(1)} ms, p99 ${appendsOnly.latency.all?.p99.toFixed(1)} ms; errors ${appendsOnly.errors.length}, lost ${appendsOnly.lost.length}.

- ${appendP99 <= 2 * appendsOnlyP99 ? 'Met' : '**Missed**'}: append p99 in the mix (${appendP99.toFixed(0)} ms) ≤ 2× the appends-only p99 (${appendsOnlyP99.toFixed(0)} ms): ${(appendP99 / appendsOnlyP99).toFixed(2)}×.

Reading: appends to one session take turns on its lock, and each writes two files with an fsync of
each file and folder; a fork copies every message of its source with an fsync per file, so forks of
sessions that grow throughout the run take seconds. A fork's staged files take turns with other writes
(one at a time while an append or update is being written), and its read and validation loops let the
event loop in every 8 ms, so appends do not queue behind a whole fork.

| request | count | p50 ms | p99 ms |
|---|---|---|---|
${rows.join('\n')}
`;
    return {
      markdown,
      report: { ...report, errors: [...report.errors, ...appendsOnly.errors], lost: [...report.lost, ...appendsOnly.lost] },
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
