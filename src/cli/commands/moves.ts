import type { Command } from 'commander';
import { lib } from '../lib.js';
import { colors, emit } from '../output.js';
import { progress } from '../progress.js';
import type { Runner } from '../runner.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Where sessions belong: migrate them to another folder, find orphans. */
export function registerMoveCommands(program: Command, run: Runner): void {
  program
    .command('migrate [ids...]')
    .alias('rebind')
    .description('move sessions (and their child sessions) to another folder; their project follows the folder')
    .requiredOption('--to <dir>', 'the target folder')
    .option('--from-id <id>', 'this session (an ID, a unique prefix or latest); repeatable, as are the IDs given as arguments', collect)
    .option('--from-dir <glob>', 'sessions in this folder or glob (~ expanded, sub-folders included); repeatable', collect)
    .option('--from-project <id>', 'sessions of this project; repeatable', collect)
    .option('-n, --dry-run', 'show the plan, change nothing')
    .addHelpText(
      'after',
      '\nThe selectors combine: every session any of them names moves.\n\nExamples:\n  sarc migrate --from-dir "~/src/opencode*" --to ~/src/opencode --dry-run\n  sarc rebind ses_a ses_b --to /new/repo\n  sarc migrate --from-id fe5e0a --from-project global --from-dir /tmp/old --to ~/src/app',
    )
    .action(
      run(
        async (
          ctx,
          args: string[],
          opts: { to: string; fromId?: string[]; fromDir?: string[]; fromProject?: string[]; dryRun?: boolean },
        ) => {
          const ids = [...new Set(await ctx.sessionIds([...args, ...(opts.fromId ?? [])]))];
          const bar = progress(ctx.options, 0, 'migrate');
          const result = await (await lib())
            .migrate(
              await ctx.archive(),
              { ids, fromDir: opts.fromDir, fromProject: opts.fromProject },
              {
                to: opts.to,
                dryRun: opts.dryRun,
                index: await ctx.index(),
                onProgress: (done, total, stage) => bar.update(done, total, `${stage} sessions`),
              },
            )
            .finally(() => bar.stop());
          const c = colors();
          emit(ctx.options, result, () => {
            const lines = result.moved.map(
              (r) =>
                `${r.id}  ${r.from.directory} → ${r.to.directory}${r.from.projectID !== r.to.projectID ? c.dim(`  (project ${r.from.projectID} → ${r.to.projectID})`) : ''}`,
            );
            for (const f of result.failed) lines.push(c.red(`${f.id}  failed: ${f.reason}`));
            lines.push(
              c.dim(
                `${result.dryRun ? 'would move' : 'moved'} ${result.moved.length} session${result.moved.length === 1 ? '' : 's'}${result.failed.length ? `, ${result.failed.length} failed` : ''}`,
              ),
            );
            return lines.join('\n');
          });
          if (result.failed.length) ctx.partly();
        },
      ),
    );

  program
    .command('orphans')
    .description('sessions whose folder is gone, and sessions in project "global" inside a known project')
    .addHelpText('after', '\nExample:\n  sarc orphans --json')
    .action(
      run(async (ctx) => {
        const rows = await (await lib()).orphans(await ctx.archive(), { index: await ctx.index() });
        emit(ctx.options, rows, () =>
          rows.length
            ? rows.map((r) => `${r.id}  ${r.detail}${r.suggested ? `  → sarc migrate ${r.id} --to ${r.directory}` : ''}`).join('\n')
            : 'no orphans',
        );
      }),
    );
}
