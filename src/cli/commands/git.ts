import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { lib } from '../lib.js';
import { colors, emit } from '../output.js';
import type { Runner } from '../runner.js';
import { writeErr, writeOut } from '../terminal-text.js';

/** The command line that runs this very `sarc` (with the same node flags), for git's config. */
async function selfCommand(): Promise<string> {
  const { shellQuote } = await lib();
  return [process.execPath, ...process.execArgv, process.argv[1] ?? 'sarc'].map(shellQuote).join(' ');
}

/** Merging in git and after Dropbox/Syncthing: the merge driver, its set-up, resolving conflict copies. */
export function registerGitCommands(program: Command, run: Runner): void {
  program
    .command('git-setup')
    .description(
      'make git merge info.json, todos.json and message files field by field (.gitattributes + merge driver), and refuse commits that add a secret (pre-commit hook)',
    )
    .option('--check', 'prove the configured merge driver runs (merges a made-up info.json as git would)')
    .option('--textconv', 'also make git diff and git log -p show message files as the conversation (Markdown), not JSON')
    .option('--no-hook', 'no pre-commit hook (by default one refuses a commit that adds a secret to the archive)')
    .addHelpText(
      'after',
      '\nExamples:\n  cd ~/sessions && git init && sarc git-setup --archive .\n  sarc git-setup --textconv && git log -p sessions/\n  sarc git-setup --check',
    )
    .action(
      run(async (ctx, opts: { check?: boolean; textconv?: boolean; hook: boolean }) => {
        if (opts.check) {
          const checked = await (await lib()).gitCheck(ctx.dir);
          emit(ctx.options, { ok: true, ...checked }, () => `merge driver runs in ${checked.repository}`);
          return;
        }
        const result = await (await lib()).gitSetup(ctx.dir, await selfCommand(), { textconv: opts.textconv, hook: opts.hook });
        emit(
          ctx.options,
          result,
          () =>
            `git repository ${result.repository}: merge driver "sarc" set (${result.driver}: the sarc on PATH, else this one)${result.textconv ? ', git diff shows conversations (textconv)' : ''}, attributes in ${result.attributes} (commit it); ${
              result.hookInstalled
                ? `pre-commit hook ${result.hook}: a commit that adds a secret to the archive is refused`
                : result.hook
                  ? `the repository has a pre-commit hook of its own (${result.hook}): add \`sarc scan --staged\` to it to refuse commits that add secrets`
                  : 'no pre-commit hook (--no-hook)'
            }`,
        );
      }),
    );

  program
    .command('textconv <file>')
    .description(
      'an archive file as text for git diff (set up by git-setup --textconv): a message as Markdown, info.json as the session heading, todos as a checklist',
    )
    .addHelpText('after', '\nExample (what git runs):\n  sarc textconv sessions/ses_…/messages/msg_….json')
    .action(
      run(async (ctx, file: string) => {
        writeOut((await lib()).fileAsText(await readFile(file, 'utf8'), { utc: ctx.options.utc }));
      }),
    );

  program
    .command('merge-driver <base> <ours> <theirs> [path]')
    .description("git's merge driver (set up by git-setup): merges the three versions field by field into <ours>")
    .addHelpText('after', '\nExample (what git runs):\n  sarc merge-driver %O %A %B %P')
    .action(
      run(async (_ctx, base: string, ours: string, theirs: string, path: string | undefined) => {
        const report = await (await lib()).mergeFiles(base, ours, theirs, path ?? ours);
        // Git shows what a driver prints: say which fields both sides changed, and where the other values are.
        for (const c of report.conflicts) {
          writeErr(
            `sarc: ${path ?? ours}: both sides changed ${c.field}; kept ${JSON.stringify(c.kept)?.slice(0, 80)}, the other (${JSON.stringify(c.dropped)?.slice(0, 80)}) is in ${report.droppedCopy} — see \`sarc resolve\`\n`,
          );
        }
      }),
    );

  program
    .command('resolve [id]')
    .description('merge Dropbox/Syncthing conflict copies into their originals, then quarantine the copies')
    .addHelpText('after', '\nExamples:\n  sarc resolve\n  sarc resolve ses_… --json')
    .action(
      run(async (ctx, id: string | undefined) => {
        const result = await (await lib()).resolveConflicts(await ctx.archive(), { sessionID: id });
        const c = colors();
        emit(ctx.options, result, () => {
          const lines = result.resolved.flatMap((r) => [
            `${r.action === 'merged' ? c.green('merged') : c.cyan('kept')}  ${r.path}`,
            ...r.unmerged.map(
              (u) =>
                `  ${c.yellow('not merged')}  ${u.field}: kept ${JSON.stringify(u.kept)?.slice(0, 80)}, the other (${JSON.stringify(u.dropped)?.slice(0, 80)}) stays in ${r.quarantined}`,
            ),
          ]);
          for (const f of result.failed) lines.push(c.red(`failed  ${f.path}: ${f.reason}`));
          return lines.length ? lines.join('\n') : 'no conflict copies';
        });
        if (result.failed.length) ctx.partly();
      }),
    );
}
