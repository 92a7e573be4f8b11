import type { Command } from 'commander';
import { diff, findShared, migrate, orphans, revert, share, unrevert, unshare } from '../../index.js';
import { colors, emit, UsageError } from '../output.js';
import type { Runner } from '../program.js';
import { progress } from '../progress.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerLifecycleCommands(program: Command, run: Runner): void {
  program
    .command('migrate [ids...]')
    .alias('rebind')
    .description('move sessions (and their child sessions) to another folder; their project follows the folder')
    .requiredOption('--to <dir>', 'the target folder')
    .option('--from-dir <glob>', 'sessions in this folder or glob (~ expanded, sub-folders included); repeatable', collect)
    .option('--from-project <id>', 'sessions of this project; repeatable', collect)
    .option('-n, --dry-run', 'show the plan, change nothing')
    .addHelpText(
      'after',
      '\nExamples:\n  sarc migrate --from-dir "~/src/opencode*" --to ~/src/opencode --dry-run\n  sarc rebind ses_a ses_b --to /new/repo',
    )
    .action(
      run(async (ctx, ids: string[], opts: { to: string; fromDir?: string[]; fromProject?: string[]; dryRun?: boolean }) => {
        const bar = progress(ctx.options, 0, 'migrate');
        const result = await migrate(
          await ctx.archive(),
          { ids, fromDir: opts.fromDir, fromProject: opts.fromProject },
          {
            to: opts.to,
            dryRun: opts.dryRun,
            index: await ctx.index(),
            onProgress: (done, total, stage) => bar.update(done, total, `${stage} sessions`),
          },
        ).finally(() => bar.stop());
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
        if (result.failed.length) process.exitCode = 1;
      }),
    );

  program
    .command('orphans')
    .description('sessions whose folder is gone, and sessions in project "global" inside a known project')
    .addHelpText('after', '\nExample:\n  sarc orphans --json')
    .action(
      run(async (ctx) => {
        const rows = await orphans(await ctx.archive(), { index: await ctx.index() });
        emit(ctx.options, rows, () =>
          rows.length
            ? rows.map((r) => `${r.id}  ${r.detail}${r.suggested ? `  → sarc migrate ${r.id} --to ${r.directory}` : ''}`).join('\n')
            : 'no orphans',
        );
      }),
    );

  program
    .command('share <id>')
    .description('share a session read-only; prints its URL (the same URL if already shared)')
    .option('--base-url <url>', 'where `sarc serve` is reachable', 'http://127.0.0.1:4097')
    .addHelpText('after', '\nExample:\n  sarc share ses_… --base-url https://sessions.example.org')
    .action(
      run(async (ctx, id: string, opts: { baseUrl: string }) => {
        const s = await share(await ctx.archive(), id, { baseUrl: opts.baseUrl });
        emit(ctx.options, s.share, () => s.share?.url ?? '');
      }),
    );

  program
    .command('unshare <id>')
    .description('stop sharing a session; its URL stops working')
    .addHelpText('after', '\nExample:\n  sarc unshare ses_…')
    .action(
      run(async (ctx, id: string) => {
        const s = await unshare(await ctx.archive(), id);
        emit(ctx.options, { id: s.id, shared: false }, () => `unshared ${s.id}`);
      }),
    );

  program
    .command('shared <token>', { hidden: true })
    .description('the session shared under a token')
    .addHelpText('after', '\nExample:\n  sarc shared Xy3… --json')
    .action(
      run(async (ctx, token: string) => {
        const s = await findShared(await ctx.archive(), token);
        if (!s) throw new UsageError(`no session is shared under ${token}`);
        emit(ctx.options, s, () => `${s.id}  ${s.title}`);
      }),
    );

  program
    .command('status')
    .description('sessions that are not idle (busy, retry, error)')
    .addHelpText('after', '\nExample:\n  sarc status --json')
    .action(
      run(async (ctx) => {
        const map = await (await ctx.index()).status.map();
        const c = colors();
        emit(ctx.options, map, () => {
          const rows = Object.entries(map).map(
            ([id, s]) =>
              `${id}  ${s.type === 'error' ? c.red(s.type) : c.yellow(s.type)}${'message' in s && s.message ? `  ${s.message}` : ''}`,
          );
          return rows.length ? rows.join('\n') : 'all sessions idle';
        });
      }),
    );

  program
    .command('revert <id>')
    .description('revert a session to a message (OpenCode semantics: the next message removes it and what follows)')
    .requiredOption('-m, --message <messageID>', 'the message to revert to')
    .option('--part <partID>', 'revert from this part of the message')
    .addHelpText('after', '\nExample:\n  sarc revert ses_… --message msg_…')
    .action(
      run(async (ctx, id: string, opts: { message: string; part?: string }) => {
        const s = await revert(await ctx.archive(), id, { messageID: opts.message, partID: opts.part });
        emit(
          ctx.options,
          s,
          () => `reverted ${s.id} to ${opts.message}; the next message removes it and what follows (undo: sarc unrevert ${s.id})`,
        );
      }),
    );

  program
    .command('unrevert <id>')
    .description('clear a pending revert')
    .addHelpText('after', '\nExample:\n  sarc unrevert ses_…')
    .action(
      run(async (ctx, id: string) => {
        const s = await unrevert(await ctx.archive(), id);
        emit(ctx.options, s, () => `cleared the revert of ${s.id}`);
      }),
    );

  program
    .command('diff <id>')
    .description('the file changes the session (or one message) recorded')
    .option('-m, --message <messageID>', "only this message's changes")
    .addHelpText('after', '\nExample:\n  sarc diff ses_…')
    .action(
      run(async (ctx, id: string, opts: { message?: string }) => {
        const diffs = await diff(await ctx.archive(), id, { messageID: opts.message });
        emit(ctx.options, diffs, () =>
          diffs.length
            ? diffs
                .map(
                  (d) => `${d.status ?? 'changed'}  ${d.file ?? '(file)'}  +${d.additions} -${d.deletions}${d.patch ? `\n${d.patch}` : ''}`,
                )
                .join('\n')
            : 'no recorded changes',
        );
      }),
    );
}
