import { Command, CommanderError } from 'commander';
import { VERSION } from '../basics.js';
import { registerArchiveCommands } from './commands/archive.js';
import { registerBackupCommands } from './commands/backup.js';
import { registerCatalogCommands, registerSearchCommand } from './commands/catalog.js';
import { registerGitCommands } from './commands/git.js';
import { registerLifecycleCommands } from './commands/lifecycle.js';
import { registerMoveCommands } from './commands/moves.js';
import { registerOpencodeCommands } from './commands/opencode.js';
import { registerRedactCommands } from './commands/redact.js';
import { registerResumeCommand } from './commands/resume.js';
import { registerSessionCommands } from './commands/sessions.js';
import { registerStatsCommands } from './commands/stats.js';
import { registerSyncCommands } from './commands/sync.js';
import { registerCompletion } from './completion.js';
import { helpWidth } from './help-texts.js';
import { exitCodeFor, reportError } from './output.js';
import { type RegisterCommands, run } from './runner.js';

/**
 * The `sarc` program with every command of the library. `extra` adds
 * commands from outside the CLI (the composition root adds `serve`, so the
 * CLI never imports the server).
 */
export function createProgram(extra: readonly RegisterCommands[] = []): Command {
  const program = new Command('sarc')
    // One layout whatever the terminal's width (but a narrower one): the build stores these texts (help-texts.ts).
    .configureHelp({ helpWidth: helpWidth() })
    .description('Coding-agent sessions kept as plain JSON files: list, show, fork, back up, move and check them.')
    .version(VERSION, '-V, --version')
    .option(
      '--archive <dir>',
      'the archive folder (default: $SARC_ARCHIVE, else the nearest .sessions/ above, else ~/.local/share/session-archive)',
    )
    .option('--json', 'machine output on stdout; errors as JSON on stderr')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--debug', 'print stack traces of errors')
    .option('--utc', 'print times in UTC instead of the local zone (JSON always has epoch milliseconds)')
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

  for (const register of [
    registerArchiveCommands,
    registerSessionCommands,
    registerSearchCommand,
    registerStatsCommands,
    registerBackupCommands,
    registerLifecycleCommands,
    registerMoveCommands,
    registerCatalogCommands,
    registerGitCommands,
    registerSyncCommands,
    registerResumeCommand,
    registerRedactCommands,
    registerOpencodeCommands,
    ...extra,
  ]) {
    register(program, run);
  }
  registerCompletion(program);
  return program;
}

/** Parses argv and runs; resolves with the exit code. */
export async function main(argv: string[], extra: readonly RegisterCommands[] = []): Promise<number> {
  const program = createProgram(extra);
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
