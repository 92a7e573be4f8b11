import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openArchive, openIndex, shellQuote } from '../../src/index.js';
import { sarc } from '../cli/helpers.js';
import { hasTool, SAMPLE, SAMPLES, SARC, tempDir, until, userMessage } from '../helpers.js';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    encoding: 'utf8',
  });
}

/** An origin repository holding a copy of samples/, set up with `sarc git-setup`, and two clones set up too. */
async function repos(clocks: { a: number; b: number } = { a: Date.UTC(2026, 10, 1), b: Date.UTC(2026, 10, 2) }) {
  const root = await tempDir();
  const origin = join(root, 'origin');
  await cp(SAMPLES, origin, { recursive: true });
  git(origin, 'init', '-q', '-b', 'main');
  const setup = await sarc(['git-setup', '--archive', origin], { env: { SARC_STATE_DIR: join(root, 's0') } });
  expect(setup.stderr).toBe('');
  git(origin, 'add', '-A');
  git(origin, 'commit', '-q', '-m', 'samples');
  git(origin, 'config', 'receive.denyCurrentBranch', 'updateInstead');
  const clone = async (name: string, now: number) => {
    const dir = join(root, name);
    git(root, 'clone', '-q', origin, name);
    await sarc(['git-setup', '--no-hook', '--archive', dir], { env: { SARC_STATE_DIR: join(root, `s-${name}`) } });
    let t = now;
    return { dir, archive: await openArchive({ dir, stateDir: join(root, `state-${name}`), now: () => t++ }) };
  };
  return { root, origin, a: await clone('a', clocks.a), b: await clone('b', clocks.b) };
}

function unmerged(dir: string): string {
  return git(dir, 'diff', '--name-only', '--diff-filter=U');
}

