// npm run example: opens a copy of the sample archive (or $SARC_ARCHIVE), lists its
// sessions, prints one conversation, then records a new session with a message.
// The copy is removed at the end; an archive named in $SARC_ARCHIVE is kept.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openArchive } from '../src/index.js';

const samples = join(import.meta.dirname, '..', 'samples');
const copy = process.env.SARC_ARCHIVE ? undefined : await mkdtemp(join(tmpdir(), 'sarc-'));
const dir = copy ? join(copy, 'archive') : (process.env.SARC_ARCHIVE as string);
if (copy) await cp(samples, dir, { recursive: true });
const archive = await openArchive({ dir, stateDir: process.env.SARC_STATE_DIR || join(dir, '..', 'state') });

for (const s of await archive.sessions.list()) {
  const kind = s.parentID ? 'child' : s.forkedFrom ? 'fork' : 'root';
  console.log(`${s.id}  ${kind.padEnd(5)}  ${s.title}`);
}

const [first] = await archive.sessions.list();
if (first) {
  for (const { info, parts } of await archive.messages.list(first.id)) {
    const shown = parts.flatMap((p) =>
      p.type === 'text'
        ? [p.text]
        : p.type === 'tool'
          ? [`[${p.tool}: ${p.state.status}]`]
          : p.type === 'file'
            ? [`[file ${p.filename ?? p.mime}]`]
            : [],
    );
    if (shown.length) console.log(`${info.role}: ${shown.join(' ')}`);
  }
}

const session = await archive.sessions.create({ title: 'Tried session-archive', directory: process.cwd() });
await archive.messages.append(session.id, {
  info: { role: 'user', agent: 'build', model: { providerID: 'anthropic', modelID: 'claude-sonnet-4-5' } },
  parts: [{ type: 'text', text: 'Hello, archive!' }],
});
await archive.todos.set(session.id, [{ content: 'Commit the archive to git', status: 'pending', priority: 'medium' }]);
const [hello] = await archive.messages.list(session.id);
console.log(`created ${session.id}: ${hello?.parts.map((p) => (p.type === 'text' ? p.text : '')).join('')}`);
if (copy) await rm(copy, { recursive: true, force: true });
