import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SAMPLE, SAMPLES, tempDir } from '../helpers.js';

// What `sarc list` loads, module by module: tsc's build of the CLI (one file
// per module, as src/ has them) run with a resolve hook that writes down each
// module's URL. A list the index's snapshot answers must not load the schema
// library nor the search, watch or socket rooms (that is what keeps `sarc list`
// within twice `node -e 0`, bench/start-bench.ts); a session changed since the
// snapshot must load the schemas, to read it (so the check can see them).

const BUILT = process.env.SARC_TEST_BUILD;
const CLI = BUILT ? join(BUILT, 'dist', 'bin', 'sarc.js') : undefined;

async function setup() {
  const dir = await tempDir();
  const archive = join(dir, 'archive');
  await cp(SAMPLES, archive, { recursive: true });
  const log = join(dir, 'loaded.txt');
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const found = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, found.url + '\\n');
  return found;
}
`,
  );
  const register = join(dir, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  const env = { ...process.env, SARC_ARCHIVE: archive, SARC_STATE_DIR: join(dir, 'state'), SARC_NO_WATCHER: '1', NO_COLOR: '1' };
  /** Runs `sarc list --all` and returns what it printed and the src-relative modules and packages it loaded. */
  const list = () => {
    writeFileSync(log, '');
    const run = spawnSync(process.execPath, ['--import', register, CLI as string, 'list', '--all'], {
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    const built = pathToFileURL(join(BUILT as string, 'dist')).href;
    return {
      stdout: run.stdout,
      modules: urls.filter((u) => u.startsWith(built)).map((u) => u.slice(built.length + 1)),
      packages: urls.filter((u) => u.includes('/node_modules/')).map((u) => u.replace(/.*\/node_modules\/((@[^/]+\/)?[^/]+).*/, '$1')),
    };
  };
  return { archive, list };
}

describe.skipIf(!CLI || !existsSync(CLI))('what sarc list loads', () => {
  it('answered from the snapshot: no schema library, no search, watch or socket room; a changed session loads the schemas to read it', async () => {
    const { archive, list } = await setup();
    // The first list builds the snapshot and the project cache, reading every file.
    const first = list();
    expect(first.stdout).toContain(SAMPLE.main);
    expect(first.packages).toContain('zod');

    const again = list();
    expect(again.stdout).toBe(first.stdout);
    expect(again.modules).toContain('catalog/session-index.js');
    expect(again.modules).toContain('store/archive.js');
    // (The light API's one module of those rooms, the socket's client, loads with every command.)
    const heavy =
      /^(index|views)\.js$|^catalog\/(search\/|watch\/|socket\/(?!local-client))|^model\/(?!ids|lazy|archive-format)|^ops\/(tool-summary|turns)/;
    expect(again.modules.filter((m) => heavy.test(m))).toEqual([]);
    // Nor the diff library (showing a session's edits) nor the glob matcher (a --dir filter).
    expect(again.packages.filter((p) => ['zod', 'jsonc-parser', 'chokidar', 'better-sqlite3', 'diff', 'picomatch'].includes(p))).toEqual(
      [],
    );

    // A hand edit since the snapshot: that info.json is read, and checked.
    const info = join(archive, 'sessions', SAMPLE.main, 'info.json');
    writeFileSync(info, readFileSync(info, 'utf8').replace('"title": "', '"title": "Edited: '));
    const edited = list();
    expect(edited.stdout).toContain('Edited: ');
    expect(edited.packages).toContain('zod');
    expect(edited.modules).toContain('model/session.js');
  });

  it("as the package runs it: none of Node's own modules that only other commands need (child processes, perf_hooks, workers)", async () => {
    const { archive } = await setup();
    const dir = join(archive, '..');
    const record = join(dir, 'record.cjs');
    const loaded = join(dir, 'node-modules.json');
    // process.moduleLoadList: every module of Node's own this process loaded, written as it exits.
    writeFileSync(
      record,
      `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(loaded)}, JSON.stringify(process.moduleLoadList)));\n`,
    );
    const env = { ...process.env, SARC_ARCHIVE: archive, SARC_STATE_DIR: join(dir, 'state'), SARC_NO_WATCHER: '1', NO_COLOR: '1' };
    const launcher = join(BUILT as string, 'bin', 'sarc.cjs');
    for (let i = 0; i < 2; i++) {
      const run = spawnSync(process.execPath, ['--require', record, launcher, 'list', '--all'], { env, encoding: 'utf8', timeout: 60_000 });
      expect(run.stderr).toBe('');
      expect(run.stdout).toContain(SAMPLE.main);
    }
    const names = (JSON.parse(readFileSync(loaded, 'utf8')) as string[]).filter((m) => m.startsWith('NativeModule '));
    expect(names.length).toBeGreaterThan(20);
    // What the check sees: the bundle itself loads node:fs.
    expect(names).toContain('NativeModule fs');
    // (net may load for stdout, a pipe here.) Commander's require of child_process is a stand-in until used (scripts/bundle-cli.mjs); the pager and git
    // load it when they run; the yield clock is process.hrtime, not performance.now() (which loads perf_hooks and the workers').
    expect(names.filter((m) => /^NativeModule (child_process|dgram|perf_hooks|worker_threads)$/.test(m))).toEqual([]);
  });
});
