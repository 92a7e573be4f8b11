import { execFileSync } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ArchiveEvent,
  diff,
  findShared,
  migrate,
  newId,
  openArchive,
  openIndex,
  orphans,
  revert,
  type SessionIndex,
  StatusStore,
  share,
  shareToken,
  unrevert,
  unshare,
} from '../../src/index.js';
import { codeOf, gitRepo, hasTool, SAMPLE, tempArchive, tempDir, userMessage } from '../helpers.js';

const open: SessionIndex[] = [];
afterEach(async () => {
  for (const index of open.splice(0)) await index.close();
});

describe('migrate', () => {
  it.skipIf(!hasTool('git'))('moves sessions by ID with their child tree, keeping sub-folders, and derives the new project', async () => {
    const { archive } = await tempArchive();
    const root = await tempDir();
    const oldRepo = join(root, 'old', 'repo');
    const newRepo = join(root, 'new', 'repo');
    await mkdir(join(oldRepo, 'pkg'), { recursive: true });
    await mkdir(join(newRepo, 'pkg'), { recursive: true });
    const newProject = gitRepo(newRepo);
    const parent = await archive.sessions.create({ directory: oldRepo, title: 'parent' });
    const child = await archive.sessions.create({ directory: join(oldRepo, 'pkg'), parentID: parent.id });
    const grandchild = await archive.sessions.create({ directory: '/elsewhere', parentID: child.id });
    const other = await archive.sessions.create({ directory: oldRepo, title: 'not selected' });

    const plan = await migrate(archive, { ids: [parent.id] }, { to: newRepo, dryRun: true });
    expect(plan.dryRun).toBe(true);
    expect(plan.moved.map((r) => [r.id, r.to.directory, r.to.projectID, r.to.path])).toEqual([
      [parent.id, newRepo, newProject, ''],
      [child.id, join(newRepo, 'pkg'), newProject, 'pkg'],
      [grandchild.id, newRepo, newProject, ''],
    ]);
    expect((await archive.sessions.get(parent.id)).directory).toBe(oldRepo);

    const done = await migrate(archive, { ids: [parent.id] }, { to: newRepo });
    expect(done.failed).toEqual([]);
    expect((await archive.sessions.get(child.id)).directory).toBe(join(newRepo, 'pkg'));
    expect((await archive.sessions.get(child.id)).projectID).toBe(newProject);
    expect((await archive.sessions.get(child.id)).path).toBe('pkg');
    expect((await archive.sessions.get(other.id)).directory).toBe(oldRepo);
    expect((await archive.projects.get(newProject)).worktree).toBe(
      execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: newRepo }).toString().trim(),
    );
  });

  it('moves by glob over several folders and by project, in one call', async () => {
    const { archive } = await tempArchive();
    const a = await archive.sessions.create({ directory: '/work/src/opencode', title: 'a' });
    const b = await archive.sessions.create({ directory: '/work/src/opencode-2/packages/app', title: 'b' });
    const c = await archive.sessions.create({ directory: '/work/src/other', title: 'c' });
    await archive.projects.upsert({ id: 'p1', worktree: '/proj' });
    const d = await archive.sessions.create({ directory: '/proj/sub', title: 'd' });
    await archive.sessions.modify(d.id, (info) => ({ ...info, projectID: 'p1' }));
    const result = await migrate(archive, { fromDir: ['/work/src/opencode*'], fromProject: 'p1' }, { to: '/moved' });
    const to = Object.fromEntries(result.moved.map((r) => [r.id, r.to.directory]));
    expect(to).toEqual({ [a.id]: '/moved', [b.id]: '/moved/packages/app', [d.id]: '/moved/sub' });
    expect((await archive.sessions.get(c.id)).directory).toBe('/work/src/other');
  });

  it('a session that cannot be written fails alone, with its reason; the others move', async () => {
    const { archive, stateDir } = await tempArchive({ lock: { timeoutMs: 200 } });
    const a = await archive.sessions.create({ directory: '/m' });
    const b = await archive.sessions.create({ directory: '/m/sub' });
    // Another writer holds b's lock for the whole migration (taken once this process has let go of it after the create).
    const lockPath = join(stateDir, 'locks', `${b.id}.lock`);
    const release = await lockfile.lock(lockPath, {
      lockfilePath: lockPath,
      realpath: false,
      retries: { retries: 50, minTimeout: 10, maxTimeout: 20 },
      onCompromised: () => {},
    });
    try {
      const result = await migrate(archive, { fromDir: '/m' }, { to: '/n' });
      expect(result.moved.map((r) => r.id)).toEqual([a.id]);
      expect(result.failed).toEqual([
        { id: b.id, code: 'LOCKED', reason: expect.stringContaining(`session ${b.id} is locked by another writer`) },
      ]);
    } finally {
      await release();
    }
    expect((await archive.sessions.get(a.id)).directory).toBe('/n');
    expect((await archive.sessions.get(b.id)).directory).toBe('/m/sub');
  });

  it('refuses bad input', async () => {
    const { archive } = await tempArchive();
    const s = await archive.sessions.create({ directory: '/x' });
    await expect(migrate(archive, {}, { to: '/y' })).rejects.toThrow(
      'nothing to migrate: give session IDs, fromDir folders or globs, or fromProject IDs',
    );
    expect(await codeOf(migrate(archive, { ids: [s.id] }, { to: '' }))).toBe('INVALID_INPUT');
    expect(await codeOf(migrate(archive, { ids: [s.id] }, { to: '/a\0b' }))).toBe('INVALID_INPUT');
    expect(await codeOf(migrate(archive, { ids: [newId('session')] }, { to: '/y' }))).toBe('NOT_FOUND');
    expect(await codeOf(migrate(archive, { ids: ['../x'] }, { to: '/y' }))).toBe('INVALID_ID');
    expect((await migrate(archive, { fromDir: '/nothing/here' }, { to: '/y' })).moved).toEqual([]);
  });
});

