import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../cli/output.js';
import type { RegisterCommands } from '../cli/runner.js';
import { writeErr, writeOut } from '../cli/terminal-text.js';

/** `sarc mcp` (the archive as an MCP server on stdio) and `sarc mcp install` (added by the composition root). */
export const mcpCommand: RegisterCommands = (program, run) => {
  const mcp = program
    .command('mcp')
    .description(
      'serve the archive to coding agents over the Model Context Protocol (stdio): tools to search, list and read sessions, their todos and files; read-only',
    )
    .addHelpText(
      'after',
      '\nTools: search, list_sessions, read_session, session_todos, session_files (answers bounded, with paging).\n\nExamples:\n  sarc mcp install --agent claude-code     then ask Claude Code "search my sessions for the retry bug"\n  sarc mcp                                 (what the agent runs; it speaks JSON-RPC on stdin/stdout)',
    )
    .action(
      run(async (ctx) => {
        const archive = await ctx.archive();
        const { serveMcp } = await import('../mcp/server.js');
        await serveMcp(archive, (m) => writeErr(`sarc mcp: ${m}\n`));
      }),
    );
  mcp
    .command('install')
    .description("write an agent's MCP configuration so it starts `sarc mcp` on this archive (its other settings are kept)")
    .requiredOption('--agent <agent>', 'claude-code, codex, gemini-cli or opencode')
    .addHelpText('after', '\nExample:\n  sarc mcp install --agent codex --archive ~/sessions')
    .action(
      run(async (ctx, opts: { agent: string }) => {
        const { installMcp, MCP_AGENTS } = await import('../mcp/install.js');
        if (!(MCP_AGENTS as readonly string[]).includes(opts.agent))
          throw new UsageError(`invalid --agent ${JSON.stringify(opts.agent)}: expected ${MCP_AGENTS.join(', ')}`);
        const archive = await ctx.archive();
        // This node and this sarc, by absolute path: the agent finds them whatever its PATH; the archive named, whatever its folder.
        const script = realpathSync(resolve(process.argv[1] as string));
        const launch = { command: process.execPath, args: [script, '--archive', archive.dir, 'mcp'] };
        const path = await installMcp(opts.agent as never, launch);
        const json = { agent: opts.agent, config: path, server: 'session-archive', ...launch };
        if (ctx.options.json) writeOut(`${JSON.stringify(json, null, 2)}\n`);
        else if (!ctx.options.quiet)
          writeOut(`${opts.agent}: session-archive added to ${path}\n  runs ${[launch.command, ...launch.args].join(' ')}\n`);
      }),
    );
};
