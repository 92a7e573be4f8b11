import { execFileSync, spawn } from 'node:child_process';
import { cp, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openArchive, openIndex, resolveConflicts } from '../../src/index.js';
import { sarc } from '../cli/helpers.js';
import { hasTool, SAMPLE, SAMPLES, tempDir, userMessage } from '../helpers.js';

async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const rel of (await readdir(dir, { recursive: true, withFileTypes: true })).filter((d) => d.isFile())) {
    const path = join(rel.parentPath, rel.name);
    out[path.slice(dir.length + 1)] = await readFile(path, 'utf8');
  }
  return out;
}

async function backdate(dir: string): Promise<void> {
  const then = new Date(Date.now() - 3_600_000);
  for (const d of await readdir(dir, { recursive: true, withFileTypes: true })) await utimes(join(d.parentPath, d.name), then, then);
}

describe.skipIf(!hasTool('rsync'))('rsync', () => {
  it('replicas synced both ways converge', async () => {
    const root = await tempDir();
    const one = join(root, 'one');
    const two = join(root, 'two');
    await cp(SAMPLES, one, { recursive: true });
    await cp(SAMPLES, two, { recursive: true });
    // Both replicas as they were an hour ago, so today's edits are newer to the second
    // (rsync's quick check compares size and whole-second mtime).
    await backdate(one);
    await backdate(two);
    const a = await openArchive({ dir: one, stateDir: join(root, 's1') });
    const b = await openArchive({ dir: two, stateDir: join(root, 's2') });
    const newA = await a.sessions.create({ title: 'made on one' });
    await a.messages.append(SAMPLE.main, userMessage('one'));
    await b.messages.append(SAMPLE.fork, userMessage('two'));
    await b.sessions.update(SAMPLE.notes, { title: 'renamed on two' });
    execFileSync('rsync', ['-a', '--update', `${one}/`, `${two}/`]);
    execFileSync('rsync', ['-a', '--update', `${two}/`, `${one}/`]);
    expect(await tree(one)).toEqual(await tree(two));
    expect((await a.messages.list(SAMPLE.main)).length).toBe(6);
    expect((await a.messages.list(SAMPLE.fork)).length).toBe(3);
    expect((await a.sessions.get(SAMPLE.notes)).title).toBe('renamed on two');
    expect((await b.sessions.get(newA.id)).title).toBe('made on one');
  });

  it('an interrupted transfer leaves a .name.XXXXXX temp that the index ignores and doctor reports', async () => {
    const root = await tempDir();
    const one = join(root, 'one');
    const two = join(root, 'two');
    await cp(SAMPLES, one, { recursive: true });
    await cp(SAMPLES, two, { recursive: true });
    const a = await openArchive({ dir: one, stateDir: join(root, 's1') });
    const big = await a.messages.append(SAMPLE.main, userMessage('x'.repeat(30 * 1024 * 1024)));
    // Its own process group, so a kill takes all of rsync's processes at once, as a power cut would.
    const child = spawn('rsync', ['-a', '--bwlimit=2000', `${one}/`, `${two}/`], { detached: true });
    const messages = join(two, 'sessions', SAMPLE.main, 'messages');
    let temp: string | undefined;
    for (let i = 0; i < 200 && !temp; i++) {
      await new Promise((r) => setTimeout(r, 25));
      temp = (await readdir(messages)).find((n) => n.startsWith(`.${big.info.id}.json.`));
    }
    process.kill(-(child.pid as number), 'SIGKILL');
    await new Promise((r) => child.on('close', r));
    expect(temp).toMatch(new RegExp(`^\\.${big.info.id}\\.json\\.[A-Za-z0-9]{6}$`));
    const b = await openArchive({ dir: two, stateDir: join(root, 's2') });
    expect((await b.messages.list(SAMPLE.main)).length).toBe(5);
    const index = await openIndex(b, { watch: false });
    expect((await index.scanStrays()).map((s) => [s.path, s.kind])).toEqual([[`sessions/${SAMPLE.main}/messages/${temp}`, 'temp']]);
    await index.close();
    const doctor = await sarc(['doctor', '--json'], { env: { SARC_ARCHIVE: two, SARC_STATE_DIR: join(root, 's2') } });
    expect(JSON.parse(doctor.stdout).problems).toEqual([
      {
        kind: 'stray',
        stray: 'temp',
        path: join(messages, temp as string),
        message: `sessions/${SAMPLE.main}/messages/${temp}: half-written temp file`,
      },
    ]);
  }, 60_000);
});

