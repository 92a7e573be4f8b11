import { readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { cp, mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ArchiveEvent, openArchive, openIndex, type SessionIndex } from '../../src/index.js';
import { ROOT, runWorker, SAMPLE, tempArchive, until, userMessage } from '../helpers.js';

const WORKER = join(ROOT, 'test', 'fixtures', 'index-worker.ts');
const open: SessionIndex[] = [];
afterEach(async () => {
  for (const index of open.splice(0)) await index.close();
});

/** The inodes this process holds inotify watches on, read from /proc (the real budget, not chokidar's bookkeeping). */
function watchedInodes(): Set<number> {
  const out = new Set<number>();
  for (const fd of readdirSync('/proc/self/fdinfo')) {
    try {
      for (const m of readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').matchAll(/^inotify wd:\w+ ino:(\w+)/gm))
        out.add(Number.parseInt(m[1] as string, 16));
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

/** Waits for an asynchronous check (a deadline for liveness, not a measurement). */
async function eventually(check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${check.toString()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function watched(options = {}) {
  const t = await tempArchive({ samples: true });
  const index = await openIndex(t.archive, { onWarning: () => {}, ...options });
  open.push(index);
  await index.ready();
  return { ...t, index };
}

describe('the watcher', () => {
  it('an edit by another process reaches a listener well under a second', async () => {
    const { index, dir, stateDir } = await watched();
    let received = 0;
    const got: ArchiveEvent[] = [];
    index.on((e) => {
      if (e.type === 'session.updated') {
        received = Date.now();
        got.push(e);
      }
    });
    const run = await runWorker(WORKER, [dir, stateDir, 'rename', SAMPLE.notes, 'Renamed elsewhere']);
    expect(run.stderr).toBe('');
    const wrote = Number(/wrote (\d+)/.exec(run.stdout)?.[1]);
    await until(() => received);
    expect(received - wrote).toBeLessThan(500);
    expect(got[0]?.properties).toMatchObject({ sessionID: SAMPLE.notes, info: { title: 'Renamed elsewhere' } });
    expect(index.get(SAMPLE.notes)?.title).toBe('Renamed elsewhere');
  });

  it('a hand edit of a title shows in listing; a hand-broken info.json lists as invalid while the rest lists', async () => {
    const { index, dir } = await watched();
    const path = join(dir, 'sessions', SAMPLE.main, 'info.json');
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('"Add retries to the HTTP client"', '"Edited in vim"'));
    await until(() => index.list().some((s) => s.title === 'Edited in vim'));
    await writeFile(path, '{"id": "broken');
    const bad = await until(() => index.invalid()[0]);
    expect(bad.id).toBe(SAMPLE.main);
    expect(bad.error).toBe(`${path}:1:8: invalid JSON: unterminated string (no closing quote)`);
    expect(
      index
        .list()
        .map((s) => s.id)
        .sort(),
    ).toEqual([SAMPLE.child, SAMPLE.fork, SAMPLE.notes].sort());
    expect(index.stats()).toMatchObject({ sessions: 3, invalid: 1 });
    await writeFile(path, text);
    await until(() => index.invalid().length === 0 && index.list().length === 4);
  });

  it('new, deleted and copied-in sessions (git checkout, rsync) show up as events', async () => {
    const { index, archive, dir } = await watched();
    const events: string[] = [];
    index.on((e) => events.push(`${e.type} ${'sessionID' in e.properties ? e.properties.sessionID : ''}`));
    const s = await archive.sessions.create({ title: 'new' });
    await until(() => events.includes(`session.created ${s.id}`));
    await archive.sessions.delete(SAMPLE.child);
    await until(() => events.includes(`session.deleted ${SAMPLE.child}`));
    // A whole folder appearing at once, as a checkout or rsync leaves it.
    const info = JSON.parse(await readFile(join(dir, 'sessions', SAMPLE.notes, 'info.json'), 'utf8'));
    const copied = 'ses_0000000000aaCopiedBySync01';
    await mkdir(join(dir, 'sessions', `.${copied}.tmpdir`), { recursive: true });
    await writeFile(join(dir, 'sessions', `.${copied}.tmpdir`, 'info.json'), JSON.stringify({ ...info, id: copied, title: 'synced' }));
    const { rename } = await import('node:fs/promises');
    await rename(join(dir, 'sessions', `.${copied}.tmpdir`), join(dir, 'sessions', copied));
    await until(() => index.get(copied)?.title === 'synced');
    expect(events).toContain(`session.created ${copied}`);
  });

  it('a session folder replaced by another (moved aside, a copy renamed in) is watched on its new inode', async () => {
    const { index, dir } = await watched();
    const folder = join(dir, 'sessions', SAMPLE.notes);
    const staged = join(dir, 'sessions', `.${SAMPLE.notes}.incoming`);
    await cp(folder, staged, { recursive: true });
    const info = JSON.parse(await readFile(join(staged, 'info.json'), 'utf8'));
    await writeFile(join(staged, 'info.json'), JSON.stringify({ ...info, title: 'replaced' }));
    // Both renames before the watcher's events are read (as a sync tool's swap can be): the old watch sees nothing missing.
    renameSync(folder, `${staged}.old`);
    renameSync(staged, folder);
    await rm(`${staged}.old`, { recursive: true });
    await until(() => index.get(SAMPLE.notes)?.title === 'replaced');
    // An edit in place inside the new folder: only a watch on the new inode sees it before the minute's reconcile.
    await writeFile(join(folder, 'info.json'), JSON.stringify({ ...info, title: 'edited after the swap' }));
    await until(() => index.get(SAMPLE.notes)?.title === 'edited after the swap');
  });

  it('a periodic round finds what no watch saw, for the index and the search index from one set of stats', async () => {
    const { index, dir, stateDir } = await watched({ search: true, reconcileMs: 3_600_000 });
    await index.searchReady();
    // The watches gone (as when events are lost): only the round can see the changes below.
    const router = (index as unknown as { router: { watcher: { close(): Promise<void> }; checkRound(): Promise<void> } }).router;
    await router.watcher.close();
    const other = await openArchive({ dir, stateDir });
    await other.sessions.update(SAMPLE.notes, { title: 'quince tart' });
    await other.messages.append(SAMPLE.main, userMessage('a medlar jelly'));
    await new Promise((r) => setTimeout(r, 300));
    const hits = (query: string) => index.search({ query }).hits.map((h) => h.sessionID);
    expect(index.get(SAMPLE.notes)?.title).not.toBe('quince tart');
    expect(hits('medlar')).toEqual([]);
    await router.checkRound();
    expect(index.get(SAMPLE.notes)?.title).toBe('quince tart');
    expect(hits('quince')).toContain(SAMPLE.notes);
    expect(hits('medlar')).toContain(SAMPLE.main);
  });

  it('with search on, watches the messages folders of the newest sessions up to the limit, and of every new one', async () => {
    const t = await tempArchive({ samples: true });
    const index = await openIndex(t.archive, { onWarning: () => {}, search: true, messageWatchLimit: 1 });
    open.push(index);
    await index.ready();
    const ids = [SAMPLE.main, SAMPLE.child, SAMPLE.fork, SAMPLE.notes].sort();
    const inode = (id: string) => statSync(join(t.dir, 'sessions', id, 'messages')).ino;
    const inodes = watchedInodes();
    expect(inodes.has(inode(ids[0] as string))).toBe(true);
    for (const id of ids.slice(1))
      if (readdirSync(join(t.dir, 'sessions', id)).includes('messages')) expect(inodes.has(inode(id))).toBe(false);
    const s = await t.archive.sessions.create({ title: 'new' });
    await t.archive.messages.append(s.id, { info: { role: 'user', agent: 'b', model: { providerID: 'p', modelID: 'm' } } });
    await until(() => watchedInodes().has(inode(s.id)));
    // An older session beyond the limit is watched while someone follows it, and no longer after.
    const stop = await index.subscribe(SAMPLE.main);
    expect(watchedInodes().has(inode(SAMPLE.main))).toBe(true);
    stop();
    await until(() => !watchedInodes().has(inode(SAMPLE.main)));
  });

  it('pages of a watched session skip the folder listing, and still see every change made elsewhere', async () => {
    const { index, archive, dir, stateDir } = await watched();
    const stop = await index.subscribe(SAMPLE.main);
    const ids = async () => (await archive.messages.page(SAMPLE.main, { limit: 100 })).items.map((m) => m.info.id);
    const first = await ids();
    const listed = archive.messages.orderListings();
    // This process's own writes: no listing.
    const mine = await archive.messages.append(SAMPLE.main, userMessage('from this process'));
    expect((await ids()).at(-1)).toBe(mine.info.id);
    expect(archive.messages.orderListings()).toBe(listed);
    // Another process appends; a hand edit moves the oldest message to the end; a file is deleted.
    const other = await openArchive({ dir, stateDir });
    const theirs = await other.messages.append(SAMPLE.main, userMessage('from another process'));
    await eventually(async () => (await ids()).includes(theirs.info.id));
    const oldest = first[0] as string;
    const path = join(dir, 'sessions', SAMPLE.main, 'messages', `${oldest}.json`);
    const file = JSON.parse(await readFile(path, 'utf8'));
    file.info.time.created = Date.now() + 60_000;
    await writeFile(path, JSON.stringify(file, null, 2));
    await eventually(async () => (await ids()).at(-1) === oldest);
    await rm(join(dir, 'sessions', SAMPLE.main, 'messages', `${mine.info.id}.json`));
    await eventually(async () => !(await ids()).includes(mine.info.id));
    expect(archive.messages.orderListings()).toBe(listed);
    stop();
    // Unwatched again: every page lists the folder.
    await ids();
    expect(archive.messages.orderListings()).toBe(listed + 1);
  });

  it('follows messages, parts and todos of subscribed sessions; status changes', async () => {
    const { index, archive } = await watched();
    const events: ArchiveEvent[] = [];
    index.on((e) => events.push(e));
    const stop = await index.subscribe(SAMPLE.fork);
    const m = await archive.messages.append(SAMPLE.fork, {
      info: { role: 'user', agent: 'build', model: { providerID: 'p', modelID: 'm' } },
      parts: [{ type: 'text', text: 'hello' }],
    });
    await until(() => events.some((e) => e.type === 'message.part.updated'));
    expect(events.find((e) => e.type === 'message.updated')?.properties).toMatchObject({ sessionID: SAMPLE.fork, info: { id: m.info.id } });
    await archive.messages.deletePart(SAMPLE.fork, m.info.id, m.parts[0]?.id as string);
    await until(() => events.some((e) => e.type === 'message.part.removed'));
    await archive.messages.delete(SAMPLE.fork, m.info.id);
    await until(() => events.some((e) => e.type === 'message.removed' && e.properties.messageID === m.info.id));
    await archive.todos.set(SAMPLE.fork, [{ content: 'x', status: 'pending', priority: 'low' }]);
    await until(() => events.some((e) => e.type === 'todo.updated' && e.properties.todos.length === 1));
    await index.setStatus(SAMPLE.fork, { type: 'busy' });
    await until(() => events.some((e) => e.type === 'session.status' && e.properties.status.type === 'busy'));
    stop();
    // After unsubscribing, message files are not followed (no watch, no events).
    const count = events.length;
    await archive.messages.append(SAMPLE.fork, { info: { role: 'user', agent: 'b', model: { providerID: 'p', modelID: 'm' } } });
    await until(() => events.some((e, i) => i >= count && e.type === 'session.updated'));
    expect(events.slice(count).filter((e) => e.type.startsWith('message.'))).toEqual([]);
  });

  it('holds about one inotify watch per session, plus the messages folder of a subscribed session', async () => {
    const t = await tempArchive({ samples: true });
    const before = watchedInodes().size;
    const index = await openIndex(t.archive, { onWarning: () => {} });
    open.push(index);
    await index.ready();
    await new Promise((r) => setTimeout(r, 100));
    // sessions/, one per session folder, projects/, the status and signal folders.
    expect(watchedInodes().size - before).toBeLessThanOrEqual(4 + 4);
    const messages = statSync(join(t.dir, 'sessions', SAMPLE.main, 'messages')).ino;
    expect(watchedInodes().has(messages)).toBe(false);
    const stop = await index.subscribe(SAMPLE.main);
    await until(() => watchedInodes().has(messages));
    stop();
    await until(() => !watchedInodes().has(messages));
  });

  it('an exhausted watch budget (ENOSPC) degrades to periodic reconciling with a warning, never a crash', async () => {
    const warnings: string[] = [];
    const { index, archive } = await watched({ degradedReconcileMs: 50, onWarning: (m: string) => warnings.push(m) });
    const error = Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' });
    index.watcherForTests?.injectError(error);
    expect(index.stats().degraded).toBe(true);
    expect(warnings[0]).toMatch(/^file watching is out of budget \(ENOSPC\); changes are picked up by reconciling every 50 ms instead/);
    // Stop the watcher entirely: only reconciling can see this change now.
    await index.watcherForTests?.close();
    await archive.sessions.update(SAMPLE.notes, { title: 'seen by reconcile' });
    await until(() => index.get(SAMPLE.notes)?.title === 'seen by reconcile');
  });
});

describe('the snapshot', () => {
  it('reopening re-reads only info.json files whose mtime or size changed', async () => {
    const t = await tempArchive({ samples: true });
    // A whole-second mtime, so it can be put back exactly after an edit.
    const sneaky = join(t.dir, 'sessions', SAMPLE.notes, 'info.json');
    const when = new Date(Date.UTC(2026, 0, 1));
    await utimes(sneaky, when, when);
    const first = await openIndex(t.archive, { watch: false });
    await first.close();
    const changed = join(t.dir, 'sessions', SAMPLE.main, 'info.json');
    await writeFile(changed, (await readFile(changed, 'utf8')).replace('Add retries to the HTTP client', 'Changed while closed'));
    // Same size and mtime: the reconcile must trust the snapshot (proof that it did not re-read).
    await writeFile(sneaky, (await readFile(sneaky, 'utf8')).replace('Weekly notes summary', 'Weekly notes SUMMARY'));
    await utimes(sneaky, when, when);
    const second = await openIndex(t.archive, { watch: false });
    open.push(second);
    expect(second.get(SAMPLE.main)?.title).toBe('Changed while closed');
    expect(second.get(SAMPLE.notes)?.title).toBe('Weekly notes summary');
    await second.rebuild();
    expect(second.get(SAMPLE.notes)?.title).toBe('Weekly notes SUMMARY');
  });

  it('is saved once a stream of changes pauses, not every 2 s during it (at 100k sessions a save writes ~25 MB)', async () => {
    const t = await tempArchive({ samples: true });
    const index = await openIndex(t.archive, { watch: false });
    open.push(index);
    await index.save();
    const snapshot = join(t.stateDir, 'index.ndjson');
    const before = statSync(snapshot).mtimeMs;
    // A change every 300 ms for 3.3 s: longer than the quiet time, never quiet that long.
    for (let i = 0; i < 12; i++) {
      await t.archive.sessions.update(SAMPLE.notes, { title: `stream ${i}` });
      await index.refresh(SAMPLE.notes);
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(statSync(snapshot).mtimeMs).toBe(before);
    await until(() => statSync(snapshot).mtimeMs !== before, 10_000);
    expect(readFileSync(snapshot, 'utf8')).toContain('stream 11');
  }, 30_000);
});
