import { spawn } from 'node:child_process';
import { UsageError } from './output.js';

/** Runs another program in a folder with this terminal (an agent's own command); its exit code. */
export function runHere(words: string[], cwd: string): Promise<number> {
  const [command, ...args] = words as [string, ...string[]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: 'inherit' });
    child.once('error', (error) => reject(new UsageError(`${command}: ${error.message} (is it installed and on PATH?)`)));
    child.once('close', (code) => resolve(code ?? 1));
  });
}
