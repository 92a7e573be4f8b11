// The real OpenCode (what .ci/run installs), served in a fresh git repository with its own HOME.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { opencodeEnv } from '../fixtures/opencode-env.js';
import { gitRepo, hasTool, ROOT, tempDir } from '../helpers.js';

export type Call = (method: string, path: string, body?: unknown) => Promise<{ id: string } & Record<string, unknown>>;

/** The real OpenCode binary: $OPENCODE_BIN, or the one .ci/run installs. */
export const OPENCODE = process.env.OPENCODE_BIN || join(ROOT, '.ci', 'tools', 'node_modules', 'opencode-linux-x64', 'bin', 'opencode');
export const HAVE_OPENCODE =
  hasTool(
    'the opencode binary',
    () => existsSync(OPENCODE),
    'npm install --prefix .ci/tools opencode-linux-x64@1.18.33, or set OPENCODE_BIN',
  ) && hasTool('git');

const children: ChildProcess[] = [];

/** Stops a server and waits for it to exit (it writes into its HOME, a temp folder removed after the test). */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('close', () => resolve());
    child.kill('SIGKILL');
  });
}

// Before the temp folders go (after-hooks run in reverse order of registration; the tests also stop it themselves).
afterEach(async () => {
  await Promise.all(children.splice(0).map(stopChild));
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** `opencode serve` in a fresh git repository with its own HOME; its URL and where its database is. */
export async function opencode(
  extraEnv: Record<string, string> = {},
  setup?: (repo: string) => Promise<void>,
): Promise<{ url: string; db: string; repo: string; call: Call; stop: () => Promise<void> }> {
  const home = await tempDir();
  const repo = join(home, 'repo');
  await mkdir(repo);
  gitRepo(repo);
  if (setup) await setup(repo);
  const port = await freePort();
  // Only what it needs: the test runner's own variables (NODE_OPTIONS and the like) are not OpenCode's business.
  const env = opencodeEnv(home, extraEnv);
  const child = spawn(OPENCODE, ['serve', '--port', String(port), '--hostname', '127.0.0.1'], { cwd: repo, env, stdio: 'ignore' });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    // A request that arrives while OpenCode 1.18.33 is still starting never gets an answer: each try has its own time limit.
    const up = await fetch(`${url}/session`, { signal: AbortSignal.timeout(3_000) }).then(
      async (r) => {
        await r.arrayBuffer();
        return r.ok;
      },
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const call: Call = async (method, path, body) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status}`);
    return res.json() as Promise<{ id: string } & Record<string, unknown>>;
  };
  return { url, db: join(home, 'data', 'opencode', 'opencode.db'), repo, call, stop: () => stopChild(child) };
}

/** The real OpenCode 2 binary: $OPENCODE2_BIN, or the one .ci/run installs. */
export const OPENCODE2 =
  process.env.OPENCODE2_BIN || join(ROOT, '.ci', 'tools', 'node_modules', '@opencode', 'cli-linux-x64', 'bin', 'opencode');
export const HAVE_OPENCODE2 =
  hasTool(
    'the opencode 2 binary',
    () => existsSync(OPENCODE2),
    'npm install --prefix .ci/tools @opencode/cli@2.1.2, or set OPENCODE2_BIN',
  ) && hasTool('git');

/** A HOME and a git repository in it, for one or more OpenCode servers in turn (the migration from 1.18 to 2). */
export async function opencodeHome(config?: unknown): Promise<{ home: string; repo: string; db: string }> {
  const home = await tempDir();
  const repo = join(home, 'repo');
  await mkdir(repo);
  gitRepo(repo);
  if (config !== undefined) {
    await mkdir(join(home, 'config', 'opencode'), { recursive: true });
    await writeFile(join(home, 'config', 'opencode', 'opencode.json'), JSON.stringify(config));
  }
  return { home, repo, db: join(home, 'data', 'opencode', 'opencode.db') };
}

/** An `opencode.json` whose default model is the mock model (OpenAI-compatible) at `url`. */
export function mockProviderConfig(url: string): unknown {
  return {
    $schema: 'https://opencode.ai/config.json',
    model: 'mock/mock-model',
    provider: {
      mock: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Mock',
        options: { baseURL: `${url}/v1`, apiKey: 'x' },
        models: { 'mock-model': { name: 'Mock' } },
      },
    },
  };
}

/** `opencode serve` of OpenCode 1.18 (`1`) or 2 (`2`) in a HOME made by {@link opencodeHome}; OpenCode 2's routes are under /api, with its password. */
export async function serveOpencode(
  version: 1 | 2,
  at: { home: string; repo: string; db: string },
): Promise<{ url: string; call: Call; stop: () => Promise<void> }> {
  const port = await freePort();
  const env = opencodeEnv(at.home);
  const child = spawn(version === 1 ? OPENCODE : OPENCODE2, ['serve', '--port', String(port), '--hostname', '127.0.0.1'], {
    cwd: at.repo,
    env,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  children.push(child);
  let printed = '';
  child.stdout?.on('data', (d) => (printed += d));
  const url = `http://127.0.0.1:${port}`;
  let auth: string | undefined;
  const probe = version === 1 ? '/session' : '/api/session';
  for (let i = 0; i < 300; i++) {
    const password = /server password (\S+)/.exec(printed)?.[1];
    if (version === 2 && password) auth = `Basic ${Buffer.from(`opencode:${password}`).toString('base64')}`;
    const up =
      (version === 1 || auth) &&
      (await fetch(`${url}${probe}`, { headers: auth ? { authorization: auth } : {}, signal: AbortSignal.timeout(3_000) }).then(
        async (r) => {
          await r.arrayBuffer();
          return r.ok;
        },
        () => false,
      ));
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const call: Call = async (method, path, body) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    const text = await res.text();
    return (text ? JSON.parse(text) : {}) as { id: string } & Record<string, unknown>;
  };
  return { url, call, stop: () => stopChild(child) };
}
