import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers.js';

const run = promisify(execFile);

describe('the package', () => {
  it('packs with dist and a LICENSE, installs globally from the tarball, and works from any folder as a command and a typed library', async () => {
    const root = await tempDir();
    // As in a person's shell: none of the npm_* settings the test runner was started with (they override flags such as --omit).
    const env = {
      ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key))),
      HOME: join(root, 'home'),
      npm_config_cache: join(root, 'npm-cache'),
      SARC_ARCHIVE: '',
      SARC_STATE_DIR: '',
    };
    await mkdir(env.HOME, { recursive: true });
    // `npm pack` builds dist/ first (prepack).
    await run('npm', ['pack', '--pack-destination', root], { cwd: ROOT, env });
    const tarball = join(root, (await readdir(root)).find((n) => n.endsWith('.tgz')) as string);
    const listing = (await run('tar', ['-tzf', tarball])).stdout.split('\n');
    for (const file of [
      'package/LICENSE',
      'package/bin/sarc.cjs',
      'package/dist/bin/sarc.js',
      'package/dist/sarc/sarc.js',
      'package/dist/sarc/answers.json',
      'package/dist/index.js',
      'package/dist/index.d.ts',
      'package/schema/message.schema.json',
      'package/data/prices.json',
    ]) {
      expect(listing, file).toContain(file);
    }
    expect(listing.some((f) => f.startsWith('package/src/') || f.startsWith('package/test/'))).toBe(false);

    // The registry's lint and type checks of what the package exports.
    await run(join(ROOT, 'node_modules', '.bin', 'publint'), [], { cwd: ROOT, env });
    await run(join(ROOT, 'node_modules', '.bin', 'attw'), [tarball, '--profile', 'esm-only'], { cwd: ROOT, env });

    const prefix = join(root, 'prefix');
    // Without the optional SQLite binding (only the syncs of agents' databases need it on Node 20): the rest works without it, search too.
    await run('npm', ['install', '-g', '--omit=optional', '--prefix', prefix, tarball], { env });
    const work = join(root, 'work');
    await mkdir(work);
    const sarc = (...args: string[]) => run(join(prefix, 'bin', 'sarc'), args, { cwd: work, env });
    expect((await sarc('--version')).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    await sarc('init', 'archive');
    const created = (await sarc('--archive', 'archive', 'create', '--title', 'from the tarball', '--json')).stdout;
    const id = JSON.parse(created).id as string;
    expect((await sarc('--archive', 'archive', 'list', '--all')).stdout).toContain(`${id}`);
    // A folder filter loads the glob matcher from the package's own dependencies, at its first use.
    expect((await sarc('--archive', 'archive', 'list', '--dir', `${work}*`)).stdout).toContain(`${id}`);
    expect((await sarc('--archive', 'archive', 'list', '--dir', join(root, 'elsewhere'))).stdout).not.toContain(`${id}`);
    const found = JSON.parse((await sarc('--archive', 'archive', 'search', 'tarball', '--json')).stdout);
    expect(found.groups.map((g: { sessionID: string }) => g.sessionID)).toEqual([id]);

    // The library, with its types, from a project that depends on the installed package.
    const installed = join(prefix, 'lib', 'node_modules', 'session-archive');
    await mkdir(join(work, 'node_modules'));
    await symlink(installed, join(work, 'node_modules', 'session-archive'));
    await writeFile(join(work, 'package.json'), '{"type": "module"}\n');
    await writeFile(
      join(work, 'use.ts'),
      `import { openArchive, type Session } from 'session-archive';
const archive = await openArchive({ dir: 'archive', stateDir: 'state' });
const sessions: Session[] = await archive.sessions.list();
console.log(sessions.map((s) => s.title).join(','));
`,
    );
    await run(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--target',
        'es2022',
        '--skipLibCheck',
        'use.ts',
      ],
      { cwd: work, env },
    );
    await writeFile(
      join(work, 'use.mjs'),
      "import { openArchive } from 'session-archive';\nconst a = await openArchive({ dir: 'archive', stateDir: 'state' });\nconsole.log((await a.sessions.list()).map((s) => s.title).join(','));\n",
    );
    expect((await run(process.execPath, ['use.mjs'], { cwd: work, env })).stdout.trim()).toBe('from the tarball');
  }, 180_000);

  it('`npx sarc` works in a fresh checkout, before any build (the source runs through tsx)', async () => {
    const root = await tempDir();
    const checkout = join(root, 'checkout');
    await run('git', ['clone', '-q', ROOT, checkout]);
    // The working tree's launcher and package.json (a clone has the last commit's).
    await mkdir(join(checkout, 'bin'), { recursive: true });
    for (const file of ['sarc.cjs', 'stored-answers.cjs']) await copyFile(join(ROOT, 'bin', file), join(checkout, 'bin', file));
    await copyFile(join(ROOT, 'package.json'), join(checkout, 'package.json'));
    // Installed dependencies, without installing them again.
    await symlink(join(ROOT, 'node_modules'), join(checkout, 'node_modules'));
    const env = {
      ...process.env,
      npm_config_cache: join(root, 'npm-cache'),
      SARC_ARCHIVE: join(checkout, 'samples'),
      SARC_STATE_DIR: join(root, 'state'),
    };
    expect(await readdir(checkout)).not.toContain('dist');
    expect((await run('npx', ['sarc', '--version'], { cwd: checkout, env })).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect((await run('npx', ['sarc', 'list', '--all'], { cwd: checkout, env })).stdout).toContain('Add retries to the HTTP client');
  }, 120_000);
});
