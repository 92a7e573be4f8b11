import type { Command } from 'commander';
import type { SessionStatus } from '../../index.js';
import { lib } from '../lib.js';
import { colors, emit, UsageError } from '../output.js';
import { type Runner, runOnSession } from '../runner.js';

/** A session's state beyond its fields: status, share, revert, diff. */
export function registerLifecycleCommands(program: Command, run: Runner): void {
  program
    .command('status')
    .description('sessions that are not idle (busy, retry, error)')
    .addHelpText('after', '\nExample:\n  sarc status --json')
    .action(
      run(async (ctx) => {
        // Stored in the state dir: no index needed.
        const map = (await ctx.ask<Record<string, SessionStatus>>({ op: 'status' })) ?? (await (await ctx.archive()).status.map());
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
    .command('share <id>')
    .description('share a session read-only; prints its URL (the same URL if already shared)')
    .option('--base-url <url>', 'where `sarc serve` is reachable', 'http://127.0.0.1:4097')
    .addHelpText('after', '\nExample:\n  sarc share ses_… --base-url https://sessions.example.org')
    .action(
      runOnSession(async (ctx, id: string, opts: { baseUrl: string }) => {
        const s = await (await lib()).share(await ctx.archive(), id, { baseUrl: opts.baseUrl });
        emit(ctx.options, s.share, () => s.share?.url ?? '');
      }),
    );

  program
    .command('unshare <id>')
    .description('stop sharing a session; its URL stops working')
    .addHelpText('after', '\nExample:\n  sarc unshare ses_…')
    .action(
      runOnSession(async (ctx, id: string) => {
        const s = await (await lib()).unshare(await ctx.archive(), id);
        emit(ctx.options, { id: s.id, shared: false }, () => `unshared ${s.id}`);
      }),
    );

  program
    .command('shared <token>', { hidden: true })
    .description('the session shared under a token')
    .addHelpText('after', '\nExample:\n  sarc shared Xy3… --json')
    .action(
      run(async (ctx, token: string) => {
        const s = await (await lib()).findShared(await ctx.archive(), token);
        if (!s) throw new UsageError(`no session is shared under ${token}`);
        emit(ctx.options, s, () => `${s.id}  ${s.title}`);
      }),
    );

  program
    .command('revert <id>')
    .description('revert a session to a message (OpenCode semantics: the next message removes it and what follows)')
    .requiredOption('-m, --message <messageID>', 'the message to revert to')
    .option('--part <partID>', 'revert from this part of the message')
    .addHelpText('after', '\nExample:\n  sarc revert ses_… --message msg_…')
    .action(
      runOnSession(async (ctx, id: string, opts: { message: string; part?: string }) => {
        const s = await (await lib()).revert(await ctx.archive(), id, { messageID: opts.message, partID: opts.part });
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
      runOnSession(async (ctx, id: string) => {
        const s = await (await lib()).unrevert(await ctx.archive(), id);
        emit(ctx.options, s, () => `cleared the revert of ${s.id}`);
      }),
    );

  program
    .command('diff <id>')
    .description(
      "the file changes the session (or one message) recorded; without recorded snapshots, what its agent's edit tool calls changed",
    )
    .option('-m, --message <messageID>', "only this message's changes")
    .addHelpText('after', '\nExample:\n  sarc diff ses_…')
    .action(
      runOnSession(async (ctx, id: string, opts: { message?: string }) => {
        const diffs = await (await lib()).diff(await ctx.archive(), id, { messageID: opts.message });
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
