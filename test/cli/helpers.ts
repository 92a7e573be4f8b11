import { spawn } from 'node:child_process';
import { ROOT, SARC } from '../helpers.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** How long a CLI child may run before it is killed (a test then fails saying so, instead of hanging the suite). */
const CHILD_BOUND_MS = 120_000;

/** Runs the real CLI (see SARC) in a child process; stdin is not a terminal. Killed after `timeoutMs` (default 2 min). */
export function sarc(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; input?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...SARC, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? CHILD_BOUND_MS,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code, stdout, stderr: signal ? `${stderr}\n(sarc ${args.join(' ')} killed by ${signal}: it ran past its bound)` : stderr }),
    );
    child.stdin.end(options.input ?? '');
  });
}
