// A generated archive of n sessions for the benchmarks, cached in $TMPDIR
// between runs (a `ready` file marks it complete).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initArchive, newId } from '../src/index.js';
import { formatCanonical } from '../src/store/json-file.js';

/** n sessions with OpenCode-like info (3 projects, 50 folders, a tenth with a parent), no messages. */
export async function makeArchive(n: number): Promise<string> {
  const dir = join(tmpdir(), `sarc-bench-${n}`);
  if (existsSync(join(dir, 'ready'))) return dir;
  await initArchive(dir);
  const base = Date.UTC(2026, 0, 1);
  for (let i = 0; i < n; i++) {
    const id = newId('session');
    mkdirSync(join(dir, 'sessions', id, 'messages'), { recursive: true });
    const info = {
      id,
      slug: 'brave-forest',
      projectID: i % 3 ? '8f3c2a1b9d7e6f5a4c3b2a1908f7e6d5c4b3a291' : 'global',
      directory: `/home/dev/src/project-${i % 50}`,
      path: '',
      ...(i % 10 === 0 ? { parentID: id } : {}),
      title: `Session ${i}: refactor the ${['parser', 'client', 'server', 'cli'][i % 4]} module and add tests`,
      version: '1.18.33',
      cost: 0.0123,
      tokens: { input: 5120, output: 640, reasoning: 0, cache: { read: 0, write: 0 } },
      time: { created: base + i * 1000, updated: base + i * 1000 + ((i * 7919) % 100_000) },
    };
    writeFileSync(join(dir, 'sessions', id, 'info.json'), formatCanonical(info));
  }
  writeFileSync(join(dir, 'ready'), '');
  return dir;
}
