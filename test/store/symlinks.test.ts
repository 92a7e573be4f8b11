import { cp, mkdir, readdir, readFile, rename, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, openArchive, openIndex, resolveConflicts, share } from '../../src/index.js';
import { sarc } from '../cli/helpers.js';
import { codeOf, SAMPLE, SAMPLES, tempArchive, tempDir, userMessage } from '../helpers.js';

/** Every file below `dir` with its bytes: what must not change. */
async function contents(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      out[path.slice(dir.length)] = await readFile(path, 'utf8');
    }
  }
  return out;
}

/**
 * An archive whose session folder `SAMPLE.notes` is a link to a folder outside
 * it (a valid session, plus an old temp and a conflict copy a sweep or a
 * doctor --fix would take).
 */
async function linkedSession() {
  const t = await tempArchive({ samples: true });
  const outside = join(await tempDir(), 'outside');
  const real = join(t.dir, 'sessions', SAMPLE.notes);
  await cp(real, outside, { recursive: true });
  const temp = join(outside, '.info.json.sarc-1-1-00000000.tmp');
  await writeFile(temp, 'left by a crash');
  await utimes(temp, new Date(2020, 0, 1), new Date(2020, 0, 1));
  await writeFile(join(outside, 'info (laptop conflicted copy 2026-01-02).json'), await readFile(join(outside, 'info.json'), 'utf8'));
  await rename(real, `${real}.gone`);
  await cp(`${real}.gone`, join(t.root, 'unused'), { recursive: true });
  await import('node:fs/promises').then((fs) => fs.rm(`${real}.gone`, { recursive: true }));
  await symlink(outside, real);
  return { ...t, outside, link: real, before: await contents(outside) };
}

