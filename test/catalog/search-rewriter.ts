// A process that keeps rewriting every message of an archive with a later creation time and
// catching its search index up, so each message's row moves to a new row ID each round:
// prints "ready" after the first round, runs `rounds` rounds.
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openArchive, SearchIndex } from '../../src/index.js';

const [dir, state, rounds] = process.argv.slice(2) as [string, string, string];
const archive = await openArchive({ dir, stateDir: state });
const index = await SearchIndex.open(archive);
for (let round = 1; round <= Number(rounds); round++) {
  for (const session of await readdir(join(dir, 'sessions'))) {
    const folder = join(dir, 'sessions', session, 'messages');
    for (const name of await readdir(folder)) {
      if (!name.endsWith('.json')) continue;
      const file = join(folder, name);
      const message = JSON.parse(await readFile(file, 'utf8'));
      message.info.time.created += 1;
      // Written as the archive writes (a new file renamed over the old), so the folder's stamp changes.
      await writeFile(`${file}.tmp`, `${JSON.stringify(message, null, 2)}\n`);
      await rename(`${file}.tmp`, file);
    }
  }
  await index.catchUp();
  if (round === 1) process.stdout.write('ready\n');
}
await index.close();