describe('Dropbox and Syncthing conflict copies', () => {
  it('resolve merges each copy into its original (newer wins), keeps a message only the copy has, and quarantines the copies', async () => {
    const root = await tempDir();
    const dir = join(root, 'archive');
    await cp(SAMPLES, dir, { recursive: true });
    const archive = await openArchive({ dir, stateDir: join(root, 'state') });
    const folder = join(dir, 'sessions', SAMPLE.main);
    // The other laptop renamed the session later and added a todo; this one archived it.
    const info = JSON.parse(await readFile(join(folder, 'info.json'), 'utf8'));
    await archive.sessions.update(SAMPLE.main, { time: { archived: info.time.updated + 10 } });
    await writeFile(
      join(folder, "info (Laptop's conflicted copy 2026-11-02).json"),
      JSON.stringify(
        { ...info, title: 'renamed on the laptop', time: { ...info.time, updated: info.time.updated + 60_000_000_000 } },
        null,
        2,
      ),
    );
    const todos = JSON.parse(await readFile(join(folder, 'todos.json'), 'utf8'));
    await writeFile(
      join(folder, 'todos.sync-conflict-20261102-101010-ABCDEF7.json'),
      JSON.stringify([...todos, { id: 'todo-9', content: 'laptop todo', status: 'pending', priority: 'low' }]),
    );
    // A message only the laptop has, arriving as a Syncthing conflict copy.
    const extra = {
      info: {
        id: 'msg_019a8b7c6d09Zq8Wm3Nx5Rv7Tb',
        sessionID: SAMPLE.main,
        role: 'user',
        time: { created: info.time.created + 9 },
        agent: 'build',
        model: { providerID: 'p', modelID: 'm' },
      },
      parts: [
        {
          id: 'prt_019a8b7c6d09Pp00Kd4Hs6Jf8L',
          sessionID: SAMPLE.main,
          messageID: 'msg_019a8b7c6d09Zq8Wm3Nx5Rv7Tb',
          type: 'text',
          text: 'only on the laptop',
        },
      ],
    };
    await writeFile(
      join(folder, 'messages', 'msg_019a8b7c6d09Zq8Wm3Nx5Rv7Tb.sync-conflict-20261102-101010-ABCDEF7.json'),
      JSON.stringify(extra),
    );
    // The index never loads copies.
    const index = await openIndex(archive, { watch: false });
    expect((await index.scanStrays()).filter((s) => s.kind === 'conflict').length).toBe(3);
    await index.close();
    expect((await archive.messages.list(SAMPLE.main)).length).toBe(5);

    const result = await resolveConflicts(archive);
    expect(result.failed).toEqual([]);
    expect(result.resolved.map((r) => r.action).sort()).toEqual(['kept', 'merged', 'merged']);
    const merged = await archive.sessions.get(SAMPLE.main);
    expect(merged.title).toBe('renamed on the laptop');
    expect(merged.time.archived).toBe(info.time.updated + 10);
    expect((await archive.todos.get(SAMPLE.main)).map((t) => t.id)).toEqual(['todo-1', 'todo-2', 'todo-3', 'todo-9']);
    expect((await archive.messages.list(SAMPLE.main)).map((m) => m.info.id)).toContain('msg_019a8b7c6d09Zq8Wm3Nx5Rv7Tb');
    expect((await readdir(folder)).sort()).toEqual(['info.json', 'messages', 'todos.json']);
    const quarantined = await readdir(join(root, 'state', 'quarantine'), { recursive: true });
    expect(quarantined.filter((p) => p.includes('conflict')).length).toBe(3);
    const doctor = await sarc(['doctor', '--json'], { env: { SARC_ARCHIVE: dir, SARC_STATE_DIR: join(root, 'state') } });
    expect(JSON.parse(doctor.stdout).problems).toEqual([]);
    expect(
      await sarc(['resolve', '--json'], { env: { SARC_ARCHIVE: dir, SARC_STATE_DIR: join(root, 'state') } }).then((r) =>
        JSON.parse(r.stdout),
      ),
    ).toEqual({ resolved: [], failed: [] });
  }, 60_000);
});