describe('migrate: what the history/migrate review found', () => {
  it('refuses a relative target instead of taking it against the process folder', async () => {
    const { archive } = await tempArchive();
    const s = await archive.sessions.create({ directory: '/x' });
    const refused = migrate(archive, { ids: [s.id] }, { to: 'relative/dir' });
    await expect(refused).rejects.toThrow('invalid migrate target "relative/dir": expected an absolute path');
    expect(await codeOf(migrate(archive, { ids: [s.id] }, { to: './here' }))).toBe('INVALID_INPUT');
    expect((await archive.sessions.get(s.id)).directory).toBe('/x');
  });

  it.skipIf(!hasTool('git'))(
    'a sub-folder the target does not have yet takes the project of the target repository; a dry run writes no project file',
    async () => {
      const { archive, dir } = await tempArchive();
      const root = await tempDir();
      const repo = join(root, 'repo');
      await mkdir(repo);
      const projectID = gitRepo(repo);
      const s = await archive.sessions.create({ directory: '/old/place/feature' });
      const plan = await migrate(archive, { fromDir: '/old/place' }, { to: repo, dryRun: true });
      expect(plan.moved.map((r) => r.to)).toEqual([{ directory: join(repo, 'feature'), projectID, path: 'feature' }]);
      expect(await readdir(join(dir, 'projects')).catch(() => [])).not.toContain(`${projectID}.json`);
      await migrate(archive, { fromDir: '/old/place' }, { to: repo });
      expect(await archive.sessions.get(s.id)).toMatchObject({ directory: join(repo, 'feature'), projectID, path: 'feature' });
      expect((await archive.projects.get(projectID)).vcs).toBe('git');
    },
  );

  it.skipIf(!hasTool('git'))('a folder that became a git repository is seen as one at once, never taken from a stale answer', async () => {
    const clock = 1_000_000;
    // The clock stands still: every question is inside the window in which a folder's answer is reused.
    const { archive } = await tempArchive({ now: () => clock });
    const folder = await tempDir();
    expect((await archive.projects.projectFor(folder)).id).toBe('global');
    expect((await archive.sessions.create({ directory: folder })).projectID).toBe('global');
    const projectID = gitRepo(folder);
    expect((await archive.projects.projectFor(folder)).id).toBe(projectID);
    expect((await archive.sessions.create({ directory: folder })).projectID).toBe(projectID);
    // A migrate right after `git init` of the target (the case that once wrote "global").
    const target = await tempDir();
    const moved = await archive.sessions.create({ directory: '/elsewhere' });
    expect((await archive.projects.projectFor(target)).id).toBe('global');
    const targetID = gitRepo(target);
    await migrate(archive, { ids: [moved.id] }, { to: target });
    expect((await archive.sessions.get(moved.id)).projectID).toBe(targetID);
  });

  it('the three selectors (IDs, folders, projects) combine in one call, each session once', async () => {
    const { archive } = await tempArchive();
    const byId = await archive.sessions.create({ directory: '/a' });
    const byDir = await archive.sessions.create({ directory: '/b/sub' });
    await archive.projects.upsert({ id: 'p2', worktree: '/c' });
    const byProject = await archive.sessions.create({ directory: '/c/x' });
    await archive.sessions.modify(byProject.id, (info) => ({ ...info, projectID: 'p2' }));
    const both = await archive.sessions.create({ directory: '/b' });
    const untouched = await archive.sessions.create({ directory: '/d' });
    const result = await migrate(archive, { ids: [byId.id, both.id], fromDir: ['/b'], fromProject: ['p2'] }, { to: '/t' });
    expect(Object.fromEntries(result.moved.map((r) => [r.id, r.to.directory]))).toEqual({
      [byId.id]: '/t',
      [both.id]: '/t',
      [byDir.id]: '/t/sub',
      [byProject.id]: '/t/x',
    });
    expect((await archive.sessions.get(untouched.id)).directory).toBe('/d');
  });
});

