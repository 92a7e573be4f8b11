import { readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, sep } from 'node:path';
import { errnoCode } from '../../errors.js';
import type { Archive } from '../../store/archive.js';
import { convertClaudeCode } from './claude-code.js';
import { convertCodex } from './codex.js';
import type { ConvertedSession, ConvertStats } from './convert.js';
import { syncOpencode } from './opencode.js';
import {
  newSyncResult,
  readSyncState,
  type SyncOptions,
  type SyncResult,
  type SyncSourceName,
  writeConverted,
  writeSyncState,
} from './write.js';

export { SYNC_SOURCES, type SyncOptions, type SyncResult, type SyncSourceName } from './write.js';

// `sarc sync <source>`: every transcript of another agent, converted into the
// archive. Idempotent (IDs derive from the source's, and a file whose bytes
// are unchanged writes nothing) and incremental (a transcript whose size and
// mtime match the last run is not read again; they are kept in the state dir).

interface Source {
  /** The folder the transcripts are in, by default. */
  root(): string;
  /** Whether a file below the root (path relative to it) is a transcript. */
  isTranscript(rel: string): boolean;
  convert(text: string, file: string, stats: ConvertStats): ConvertedSession[];
}

const SOURCES: Record<Exclude<SyncSourceName, 'opencode'>, Source> = {
  'claude-code': {
    root: () => join(process.env.CLAUDE_CONFIG_DIR || join(homedir(), '.claude'), 'projects'),
    // <folder>/<session>.jsonl, and sub-agents in <folder>/<session>/subagents/agent-<id>.jsonl.
    isTranscript: (rel) => rel.endsWith('.jsonl') && (rel.split(sep).length === 2 || /[/\\]subagents[/\\]agent-[^/\\]+\.jsonl$/.test(rel)),
    convert: convertClaudeCode,
  },
  codex: {
    root: () => join(process.env.CODEX_HOME || join(homedir(), '.codex'), 'sessions'),
    isTranscript: (rel) => /(^|[/\\])rollout-[^/\\]*\.jsonl$/.test(rel),
    convert: convertCodex,
  },
};

type Seen = Record<string, { size: number; mtimeMs: number }>;

/** Where an agent keeps its transcripts, by default. */
export function sourceRoot(name: Exclude<SyncSourceName, 'opencode'>): string {
  return SOURCES[name].root();
}

async function transcripts(root: string, source: Source): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(root, { recursive: true });
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
  return names.filter((rel) => source.isTranscript(rel)).sort();
}

/**
 * Brings every transcript of an agent into the archive: new sessions
 * whole, changed ones updated in place, nothing duplicated. A transcript
 * unchanged since the last run (size and mtime, kept in the state dir) is not
 * read again.
 */
export async function syncAgent(archive: Archive, name: SyncSourceName, options: SyncOptions = {}): Promise<SyncResult> {
  if (name === 'opencode') return syncOpencode(archive, options);
  const source = SOURCES[name];
  const from = options.from ?? source.root();
  const dryRun = options.dryRun ?? false;
  const result = newSyncResult(name, from, dryRun);
  const seen = (await readSyncState(archive, name, { files: {} as Seen })).files;
  const files = await transcripts(from, source);
  result.files.found = files.length;
  const changed: Array<{ rel: string; size: number; mtimeMs: number }> = [];
  for (const rel of files) {
    const s = await stat(join(from, rel)).catch(() => undefined);
    if (!s) continue;
    const before = seen[join(from, rel)];
    if (!options.all && before && before.size === s.size && before.mtimeMs === s.mtimeMs) result.files.skipped++;
    else changed.push({ rel, size: s.size, mtimeMs: s.mtimeMs });
  }
  // Main transcripts before sub-agent ones, so a child's parent is written first.
  changed.sort((a, b) => Number(a.rel.includes(`${sep}subagents${sep}`)) - Number(b.rel.includes(`${sep}subagents${sep}`)));
  options.onProgress?.(0, changed.length);
  for (const [i, file] of changed.entries()) {
    const path = join(from, file.rel);
    const stats: ConvertStats = { records: 0, unknown: {}, malformed: 0 };
    let ok = true;
    try {
      const text = await readFile(path, 'utf8');
      // A last line without its newline may still be being written: left for the next run.
      const complete = text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
      if (complete.length < text.length) ok = false;
      for (const converted of source.convert(complete, path, stats)) {
        try {
          const outcome = await writeConverted(archive, converted, dryRun);
          result.sessions[outcome]++;
        } catch (error) {
          ok = false;
          result.sessions.failed++;
          result.failures.push({ file: path, session: converted.id, reason: (error as Error).message });
        }
      }
      result.files.read++;
    } catch (error) {
      ok = false;
      result.failures.push({ file: path, reason: (error as Error).message });
    }
    result.records += stats.records;
    result.malformed += stats.malformed;
    for (const [type, n] of Object.entries(stats.unknown)) result.unknown[type] = (result.unknown[type] ?? 0) + n;
    // Only a transcript taken whole is marked as seen; anything else is read again next time.
    if (ok) seen[path] = { size: file.size, mtimeMs: file.mtimeMs };
    options.onProgress?.(i + 1, changed.length);
  }
  if (!dryRun && changed.length > 0) {
    await writeSyncState(archive, name, { files: seen });
  }
  return result;
}
