// `npm run bench:load`: the HTTP load benchmark alone (bench/load-bench.ts;
// `npm run bench` runs it after the index benchmark). Writes the
// `<!-- load -->` section of RESULTS.md.
import { join } from 'node:path';
import { compileForBench } from './build.js';
import { loadBench } from './load-bench.js';
import { writeSection } from './results.js';

const load = await loadBench(compileForBench(), join(import.meta.dirname, '..'));
writeSection('load', load.markdown);
console.log(load.markdown);
if (load.report.errors.length || load.report.lost.length) {
  console.error(`load: ${load.report.errors.length} errors, ${load.report.lost.length} lost writes`, load.report.errors.slice(0, 5));
  process.exitCode = 1;
}
