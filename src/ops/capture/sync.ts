import type { Session } from '../../model/session.js';
import type { Archive } from '../../store/archive.js';
import { pull, type SyncOptions, type SyncResult, whereFor } from './engine.js';
import { AGENTS, agentEntry, loadAgent } from './registry.js';
import { CaptureState } from './state.js';

// The capture seam as the library offers it: sync an agent by name, find a
// session by the agent's own ID, and say where a session came from.

/** Brings every session of an agent (by its registry name) into the archive; see {@link pull}. */
export async function syncAgent(archive: Archive, name: string, options: SyncOptions = {}): Promise<SyncResult> {
  return pull(archive, await loadAgent(name), options);
}

/** Where an agent keeps its sessions on this machine, by default. */
export async function agentLocation(name: string): Promise<string> {
  return (await loadAgent(name)).location();
}

/** Where a session came from: the agent, its own ID of the session, the source, and whether the source is gone. */
export interface Provenance {
  agent: string;
  label: string;
  /** The agent's own ID of the session. */
  sourceID?: string;
  /** The source (a file path, or a database and a session ID) it was last read from on this machine. */
  where?: string;
  /** When sync found the source gone (the session is kept as it was). */
  gone?: number;
}

/** The provenance of a session, from its metadata and this machine's sync state; `undefined` for one no agent wrote. */
export async function provenanceOf(archive: Archive, info: Session): Promise<Provenance | undefined> {
  const named = typeof info.metadata?.source === 'string' ? agentEntry(info.metadata.source) : undefined;
  for (const entry of named ? [named] : AGENTS) {
    const base = await new CaptureState(archive, entry.name).base(info.id);
    if (!base && entry !== named) continue;
    const envelope = Object.values(info.metadata ?? {}).find(
      (v): v is Record<string, unknown> => typeof v === 'object' && v !== null && 'id' in v && 'where' in v,
    );
    return {
      agent: entry.name,
      label: entry.label,
      sourceID: typeof envelope?.id === 'string' ? envelope.id : entry.name === 'opencode' ? info.id : undefined,
      where: base?.where ?? (typeof envelope?.where === 'string' ? envelope.where : undefined),
      ...(base?.gone !== undefined ? { gone: base.gone } : {}),
    };
  }
  return undefined;
}

/** The archive IDs a session could have from an agent's own session ID, across every agent. */
export async function idsForSourceId(sourceID: string): Promise<string[]> {
  const out = new Set<string>();
  for (const entry of AGENTS) for (const id of (await entry.load()).archiveIds(sourceID)) out.add(id);
  return [...out];
}

/** One agent as `sarc sources` shows it. */
export interface SourceRow {
  agent: string;
  label: string;
  /** What one source is. */
  unit: string;
  /** Where it looks. */
  path: string;
  /** Sources found there; `undefined` when there is nothing there. */
  found?: number;
  /** Sessions the last syncs of that place wrote. */
  sessions: number;
  /** When that place was last synced. */
  lastSync?: number;
  /** Why the store could not be read. */
  error?: string;
}

/** Every agent: where it keeps its sessions on this machine, what is there, and when it was last synced. */
export async function captureSources(archive: Archive): Promise<SourceRow[]> {
  const rows: SourceRow[] = [];
  for (const entry of AGENTS) {
    const adapter = await entry.load();
    const path = await whereFor(adapter, archive);
    const row: SourceRow = { agent: entry.name, label: entry.label, unit: entry.unit, path, sessions: 0 };
    try {
      const store = await adapter.open(path);
      if (store) {
        try {
          row.found = (await store.list()).length;
        } finally {
          store.close?.();
        }
      }
    } catch (error) {
      row.found = 0;
      row.error = (error as Error).message;
    }
    const index = await new CaptureState(archive, entry.name).index(path);
    row.sessions = new Set(Object.values(index.sources).flatMap((s) => Object.keys(s.sessions))).size;
    if (index.lastRun !== undefined) row.lastSync = index.lastRun;
    rows.push(row);
  }
  return rows;
}