describe('orphans', () => {
  it('finds sessions whose folder is gone and global sessions inside a known project', async () => {
    const { archive } = await tempArchive();
    const repo = await tempDir();
    await mkdir(join(repo, 'src'), { recursive: true });
    const live = await archive.sessions.create({ directory: repo });
    await archive.projects.upsert({ id: 'webapp-root', worktree: repo, name: 'webapp' });
    const gone = await archive.sessions.create({ directory: '/definitely/not/here' });
    const stray = await archive.sessions.create({ directory: join(repo, 'src') });
    await archive.sessions.modify(stray.id, (info) => ({ ...info, projectID: 'global' }));
    await archive.sessions.modify(live.id, (info) => ({ ...info, projectID: 'webapp-root' }));
    const rows = await orphans(archive);
    expect(rows.map((r) => [r.id, r.reason])).toEqual(
      expect.arrayContaining([
        [gone.id, 'missing-directory'],
        [stray.id, 'global-in-project'],
      ]),
    );
    expect(rows.length).toBe(2);
    expect(rows.find((r) => r.id === stray.id)).toMatchObject({
      suggested: { projectID: 'webapp-root', worktree: repo, name: 'webapp' },
      detail: `in project global, but ${join(repo, 'src')} is inside the worktree of project webapp (${repo})`,
    });
    expect(rows.find((r) => r.id === gone.id)?.detail).toBe('directory /definitely/not/here does not exist');
  });
});

