// The CLI as the package ships it: src/bin/sarc.ts bundled by esbuild into
// dist/sarc/ (one small entry, the rest in chunks loaded by the commands
// that use them: a process reads a few files, not hundreds), and beside it
// answers.json, every help text and the version line, which bin/sarc.cjs
// prints without loading the bundle. `node scripts/bundle-cli.mjs [dist]` after
// tsc has built `dist` (its program gives the help texts); the tests' setup
// calls bundleCli for its own build.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { STORED_ANSWERS } from '../bin/stored-answers.cjs';

const ROOT = join(import.meta.dirname, '..');

/**
 * Commander requires node:child_process as it loads, for subcommands that are
 * programs of their own, which this CLI has none of; loading it (and with it
 * net, dgram and the streams) is ~4 ms of every command's start. Commander
 * gets a stand-in that loads the module at its first use.
 */
const commanderWithoutChildProcess = {
  name: 'commander-without-child-process',
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'on-first-use' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'on-first-use' }, () => ({
      contents: `let loaded;
module.exports = new Proxy({}, { get: (_, key) => (loaded ??= require('node:child_process'))[key] });`,
      loader: 'js',
    }));
  },
};

/** Bundles the CLI into `${dist}/sarc` and stores its help texts there, from the program tsc built into `dist`. */
export async function bundleCli(dist) {
  const outdir = join(dist, 'sarc');
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: [join(ROOT, 'src', 'bin', 'sarc.ts')],
    bundle: true,
    splitting: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // ES module builds where a package has one (jsonc-parser's main is UMD, which requires its files at run time).
    mainFields: ['module', 'main'],
    // Native or WebAssembly: loaded from node_modules as they are.
    external: ['better-sqlite3', 'node-sqlite3-wasm'],
    // The CommonJS packages inside call require for Node's modules.
    banner: { js: "import{createRequire as __sarcRequire}from'node:module';const require=__sarcRequire(import.meta.url);" },
    outdir,
    chunkNames: 'chunk-[hash]',
    plugins: [commanderWithoutChildProcess],
    logLevel: 'error',
  });
  const url = (path) => pathToFileURL(join(dist, path)).href;
  const [{ createProgram }, { helpTexts }, { serveCommand }, { mcpCommand }] = await Promise.all([
    import(url('cli/program.js')),
    import(url('cli/help-texts.js')),
    import(url('bin/serve-command.js')),
    import(url('bin/mcp-command.js')),
  ]);
  writeFileSync(join(outdir, STORED_ANSWERS), `${JSON.stringify(helpTexts(await createProgram([serveCommand, mcpCommand])), null, 1)}\n`);
}

if (process.argv[1] === import.meta.filename) await bundleCli(process.argv[2] ?? join(ROOT, 'dist'));
