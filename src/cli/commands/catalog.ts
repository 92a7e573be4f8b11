import type { Command } from 'commander';
import { formatTime } from '../../basics.js';
import type { GroupedSearchResult, OneOffOptions, SearchHit, SearchQuery, SearchResult } from '../../index.js';
import { startSearchCheck } from '../../views.js';
import type { CliContext } from '../context.js';
import { lib } from '../lib.js';
import { tuneForLongRun } from '../long-running.js';
import { colors, emit, positiveInt, UsageError } from '../output.js';
import { nextPageCommand } from '../paging.js';
import { progress } from '../progress.js';
import type { Runner } from '../runner.js';
import { plainTerminal, writeErr, writeOut } from '../terminal-text.js';

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
        const idx = await (await lib())
          .openIndex(await ctx.archive(), {
            watch: false,
            rebuild: true,
            onProgress: (done, total) => bar.update(done, total, 'sessions'),
          })
          .finally(() => bar.stop());
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
    .description(
      'print events (session.updated, message.updated, …) as they happen, until interrupted; meanwhile list, show, search and status ask this watcher instead of reading the archive',
    )
    .option('--session <id>', 'also follow the messages and parts of this session')
    .option('--search', 'keep the full-text search index current too, so `sarc search` asks this watcher')
    .addHelpText(
      'after',
      '\nExamples:\n  sarc watch --json | jq .type\n  sarc watch --quiet --search &    # sarc list, show, search and status ask it',
    )
    .action(
      run(async (ctx, opts: { session?: string; search?: boolean }) => {
        tuneForLongRun();
        const idx = await (await lib()).openIndex(await ctx.archive(), {
          onWarning: (m) => writeErr(`sarc: ${m}\n`),
          search: opts.search,
          localSocket: true,
        });
        await idx.ready();
        if (opts.session) await idx.subscribe(opts.session);
        idx.on((e) => {
          if (ctx.options.quiet) return;
          if (ctx.options.json) process.stdout.write(`${JSON.stringify(e)}\n`);
          else {
            const p = e.properties as { sessionID?: string; info?: { title?: string } };
            writeOut(
              `${new Date().toISOString().slice(11, 23)}  ${e.type.padEnd(22)} ${p.sessionID ?? ''}${p.info?.title ? `  ${p.info.title}` : ''}\n`,
            );
          }
        });
        if (!ctx.options.quiet) writeErr('watching; Ctrl-C to stop\n');
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await idx.close();
      }),
    );
}

