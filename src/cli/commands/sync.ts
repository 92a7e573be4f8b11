import { homedir } from 'node:os';
import { delimiter } from 'node:path';
import type { Command } from 'commander';
import { AGENT_NAMES, AGENTS, agentEntry } from '../../basics.js';
import type { SyncResult } from '../../index.js';
import { lib } from '../lib.js';
import { colors, emit, UsageError } from '../output.js';
import { progress } from '../progress.js';
import type { Runner } from '../runner.js';
import { writeErr, writeOut } from '../terminal-text.js';

/** Exit code of `sarc sync` when a named agent has no store at all (nothing was read). */
export const EXIT_NO_SOURCE = 3;

/** A path with the home folder as `~`, for people; several (joined by the path delimiter, as Aider's folders are) named up to three. */
function tilde(path: string): string {
  const home = process.env.HOME || homedir();
  const one = (p: string) => (home && (p === home || p.startsWith(`${home}/`)) ? `~${p.slice(home.length)}` : p);
  const all = path.split(delimiter).filter(Boolean);
  if (all.length === 0) return 'nowhere to look yet';
  return all.length <= 3 ? all.map(one).join(', ') : `${all.slice(0, 3).map(one).join(', ')} and ${all.length - 3} more`;
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** One line of what a run did. */
export function summary(r: SyncResult): string {
  if (r.missing) return `${r.source}: no ${r.label} sessions at ${tilde(r.from)}`;
  const s = r.sessions;
  const notes = [
    r.gone ? `${plural(r.gone, r.unit)} gone from the source (their sessions kept, marked "source gone")` : '',
    r.hidden ? `${plural(r.hidden, 'session')} ${r.label} 2 does not show (only OpenCode 1's tables hold them; kept here)` : '',
    r.malformed ? `${plural(r.malformed, 'record')} skipped` : '',
    r.pending ? `${plural(r.pending, 'record')} still being written` : '',
    Object.keys(r.redacted).length
      ? `${plural(
          Object.values(r.redacted).reduce((a, b) => a + b, 0),
          'secret',
        )} replaced by markers (${Object.keys(r.redacted).sort().join(', ')})`
      : '',
  ].filter(Boolean);
  const tail = notes.length ? `; ${notes.join('; ')}` : '';
  if (s.new + s.updated + s.failed === 0) {
    return `${r.source}: nothing changed (${plural(r.files.found, r.unit)} at ${tilde(r.from)}, ${r.files.skipped} unchanged since the last run)${tail}`;
  }
  const verb = r.dryRun ? 'would bring' : 'brought';
  return `${r.source}: ${verb} ${s.new} new, ${s.updated} updated, ${s.unchanged} unchanged, ${s.failed} failed (${plural(r.files.read, r.unit)} read, ${r.files.skipped} unchanged)${tail}`;
}

/** Agent names from arguments or a comma-separated list; an unknown one is a usage error. */
export function parseSources(given: string | readonly string[]): string[] {
  const list = (typeof given === 'string' ? given.split(',') : given).map((s) => s.trim()).filter(Boolean);
  if (list.includes('all')) return [...AGENT_NAMES];
  for (const s of list) {
    if (!agentEntry(s)) throw new UsageError(`unknown agent ${JSON.stringify(s)}: expected ${AGENT_NAMES.join(', ')} (or all)`);
  }
  return [...new Set(list)];
}

/** Bring other agents' sessions in: `sarc sync`, `sarc sync claude-code`; `sarc sources`. */
export function registerSyncCommands(program: Command, run: Runner): void {
  program
    .command('sync [agents...]')
    .description(
      `bring in every session of the agents (${AGENT_NAMES.join(', ')}; none named: every one found); re-runs update in place and never duplicate`,
    )
    .option('--from <path>', "read this agent's folder (or OpenCode's database) instead of its own; one agent with it")
    .option('-n, --dry-run', 'count what would change, write nothing')
    .option('--all', 'read every source again, not only those changed since the last run')
    .option('-w, --watch', 'keep following the agents and bring each change in as it happens (until Ctrl-C)')
    .option('--no-redact', 'write secrets as they are, for this run (default: replaced by markers; see `sarc redaction`)')
    .addHelpText(
      'after',
      `
Where each agent keeps its sessions (see \`sarc sources\`):
${AGENTS.map((a) => `  ${a.name.padEnd(12)} ${a.label}`).join('\n')}

Session IDs derive from the agent's own, so a second run updates what changed
(a transcript that grew, a new title) and writes nothing else. Only what the
agent changed since the last sync is applied: a title you edited in the
archive stays. A source unchanged since the last run is not read again, unless
the archive no longer holds what sync wrote (a \`git checkout\` of the
archive): then it is written again. A source that disappears (Claude Code
deletes old transcripts) leaves its session as it is, marked "source gone".

OpenCode's sessions are mirrored with OpenCode's own IDs (read from its SQLite
database, read-only, while it runs).

Exit codes: 0 done; 1 a source or session failed; 2 bad usage; ${EXIT_NO_SOURCE} an agent
named has no sessions where it was looked for.

Examples:
  sarc sync
  sarc sync claude-code
  sarc sync codex --dry-run --json
  sarc sync opencode claude-code codex
  sarc sync claude-code --from /backup/claude/projects
  sarc sync claude-code codex --watch`,
    )
    .action(
      run(async (ctx, given: string[], opts: { from?: string; dryRun?: boolean; all?: boolean; watch?: boolean; redact: boolean }) => {
        const named = given.length > 0;
        const names = named ? parseSources(given) : [...AGENT_NAMES];
        if (opts.from && names.length !== 1) throw new UsageError('--from names one place: give one agent with it');
        const archive = await ctx.archive();
        const library = await lib();
        const settings = await library.readRedaction(archive);
        if (!opts.redact || settings?.enabled === false) {
          writeErr(
            colors(process.stderr).yellow(
              `sarc: warning: redaction is off (${opts.redact ? 'this archive turned it off: `sarc redaction on`' : '--no-redact'}): secrets in these sessions are written as they are\n`,
            ),
          );
        }
        if (opts.watch) {
          const watcher = library.watchSync(archive, names, {
            from: opts.from ? { [names[0] as string]: opts.from } : undefined,
            redact: opts.redact,
            onSync: (r) => {
              if (r.missing || r.sessions.new + r.sessions.updated + r.sessions.failed === 0) return;
              if (ctx.options.json) process.stdout.write(`${JSON.stringify(r)}\n`);
              else if (!ctx.options.quiet) writeOut(`${summary(r)}\n`);
            },
            onError: (agent, error) => writeErr(`sarc: sync ${agent}: ${(error as Error).message}\n`),
          });
          await watcher.ready;
          if (!ctx.options.json && !ctx.options.quiet) writeErr(`following ${names.join(', ')} (Ctrl-C stops)\n`);
          await new Promise<void>((resolve) => {
            process.once('SIGINT', resolve);
            process.once('SIGTERM', resolve);
          });
          await watcher.close();
          return;
        }
        const results: SyncResult[] = [];
        for (const name of names) {
          const entry = agentEntry(name);
          const bar = progress(ctx.options, 0, name);
          try {
            results.push(
              await library.syncAgent(archive, name, {
                from: opts.from,
                dryRun: opts.dryRun,
                all: opts.all,
                redact: opts.redact,
                onProgress: (done, total) => bar.update(done, total, `${entry?.unit ?? 'source'}s`),
              }),
            );
          } catch (error) {
            if (named) throw error;
            // Looking through every agent: one that cannot be read is reported, the others still run.
            writeErr(`sarc: sync ${name}: ${(error as Error).message}\n`);
            ctx.partly();
          } finally {
            bar.stop();
          }
        }
        const c = colors();
        // Looking through every agent, the ones not found are one line (there are many agents, most people use a few).
        const absent = named ? [] : results.filter((r) => r.missing);
        emit(ctx.options, named && names.length === 1 ? results[0] : results, () =>
          [
            ...results
              .filter((r) => !absent.includes(r))
              .flatMap((r) => [
                r.missing ? c.dim(summary(r)) : summary(r),
                ...r.failures.map((f) => c.red(`  failed ${f.session ?? ''} ${f.file}: ${f.reason}`)),
              ]),
            ...(absent.length ? [c.dim(`no sessions found for ${absent.map((r) => `${r.source} (${tilde(r.from)})`).join(', ')}`)] : []),
          ].join('\n'),
        );
        if (results.some((r) => r.failures.length > 0)) ctx.partly();
        else if (named && results.some((r) => r.missing)) ctx.exitWith(EXIT_NO_SOURCE);
      }),
    );

  program
    .command('sources')
    .description('every agent this archive can bring sessions in from: where it looks, what it found, when it last synced')
    .addHelpText('after', '\nExamples:\n  sarc sources\n  sarc sources --json')
    .action(
      run(async (ctx) => {
        const archive = await ctx.archive();
        const rows = await (await lib()).captureSources(archive);
        emit(ctx.options, rows, () => {
          const c = colors();
          const width = Math.max(...rows.map((r) => r.agent.length));
          const paths = Math.max(...rows.map((r) => tilde(r.path).length));
          return rows
            .map((r) => {
              const found = r.found === undefined ? c.dim('not found') : plural(r.found, r.unit);
              const last = r.lastSync ? `last sync ${new Date(r.lastSync).toISOString().replace('T', ' ').slice(0, 16)}` : 'never synced';
              return `${r.agent.padEnd(width)}  ${tilde(r.path).padEnd(paths)}  ${found}${r.found === undefined ? '' : `, ${plural(r.sessions, 'session')} in the archive, ${last}`}${r.error ? c.red(`  ${r.error}`) : ''}`;
            })
            .join('\n');
        });
      }),
    );
}
