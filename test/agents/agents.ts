import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { hasTool, ROOT, tempDir } from '../helpers.js';

// The real agents (what .ci/run installs into .ci/tools/ from the npm
// registry), run offline against the mock model: HOME and the XDG folders in
// a temp folder, no variable of ours, stdin closed, a time limit.

const TOOLS = join(ROOT, '.ci', 'tools', 'node_modules');

export interface AgentBinary {
  name: string;
  /** The executable. */
  bin: string;
  /** What installs it. */
  install: string;
}

export const CLAUDE: AgentBinary = {
  name: 'claude (Claude Code)',
  bin: process.env.CLAUDE_BIN || join(TOOLS, '@anthropic-ai', 'claude-code', 'bin', 'claude.exe'),
  install: 'npm install --prefix .ci/tools @anthropic-ai/claude-code@2.1.332',
};
export const CODEX: AgentBinary = {
  name: 'codex (Codex CLI)',
  bin: process.env.CODEX_BIN || join(TOOLS, '@openai', 'codex', 'bin', 'codex.js'),
  install: 'npm install --prefix .ci/tools @openai/codex@0.171.0',
};

export const GEMINI: AgentBinary = {
  name: 'gemini (Gemini CLI)',
  bin: process.env.GEMINI_BIN || join(TOOLS, '@google', 'gemini-cli', 'bundle', 'gemini.js'),
  install: 'npm install --prefix .ci/tools @google/gemini-cli@0.61.0',
};
export const QWEN: AgentBinary = {
  name: 'qwen (Qwen Code)',
  bin: process.env.QWEN_BIN || join(TOOLS, '@qwen-code', 'qwen-code', 'cli-entry.js'),
  install: 'npm install --prefix .ci/tools @qwen-code/qwen-code@0.24.4',
};

export const PI: AgentBinary = {
  name: 'pi (Pi)',
  bin: process.env.PI_BIN || join(TOOLS, '@mariozechner', 'pi-coding-agent', 'dist', 'cli.js'),
  install: 'npm install --prefix .ci/tools @mariozechner/pi-coding-agent@0.73.1',
};
export const COPILOT: AgentBinary = {
  name: 'copilot (GitHub Copilot CLI)',
  bin: process.env.COPILOT_BIN || join(TOOLS, '@github', 'copilot', 'npm-loader.js'),
  install: 'npm install --prefix .ci/tools @github/copilot@1.0.102',
};

/** Whether an agent is installed; skipped with the reason otherwise (a failure under CI=true). */
export function haveAgent(agent: AgentBinary): boolean {
  return hasTool(agent.name, () => existsSync(agent.bin), agent.install);
}

export interface AgentHome {
  home: string;
  /** The working folder the agent runs in. */
  work: string;
  env: Record<string, string>;
}

/** A fresh HOME (and XDG folders) with a working folder in it. */
export async function agentHome(extra: Record<string, string> = {}): Promise<AgentHome> {
  const home = await tempDir();
  const work = join(home, 'work');
  await mkdir(work, { recursive: true });
  const env = {
    PATH: `${join(process.execPath, '..')}:/usr/local/bin:/usr/bin:/bin`,
    HOME: home,
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_CACHE_HOME: join(home, '.cache'),
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    NO_COLOR: '1',
    ...extra,
  };
  return { home, work, env };
}

export interface AgentRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an agent to its end (killed after `ms`), stdin closed. */
export function runAgent(bin: string, args: string[], h: AgentHome, ms = 60_000): Promise<AgentRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: h.work, env: h.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
