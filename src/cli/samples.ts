import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Archive } from '../index.js';
import { lib } from './lib.js';

/** The sample archive shipped with the package (four sessions: a root, its child, a fork, and notes). */
export const SAMPLES = join(import.meta.dirname, '..', '..', 'samples');

/**
 * Copies the sample sessions (with their IDs) and project records into an
 * archive, leaving out any it already holds; returns the IDs copied.
 */
export async function addSamples(target: Archive): Promise<string[]> {
  const { exportSessions, importSessions, openArchive } = await lib();
  const state = await mkdtemp(join(tmpdir(), 'sarc-samples-'));
  try {
    const samples = await openArchive({ dir: SAMPLES, stateDir: state });
    const have = new Set(await target.sessions.ids());
    const ids = (await samples.sessions.ids()).filter((id) => !have.has(id));
    for (const p of await samples.projects.list()) await target.projects.upsert(p);
    if (ids.length === 0) return [];
    let payload = '';
    for await (const piece of exportSessions(samples, ids)) payload += piece;
    await importSessions(target, JSON.parse(payload), { mode: 'keep-ids' });
    return ids;
  } finally {
    await rm(state, { recursive: true, force: true });
  }
}
