import type { MessageWithParts } from '../../model/message.js';
import type { OnProgress } from '../../progress.js';
import type { Archive } from '../../store/archive.js';
import { redactorFor } from '../redact/config.js';
import type { Redactor } from '../redact/redactor.js';
import { SessionWriter } from './apply.js';
import type { AgentAdapter, ReadStats, SourceEntry, SourceStore } from './contract.js';
import { isResumedCopy, renamedInto, resumedTarget } from './resumed.js';
import { CaptureState, type ResumedRecord, type SourceRecord, type SourcesIndex } from './state.js';

// The one pull loop, for every agent: list the sources, skip those unchanged
// since the last run (and whose sessions the archive still holds as written),
// read the rest parents first, write each session three-way, remember what
// was written, and report. It names no agent: each comes as an adapter.

export interface SyncOptions {
  /** The folder (or database) to read; default: where the agent keeps its sessions. */
  from?: string;
  /** Count what would change, write nothing (not even the state dir). */
  dryRun?: boolean;
  /** Read every source again, changed or not. */
  all?: boolean;
  /** Sources read of those to read. */
  onProgress?: OnProgress;
  /** Replace secrets with markers before anything is written (unless the archive turned it off). @default true */
  redact?: boolean;
}

export interface SyncFailure {
  /** Where the source is. */
  file: string;
  session?: string;
  reason: string;
}

export interface SyncResult {
  /** The agent's name. */
  source: string;
  /** The agent's name for people. */
  label: string;
  /** What one source is (`transcript`, `session`). */
  unit: string;
  /** What was read. */
  from: string;
  dryRun: boolean;
  /** True when there is no store at `from` at all (nothing was read; not "nothing changed"). */
  missing: boolean;
  /** Sources found, read (changed since the last run, or whose sessions the archive no longer holds as written) and skipped. */
  files: { found: number; read: number; skipped: number };
  sessions: { new: number; updated: number; unchanged: number; failed: number };
  /** Sources gone since the last run: their sessions are kept as they are, marked "source gone". */
  gone: number;
  /** Sessions the agent no longer shows though its store holds them (OpenCode 2's unmigrated V1 sessions). */
  hidden: number;
  failures: SyncFailure[];
  records: number;
  /** Records skipped (not JSON, too large, nested too deep, duplicates); the first 100 are in `skipped`. */
  malformed: number;
  skipped: Array<{ file: string; line?: number; reason: string }>;
  /** Last records still being written (taken when the source changes again). */
  pending: number;
  /** Records and blocks of types the adapter does not map, by type; each is kept under its session's metadata. */
  unknown: Record<string, number>;
  /** Whether secrets were replaced by markers (off with `redact: false` or in the archive's settings). */
  redaction: boolean;
  /** Secrets replaced by markers, by kind. */
  redacted: Record<string, number>;
}

const SKIPPED_REPORTED = 100;
/** The sources index is saved at least this often during a long run, so a killed run keeps what it did. */
const SAVE_EVERY_MS = 2_000;

function newResult(adapter: AgentAdapter, from: string, dryRun: boolean): SyncResult {
  return {
    source: adapter.name,
    label: adapter.label,
    unit: adapter.unit,
    from,
    dryRun,
    missing: false,
    files: { found: 0, read: 0, skipped: 0 },
    sessions: { new: 0, updated: 0, unchanged: 0, failed: 0 },
    gone: 0,
    hidden: 0,
    failures: [],
    records: 0,
    malformed: 0,
    skipped: [],
    pending: 0,
    unknown: {},
    redaction: false,
    redacted: {},
  };
}

/** Whether the archive still holds every session of a source as sync last left it (three lstats a session). */
function archiveHolds(archive: Archive, record: SourceRecord): boolean {
  for (const [id, stamp] of Object.entries(record.sessions)) if (archive.sessions.fileStamp(id) !== stamp) return false;
  return true;
}

/** Where an agent's store is for this archive, when no `from` is given. */
export async function whereFor(adapter: AgentAdapter, archive: Archive): Promise<string> {
  return adapter.locate ? adapter.locate(archive) : adapter.location();
}

