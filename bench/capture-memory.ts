// A child of bench:sync: syncs one Claude Code store (`sync`), or opens the
// archive and reads nothing (`baseline`), then prints its peak RSS and its
// peak retained memory (heap and external memory after a full collection,
// sampled every 100 ms; run with --expose-gc), in bytes. Both load the
// redactor first.
import { initArchive, openArchive, syncAgent } from '../src/index.js';

const [mode, from, root] = process.argv.slice(2) as [string, string, string];
const gc = (globalThis as { gc?: () => void }).gc;
let retained = 0;
const sample = () => {
  gc?.();
  const m = process.memoryUsage();
  retained = Math.max(retained, m.heapUsed + m.external);
};
const timer = setInterval(sample, 100);
await initArchive(`${root}/a`);
const archive = await openArchive({ dir: `${root}/a`, stateDir: `${root}/s` });
// Both load the redactor (its rules are a library of their own): what is measured is the sync's own.
const { detect } = await import('../src/ops/redact/detect.js');
await detect('warm up: AKIAIOSFODNN7EXAMPLE password=hunter2');
if (mode === 'sync') {
  const r = await syncAgent(archive, 'claude-code', { from });
  if (r.sessions.new !== 1 || r.failures.length) throw new Error(`sync: ${JSON.stringify(r.sessions)} ${JSON.stringify(r.failures)}`);
}
sample();
clearInterval(timer);
process.stdout.write(`${process.resourceUsage().maxRSS * 1024} ${retained}\n`);
