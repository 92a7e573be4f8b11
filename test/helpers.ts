import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { type Archive, initArchive, isArchiveError, newId, type OpenArchiveOptions, openArchive } from '../src/index.js';
import { formatCanonical } from '../src/store/json-file.js';
import { sqliteAvailable } from '../src/store/sqlite.js';

export const ROOT = join(import.meta.dirname, '..');
export const SAMPLES = join(ROOT, 'samples');
/** tsx's loader by absolute URL, so child processes can run TypeScript from any working folder. */
export const TSX = import.meta.resolve('tsx');

/** This run's build (test/global-setup.ts), when there is one. */
const BUILT = process.env.SARC_TEST_BUILD ?? join(ROOT, '.test-build', 'none');
const BUILT_CLI = join(BUILT, 'bin', 'sarc.cjs');

/**
 * Node's arguments that run the CLI: the build test/global-setup.ts made
 * before the tests (the same source, bundled once, started by the package's
 * launcher) or, when a test file runs without it, src/bin/sarc.ts through tsx.
 */
export const SARC: string[] = existsSync(BUILT_CLI) ? [BUILT_CLI] : ['--import', TSX, join(ROOT, 'src', 'bin', 'sarc.ts')];

/** Node's arguments that run a test worker (test/fixtures/<name>-worker.ts): its bundle when built, else through tsx. */
export function workerArgs(file: string): string[] {
  const name = file.split(/[\\/]/).pop()?.replace(/\.ts$/, '.mjs') ?? '';
  const bundle = join(BUILT, 'workers', name);
  return existsSync(bundle) ? [bundle] : ['--import', TSX, file];
}

const made: string[] = [];
// Removing a test's folders may take long: one of 20,000 sessions takes over 30 s on a busy machine.
afterEach(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
}, 180_000);

/** A fresh temp folder, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sarc-test-'));
  made.push(dir);
  return dir;
}

export interface TestArchive {
  archive: Archive;
  dir: string;
  stateDir: string;
  root: string;
}

/** A new empty archive (or a copy of samples/) in a temp folder, with its own state dir. */
export async function tempArchive(options: { samples?: boolean } & Partial<OpenArchiveOptions> = {}): Promise<TestArchive> {
  const root = await tempDir();
  const dir = join(root, 'archive');
  const stateDir = join(root, 'state');
  if (options.samples) await cp(SAMPLES, dir, { recursive: true });
  else await initArchive(dir);
  const archive = await openArchive({ ...options, dir, stateDir });
  return { archive, dir, stateDir, root };
}

/** A minimal valid user message input. */
export function userMessage(text: string, extra: Record<string, unknown> = {}) {
  return {
    info: { role: 'user' as const, agent: 'build', model: { providerID: 'test', modelID: 'test-model' }, ...extra },
    parts: [{ type: 'text', text }],
  };
}

/** A minimal valid assistant message's info (answering `parentID`); `extra` overrides any field. */
export function assistantInfo(parentID: string, extra: Record<string, unknown> = {}) {
  return {
    role: 'assistant' as const,
    parentID,
    providerID: 'p',
    modelID: 'm',
    mode: 'build',
    agent: 'build',
    path: { cwd: '/', root: '/' },
    cost: 0,
    tokens: { input: 0, output: 0, reasoning: 0, cache: { read: 0, write: 0 } },
    ...extra,
  };
}

/** The `code` of the ArchiveError a promise rejects with ('resolved' when it does not reject). */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'resolved',
    (e: unknown) => (isArchiveError(e) ? e.code : Promise.reject(e)),
  );
}

/**
 * A deep copy with every archive ID replaced by `<prefix>#<n>`, numbered by
 * first appearance: two copies with remapped IDs compare equal.
 */
