import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sarc } from '../cli/helpers.js';
import { hasNativeSqlite, runWorker, SAMPLES, SARC, tempDir, until } from '../helpers.js';

// The comparison with the native engine needs one.
const NATIVE_SQLITE = hasNativeSqlite();

// Search on an install where no native SQLite loads (Node 20 without better-sqlite3: a global
// install, where npm runs no install scripts, or a machine that cannot build it): SQLite in
// WebAssembly, forced here with SARC_SQLITE=wasm, in real processes.
async function copyOfSamples() {
  const root = await tempDir();
  const dir = join(root, 'archive');
  await cp(SAMPLES, dir, { recursive: true });
  const state = join(root, 'state');
  return { dir, state, env: { SARC_ARCHIVE: dir, SARC_STATE_DIR: state, SARC_NO_WATCHER: '1' } };
}
const WASM = { SARC_SQLITE: 'wasm' };
/** Each group's session and best message, in the order found. */
const found = (out: string) =>
  (JSON.parse(out).groups as Array<{ sessionID: string; best: { messageID: string } }>).map((g) => `${g.sessionID} ${g.best.messageID}`);

describe('search without a native SQLite', () => {
  it.skipIf(!NATIVE_SQLITE)(
    'finds what the native engine finds, in a file of its own beside the native one, and doctor names the engine',
    async () => {
      const { state, env } = await copyOfSamples();
      const native = await sarc(['search', 'retries', '--json'], { env });
      expect(native.code, native.stderr).toBe(0);
      const wasm = await sarc(['search', 'retries', '--json'], { env: { ...env, ...WASM } });
      expect(wasm.code, wasm.stderr).toBe(0);
      expect(found(wasm.stdout).length).toBeGreaterThan(0);
      expect(found(wasm.stdout)).toEqual(found(native.stdout));
      expect(existsSync(join(state, 'search.sqlite'))).toBe(true);
      expect(existsSync(join(state, 'search.wasm.sqlite'))).toBe(true);

      const doctor = await sarc(['doctor'], { env: { ...env, ...WASM } });
      expect(doctor.stdout).toMatch(
        /search: SQLite in WebAssembly \(slower; Node 22\.5\+ has node:sqlite built in, or `npm install better-sqlite3`/,
      );
      const json = await sarc(['doctor', '--json'], { env: { ...env, ...WASM } });
      expect(JSON.parse(json.stdout).search).toEqual({ engine: 'wasm' });
      const nativeDoctor = await sarc(['doctor', '--json'], { env });
      expect(JSON.parse(nativeDoctor.stdout).search.engine).toMatch(/^(node:sqlite|better-sqlite3)$/);
    },
  );

  it("the server's start line names the WebAssembly engine and how to get a native one", async () => {
    const { env } = await copyOfSamples();
    const child = spawn(process.execPath, [...SARC, 'serve', '--port', '0'], { env: { ...process.env, ...env, ...WASM, NO_COLOR: '1' } });
    const closed = new Promise((resolve) => child.on('close', resolve));
    try {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      await until(() => /\nsearch: /.test(out), 60_000);
      expect(out).toMatch(
        /^session-archive serving .*\nhttp:\/\/127\.0\.0\.1:\d+ {2}\(API doc: .*\)\nsearch: SQLite in WebAssembly \(slower; Node 22\.5\+ has node:sqlite built in/,
      );
    } finally {
      child.kill('SIGTERM');
      await closed;
    }
  });

  it('two processes build and search one index at once', async () => {
    const { env } = await copyOfSamples();
    const runs = await Promise.all([1, 2, 3].map(() => sarc(['search', 'retries', '--json'], { env: { ...env, ...WASM } })));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    // Each finds every matching session. (Which message is a group's best may differ between them: a message both
    // indexed is written again by the later one, under a new row ID, and equal ranks are ordered by row ID.)
    const sessions = runs.map((r) => [...new Set(found(r.stdout).map((f) => f.split(' ')[0]))].sort().join());
    expect(sessions[0]).not.toBe('');
    expect(new Set(sessions).size).toBe(1);
    // And a later search, alone, answers as a search over an index built by one process.
    const after = await sarc(['search', 'retries', '--json'], { env: { ...env, ...WASM } });
    const alone = await copyOfSamples();
    const fresh = await sarc(['search', 'retries', '--json'], { env: { ...alone.env, ...WASM } });
    expect(found(after.stdout).map((f) => f.split(' ')[0])).toEqual(found(fresh.stdout).map((f) => f.split(' ')[0]));
  });

  it('a holder killed inside a transaction leaves its lock folder; once stale it is taken over and nothing it half wrote stays', async () => {
    const { state, env } = await copyOfSamples();
    const first = await sarc(['search', 'retries', '--json'], { env: { ...env, ...WASM } });
    expect(first.code, first.stderr).toBe(0);
    const file = join(state, 'search.wasm.sqlite');
    const holder = await runWorker(join(import.meta.dirname, 'wasm-holder.ts'), [file], { killAfter: 0, env: WASM });
    expect(holder.end).toBe('killed');
    const lock = `${file}.lock`;
    expect(existsSync(lock)).toBe(true);
    // While fresh, it may be a live holder's: a search waits for it and says the index is busy rather than break in.
    // Aged past the engine's patience (30 s), it is a dead holder's.
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    const after = await sarc(['search', 'retries', '--json'], { env: { ...env, ...WASM } });
    expect(after.code, after.stderr).toBe(0);
    expect(found(after.stdout)).toEqual(found(first.stdout));
    expect(existsSync(lock)).toBe(false);
    // The dead holder's row was rolled back from its journal.
    const held = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('${join(import.meta.dirname, '..', '..', 'src', 'store', 'sqlite.ts')}').then(({ openSqlite }) => { const db = openSqlite(${JSON.stringify(file)}, { purpose: 't', own: true }); process.stdout.write(JSON.stringify(db.prepare("SELECT value FROM meta WHERE key = 'held'").get() ?? null)); db.close(); })`,
      ],
      { env: { ...process.env, ...WASM }, encoding: 'utf8' },
    );
    expect(held).toBe('null');
  });
});
