import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { isArchiveError } from '../../errors.js';
import type { MessageWithParts } from '../../model/message.js';
import type { OnProgress } from '../../progress.js';
import type { Archive } from '../../store/archive.js';
import { type BrokenMessage, isBroken } from '../../store/message-reads.js';
import { scannerFor } from './config.js';
import type { Redactor } from './redactor.js';

// Finding secrets already in the archive — written by hand, by an API client,
// before redaction existed — and redacting them in place; and looking through
// the archive's git history and a commit about to be made.

const run = promisify(execFile);

/** A secret found: where (a file of the archive and the field in it) and its kind; never the secret. */
export interface ScanFinding {
  session?: string;
  /** The file, relative to the archive (or, for history, to the repository). */
  file: string;
  /** The field in it: `parts[2].state.output`. */
  path: string;
  kind: string;
  /** For history: the commit that added it. */
  commit?: string;
}

export interface ScanResult {
  findings: ScanFinding[];
  /** Sessions read. */
  sessions: number;
  /** Files rewritten with markers (`fix`). */
  fixed: number;
}

/** Messages read and scanned at once. */
const BATCH = 200;

async function scanSession(archive: Archive, scanner: Redactor, id: string, fix: boolean, out: ScanFinding[]): Promise<number> {
  let fixed = 0;
  const base = `sessions/${id}`;
  const info = await archive.sessions.get(id);
  const todos = await archive.todos.get(id);
  const head = await scanner.redact<unknown>([info, todos]);
  for (const f of head.found)
    out.push({ session: id, file: `${base}/${f.value === 0 ? 'info.json' : 'todos.json'}`, path: f.path, kind: f.kind });
  let batch: MessageWithParts[] = [];
  const flush = async () => {
    const { values, found } = await scanner.redact(batch);
    for (const f of found) out.push({ session: id, file: `${base}/messages/${batch[f.value]?.info.id}.json`, path: f.path, kind: f.kind });
    if (fix && found.length) {
      const changed = values.filter((v, i) => v !== batch[i]);
      fixed += (await archive.messages.putMany(id, changed)).length;
    }
    batch = [];
  };
  for await (const m of archive.messages.each(id)) {
    if (isBroken(m as MessageWithParts | BrokenMessage)) continue; // `sarc doctor` reports it; nothing here rewrites it
    batch.push(m as MessageWithParts);
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length) await flush();
  if (fix && head.found.some((f) => f.value === 1)) {
    await archive.todos.set(id, head.values[1] as typeof todos);
    fixed++;
  }
  if (fix && head.found.some((f) => f.value === 0)) {
    // A redaction is no change of the conversation: its time stays.
    await archive.sessions.modify(id, () => structuredClone(head.values[0] as typeof info), { keepTime: true });
    fixed++;
  }
  return fixed;
}

/**
 * Every secret in the archive (or in the sessions named): file, field and
 * kind. With `fix`, each is replaced by its marker through the normal atomic
 * writes (the session's times kept).
 */
export async function scanArchive(
  archive: Archive,
  options: { sessions?: readonly string[]; fix?: boolean; onProgress?: OnProgress } = {},
): Promise<ScanResult> {
  const scanner = await scannerFor(archive);
  const ids = options.sessions ?? (await archive.sessions.ids());
  const findings: ScanFinding[] = [];
  let fixed = 0;
  options.onProgress?.(0, ids.length);
  for (const [i, id] of ids.entries()) {
    try {
      fixed += await scanSession(archive, scanner, id, options.fix ?? false, findings);
    } catch (error) {
      // A session whose info.json is broken or gone is `sarc doctor`'s; the scan goes on.
      if (!isArchiveError(error, 'CORRUPT') && !isArchiveError(error, 'NOT_FOUND')) throw error;
    }
    options.onProgress?.(i + 1, ids.length);
  }
  return { findings, sessions: ids.length, fixed };
}

/** The lines a commit adds, fed to `each` as they stream out of `git log -p` (never all in memory). */
async function addedLines(cwd: string, args: string[], each: (commit: string, file: string, line: string) => Promise<void>): Promise<void> {
  const child = spawn('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let commit = '';
  let file = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<number | null>((resolve) => child.once('close', resolve));
  for await (const line of createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (line.startsWith('commit:')) commit = line.slice(7);
    else if (line.startsWith('+++ b/')) file = line.slice(6);
    else if (line.startsWith('+') && !line.startsWith('+++')) await each(commit, file, line.slice(1));
  }
  const code = await done;
  if (code !== 0) throw new Error(`git ${args[0]}: ${stderr.trim() || `exit ${code}`}`);
}

/** Secrets in the lines the archive's git history ever added (every branch), with the commit that added each. */
export async function scanHistory(archive: Archive): Promise<ScanFinding[]> {
  const scanner = await scannerFor(archive);
  const out: ScanFinding[] = [];
  const pending: Array<{ commit: string; file: string; line: string }> = [];
  const flush = async () => {
    const { found } = await scanner.redact(pending.map((p) => p.line));
    for (const f of found) {
      const p = pending[f.value];
      if (p) out.push({ commit: p.commit, file: p.file, path: '', kind: f.kind });
    }
    pending.length = 0;
  };
  await addedLines(
    archive.dir,
    ['log', '--all', '-p', '--no-color', '--no-ext-diff', '--format=commit:%H', '--', '.'],
    async (commit, file, line) => {
      pending.push({ commit, file, line });
      if (pending.length >= 2000) await flush();
    },
  );
  await flush();
  return out;
}

/** Secrets in the archive's files staged for the next commit (what a pre-commit hook checks). */
export async function scanStaged(archive: Archive): Promise<ScanFinding[]> {
  const scanner = await scannerFor(archive);
  const { stdout } = await run('git', ['diff', '--cached', '--name-only', '--diff-filter=ACMR', '-z', '--relative', '--', '.'], {
    cwd: archive.dir,
    maxBuffer: 64 * 1024 * 1024,
  });
  const out: ScanFinding[] = [];
  for (const file of stdout.split('\0').filter((f) => f.endsWith('.json'))) {
    const { stdout: text } = await run('git', ['show', `:./${file}`], { cwd: archive.dir, maxBuffer: 1024 * 1024 * 1024 });
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // Not JSON (a conflict copy, a broken file): its text is scanned as it is.
    }
    const { found } = await scanner.redact([value]);
    for (const f of found) out.push({ file, path: f.path, kind: f.kind });
  }
  return out;
}