/** Reads one source and writes its sessions; returns the file stamps of the sessions written, or `undefined` after a failure. */
async function pullSource(
  archive: Archive,
  store: SourceStore,
  state: CaptureState,
  entry: SourceEntry,
  options: { dryRun: boolean; verify: boolean; redactor?: Redactor; resumed?: Record<string, ResumedRecord> },
  result: SyncResult,
): Promise<Record<string, string> | undefined> {
  const resumed = options.resumed ?? {};
  const stats: ReadStats = { records: 0, unknown: {}, skipped: [], pending: 0 };
  const writers = new Map<string, SessionWriter>();
  const held = new Map<string, Map<string, MessageWithParts>>();
  const failed = new Set<string>();
  const stamps: Record<string, string> = {};
  let ok = true;
  const fail = (reason: string, session?: string) => {
    ok = false;
    result.failures.push({ file: entry.where, ...(session ? { session } : {}), reason });
    if (session && !failed.has(session)) {
      failed.add(session);
      result.sessions.failed++;
    }
  };
  try {
    for await (const item of store.read(entry, stats)) {
      if (item.kind === 'message') {
        if (failed.has(item.session)) continue;
        // A copy of a message the archive wrote out for the agent to resume: the archive has it already.
        if (isResumedCopy(resumed[item.session], item.message)) continue;
        const list = held.get(item.session) ?? new Map<string, MessageWithParts>();
        held.set(item.session, list);
        list.set(item.message.info.id, item.message);
        continue;
      }
      // `key` is the agent's session as sync remembers it; `target` the archive session it is written into.
      const key = item.info.id;
      const r = resumed[key];
      if (failed.has(key)) continue;
      // A resumed file the agent has added nothing to yet: nothing to bring in until it does.
      if (r && !writers.has(key) && !held.get(key)?.size && !(await state.base(key))) {
        held.delete(key);
        continue;
      }
      try {
        const { c, target } = await resumedTarget(archive, item.info, r);
        let writer = writers.get(key);
        if (!writer) {
          writer = new SessionWriter(archive, target, await state.base(key), { ...options, source: entry.key, where: entry.where });
          writers.set(key, writer);
        }
        await writer.write(c, renamedInto(key, target, [...(held.get(key)?.values() ?? [])]));
        held.delete(key);
        if (!c.final) continue;
        result.sessions[writer.outcome]++;
        for (const [kind, n] of Object.entries(writer.redacted)) result.redacted[kind] = (result.redacted[kind] ?? 0) + n;
        if (!options.dryRun) {
          await state.saveBase(key, writer.baseForNext());
          // A session resumed in its own agent belongs to its first source (which marks it gone or not); this file only adds to it.
          if (target === key) stamps[key] = archive.sessions.fileStamp(key);
        }
      } catch (error) {
        fail((error as Error).message, key);
      }
    }
    for (const id of held.keys()) if (!failed.has(id)) fail('messages without their session (the source ended early)', id);
  } catch (error) {
    fail((error as Error).message);
  }
  result.records += stats.records;
  result.pending += stats.pending;
  result.malformed += stats.skipped.length;
  for (const s of stats.skipped) {
    if (result.skipped.length < SKIPPED_REPORTED) result.skipped.push({ file: entry.where, ...s });
  }
  for (const [type, n] of Object.entries(stats.unknown)) result.unknown[type] = (result.unknown[type] ?? 0) + n;
  return ok ? stamps : undefined;
}

/** Marks the sessions of sources no longer listed as "source gone" (in the state dir; the archive is left exactly as it was). */
async function markGone(state: CaptureState, index: SourcesIndex, listed: Set<string>, now: number, dryRun: boolean): Promise<number> {
  let gone = 0;
  for (const [key, record] of Object.entries(index.sources)) {
    if (listed.has(key) || record.gone !== undefined) continue;
    gone++;
    if (dryRun) continue;
    record.gone = now;
    for (const id of Object.keys(record.sessions)) {
      const base = await state.base(id);
      if (base && base.gone === undefined) await state.saveBase(id, { ...base, gone: now });
    }
  }
  return gone;
}

/**
 * Brings every session of an agent's store into the archive: new sessions
 * whole, changed ones updated three-way, nothing duplicated, nothing the
 * archive holds removed. A source unchanged since the last run is not read
 * again while the archive still holds its sessions as they were written.
 */
export async function pull(archive: Archive, adapter: AgentAdapter, options: SyncOptions = {}): Promise<SyncResult> {
  const from = options.from ?? (await whereFor(adapter, archive));
  const dryRun = options.dryRun ?? false;
  const result = newResult(adapter, from, dryRun);
  const store = await adapter.open(from);
  if (!store) {
    result.missing = true;
    return result;
  }
  const redactor = options.redact === false ? undefined : await redactorFor(archive, { create: !dryRun });
  result.redaction = redactor !== undefined;
  try {
    const state = new CaptureState(archive, adapter.name);
    const index = await state.index(from);
    // Sessions the archive wrote into this agent's store to be resumed there (their copies are not brought in again).
    const resumed = await state.resumed();
    const entries = await store.list();
    result.files.found = entries.length;
    const now = archive.now();
    const toRead: Array<{ entry: SourceEntry; verify: boolean }> = [];
    for (const entry of entries) {
      const known = index.sources[entry.key];
      const holds = known ? archiveHolds(archive, known) : false;
      if (!options.all && known && known.gone === undefined && known.stamp === entry.stamp && holds) {
        result.files.skipped++;
        continue;
      }
      toRead.push({ entry, verify: Boolean(known) && !holds });
    }
    result.gone = await markGone(state, index, new Set(entries.map((e) => e.key)), now, dryRun);
    toRead.sort((a, b) => a.entry.depth - b.entry.depth || (a.entry.key < b.entry.key ? -1 : a.entry.key > b.entry.key ? 1 : 0));
    options.onProgress?.(0, toRead.length);
    let saved = Date.now();
    for (const [i, { entry, verify }] of toRead.entries()) {
      const stamps = await pullSource(archive, store, state, entry, { dryRun, verify, redactor, resumed }, result);
      result.files.read++;
      if (stamps && !dryRun) index.sources[entry.key] = { stamp: entry.stamp, where: entry.where, sessions: stamps };
      options.onProgress?.(i + 1, toRead.length);
      if (!dryRun && Date.now() - saved > SAVE_EVERY_MS) {
        await state.saveIndex(index);
        saved = Date.now();
      }
    }
    result.hidden = (await store.hidden?.()) ?? 0;
    if (!dryRun) await state.saveIndex({ ...index, lastRun: archive.now() });
  } finally {
    store.close?.();
  }
  return result;
}
