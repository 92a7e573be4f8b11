import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import type { ResumeBack } from '../../contract.js';
import { IdRemap, newId } from '../../kit/index.js';
import { toOpencode2 } from './v2-format.js';

// Resuming in OpenCode: its sessions live in a database, so the session is
// written as an export file and OpenCode's own import puts it in (1.x:
// `opencode import FILE`, 2.x: `opencode session import FILE`), then
// `opencode --session ID` opens it. Every ID is fresh — the session's and its
// messages' and parts' (OpenCode keys messages and parts by ID across
// sessions, and the original may be in the same database) — made in the
// original order, so OpenCode sorts them as they were and what it adds comes
// after.

const versions = new Map<string, 1 | 2>();

/** The generation of the `opencode` on PATH (2, the current one, when none answers). */
export function opencodeGeneration(): 1 | 2 {
  const path = process.env.PATH ?? '';
  let gen = versions.get(path);
  if (!gen) {
    const out = spawnSync('opencode', ['--version'], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'ignore'] });
    const major = /(\d+)\.\d+\.\d+/.exec(out.stdout ?? '')?.[1];
    gen = major !== undefined && Number(major) < 2 ? 1 : 2;
    versions.set(path, gen);
  }
  return gen;
}

/** Resuming in OpenCode whose database is at `db()`. */
export const opencodeResume = (db: () => string): ResumeBack => ({
  newId: () => newId('session'),
  // Beside OpenCode's database, for its import to read (and for a person to find again).
  path: (_directory, agentID) => join(dirname(db()), 'import', `${agentID}.json`),
  prepare: (path) => (opencodeGeneration() === 1 ? ['opencode', 'import', path] : ['opencode', 'session', 'import', path]),
  command: (agentID) => ['opencode', '--session', agentID],
  async *lines(archive, sessionID, agentID) {
    const info = await archive.sessions.get(sessionID);
    // A message the archive cannot read is left out (sync reports it); OpenCode could not take it either.
    const messages = (await archive.messages.list(sessionID)).filter((m) => !('error' in m));
    const remap = new IdRemap();
    remap.set(sessionID, agentID);
    for (const m of messages) {
      remap.set(m.info.id, newId('message'));
      for (const p of m.parts) remap.set(p.id, newId('part'));
    }
    // A top-level session of its own in OpenCode (no parent, no fork link, no share), and OpenCode's: the metadata
    // another agent's session carries (its source, its envelope) would name that agent on the way back.
    const { parentID: _p, forkedFrom: _f, share: _s, metadata: _m, ...rest } = info as typeof info & { share?: unknown };
    const copy = remap.apply({ ...rest, slug: agentID.slice(-8).toLowerCase() });
    const copied = messages.map((m) => remap.apply(m));
    const doc = opencodeGeneration() === 1 ? { info: copy, messages: copied } : toOpencode2(copy, copied);
    yield `${JSON.stringify(doc, null, 2)}\n`;
  },
});