describe('links inside the archive are never followed', () => {
  it('a session folder that is a link: reads fail naming it; nothing is written, deleted, moved or swept through it', async () => {
    const { archive, link, outside, before } = await linkedSession();
    const error = await archive.sessions.get(SAMPLE.notes).catch((e: unknown) => e as { code: string; path: string; message: string });
    expect(error).toMatchObject({ code: 'UNSAFE_PATH', path: link });
    expect(error.message).toContain(`${link}: is a symbolic link (to ${outside})`);
    const attempts: Array<() => Promise<unknown>> = [
      () => archive.sessions.update(SAMPLE.notes, { title: 'written through' }),
      () => archive.messages.append(SAMPLE.notes, userMessage('written through')),
      () => archive.todos.set(SAMPLE.notes, [{ content: 'x', status: 'pending', priority: 'low' }]),
      () => archive.sessions.delete(SAMPLE.notes),
      () => share(archive, SAMPLE.notes, { baseUrl: 'http://127.0.0.1:4097' }),
      () => archive.messages.list(SAMPLE.notes),
      () => archive.todos.get(SAMPLE.notes),
    ];
    for (const attempt of attempts) expect(await codeOf(attempt()), attempt.toString()).toBe('UNSAFE_PATH');
    expect(await codeOf(migrate(archive, { ids: [SAMPLE.notes] }, { to: '/tmp/elsewhere' }))).toBe('UNSAFE_PATH');
    // Selected by folder, it is not among the sessions moved.
    const moved = await migrate(archive, { fromDir: '/' }, { to: '/tmp/elsewhere', dryRun: true });
    expect(moved.moved.map((m) => m.id)).not.toContain(SAMPLE.notes);
    expect(await contents(outside)).toEqual(before);
    expect((await stat(link).catch(() => undefined)) !== undefined).toBe(true);
    // Other sessions keep working.
    expect((await archive.sessions.update(SAMPLE.main, { title: 'fine' })).title).toBe('fine');
  });

  it('the index lists a linked session as invalid, saying why; the watcher does not follow it', async () => {
    const { archive, link } = await linkedSession();
    const index = await openIndex(archive, { onWarning: () => {} });
    await index.ready();
    const row = index.get(SAMPLE.notes);
    expect(row?.valid).toBe(false);
    expect(row?.error).toContain(`${link}: is a symbolic link`);
    expect(index.invalid().map((s) => s.id)).toEqual([SAMPLE.notes]);
    expect(index.history({ invalid: true, archived: 'include' }).items.find((s) => s.id === SAMPLE.notes)?.valid).toBe(false);
    expect(await index.rebuild().then(() => index.get(SAMPLE.notes)?.valid)).toBe(false);
    await index.close();
  });

  it('sarc doctor reports the link, and doctor --fix and resolve move or merge nothing through it', async () => {
    const { dir, stateDir, archive, link, outside, before } = await linkedSession();
    const env = { SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir };
    const check = await sarc(['doctor', '--json'], { env });
    expect(check.code).toBe(1);
    const problems = JSON.parse(check.stdout).problems as Array<{ kind: string; path: string }>;
    expect(problems.filter((p) => p.kind === 'unsafe').map((p) => p.path)).toEqual([link]);
    expect(problems.some((p) => p.path.startsWith(outside))).toBe(false);
    const fixed = await sarc(['doctor', '--fix', '--json'], { env });
    expect(JSON.parse(fixed.stdout).problems.map((p: { kind: string }) => p.kind)).toContain('unsafe');
    const result = await resolveConflicts(archive);
    expect(result.resolved).toEqual([]);
    expect(result.failed.map((f) => f.path)).toEqual([link]);
    expect(await contents(outside)).toEqual(before);
  });

  it('a messages folder, a message file or an info.json that is a link is refused, and a broken-in-place message is shown as such', async () => {
    const { archive, dir } = await tempArchive({ samples: true });
    const outside = await tempDir();
    // messages/ of the main sample → outside.
    const messages = join(dir, 'sessions', SAMPLE.main, 'messages');
    await cp(messages, join(outside, 'messages'), { recursive: true });
    await import('node:fs/promises').then((fs) => fs.rm(messages, { recursive: true }));
    await symlink(join(outside, 'messages'), messages);
    const before = await contents(outside);
    expect(await codeOf(archive.messages.append(SAMPLE.main, userMessage('through')))).toBe('UNSAFE_PATH');
    expect(await codeOf(archive.messages.page(SAMPLE.main))).toBe('UNSAFE_PATH');
    expect(await contents(outside)).toEqual(before);

    // One message file of the fork sample → a file outside.
    const [first] = await archive.messages.orderedIds(SAMPLE.fork);
    const file = join(dir, 'sessions', SAMPLE.fork, 'messages', `${first}.json`);
    const target = join(outside, 'message.json');
    await rename(file, target);
    await symlink(target, file);
    const kept = await readFile(target, 'utf8');
    expect(await codeOf(archive.messages.get(SAMPLE.fork, first as string))).toBe('UNSAFE_PATH');
    const { items } = await archive.messages.page(SAMPLE.fork);
    expect(items.filter((m) => 'error' in m).map((m) => m.info.id)).toEqual([first]);
    expect(await codeOf(archive.messages.upsert(SAMPLE.fork, { ...userMessage('over it', { id: first }) }))).toBe('UNSAFE_PATH');
    expect(await readFile(target, 'utf8')).toBe(kept);

    // info.json of the child sample → a file outside.
    const info = join(dir, 'sessions', SAMPLE.child, 'info.json');
    await rename(info, join(outside, 'info.json'));
    await symlink(join(outside, 'info.json'), info);
    expect(await codeOf(archive.sessions.get(SAMPLE.child))).toBe('UNSAFE_PATH');
    expect(await codeOf(archive.sessions.update(SAMPLE.child, { title: 'x' }))).toBe('UNSAFE_PATH');
  });

  it('the archive root itself may be a link', async () => {
    const root = await tempDir();
    await cp(SAMPLES, join(root, 'real'), { recursive: true });
    await mkdir(join(root, 'links'));
    await symlink(join(root, 'real'), join(root, 'links', 'archive'));
    const archive = await openArchive({ dir: join(root, 'links', 'archive'), stateDir: join(root, 'state') });
    const s = await archive.sessions.create({ title: 'through the root link', directory: root });
    await archive.messages.append(s.id, userMessage('hello'));
    expect((await archive.messages.list(s.id)).length).toBe(1);
    expect((await archive.sessions.get(SAMPLE.main)).id).toBe(SAMPLE.main);
    expect(await readdir(join(root, 'real', 'sessions'))).toContain(s.id);
  });
});
