import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { expandHome } from '../../basics.js';
import { lib } from '../lib.js';
import { pluginSourceV2 } from '../opencode-plugin-v2.js';
import { emit, UsageError } from '../output.js';
import { runHere } from '../run-here.js';
import type { Runner } from '../runner.js';

/**
 * The library entry the plugin imports: the source in a checkout (OpenCode's
 * Bun runs TypeScript), else the built one — two folders up from this file
 * in tsc's layout (src/cli/commands → src, dist/cli/commands → dist), the
 * package's dist/ from the bundled CLI (dist/sarc → the package).
 */
function libraryEntry(): string {
  const up = join(import.meta.dirname, '..', '..');
  const candidates = [join(up, 'index.ts'), join(up, 'index.js'), join(up, 'dist', 'index.js')];
  return candidates.find((c) => existsSync(c)) ?? (candidates[1] as string);
}

/** The plugin file: one import of this package, by absolute path, so it resolves wherever OpenCode runs it. */
export function pluginSource(options: { archive?: string }): string {
  const settings = options.archive ? JSON.stringify({ archive: options.archive }) : '';
  return `// session-archive: every OpenCode session mirrored into the archive as it changes.
// Written by \`sarc opencode install\`; run it again after moving session-archive.
// Errors go to opencode-plugin.log in the archive's state dir; OpenCode is never stopped by them.
import { opencodePlugin } from ${JSON.stringify(libraryEntry())};

export const SessionArchive = opencodePlugin(${settings});
`;
}

/** `sarc opencode install`: put the live-capture plugin where OpenCode loads it. */
export function registerOpencodeCommands(program: Command, run: Runner): void {
  const opencode = program
    .command('opencode')
    .description('OpenCode: install the live-capture plugin; put sessions OpenCode 2 hides back into it');
  opencode
    .command('install')
    .description(
      "put the plugin that brings every OpenCode session into the archive as it changes, in the shape the installed OpenCode loads (1.x or 2, as `opencode --version` says): in this project's .opencode/plugins/, or with --global in ~/.config/opencode/plugins/",
    )
    .option('--global', 'for every project (~/.config/opencode/plugins/, or $XDG_CONFIG_HOME/opencode/plugins/)')
    .option(
      '--to <archive>',
      'the archive to write to (default: as everywhere — $SARC_ARCHIVE, a .sessions/ above the project, the XDG default)',
    )
    .option('--for <generation>', 'write the plugin for OpenCode 1 or 2 whatever is installed')
    .addHelpText(
      'after',
      "\nOpenCode 1.x loads a plugin that mirrors each change through OpenCode's own API; OpenCode 2's follows its events and runs `sarc sync opencode` as sessions change. The other generation's file of this plugin, if any, is removed from the folder.\n\nExamples:\n  sarc opencode install\n  sarc opencode install --global --to ~/sessions\n  sarc opencode install --for 2",
    )
    .action(
      run(async (ctx, opts: { global?: boolean; to?: string; for?: string }) => {
        if (opts.for !== undefined && opts.for !== '1' && opts.for !== '2')
          throw new UsageError(`--for takes 1 or 2, not ${JSON.stringify(opts.for)}`);
        const { opencodeGeneration, writeFileAtomic } = await lib();
        const generation = opts.for ? (Number(opts.for) as 1 | 2) : opencodeGeneration();
        const folder = opts.global
          ? join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'opencode', 'plugins')
          : join(process.cwd(), '.opencode', 'plugins');
        await mkdir(folder, { recursive: true });
        const archive = opts.to ? resolve(expandHome(opts.to)) : undefined;
        const [name, other] =
          generation === 2 ? ['session-archive.js', 'session-archive.ts'] : ['session-archive.ts', 'session-archive.js'];
        const path = join(folder, name);
        await writeFileAtomic(path, generation === 2 ? pluginSourceV2({ archive }) : pluginSource({ archive }));
        await rm(join(folder, other), { force: true });
        emit(
          ctx.options,
          { plugin: path, generation },
          () => `OpenCode ${generation === 2 ? '2' : '1.x'} plugin written to ${path}; OpenCode loads it when it next starts`,
        );
      }),
    );
  opencode
    .command('restore [ids...]')
    .description(
      'put the sessions OpenCode 2 does not show (made or changed by OpenCode 1 after OpenCode 2 first started) back into OpenCode 2: each is synced into the archive, written as an OpenCode 2 export file beside its database, and imported with `opencode session import`',
    )
    .option('--from <db>', "OpenCode's database (default: $XDG_DATA_HOME/opencode/opencode.db)")
    .option('--print', 'write the files and print the import commands, do not run them')
    .addHelpText(
      'after',
      '\n`sarc sync opencode` says how many there are. The sessions keep their IDs; one OpenCode 2 already has is refused by its import, never doubled.\n\nExamples:\n  sarc opencode restore\n  sarc opencode restore ses_7f3a… --print',
    )
    .action(
      run(async (ctx, ids: string[], opts: { from?: string; print?: boolean }) => {
        const archive = await ctx.archive();
        const plans = await (await lib()).restoreOpencodeSessions(archive, {
          ...(opts.from ? { from: resolve(expandHome(opts.from)) } : {}),
          ids,
        });
        const runThem = !opts.print && !ctx.options.json;
        const line = (p: (typeof plans)[number]) => `cd ${JSON.stringify(p.cwd)} && ${p.command.map((w) => JSON.stringify(w)).join(' ')}`;
        const failed: string[] = [];
        if (runThem) {
          for (const p of plans) {
            if ((await runHere(p.command, existsSync(p.cwd) ? p.cwd : process.cwd())) !== 0) failed.push(p.id);
          }
        }
        emit(ctx.options, { sessions: plans }, () =>
          plans.length === 0
            ? 'OpenCode 2 shows every session OpenCode keeps: nothing to restore'
            : runThem
              ? `${plans.length - failed.length} of ${plans.length} session${plans.length === 1 ? '' : 's'} put back into OpenCode 2${failed.length ? `; the import failed for ${failed.join(', ')}` : ''}`
              : plans.map((p) => `${p.id}  ${p.title}\n  ${line(p)}`).join('\n'),
        );
        if (failed.length) ctx.partly();
      }),
    );
}
