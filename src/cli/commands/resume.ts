import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { lib } from '../lib.js';
import { emit, UsageError } from '../output.js';
import { runHere } from '../run-here.js';
import type { Runner } from '../runner.js';

/** `sarc resume`: a session written into an agent's own store, and the agent started on it. */
export function registerResumeCommand(program: Command, run: Runner): void {
  program
    .command('resume <id>')
    .description(
      "pick a session up again in an agent: write it into the agent's own store under a new session ID and run the agent's resume command in the session's folder",
    )
    .option(
      '--in <agent>',
      'the agent to resume in (default: the one the session came from): claude-code, codex, opencode, gemini-cli, qwen-code, pi or copilot-cli',
    )
    .option('--print', 'write the file and print the command, do not run it')
    .addHelpText(
      'after',
      "\nWhat the agent adds after resuming comes in with the next `sarc sync`: into the same session when it is resumed in the agent it came from, else as a continuation of it (a fork after its last message). Nothing already in the archive is written again, and the agent's own file, if any, is left alone. OpenCode keeps a database: the session is written as an export file beside it, which `opencode import` (1.x) or `opencode session import` (2.x, as `opencode --version` says) loads before it opens.\n\nExamples:\n  sarc resume latest\n  sarc resume ses_fe5e0a1b2c3d --in claude-code --print",
    )
    .action(
      run(async (ctx, arg: string, opts: { in?: string; print?: boolean }) => {
        const archive = await ctx.archive();
        const id = await ctx.sessionId(arg);
        const { resumeSession, resumeTargets, sessionAgent } = await lib();
        const info = await archive.sessions.get(id);
        const targets = await resumeTargets();
        const agent = opts.in ?? sessionAgent(info);
        if (!targets.includes(agent))
          throw new UsageError(
            `${opts.in ? `--in ${agent}` : `this session came from ${agent}`}: it can be resumed in ${targets.join(', ')} (--in)`,
          );
        const plan = await resumeSession(archive, id, agent);
        const quote = (words: string[]) => words.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : JSON.stringify(w))).join(' ');
        const line = `cd ${JSON.stringify(plan.cwd)} && ${plan.prepare ? `${quote(plan.prepare)} && ` : ''}${quote(plan.command)}`;
        const wanted = !opts.print && !ctx.options.json;
        const here = existsSync(plan.cwd);
        const runIt = wanted && here;
        emit(ctx.options, plan, () => `wrote ${plan.path}\n${runIt ? `running: ${line}` : line}`);
        if (wanted && !here)
          throw new UsageError(`the session's folder ${plan.cwd} is not on this machine: run the command above where it is`);
        if (!runIt) return;
        if (plan.prepare && (await runHere(plan.prepare, plan.cwd)) !== 0) {
          throw new UsageError(`${plan.prepare.join(' ')} failed: the session is in ${plan.path}, not yet in ${agent}`);
        }
        ctx.exitWith(await runHere(plan.command, plan.cwd));
      }),
    );
}