describe.skipIf(!hasTool('git'))('git', () => {
  it('git-setup writes .gitattributes and the merge driver config', async () => {
    const { origin } = await repos();
    expect(await readFile(join(origin, '.gitattributes'), 'utf8')).toBe(
      'sessions/*/info.json merge=sarc\nsessions/*/todos.json merge=sarc\nsessions/*/messages/*.json merge=sarc\n',
    );
    // No absolute path of node or of the package in git's config: moving either breaks no later merge.
    const driver = git(origin, 'config', 'merge.sarc.driver');
    expect(driver).toBe('sh "$(git rev-parse --git-path sarc-merge-driver)" %O %A %B %P\n');
    const script = await readFile(join(origin, '.git', 'sarc-merge-driver'), 'utf8');
    expect(script).toContain('if command -v sarc >/dev/null 2>&1; then exec sarc merge-driver "$@"; fi');
    expect(script).toContain(`exec ${process.execPath}`);

    // --check proves the driver runs: through the sarc that ran git-setup here (none on PATH)...
    const env = { SARC_STATE_DIR: join(origin, '..', 's-check') };
    const checked = await sarc(['git-setup', '--check', '--archive', origin], { env });
    expect(checked.stderr).toBe('');
    expect(checked.stdout).toBe(`merge driver runs in ${origin}\n`);
    // ...through a sarc on PATH when there is one, even once the one that ran git-setup is gone...
    const bin = join(origin, '..', 'bin');
    await mkdir(bin);
    const marker = join(origin, '..', 'path-sarc-ran');
    const real = [process.execPath, ...SARC].map(shellQuote).join(' ');
    await writeFile(join(bin, 'sarc'), `#!/bin/sh\ntouch ${shellQuote(marker)}\nexec ${real} "$@"\n`, { mode: 0o755 });
    const scriptPath = join(origin, '.git', 'sarc-merge-driver');
    await writeFile(scriptPath, script.replace(`exec ${process.execPath}`, 'exec /moved/away/node'));
    const viaPath = await sarc(['git-setup', '--check', '--archive', origin], { env: { ...env, PATH: `${bin}:${process.env.PATH}` } });
    expect(viaPath.stdout).toBe(`merge driver runs in ${origin}\n`);
    expect(existsSync(marker)).toBe(true);
    // ...and says so, exit 1, when no sarc can be found.
    const broken = await sarc(['git-setup', '--check', '--archive', origin], { env });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('sarc: the merge driver did not run');
    expect(broken.stderr).toContain('/moved/away/node');
  }, 60_000);

  it('two clones adding messages to one session and editing different sessions merge with no conflict', async () => {
    const { a, b } = await repos();
    const ma = await a.archive.messages.append(SAMPLE.main, userMessage('from a'));
    await a.archive.sessions.update(SAMPLE.notes, { title: 'notes, renamed in a' });
    git(a.dir, 'add', '-A');
    git(a.dir, 'commit', '-q', '-m', 'a');
    git(a.dir, 'push', '-q', 'origin', 'main');
    const mb = await b.archive.messages.append(SAMPLE.main, userMessage('from b'));
    await b.archive.sessions.update(SAMPLE.fork, { time: { archived: Date.UTC(2026, 10, 3) } });
    git(b.dir, 'add', '-A');
    git(b.dir, 'commit', '-q', '-m', 'b');
    git(b.dir, 'pull', '-q', '--no-rebase', 'origin', 'main');
    expect(unmerged(b.dir)).toBe('');
    const ids = (await b.archive.messages.list(SAMPLE.main)).map((m) => m.info.id);
    expect(ids).toContain(ma.info.id);
    expect(ids).toContain(mb.info.id);
    expect((await b.archive.sessions.get(SAMPLE.notes)).title).toBe('notes, renamed in a');
    expect((await b.archive.sessions.get(SAMPLE.fork)).time.archived).toBe(Date.UTC(2026, 10, 3));
    // main's info.json was changed on both sides (time.updated); merged, valid and canonical.
    const text = await readFile(join(b.dir, 'sessions', SAMPLE.main, 'info.json'), 'utf8');
    expect(text).not.toContain('<<<<<<<');
    expect((await b.archive.sessions.get(SAMPLE.main)).time.updated).toBeGreaterThanOrEqual(Date.UTC(2026, 10, 2));
  }, 60_000);

  it('both editing one info.json (title here, archived there) merge cleanly; both renaming: the newer wins', async () => {
    const { a, b } = await repos();
    await a.archive.sessions.update(SAMPLE.child, { title: 'child, renamed in a' });
    await a.archive.sessions.update(SAMPLE.main, { title: 'main by a (older)' });
    git(a.dir, 'commit', '-qam', 'a');
    git(a.dir, 'push', '-q', 'origin', 'main');
    await b.archive.sessions.update(SAMPLE.child, { time: { archived: Date.UTC(2026, 10, 5) } });
    await b.archive.sessions.update(SAMPLE.main, { title: 'main by b (newer)' });
    await b.archive.todos.set(SAMPLE.main, [
      ...(await b.archive.todos.get(SAMPLE.main)),
      { id: 'todo-b', content: 'from b', status: 'pending', priority: 'low' },
    ]);
    git(b.dir, 'commit', '-qam', 'b');
    git(b.dir, 'pull', '-q', '--no-rebase', 'origin', 'main');
    expect(unmerged(b.dir)).toBe('');
    const child = await b.archive.sessions.get(SAMPLE.child);
    expect(child.title).toBe('child, renamed in a');
    expect(child.time.archived).toBe(Date.UTC(2026, 10, 5));
    expect((await b.archive.sessions.get(SAMPLE.main)).title).toBe('main by b (newer)');
    // And the other way round: a pulls b's merge; the newer title still wins.
    git(b.dir, 'push', '-q', 'origin', 'main');
    git(a.dir, 'pull', '-q', '--no-rebase', 'origin', 'main');
    expect((await a.archive.sessions.get(SAMPLE.main)).title).toBe('main by b (newer)');
    expect((await a.archive.todos.get(SAMPLE.main)).map((t) => t.id)).toContain('todo-b');
  }, 60_000);

  it('a pull and a checkout under a watching index show up in it and as events', async () => {
    const { a, b } = await repos();
    const created = await a.archive.sessions.create({ title: 'made in a' });
    await a.archive.sessions.update(SAMPLE.notes, { title: 'renamed in a' });
    git(a.dir, 'add', '-A');
    git(a.dir, 'commit', '-q', '-m', 'a');
    git(a.dir, 'push', '-q', 'origin', 'main');
    const index = await openIndex(b.archive, { onWarning: () => {} });
    await index.ready();
    const events: string[] = [];
    index.on((e) => events.push(`${e.type} ${(e.properties as { sessionID?: string }).sessionID}`));
    git(b.dir, 'pull', '-q', '--no-rebase', 'origin', 'main');
    await until(() => index.get(created.id) && index.get(SAMPLE.notes)?.title === 'renamed in a');
    expect(events).toContain(`session.created ${created.id}`);
    expect(events).toContain(`session.updated ${SAMPLE.notes}`);
    // Back to the commit before: the session goes, the title comes back.
    events.length = 0;
    git(b.dir, 'checkout', '-q', 'HEAD~1');
    await until(() => !index.get(created.id) && index.get(SAMPLE.notes)?.title !== 'renamed in a');
    expect(events).toContain(`session.deleted ${created.id}`);
    expect(events).toContain(`session.updated ${SAMPLE.notes}`);
    await index.close();
  }, 60_000);

  it('both changing one title at the same moment: a merge and the matching rebase keep the same one, and the other is kept where doctor and resolve find it', async () => {
    const at = Date.UTC(2026, 10, 7);
    const run = async (mode: '--no-rebase' | '--rebase') => {
      const { a, b, root } = await repos({ a: at, b: at });
      await a.archive.sessions.update(SAMPLE.main, { title: 'title from a' });
      git(a.dir, 'commit', '-qam', 'a');
      git(a.dir, 'push', '-q', 'origin', 'main');
      await b.archive.sessions.update(SAMPLE.main, { title: 'title from b' });
      expect((await b.archive.sessions.get(SAMPLE.main)).time.updated).toBe((await a.archive.sessions.get(SAMPLE.main)).time.updated);
      git(b.dir, 'commit', '-qam', 'b');
      const pull = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'pull', '-q', mode, 'origin', 'main'], {
        cwd: b.dir,
        encoding: 'utf8',
      });
      expect(pull.status, pull.stderr).toBe(0);
      expect(unmerged(b.dir)).toBe('');
      const folder = join(b.dir, 'sessions', SAMPLE.main);
      const copies = (await readdir(folder)).filter((n) => n.includes('conflicted copy'));
      expect(copies).toEqual([
        'info (sarc merge conflicted copy 2026-11-21).json'.replace('2026-11-21', new Date().toISOString().slice(0, 10)),
      ]);
      const copy = JSON.parse(await readFile(join(folder, copies[0] as string), 'utf8'));
      return { b, root, pull, title: (await b.archive.sessions.get(SAMPLE.main)).title, other: copy.title as string };
    };
    const merged = await run('--no-rebase');
    const rebased = await run('--rebase');
    expect(rebased.title).toBe(merged.title);
    expect([merged.title, merged.other].sort()).toEqual(['title from a', 'title from b']);
    expect(rebased.other).toBe(merged.other);
    expect(merged.pull.stderr).toContain(`both sides changed title; kept ${JSON.stringify(merged.title)}`);
    // The copy is ignored by git, listed by doctor, and resolve says which field it could not merge.
    const { b, root } = merged;
    expect(git(b.dir, 'status', '--porcelain')).toBe('');
    const env = { SARC_ARCHIVE: b.dir, SARC_STATE_DIR: join(root, 'doctor-state') };
    const doctor = await sarc(['doctor', '--json'], { env });
    expect(
      JSON.parse(doctor.stdout).problems.map((p: { stray?: string; path: string }) => `${p.stray} ${p.path.slice(b.dir.length)}`),
    ).toEqual([`conflict /sessions/${SAMPLE.main}/info (sarc merge conflicted copy ${new Date().toISOString().slice(0, 10)}).json`]);
    expect(doctor.stdout).toContain('sarc resolve');
    const resolved = await sarc(['resolve', '--json'], { env });
    const result = JSON.parse(resolved.stdout) as {
      resolved: Array<{ unmerged: Array<{ field: string; kept: string; dropped: string }> }>;
    };
    expect(result.resolved[0]?.unmerged).toEqual([{ field: 'title', kept: merged.title, dropped: merged.other }]);
    const human = await sarc(['resolve'], { env: { ...env, SARC_STATE_DIR: join(root, 'doctor-state-2') } });
    expect(human.stdout).toBe('no conflict copies\n');
  }, 90_000);
});
