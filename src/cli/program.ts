import { Command, CommanderError } from 'commander';
import { VERSION } from '../basics.js';
import { registerCompletion } from './completion.js';
import { helpWidth } from './help-texts.js';
import { exitCodeFor, reportError } from './output.js';
import { type RegisterCommands, run } from './runner.js';

/**
 * The command groups, in the order `sarc --help` lists them. Each is loaded
 * only when a command of it is asked for (`sarc list` compiles and builds
 * one group, not all thirteen); help, `help <command>`, completion and a
 * command not known here load them all.
 */
const GROUPS = {
  archive: async () => (await import('./commands/archive.js')).registerArchiveCommands,
  sessions: async () => (await import('./commands/sessions.js')).registerSessionCommands,
  search: async () => (await import('./commands/catalog.js')).registerSearchCommand,
  stats: async () => (await import('./commands/stats.js')).registerStatsCommands,
  backup: async () => (await import('./commands/backup.js')).registerBackupCommands,
  lifecycle: async () => (await import('./commands/lifecycle.js')).registerLifecycleCommands,
  moves: async () => (await import('./commands/moves.js')).registerMoveCommands,
  catalog: async () => (await import('./commands/catalog.js')).registerCatalogCommands,
  git: async () => (await import('./commands/git.js')).registerGitCommands,
  sync: async () => (await import('./commands/sync.js')).registerSyncCommands,
  resume: async () => (await import('./commands/resume.js')).registerResumeCommand,
  redact: async () => (await import('./commands/redact.js')).registerRedactCommands,
  opencode: async () => (await import('./commands/opencode.js')).registerOpencodeCommands,
} satisfies Record<string, () => Promise<RegisterCommands>>;
export type CommandGroup = keyof typeof GROUPS;
export const COMMAND_GROUP_NAMES = Object.keys(GROUPS) as CommandGroup[];

/** The group of each command and alias (a test checks it against what each group registers). */
export const COMMAND_GROUPS: Readonly<Record<string, CommandGroup>> = {
  init: 'archive',
  doctor: 'archive',
  list: 'sessions',
  ls: 'sessions',
  show: 'sessions',
  create: 'sessions',
  rename: 'sessions',
  archive: 'sessions',
  unarchive: 'sessions',
  delete: 'sessions',
  rm: 'sessions',
  fork: 'sessions',
  search: 'search',
  find: 'search',
  stats: 'stats',
  usage: 'stats',
  export: 'backup',
  import: 'backup',
  status: 'lifecycle',
  share: 'lifecycle',
  unshare: 'lifecycle',
  shared: 'lifecycle',
  revert: 'lifecycle',
  unrevert: 'lifecycle',
  diff: 'lifecycle',
  migrate: 'moves',
  rebind: 'moves',
  orphans: 'moves',
  index: 'catalog',
  watch: 'catalog',
  'git-setup': 'git',
  textconv: 'git',
  'merge-driver': 'git',
  resolve: 'git',
  sync: 'sync',
  sources: 'sync',
  resume: 'resume',
  scan: 'redact',
  redaction: 'redact',
  opencode: 'opencode',
};

/** The command argv asks for: its first word that is not an option (nor the value of `--archive`), if any. */
export function commandOf(argv: readonly string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--archive') i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/**
 * The `sarc` program with the commands of `groups` (by default every
 * command of the library). `extra` adds commands from outside the CLI (the
 * composition root adds `serve`, so the CLI never imports the server).
 */
export async function createProgram(
  extra: readonly RegisterCommands[] = [],
  groups: readonly CommandGroup[] = COMMAND_GROUP_NAMES,
): Promise<Command> {
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

  for (const register of [...(await Promise.all(groups.map((g) => GROUPS[g]()))), ...extra]) register(program, run);
  registerCompletion(program);
  return program;
}

/** Whether one of the commands from outside the CLI is named `name`. */
function isExtra(name: string, extra: readonly RegisterCommands[]): boolean {
  const probe = new Command('sarc');
  for (const register of extra) register(probe, run);
  return probe.commands.some((c) => c.name() === name || c.aliases().includes(name));
}

/** Parses argv and runs; resolves with the exit code. */
export async function main(argv: string[], extra: readonly RegisterCommands[] = []): Promise<number> {
  const asked = commandOf(argv);
  const group = asked === undefined ? undefined : COMMAND_GROUPS[asked];
  // One group for a command of it; none for a command from outside the CLI (serve, mcp); all else.
  const groups = group ? [group] : asked !== undefined && isExtra(asked, extra) ? [] : COMMAND_GROUP_NAMES;
  const program = await createProgram(extra, groups);
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
