import type { Command } from 'commander';
import { readWholeSession, type WholeSession } from '../../basics.js';
import type { HistoryQuery, SessionIndex } from '../../index.js';
import { lib, reading } from '../lib.js';
import { colors, emit, positiveInt, UsageError } from '../output.js';
import { page } from '../pager.js';
import { nextPageCommand } from '../paging.js';
import { renderList } from '../render.js';
import { type Runner, runOnSession } from '../runner.js';
import { deepPlain, writeErr } from '../terminal-text.js';

/** A page of `sarc list`. */
type HistoryPage = ReturnType<SessionIndex['history']>;

/** Commands on one session at a time: list, show, create, rename, archive, delete, fork. */
export function registerSessionCommands(program: Command, run: Runner): void {
  program
    .command('list')
    .alias('ls')
    .description("list sessions, newest first: this folder's project by default, every project with --all")
    .option('-a, --all', 'sessions of every project')
    .option('-s, --search <text>', 'titles containing this text (any case; sarc search looks into messages too)')
    .option('--roots', 'only sessions without a parent')
    .option('--archived <which>', 'archived sessions: exclude, include or only', 'exclude')
    .option('-p, --project <name>', 'only this project: its name, its folder or its ID')
    .option('-d, --dir <glob>', 'only sessions in this folder (or glob; ~ expanded), sub-folders included')
    .option('-w, --workspace <id>', 'only sessions of this workspace (workspaceID)')
    .option('--agent <name>', 'only sessions from this agent (claude-code, codex, opencode, …; archive: made here)')
    .option('-n, --limit <n>', 'at most this many', positiveInt, 50)
    .option('--cursor <cursor>', 'continue after a previous page (its nextCursor)')
    .addHelpText(
      'after',
      '\nExamples:\n  sarc list\n  sarc list --project webapp\n  sarc list --all --dir "~/src/opencode*" --archived include\n  sarc list --json | jq -r ".items[].id"',
    )
    .action(
      run(
        async (
          ctx,
          opts: {
            all?: boolean;
            search?: string;
            roots?: boolean;
            archived: string;
            project?: string;
            dir?: string;
            workspace?: string;
            agent?: string;
            limit: number;
            cursor?: string;
          },
        ) => {
          if (!['exclude', 'include', 'only'].includes(opts.archived))
            throw new UsageError(`invalid --archived ${JSON.stringify(opts.archived)}: expected exclude, include or only`);
          const query: HistoryQuery = {
            limit: opts.limit,
            cursor: opts.cursor,
            search: opts.search,
            roots: opts.roots,
            archived: opts.archived as 'exclude',
            directory: opts.dir,
            workspace: opts.workspace,
            agent: opts.agent,
            project: opts.project,
            invalid: true,
          };
          // Without a filter: this folder's project, as OpenCode lists.
          const here = opts.project || opts.all || opts.dir || opts.workspace || opts.agent ? undefined : process.cwd();
          const asked = await ctx.ask<{ page: HistoryPage; project?: string }>({ op: 'list', query, projectOf: here });
          const project = asked
            ? asked.project
            : here
              ? (await (await reading()).detectProject(here)).id
              : opts.project === undefined
                ? undefined
                : await (await reading()).findProject(await ctx.archive(), opts.project);
          const page = asked?.page ?? (await ctx.index()).history({ ...query, project });
          const c = colors();
          // Each row's message count (a folder listing each; --json stays the page as it was).
          const counts = new Map<string, number>();
          if (!ctx.options.json && !ctx.options.quiet) {
            const archive = await ctx.archive();
            await Promise.all(
              page.items.map(async (s) => {
                if (s.valid) counts.set(s.id, (await archive.messages.ids(s.id).catch(() => undefined))?.length ?? Number.NaN);
              }),
            );
            for (const [id, n] of counts) if (Number.isNaN(n)) counts.delete(id);
          }
          emit(ctx.options, page, () => {
            if (page.items.length === 0)
              return c.dim(project && !opts.project ? `no sessions in this project (${project}); try --all` : 'no sessions');
            const more = page.nextCursor ? `\n${c.dim(`more: ${nextPageCommand('list', page.nextCursor)}`)}` : '';
            return renderList(deepPlain(page.items), counts, c, ctx.options.utc) + more;
          });
        },
      ),
    );

  program
    .command('show <id>')
    .description(
      'a session: info, todos and the conversation as turns (markdown for the terminal, tool calls summarised, local times); on a terminal through $PAGER (or less -R)',
    )
    .option('--raw', 'the JSON of info, todos and messages as stored (the same as --json)')
    .option('--at <message>', 'open at this message (its ID)')
    .option('--hit <words>', 'open at the first message holding all these words (any case)')
    .option('--no-pager', 'print it all at once, even on a terminal')
    .addHelpText(
      'after',
      '\nExamples:\n  sarc show ses_fe5e0a1b2c3dKq7ZpX2mRtY9wA\n  sarc show latest --hit "connection reset"\n  sarc show latest --raw | jq ".messages | length"',
    )
    .action(
      run(async (ctx, arg: string, opts: { raw?: boolean; at?: string; hit?: string; pager: boolean }) => {
        const shown =
          (await ctx.ask<WholeSession>({ op: 'show', session: arg })) ??
          (await readWholeSession(await ctx.archive(), await ctx.sessionId(arg)));
        const options = opts.raw ? { ...ctx.options, json: true } : ctx.options;
        const { brokenOf, renderSession, messageAt, hasSubAgentCalls } = await import('../render-session.js');
        const at = opts.at ?? opts.hit;
        const target = at === undefined ? undefined : messageAt(shown.messages, opts.at === undefined ? { words: at } : { id: at });
        if (at !== undefined && target === undefined)
          throw new UsageError(
            opts.at !== undefined ? `no message ${opts.at} in this session` : `no message holds ${JSON.stringify(opts.hit)}`,
          );
        // Where it came from (an agent's store, on this machine), for people only: --raw is the session as stored.
        const provenance = options.json ? undefined : await (await lib()).provenanceOf(await ctx.archive(), shown.info);
        // Sub-agent calls link to their child sessions (the index is opened only when there are some).
        const children =
          options.json || !hasSubAgentCalls(shown.messages)
            ? []
            : (await ctx.index()).children(shown.info.id).map((s) => ({ id: s.id, title: s.title, created: s.time.created }));
        const starts = new Map<string, number>();
        let text = '';
        emit(options, shown, () => {
          // Data cleaned of its own escape sequences before it is coloured (the colour codes written are then all sarc's).
          const clean = deepPlain({ shown, provenance, children });
          text = renderSession(
            clean.shown.info,
            clean.shown.todos,
            clean.shown.messages,
            colors(),
            ctx.options.utc,
            clean.provenance,
            clean.children,
            starts,
          );
          // Piped: all of it, or from the message asked for. On a terminal the pager opens there instead.
          if (!process.stdout.isTTY || !opts.pager)
            return target
              ? text
                  .split('\n')
                  .slice(starts.get(target) ?? 0)
                  .join('\n')
              : text;
          return '';
        });
        if (text && process.stdout.isTTY && opts.pager && !options.json && !options.quiet)
          await page(text, target === undefined ? undefined : starts.get(target));
        // Everything readable was shown, each broken file in its place; the command still says it was not all there.
        const broken = shown.messages.flatMap((m) => brokenOf(m) ?? []);
        if (broken.length) {
          if (!ctx.options.quiet)
            writeErr(
              `sarc: ${broken.length} message file${broken.length === 1 ? '' : 's'} could not be read (shown in place): ${broken.map((b) => b.error.path).join(', ')}; sarc doctor tells more\n`,
            );
          ctx.partly();
        }
      }),
    );

  program
    .command('create')
    .description('create a session and print its ID')
    .option('--id <id>', 'a chosen ID: ses_ + 12 lowercase hex + 14 letters or digits')
    .option('-t, --title <title>', 'the title (default: "New session - <time>")')
    .option('-d, --dir <dir>', 'its working folder (default: the current folder)')
    .option('--parent <id>', 'the parent session (makes a child session)')
    .addHelpText('after', '\nExample:\n  sarc create --title "Try the new parser" --dir ~/src/app')
    .action(
      run(async (ctx, opts: { id?: string; title?: string; dir?: string; parent?: string }) => {
        const archive = await ctx.archive();
        const s = await archive.sessions.create({ id: opts.id, title: opts.title, directory: opts.dir, parentID: opts.parent });
        emit(ctx.options, s, () => s.id);
      }),
    );

  program
    .command('rename <id> <title>')
    .description("change a session's title")
    .addHelpText('after', '\nExample:\n  sarc rename ses_… "Retry policy, final"')
    .action(
      runOnSession(async (ctx, id: string, title: string) => {
        const s = await (await ctx.archive()).sessions.update(id, { title });
        emit(ctx.options, s, () => `renamed ${s.id}: ${s.title}`);
      }),
    );

  for (const [name, archived] of [
    ['archive', true],
    ['unarchive', false],
  ] as const) {
    program
      .command(`${name} <id>`)
      .description(archived ? 'archive a session (hidden from lists unless --archived include)' : 'bring an archived session back')
      .addHelpText('after', `\nExample:\n  sarc ${name} ses_…`)
      .action(
        runOnSession(async (ctx, id: string) => {
          const archive = await ctx.archive();
          const s = await archive.sessions.update(id, { time: { archived: archived ? archive.now() : null } });
          emit(ctx.options, s, () => `${archived ? 'archived' : 'unarchived'} ${s.id}`);
        }),
      );
  }

  program
    .command('delete <id>')
    .alias('rm')
    .description('delete a session and its child sessions (asks first unless --yes)')
    .option('-y, --yes', 'do not ask')
    .addHelpText('after', '\nExample:\n  sarc delete ses_… --yes')
    .action(
      runOnSession(async (ctx, id: string, opts: { yes?: boolean }) => {
        const archive = await ctx.archive();
        const info = await archive.sessions.get(id);
        const children = await ctx.descendants(id);
        if (!opts.yes) {
          const what = `delete "${info.title}" (${id})${children.length ? ` and its ${children.length} child session${children.length === 1 ? '' : 's'}` : ''}`;
          if (!process.stdin.isTTY) throw new UsageError(`refusing to ${what} without --yes (stdin is not a terminal)`);
          const { createInterface } = await import('node:readline/promises');
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          const answer = await rl.question(`${what}? [y/N] `);
          rl.close();
          if (!/^y(es)?$/i.test(answer.trim())) {
            emit(ctx.options, { deleted: [] }, () => 'nothing deleted');
            return;
          }
        }
        // The children just counted are the ones that go.
        const index = await ctx.index();
        const deleted = await archive.sessions.delete(id, { children: (p) => index.childIds(p) });
        emit(ctx.options, { deleted }, () => `deleted ${deleted.length} session${deleted.length === 1 ? '' : 's'}: ${deleted.join(', ')}`);
      }),
    );

  program
    .command('fork <id>')
    .description('fork a session: a copy with the messages before --at (all without it), titled "<title> (fork #N)"')
    .option('--at <messageID>', 'copy the messages before this one')
    .option('--id <id>', 'a chosen ID for the fork')
    .addHelpText('after', '\nExample:\n  sarc fork ses_… --at msg_…')
    .action(
      runOnSession(async (ctx, id: string, opts: { at?: string; id?: string }) => {
        const { forkSession, forkFamilyTitles } = await lib();
        const taken = forkFamilyTitles(await ctx.index(), id);
        const fork = await forkSession(await ctx.archive(), id, { messageID: opts.at, id: opts.id, taken });
        emit(ctx.options, fork, () => `${fork.id}  ${fork.title}`);
      }),
    );
}
