// npm run example: opens a copy of the sample archive (or $SARC_ARCHIVE), lists its
// sessions, prints one conversation, then records a new session with a message.
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openArchive } from '../src/index.js';

const samples = join(import.meta.dirname, '..', 'samples');
const dir = process.env.SARC_ARCHIVE || join(await mkdtemp(join(tmpdir(), 'sarc-')), 'archive');
if (!process.env.SARC_ARCHIVE) await cp(samples, dir, { recursive: true });
const archive = await openArchive({ dir, stateDir: process.env.SARC_STATE_DIR || join(dir, '..', 'state') });

for (const s of await archive.sessions.list()) {
  const kind = s.parentID ? 'child' : s.forkedFrom ? 'fork' : 'root';
  console.log(`${s.id}  ${kind.padEnd(5)}  ${s.title}`);
}

const [first] = await archive.sessions.list();
if (first) {
  for (const { info, parts } of await archive.messages.list(first.id)) {
    const text = parts.flatMap((p) => (p.type === 'text' ? [p.text] : p.type === 'tool' ? [`[${p.tool}: ${p.state.status}]`] : []));
    console.log(`${info.role}: ${text.join(' ')}`);
  }
}

const session = await archive.sessions.create({ title: 'Tried session-archive', directory: process.cwd() });
await archive.messages.append(session.id, {
  info: { role: 'user', agent: 'build', model: { providerID: 'anthropic', modelID: 'claude-sonnet-4-5' } },
  parts: [{ type: 'text', text: 'Hello, archive!' }],
});
await archive.todos.set(session.id, [{ content: 'Commit the archive to git', status: 'pending', priority: 'medium' }]);
console.log(`created ${session.id} in ${join(dir, 'sessions', session.id)}`);