describe('share', () => {
  it('creates an unguessable URL, keeps it on re-share, survives reopening, and stops working after unshare', async () => {
    const { archive, dir, stateDir } = await tempArchive({ samples: true });
    const shared = await share(archive, SAMPLE.main, { baseUrl: 'http://127.0.0.1:4097/' });
    const url = shared.share?.url as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:4097\/share\/[A-Za-z0-9_-]{32}$/);
    const token = shareToken(url) as string;
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect((await share(archive, SAMPLE.main, { baseUrl: 'https://other.example' })).share?.url).toBe(url);
    const other = await share(archive, SAMPLE.notes, { baseUrl: 'http://h' });
    expect(shareToken(other.share?.url)).not.toBe(token);
    const reopened = await openArchive({ dir, stateDir });
    expect((await findShared(reopened, token))?.id).toBe(SAMPLE.main);
    const index = await openIndex(reopened, { watch: false });
    open.push(index);
    expect((await findShared(reopened, token, { index }))?.id).toBe(SAMPLE.main);
    await unshare(reopened, SAMPLE.main);
    expect(await findShared(reopened, token)).toBeUndefined();
    expect(await findShared(reopened, '../../etc/passwd')).toBeUndefined();
    expect(await codeOf(share(archive, SAMPLE.main, { baseUrl: 'ftp://x' }))).toBe('INVALID_INPUT');
    expect(await codeOf(share(archive, newId('session'), { baseUrl: 'http://x' }))).toBe('NOT_FOUND');
  });
});

describe('revert', () => {
  async function threeMessages() {
    const t = await tempArchive();
    const s = await t.archive.sessions.create();
    const ms = [];
    for (const [i, name] of ['one', 'two', 'three'].entries()) {
      ms.push(
        await t.archive.messages.append(s.id, {
          ...userMessage(`${name}-a`, { time: { created: 1000 + i } }),
          parts: [
            { type: 'text', text: `${name}-a` },
            { type: 'text', text: `${name}-b` },
          ],
        }),
      );
    }
    return { ...t, s, ms };
  }
  const texts = async (archive: Awaited<ReturnType<typeof threeMessages>>['archive'], id: string) =>
    (await archive.messages.list(id)).map((m) => m.parts.map((p) => (p.type === 'text' ? p.text : p.type)));

  it('records revert, deletes nothing; the next message removes the target and everything after it', async () => {
    const { archive, s, ms } = await threeMessages();
    const reverted = await revert(archive, s.id, { messageID: ms[1]?.info.id as string });
    expect(reverted.revert).toEqual({ messageID: ms[1]?.info.id });
    expect((await archive.messages.list(s.id)).length).toBe(3);
    await archive.messages.append(s.id, userMessage('four'));
    expect(await texts(archive, s.id)).toEqual([['one-a', 'one-b'], ['four']]);
    expect((await archive.sessions.get(s.id)).revert).toBeUndefined();
  });

  it('with a part: that part and later parts of the target go, and every later message (as OpenCode 1.18.33 does)', async () => {
    const { archive, s, ms } = await threeMessages();
    await revert(archive, s.id, { messageID: ms[1]?.info.id as string, partID: ms[1]?.parts[1]?.id });
    await archive.messages.append(s.id, userMessage('four'));
    expect(await texts(archive, s.id)).toEqual([['one-a', 'one-b'], ['two-a'], ['four']]);
  });

  it('unrevert clears it and the next message removes nothing; snapshot comes from the parts', async () => {
    const { archive, s, ms } = await threeMessages();
    await archive.messages.upsertPart(s.id, ms[2]?.info.id as string, { type: 'step-start', snapshot: 'abc123' });
    expect((await revert(archive, s.id, { messageID: ms[0]?.info.id as string })).revert).toEqual({
      messageID: ms[0]?.info.id,
      snapshot: 'abc123',
    });
    expect((await unrevert(archive, s.id)).revert).toBeUndefined();
    await archive.messages.append(s.id, userMessage('four'));
    expect((await archive.messages.list(s.id)).length).toBe(4);
  });

  it('refuses busy sessions and unknown messages or parts', async () => {
    const { archive, s, ms, stateDir } = await threeMessages();
    expect(await codeOf(revert(archive, s.id, { messageID: newId('message') }))).toBe('NOT_FOUND');
    expect(await codeOf(revert(archive, s.id, { messageID: ms[0]?.info.id as string, partID: newId('part') }))).toBe('NOT_FOUND');
    expect(await codeOf(revert(archive, s.id, { messageID: 'msg_bad' }))).toBe('INVALID_ID');
    expect(await codeOf(revert(archive, newId('session'), { messageID: ms[0]?.info.id as string }))).toBe('NOT_FOUND');
    await new StatusStore(stateDir).set(s.id, { type: 'busy' });
    await expect(revert(archive, s.id, { messageID: ms[0]?.info.id as string })).rejects.toThrow(
      `cannot revert session ${s.id}: it is busy; wait until it is idle or abort it`,
    );
    expect(await codeOf(unrevert(archive, s.id))).toBe('BUSY');
  });
});

