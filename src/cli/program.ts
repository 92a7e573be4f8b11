import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { registerBackupCommands } from './commands/backup.js';
import { registerDoctor } from './commands/doctor.js';
import { registerIndexCommands } from './commands/index-commands.js';
import { registerLifecycleCommands } from './commands/lifecycle.js';
import { registerServe } from './commands/serve.js';
import { registerSessionCommands } from './commands/sessions.js';
import { registerSyncCommands } from './commands/sync.js';
import { CliContext, globals } from './context.js';
import { exitCodeFor, reportError } from './output.js';

/** Runs a command's body with a context, closing it afterwards; errors become one line and an exit code. */
export type Runner = <A extends unknown[]>(body: (ctx: CliContext, ...args: A) => Promise<void>) => (...args: A) => Promise<void>;

export function createProgram(): Command {
  const program = new Command('sarc')
    .description('Coding-agent sessions kept as plain JSON files: list, show, fork, back up, move and check them.')
    .version(VERSION, '-V, --version')
    .option(
      '--archive <dir>',
      'the archive folder (default: $SARC_ARCHIVE, else the nearest .sessions/ above, else ~/.local/share/session-archive)',
    )
    .option('--json', 'machine output on stdout; errors as JSON on stderr')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--debug', 'print stack traces of errors')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  sarc init ~/sessions                    make a folder an archive
  sarc list --all --search retry          sessions of every project whose title has "retry"
  sarc show ses_fe5e0a1b2c3dKq7ZpX2mRtY9wA
  sarc fork ses_… --at msg_…              fork before a message
  sarc export ses_… -o backup.json && sarc import backup.json

Exit codes: 0 ok, 1 failure, 2 usage error. NO_COLOR turns colour off.`,
    );
  program.exitOverride();

  const run: Runner =
    (body) =>
    async (...args) => {
      const command = args.at(-1) as Command;
      const ctx = new CliContext(globals(command));
      try {
        await body(ctx, ...args);
      } finally {
        await ctx.close();
      }
    };

  registerSessionCommands(program, run);
  registerBackupCommands(program, run);
  registerLifecycleCommands(program, run);
  registerIndexCommands(program, run);
  registerDoctor(program, run);
  registerSyncCommands(program, run);
  registerServe(program, run, join(import.meta.dirname, '..', '..', 'samples'));
  return program;
}

/** Parses argv and runs; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
    // Commands that finish but found problems (doctor, a partly failed migrate) set it.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version print and exit 0; everything else is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    reportError(error, program.opts());
    return exitCodeFor(error);
  }
}
