import { basename } from 'node:path';
import { terminalSafe, writeOut } from './terminal-text.js';

/**
 * Shows text through the reader's pager: `$PAGER` (`less -R` without one),
 * opened at `line` (0-based) when the pager is less or more. Text is cleaned of
 * every escape sequence but sarc's own colours first. A pager that cannot be
 * started falls back to printing.
 */
export async function page(text: string, line?: number): Promise<void> {
  const safe = terminalSafe(text.endsWith('\n') ? text : `${text}\n`);
  const given = process.env.PAGER?.trim();
  const [command = 'less', ...args] = given ? given.split(/\s+/) : ['less', '-R'];
  const name = basename(command);
  if (line !== undefined && line > 0 && (name === 'less' || name === 'more')) args.push(`+${line + 1}`);
  // less: keep colours, leave short output on the screen without a pager (unless LESS says otherwise).
  const env = { ...process.env, LESS: process.env.LESS ?? 'FRX' };
  await new Promise<void>((resolve) => {
    let fallback = false;
    // node:child_process loaded only here: a command that prints to a pipe starts without it.
    const { spawn } = process.getBuiltinModule('node:child_process');
    const child = spawn(command, args, { stdio: ['pipe', 'inherit', 'inherit'], env });
    child.on('error', () => {
      fallback = true;
      writeOut(safe);
      resolve();
    });
    child.stdin.on('error', () => {}); // the reader quit before the end
    child.on('close', () => {
      if (!fallback) resolve();
    });
    child.stdin.end(safe);
  });
}
