import type { Command } from 'commander';
import { SYNC_SOURCES } from '../../basics.js';
import type { SyncResult, SyncSourceName } from '../../index.js';
import { lib } from '../lib.js';
import { colors, emit, UsageError } from '../output.js';
import { progress } from '../progress.js';
import type { Runner } from '../runner.js';

function summary(r: SyncResult): string {
  const s = r.sessions;
  const verb = r.dryRun ? 'would bring' : 'brought';
  // OpenCode's unit is a session in its database; the others' a transcript file.
  const unit = (n: number) => `${n} ${r.source === 'opencode' ? 'session' : 'transcript'}${n === 1 ? '' : 's'}`;
  if (s.new + s.updated + s.failed === 0)
    return `${r.source}: nothing changed (${unit(r.files.found)}, ${r.files.skipped} unchanged since the last run)`;
  return `${r.source}: ${verb} ${s.new} new, ${s.updated} updated, ${s.unchanged} unchanged, ${s.failed} failed (${unit(r.files.read)} read, ${r.files.skipped} unchanged)`;
}

/** Source names from arguments or a comma-separated list; an unknown one is a usage error. */
export function parseSources(given: string | readonly string[]): SyncSourceName[] {
  const list = (typeof given === 'string' ? given.split(',') : given).map((s) => s.trim()).filter(Boolean);
  for (const s of list) {
    if (!(SYNC_SOURCES as readonly string[]).includes(s))
      throw new UsageError(`unknown source ${JSON.stringify(s)}: expected ${SYNC_SOURCES.join(', ')}`);
  }
  return [...new Set(list)] as SyncSourceName[];
}

/** Bring other agents' sessions in: `sarc sync claude-code`, `sarc sync codex`. */
export function registerSyncCommands(program: Command, run: Runner): void {
  program
    .command('sync <sources...>')
    .description(`bring in every session of an agent (${SYNC_SOURCES.join(', ')}); re-runs update in place and never duplicate`)
    .option(
      '--from <dir>',
      'read transcripts from this folder (default: ~/.claude/projects, ~/.codex/sessions, or $CLAUDE_CONFIG_DIR, $CODEX_HOME)',
    )
    .option('-n, --dry-run', 'count what would change, write nothing')
    .option('--all', 'read every transcript again, not only those changed since the last run')
    .option('-w, --watch', 'keep following the sources and bring each change in as it happens (until Ctrl-C)')
    .addHelpText(
      'after',
      `
Sessions keep IDs derived from the source's, so a second run updates what changed
(a transcript that grew, a new title) and writes nothing else. Transcripts whose
size and modification time are unchanged are not read again (kept in the state dir).

OpenCode's sessions are mirrored with OpenCode's own IDs (read from its SQLite
database, read-only, while it runs); one deleted in OpenCode is archived here.

Examples:
  sarc sync opencode
  sarc sync claude-code
  sarc sync codex --dry-run --json
  sarc sync opencode claude-code codex
  sarc sync claude-code codex --watch`,
    )
    .action(
      run(async (ctx, sources: string[], opts: { from?: string; dryRun?: boolean; all?: boolean; watch?: boolean }) => {
        const names = parseSources(sources);
        if (opts.from && names.length > 1) throw new UsageError('--from names one folder: give one source with it');
        const archive = await ctx.archive();
        if (opts.watch) {
          // Every run that changed something, as it happens, until Ctrl-C.
          const watcher = (await lib()).watchSync(archive, names, {
            from: opts.from ? { [names[0] as SyncSourceName]: opts.from } : undefined,
            onSync: (r) => {
              if (r.sessions.new + r.sessions.updated + r.sessions.failed === 0) return;
              if (ctx.options.json) process.stdout.write(`${JSON.stringify(r)}\n`);
              else if (!ctx.options.quiet) process.stdout.write(`${summary(r)}\n`);
            },
            onError: (source, error) => process.stderr.write(`sarc: sync ${source}: ${(error as Error).message}\n`),
          });
          await watcher.ready;
          if (!ctx.options.json && !ctx.options.quiet) process.stderr.write(`following ${names.join(', ')} (Ctrl-C stops)\n`);
          await new Promise<void>((resolve) => {
            process.once('SIGINT', resolve);
            process.once('SIGTERM', resolve);
          });
          await watcher.close();
          return;
        }
        const results: SyncResult[] = [];
        for (const source of names) {
          const bar = progress(ctx.options, 0, source);
          try {
            results.push(
              await (await lib()).syncAgent(archive, source, {
                from: opts.from,
                dryRun: opts.dryRun,
                all: opts.all,
                onProgress: (done, total) => bar.update(done, total, source === 'opencode' ? 'sessions' : 'transcripts'),
              }),
            );
          } finally {
            bar.stop();
          }
        }
        const c = colors();
        emit(ctx.options, names.length === 1 ? results[0] : results, () =>
          results
            .flatMap((r) => [summary(r), ...r.failures.map((f) => c.red(`  failed ${f.session ?? ''} ${f.file}: ${f.reason}`))])
            .join('\n'),
        );
        if (results.some((r) => r.failures.length > 0)) process.exitCode = 1;
      }),
    );
}
