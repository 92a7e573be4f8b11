import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { expandHome } from '../../basics.js';
import { lib } from '../lib.js';
import { emit } from '../output.js';
import type { Runner } from '../runner.js';

/** The library entry the plugin imports: the built one of an installed package, the source in a checkout (OpenCode's Bun runs TypeScript). */
function libraryEntry(): string {
  const source = join(import.meta.dirname, '..', '..', 'index.ts');
  return existsSync(source) ? source : join(import.meta.dirname, '..', '..', 'index.js');
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
      "put the plugin that mirrors every OpenCode session into the archive as it changes: in this project's .opencode/plugins/, or with --global in ~/.config/opencode/plugins/",
    )
    .option('--global', 'for every project (~/.config/opencode/plugins/, or $XDG_CONFIG_HOME/opencode/plugins/)')
    .option(
      '--to <archive>',
      'the archive to write to (default: as everywhere — $SARC_ARCHIVE, a .sessions/ above the project, the XDG default)',
    )
    .addHelpText('after', '\nExamples:\n  sarc opencode install\n  sarc opencode install --global --to ~/sessions')
    .action(
      run(async (ctx, opts: { global?: boolean; to?: string }) => {
        const folder = opts.global
          ? join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'opencode', 'plugins')
          : join(process.cwd(), '.opencode', 'plugins');
        await mkdir(folder, { recursive: true });
        const path = join(folder, 'session-archive.ts');
        await (await lib()).writeFileAtomic(path, pluginSource({ archive: opts.to ? resolve(expandHome(opts.to)) : undefined }));
        emit(ctx.options, { plugin: path }, () => `OpenCode plugin written to ${path}; OpenCode loads it when it next starts`);
      }),
    );
}