export function normalizeIds<T>(value: T): T {
  const seen = new Map<string, string>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string' && /^(ses|msg|prt)_[0-9a-f]{12}[0-9A-Za-z]{14}$/.test(v)) {
      if (!seen.has(v)) seen.set(v, `${v.slice(0, 3)}#${seen.size}`);
      return seen.get(v);
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** The sample session with every part type, its child, and its fork. */
export const SAMPLE = {
  main: 'ses_fe5e0a1b2c3dKq7ZpX2mRtY9wA',
  child: 'ses_fe5e0a1b2a10Lm4NbV8cXz3QeR',
  fork: 'ses_fe5e0a1b1f00Hs6TjK1pWd5UfG',
  notes: 'ses_fe5e0a1b0e00Pa2QrS7tUv4WxY',
} as const;

export interface WorkerRun {
  /** `killed` by our SIGKILL, `done` (exit 0), or `failed`. */
  end: 'killed' | 'done' | 'failed';
  /** Milliseconds from the worker's "ready" line to its end. */
  ms: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a worker script (through tsx) that prints "ready" when it starts its
 * real work; with `killAfter`, sends SIGKILL that many ms after "ready".
 */
export function runWorker(
  file: string,
  args: string[],
  options: {
    /** SIGKILL this many ms after the worker printed `armAt` (default: its "ready" line). */
    killAfter?: number;
    /** Starts the kill timer; "\nack " arms it at the first acknowledged operation, so every run acknowledges at least one whatever the machine's speed. */
    armAt?: string;
    env?: Record<string, string>;
    onReady?: () => void;
  } = {},
): Promise<WorkerRun> {
  const { killAfter, armAt = 'ready\n', env = {}, onReady } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...workerArgs(file), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let ready = 0;
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!ready && stdout.includes('ready\n')) {
        ready = Date.now();
        onReady?.();
      }
      if (killAfter !== undefined && !timer && stdout.includes(armAt)) timer = setTimeout(() => child.kill('SIGKILL'), killAfter);
    });
    // A worker that never arms its timer is still killed, and its missing acknowledgements fail the test.
    const guard = killAfter === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(guard);
      const end = signal === 'SIGKILL' ? 'killed' : code === 0 ? 'done' : 'failed';
      resolve({ end, ms: ready ? Date.now() - ready : 0, stdout, stderr });
    });
  });
}

/** Makes `dir` a git repository with one empty root commit; returns that commit's hash. */
export function gitRepo(dir: string): string {
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir })
      .toString()
      .trim();
  git('init', '-q');
  git('commit', '-q', '--allow-empty', '-m', 'root');
  return git('rev-list', '--max-parents=0', 'HEAD');
}

/** `sarc serve --port 0 --json` in a child process (env: SARC_ARCHIVE etc.): its URL, and how to stop it. */
export function serveProcess(
  env: NodeJS.ProcessEnv,
  args: string[] = [],
): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...SARC, 'serve', '--port', '0', '--json', ...args], {
      env,
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        resolve({
          url: JSON.parse(line).url,
          pid: child.pid as number,
          stop: () =>
            new Promise((done) => {
              child.on('close', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.on('error', reject);
    child.on('close', (code) => reject(new Error(`sarc serve exited (${code}) before it served: ${out}`)));
  });
}

/** Polls `fn` every 10 ms until it returns something truthy; throws after `ms`. */
export async function until<T>(fn: () => T | undefined | false, ms = 5_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${fn.toString()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Whether a system tool a test needs is on this machine. When it is not, the
 * test is skipped with a printed reason — and under `CI=true` that is a
 * failure instead, so CI keeps proving what the tool is needed for.
 */
export function hasTool(
  name: string,
  found: () => boolean = () => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0,
  install = `apt-get install ${name === 'script' ? 'bsdutils' : name}`,
): boolean {
  if (found()) return true;
  const why = `needs ${name}, which this machine lacks (${install}; .ci/run installs it)`;
  if (process.env.CI === 'true') throw new Error(`${why}: under CI=true a missing tool is a failure, not a skip`);
  console.warn(`skipped: ${why}`);
  return false;
}

/**
 * Whether this Node has a native SQLite (node:sqlite on 22.5+, or the optional
 * better-sqlite3): what reading an agent's database needs (search alone runs
 * on SQLite in WebAssembly). Skips with the reason where it is missing, as
 * {@link hasTool} does (a failure under CI=true).
 */
export function hasNativeSqlite(): boolean {
  return hasTool(
    'a native SQLite for Node (node:sqlite or better-sqlite3)',
    () => sqliteAvailable(),
    'Node 22.5+, or npm install better-sqlite3',
  );
}

/**
 * `count` sessions written straight into `sessions/` (as a sync tool or
 * `git pull` would leave them; no index sees them being made), titled
 * `${title} <i>` and created at `created + i`; their IDs in that order.
 */
export function writeSessionFolders(archiveDir: string, count: number, title = 'session', created = 1_700_000_000_000): string[] {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = newId('session');
    ids.push(id);
    const at = created + i;
    mkdirSync(join(archiveDir, 'sessions', id, 'messages'), { recursive: true });
    const info = {
      id,
      slug: 's',
      projectID: 'global',
      directory: '/w',
      title: `${title} ${i}`,
      version: '1',
      time: { created: at, updated: at },
    };
    writeFileSync(join(archiveDir, 'sessions', id, 'info.json'), formatCanonical(info));
  }
  return ids;
}

/** Polls `check` until it passes; fails with its last error after `ms`; the time it took. */
export async function within(ms: number, check: () => Promise<void>): Promise<number> {
  const start = Date.now();
  for (;;) {
    try {
      await check();
      return Date.now() - start;
    } catch (error) {
      if (Date.now() - start > ms) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
