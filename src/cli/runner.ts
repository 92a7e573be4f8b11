import type { Command } from 'commander';
import { CliContext, globals } from './context.js';

/** Runs a command's body with a context, closing it afterwards; errors become one line and an exit code (in `main`). */
export type Runner = <A extends unknown[]>(body: (ctx: CliContext, ...args: A) => Promise<void>) => (...args: A) => Promise<void>;

/** A command's action: a fresh context from the program's global options, closed when the body ends. */
export const run: Runner =
  (body) =>
  async (...args) => {
    const command = args.at(-1) as Command;
    const ctx = new CliContext(globals(command));
    try {
      await body(ctx, ...args);
      if (ctx.outcome !== undefined) process.exitCode = ctx.outcome;
    } finally {
      await ctx.close();
    }
  };

/**
 * {@link run} for a command whose first argument names a session: it is
 * resolved first (a full ID, a unique prefix, or `latest`; see
 * `CliContext.sessionId`), so the body gets the full ID.
 */
export const runOnSession =
  <A extends unknown[]>(body: (ctx: CliContext, id: string, ...args: A) => Promise<void>) =>
  (arg: string, ...args: A): Promise<void> =>
    run(async (ctx: CliContext, given: string, ...rest: A) => body(ctx, await ctx.sessionId(given), ...rest))(arg, ...args);

/** Adds commands to the program (how the composition root adds `serve`). */
export type RegisterCommands = (program: Command, run: Runner) => void;
