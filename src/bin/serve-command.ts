import { cp, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AGENT_NAMES } from '../basics.js';
import { UsageError } from '../cli/output.js';
import type { RegisterCommands } from '../cli/runner.js';
import { SAMPLES } from '../cli/samples.js';
import { writeErr, writeOut } from '../cli/terminal-text.js';

/** Where `--demo` keeps its writable copy of samples/: in the state dir, so a checkout stays clean. */
function demoDir(): string {
  const state = process.env.SARC_STATE_DIR || join(process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'session-archive');
  return join(state, 'demo-archive');
}

/** `sarc serve`: the HTTP server over the archive (added to the program by the composition root). */
export const serveCommand: RegisterCommands = (program, run) => {
  program
    .command('serve')
    .description("serve OpenCode's session API (and the archive's own routes) over HTTP")
    .option('--port <port>', 'port (0 picks a free one)', '4097')
    .option('--hostname <host>', 'address to bind; anything but loopback needs SARC_SERVER_PASSWORD', '127.0.0.1')
    .option('--body-limit <bytes>', 'largest request body (413 past it)', String(64 * 1024 * 1024))
    .option(
      '--no-search',
      'no full-text search (it keeps an index in the state dir and watches the messages folders of the newest 10,000 sessions)',
    )
    .option('--demo', 'serve a writable copy of the sample archive (kept in the state dir)')
    .option('--public-url <url>', 'the URL people reach this server at: share URLs start with it, and its host name is answered to')
    .option(
      '--sync <agents>',
      `also bring in the sessions of these agents as they change (comma-separated, of ${AGENT_NAMES.join(', ')}; or all)`,
    )
    .option('--allow-host <name>', 'also answer to this Host name (name, or name:port); repeatable', (v: string, all: string[] = []) => [
      ...all,
      v,
    ])
    .addHelpText(
      'after',
      '\nExamples:\n  sarc serve --archive ~/sessions\n  sarc serve --port 8080 --public-url https://sessions.example.org\n  SARC_SERVER_PASSWORD=secret sarc serve --hostname 0.0.0.0 --allow-host my-laptop.local',
    )
    .action(
      run(
        async (
          ctx,
          opts: {
            port: string;
            hostname: string;
            bodyLimit: string;
            demo?: boolean;
            publicUrl?: string;
            allowHost?: string[];
            sync?: string;
            search: boolean;
          },
        ) => {
          // Loaded here, not at start: every other command starts without them (and the server's modules, below).
          const [{ parseSources }, { tuneForLongRun }] = await Promise.all([
            import('../cli/commands/sync.js'),
            import('../cli/long-running.js'),
          ]);
          const sources = opts.sync ? parseSources(opts.sync) : [];
          const port = Number(opts.port);
          const limit = Number(opts.bodyLimit);
          if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`invalid --port ${JSON.stringify(opts.port)}`);
          if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`invalid --body-limit ${JSON.stringify(opts.bodyLimit)}`);
          let dir = ctx.dir;
          if (opts.demo) {
            dir = demoDir();
            const exists = await stat(join(dir, 'archive.json')).then(
              () => true,
              () => false,
            );
            if (!exists) await cp(SAMPLES, dir, { recursive: true });
          }
          tuneForLongRun();
          const [{ startServer }, { openArchive, watchSync, searchEngineLine }] = await Promise.all([
            import('../server/serve.js'),
            import('../index.js'),
          ]);
          const server = await startServer({
            dir,
            port,
            hostname: opts.hostname,
            bodyLimit: limit,
            publicUrl: opts.publicUrl,
            allowHosts: opts.allowHost,
            search: opts.search,
            onWarning: (m) => writeErr(`sarc: ${m}\n`),
          });
          const following = sources.length
            ? watchSync(await openArchive({ dir }), sources, {
                onError: (source, error) => writeErr(`sarc: sync ${source}: ${(error as Error).message}\n`),
              })
            : undefined;
          if (ctx.options.json) process.stdout.write(`${JSON.stringify({ url: server.url, archive: dir })}\n`);
          else {
            const search = searchEngineLine();
            // The engine is named only when search is slower than it could be, or missing.
            const note = opts.search !== false && (search.engine === 'wasm' || search.engine === undefined) ? `${search.line}\n` : '';
            writeOut(`session-archive serving ${dir}\n${server.url}  (API doc: ${server.url}/doc)\n${note}`);
          }
          await new Promise<void>((resolve) => {
            process.once('SIGINT', resolve);
            process.once('SIGTERM', resolve);
          });
          // Stop within 2 s whatever the clients do: a last resort if anything still holds the process open.
          setTimeout(() => process.exit(0), 2_000).unref();
          await following?.close();
          await server.close();
        },
      ),
    );
};
