import type { Command } from 'commander';
import { openIndex } from '../../index.js';
import { emit } from '../output.js';
import { progress } from '../progress.js';
import type { Runner } from '../runner.js';

/** The index (a cache in the state dir) and the events it sees. */
export function registerCatalogCommands(program: Command, run: Runner): void {
  const index = program.command('index').description('the index of session summaries (a cache in the state dir)');
  index
    .command('rebuild')
    .description('read every info.json again and replace the index')
    .addHelpText('after', '\nExample:\n  sarc index rebuild')
    .action(
      run(async (ctx) => {
        const bar = progress(ctx.options, 0, 'indexing');
        const idx = await openIndex(await ctx.archive(), {
          watch: false,
          rebuild: true,
          onProgress: (done, total) => bar.update(done, total, 'sessions'),
        }).finally(() => bar.stop());
        const stats = idx.stats();
        await idx.close();
        emit(ctx.options, stats, () => `indexed ${stats.sessions} sessions${stats.invalid ? `, ${stats.invalid} invalid` : ''}`);
      }),
    );
  index
    .command('stats')
    .description('sessions, invalid files and stray files the index knows of')
    .addHelpText('after', '\nExample:\n  sarc index stats --json')
    .action(
      run(async (ctx) => {
        const idx = await ctx.index();
        await idx.scanStrays();
        const stats = idx.stats();
        const archive = await ctx.archive();
        emit(ctx.options, { ...stats, archive: archive.dir, stateDir: archive.stateDir }, () =>
          [
            `archive    ${archive.dir}`,
            `state dir  ${archive.stateDir}`,
            `sessions   ${stats.sessions}`,
            `invalid    ${stats.invalid}`,
            `strays     ${stats.strays}`,
          ].join('\n'),
        );
      }),
    );

  program
    .command('watch')
    .description('print events (session.updated, message.updated, …) as they happen, until interrupted')
    .option('--session <id>', 'also follow the messages and parts of this session')
    .addHelpText('after', '\nExample:\n  sarc watch --json | jq .type')
    .action(
      run(async (ctx, opts: { session?: string }) => {
        const idx = await openIndex(await ctx.archive(), { onWarning: (m) => process.stderr.write(`sarc: ${m}\n`) });
        await idx.ready();
        if (opts.session) await idx.subscribe(opts.session);
        idx.on((e) => {
          if (ctx.options.json) process.stdout.write(`${JSON.stringify(e)}\n`);
          else {
            const p = e.properties as { sessionID?: string; info?: { title?: string } };
            process.stdout.write(
              `${new Date().toISOString().slice(11, 23)}  ${e.type.padEnd(22)} ${p.sessionID ?? ''}${p.info?.title ? `  ${p.info.title}` : ''}\n`,
            );
          }
        });
        if (!ctx.options.quiet) process.stderr.write('watching; Ctrl-C to stop\n');
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await idx.close();
      }),
    );
}