const DURATION = /^(\d+)\s*(m|min|h|d|w)$/;
const UNIT_MS: Record<string, number> = { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** A time on the command line: a date (`2026-11-01`, local), a date and time, or a span back from now (`90m`, `12h`, `7d`, `2w`). */
export function parseWhen(value: string, option: string): number {
  const span = DURATION.exec(value.trim());
  if (span) return Date.now() - Number(span[1]) * (UNIT_MS[span[2] as string] as number);
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00`).getTime() : Date.parse(value);
  if (Number.isNaN(ms))
    throw new UsageError(
      `invalid ${option} ${JSON.stringify(value)}: expected a date (2026-11-01), a date and time, or a span like 12h, 7d, 2w`,
    );
  return ms;
}

/** A page's place as a cursor (`list` and `search` page alike: `--cursor` with the last page's `nextCursor`). */
export function cursorOfOffset(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

/** The offset a search cursor stands for. */
export function offsetOfCursor(cursor: string): number {
  try {
    const { offset } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { offset?: unknown };
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {}
  throw new UsageError(`invalid --cursor ${JSON.stringify(cursor)}: use the nextCursor of the page before`);
}

/** Marks the matched words of a snippet (bold on a terminal, nothing when piped). */
export function markSnippet(hit: SearchHit, c: ReturnType<typeof colors>): string {
  let out = '';
  let at = 0;
  for (const [a, b] of hit.marks) {
    out += plainTerminal(hit.snippet.slice(at, a)) + c.bold(c.yellow(hit.snippet.slice(a, b)));
    at = b;
  }
  return out + plainTerminal(hit.snippet.slice(at));
}

/** What a one-off question passes to the library to catch the search index up: its early check, progress and warnings. */
export type CatchUp = Pick<OneOffOptions, 'early' | 'rebuild' | 'onProgress' | 'onWarning'>;

/**
 * Asks the search index opened here (caught up with the files first, with a
 * progress bar): `ask` gets the library and the options to pass on. The stats
 * of the check start on another thread at once, while the library loads.
 */
export async function withSearchIndexHere<T>(
  ctx: CliContext,
  ask: (library: Awaited<ReturnType<typeof lib>>, options: CatchUp) => Promise<T>,
  rebuild?: boolean,
): Promise<T> {
  const early = rebuild ? undefined : startSearchCheck(ctx.dir);
  const bar = progress(ctx.options, 0, 'indexing');
  try {
    return await ask(await lib(), {
      rebuild,
      early,
      onProgress: (done, total) => bar.update(done, total, 'sessions'),
      onWarning: (m) => writeErr(`sarc: ${m}\n`),
    });
  } finally {
    bar.stop();
    // Not used when the archive could not be opened: its threads stop now, not when done.
    void early?.scan.cancel();
  }
}

export function registerSearchCommand(program: Command, run: Runner): void {
  program
    .command('search <query...>')
    .alias('find')
    .description(
      'full-text search over titles, todos and messages (text, reasoning, tool calls and outputs, file names) of every session; words match in any form ("retry" finds "retries"), "a phrase", word* for a beginning, -word to leave out',
    )
    .option('-p, --project <name>', 'only this project: its name, its folder or its ID')
    .option('-d, --dir <glob>', 'only sessions in this folder (or glob; ~ expanded), sub-folders included')
    .option('--since <when>', 'only from this time on: a date (2026-11-01), or back from now (12h, 7d, 2w)')
    .option('--until <when>', 'only before this time (same forms as --since)')
    .option('--role <role>', 'only messages of this role: user or assistant')
    .option('--archived <which>', 'archived sessions: include, exclude or only', 'include')
    .option('--agent <name>', 'only sessions from this agent (claude-code, codex, opencode, …)')
    .option('-n, --limit <n>', 'at most this many sessions (with --flat: hits)', positiveInt, 20)
    .option('--cursor <cursor>', 'continue after a previous page (its nextCursor)')
    .option('--flat', 'every hit on its own, best first (not grouped per session)')
    .option('--rebuild', 'build the search index again from the files first')
    .addHelpText(
      'after',
      '\nHits are grouped per session, best first ("4 more in this session"); a fork\'s copies of its source\'s messages count as the source\'s. The search index is derived data in the state dir; the first search builds it (with a progress bar), later ones read only what changed.\n\nExamples:\n  sarc search retry\n  sarc search \'"connection reset"\' --since 7d\n  sarc search "timeout -flaky" --dir ~/src/api --role assistant\n  sarc search migrat* --json | jq -r ".groups[].sessionID"',
    )
    .action(
      run(
        async (
          ctx,
          words: string[],
          opts: {
            project?: string;
            dir?: string;
            since?: string;
            until?: string;
            role?: string;
            agent?: string;
            archived: string;
            limit: number;
            cursor?: string;
            flat?: boolean;
            rebuild?: boolean;
          },
        ) => {
          if (!['exclude', 'include', 'only'].includes(opts.archived))
            throw new UsageError(`invalid --archived ${JSON.stringify(opts.archived)}: expected include, exclude or only`);
          if (opts.role !== undefined && opts.role !== 'user' && opts.role !== 'assistant')
            throw new UsageError(`invalid --role ${JSON.stringify(opts.role)}: expected user or assistant`);
          const offset = opts.cursor === undefined ? 0 : offsetOfCursor(opts.cursor);
          const query: SearchQuery = {
            query: words.join(' '),
            project: opts.project === undefined ? undefined : await (await lib()).findProject(await ctx.archive(), opts.project),
            directory: opts.dir,
            agent: opts.agent,
            from: opts.since === undefined ? undefined : parseWhen(opts.since, '--since'),
            to: opts.until === undefined ? undefined : parseWhen(opts.until, '--until'),
            role: opts.role as 'user' | undefined,
            archived: opts.archived as 'include',
            limit: opts.limit,
            offset,
          };
          const c = colors();
          const when = (ms: number) => formatTime(ms, { utc: ctx.options.utc });
          const hitLine = (h: SearchHit) => {
            const where = h.field === 'message' ? `${h.role} · ${h.messageID}` : h.field;
            return `${c.dim(`${where} · ${when(h.time)}`)}\n  ${markSnippet(h, c)}`;
          };
          const ranked = (among?: number) =>
            among
              ? `\n${c.dim(`so many messages match that the newest ${among} were ranked; add words, --dir or --since for older ones`)}`
              : '';
          const nextCursor = (more: boolean) => (more ? cursorOfOffset(offset + opts.limit) : undefined);
          if (opts.flat) {
            // A running watcher's search index is current; --rebuild means this one.
            const asked = opts.rebuild ? undefined : await ctx.ask<SearchResult>({ op: 'search', query });
            const result =
              asked ??
              (await withSearchIndexHere(
                ctx,
                async (library, options) => library.searchIndex(await ctx.archive(), query, options),
                opts.rebuild,
              ));
            const next = nextCursor(result.more);
            emit(ctx.options, { ...result, ...(next ? { nextCursor: next } : {}) }, () => {
              if (result.hits.length === 0) return c.dim('no matches');
              const lines = result.hits.map(
                (h) => `${c.bold(h.title || h.sessionID)}${h.archived ? c.dim(' (archived)') : ''}  ${c.dim(h.sessionID)}\n  ${hitLine(h)}`,
              );
              const more = next ? `\n${c.dim(`more: ${nextPageCommand('search', next)}`)}` : '';
              return `${lines.join('\n')}${more}${ranked(result.rankedAmong)}\n${c.dim('read one: sarc show <session ID> --at <message ID>')}`;
            });
            return;
          }
          const asked = opts.rebuild ? undefined : await ctx.ask<GroupedSearchResult>({ op: 'searchGroups', query });
          const result =
            asked ??
            (await withSearchIndexHere(
              ctx,
              async (library, options) => {
                // Forks fold into their sources: the session index knows which sessions are forks of which.
                const sessions = await ctx.index();
                return library.searchGroupsIndex(await ctx.archive(), query, {
                  ...options,
                  groupOf: library.forkGrouping((id) => sessions.get(id)),
                });
              },
              opts.rebuild,
            ));
          const next = nextCursor(result.more);
          emit(ctx.options, { ...result, ...(next ? { nextCursor: next } : {}) }, () => {
            if (result.groups.length === 0) return c.dim('no matches');
            const lines = result.groups.map((g) => {
              const h = g.best;
              const forks =
                g.sessions.length > 1 ? c.dim(` (with ${g.sessions.length - 1} fork${g.sessions.length === 2 ? '' : 's'})`) : '';
              const rest = g.count - 1 - g.others.length;
              const others = g.others.map((o) => `\n  ${hitLine(o)}`).join('');
              const more = rest > 0 ? `\n  ${c.dim(`${rest}${result.capped ? '+' : ''} more in this session`)}` : '';
              return `${c.bold(h.title || g.sessionID)}${h.archived ? c.dim(' (archived)') : ''}  ${c.dim(g.sessionID)}${forks}\n  ${hitLine(h)}${others}${more}`;
            });
            const more = next ? `\n${c.dim(`more: ${nextPageCommand('search', next)}`)}` : '';
            return `${lines.join('\n\n')}${more}${ranked(result.rankedAmong)}\n${c.dim('read one: sarc show <session ID> --at <message ID>')}`;
          });
        },
      ),
    );
}