describe('diff', () => {
  it('returns what the session and its user messages stored', async () => {
    const { archive } = await tempArchive();
    const s = await archive.sessions.create();
    const d1 = { file: 'a.ts', patch: '@@ -1 +1 @@', additions: 1, deletions: 1, status: 'modified' as const };
    const d2 = { file: 'a.ts', patch: '@@ -1 +2 @@', additions: 2, deletions: 0, status: 'modified' as const };
    const d3 = { file: 'b.ts', additions: 5, deletions: 0, status: 'added' as const };
    const m1 = await archive.messages.append(s.id, userMessage('x', { time: { created: 1 }, summary: { diffs: [d1, d3] } }));
    await archive.messages.append(s.id, userMessage('y', { time: { created: 2 }, summary: { diffs: [d2] } }));
    expect(await diff(archive, s.id)).toEqual([d3, d2]);
    expect(await diff(archive, s.id, { messageID: m1.info.id })).toEqual([d1, d3]);
    await archive.sessions.update(s.id, { summary: { additions: 9, deletions: 9, files: 1, diffs: [d1] } });
    expect(await diff(archive, s.id)).toEqual([d1]);
    expect(await codeOf(diff(archive, s.id, { messageID: newId('message') }))).toBe('NOT_FOUND');
    expect(await codeOf(diff(archive, newId('session')))).toBe('NOT_FOUND');
  });
});

describe('abort and init', () => {
  it('abort sets a busy session idle and tells listeners here and in other processes; init is recorded and announced', async () => {
    const { archive, dir, stateDir } = await tempArchive({ samples: true });
    const writer = await openIndex(await openArchive({ dir, stateDir }), { onWarning: () => {} });
    open.push(writer);
    await writer.ready();
    const seen: ArchiveEvent[] = [];
    writer.on((e) => seen.push(e));
    const local = await openIndex(archive, { watch: false });
    open.push(local);
    const localSeen: string[] = [];
    local.on((e) => localSeen.push(e.type));
    await local.setStatus(SAMPLE.main, { type: 'busy' });
    expect(await local.abort(SAMPLE.main)).toBe(true);
    expect(await local.status.get(SAMPLE.main)).toEqual({ type: 'idle' });
    expect(localSeen).toEqual(['session.status', 'session.status', 'session.aborted']);
    expect(await local.init(SAMPLE.main, { modelID: 'm', providerID: 'p', messageID: 'msg_x' })).toBe(true);
    const until = async (fn: () => boolean) => {
      for (let i = 0; i < 300 && !fn(); i++) await new Promise((r) => setTimeout(r, 10));
      return fn();
    };
    expect(await until(() => seen.some((e) => e.type === 'session.aborted'))).toBe(true);
    expect(await until(() => seen.some((e) => e.type === 'session.init'))).toBe(true);
    expect(seen.find((e) => e.type === 'session.init')?.properties).toMatchObject({ sessionID: SAMPLE.main, request: { modelID: 'm' } });
    expect(await codeOf(local.abort(newId('session')))).toBe('NOT_FOUND');
  });
});
