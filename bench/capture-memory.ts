// A child of bench:sync: syncs one Claude Code store (`sync`), or opens the
// archive and reads nothing (`baseline`), then prints its peak RSS in bytes.
import { initArchive, openArchive, syncAgent } from '../src/index.js';

const [mode, from, root] = process.argv.slice(2) as [string, string, string];
await initArchive(`${root}/a`);
const archive = await openArchive({ dir: `${root}/a`, stateDir: `${root}/s` });
if (mode === 'sync') {
  const r = await syncAgent(archive, 'claude-code', { from });
  if (r.sessions.new !== 1 || r.failures.length) throw new Error(`sync: ${JSON.stringify(r.sessions)} ${JSON.stringify(r.failures)}`);
}
process.stdout.write(`${process.resourceUsage().maxRSS * 1024}\n`);
