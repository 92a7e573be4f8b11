import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Archive, exportSessions, exportToFile, importSessions, newId, openArchive, readImportFile } from '../../src/index.js';
import { codeOf, normalizeIds, ROOT, SAMPLE, SAMPLES, tempArchive, tempDir, userMessage, workerArgs } from '../helpers.js';

async function text(gen: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const piece of gen) out += piece;
  return out;
}

async function exportJson(archive: Archive, ids: string[], options = {}) {
  const t = await text(exportSessions(archive, ids, options));
  const doc = JSON.parse(t);
  // The stream is exactly the pretty-printed document.
  expect(t).toBe(`${JSON.stringify(doc, null, 2)}\n`);
  return doc;
}

const ALL = [SAMPLE.main, SAMPLE.notes];

/** An export without what an import legitimately changes: IDs, exportedAt, provenance. */
function comparable(doc: { sessions: Array<{ info: { metadata?: Record<string, unknown> } }> }) {
  const copy = structuredClone(doc) as typeof doc & { exportedAt?: number };
  delete copy.exportedAt;
  for (const s of copy.sessions) {
    if (s.info.metadata) {
      delete s.info.metadata.importedFrom;
      if (Object.keys(s.info.metadata).length === 0) delete s.info.metadata;
    }
  }
  return normalizeIds(copy);
}

describe('export', () => {
  it('reads each message file once: the pass that orders a session keeps what it read', async () => {
    const { archive, dir, stateDir } = await tempArchive();
    const s = await archive.sessions.create({ title: 'long' });
    for (let i = 0; i < 120; i++) await archive.messages.append(s.id, userMessage(`message ${i}`));
    // A fresh archive object, as `sarc export` is a fresh process: no order kept yet.
    const fresh = await openArchive({ dir, stateDir });
    const doc = await exportJson(fresh, [s.id]);
    expect(doc.sessions[0].messages.map((m: { parts: Array<{ text: string }> }) => m.parts[0]?.text)).toEqual(
      Array.from({ length: 120 }, (_, i) => `message ${i}`),
    );
    expect(fresh.messages.fileReads()).toBe(120);
  });

  it('writes our document with info, ordered messages and todos; children on request', async () => {
    const { archive } = await tempArchive({ samples: true });
    const doc = await exportJson(archive, [SAMPLE.main]);
    expect(doc.format).toBe('session-archive/export');
    expect(doc.version).toBe(1);
    expect(typeof doc.exportedAt).toBe('number');
    expect(doc.sessions.map((s: { info: { id: string } }) => s.info.id)).toEqual([SAMPLE.main]);
    expect(doc.sessions[0].messages).toEqual(await archive.messages.list(SAMPLE.main));
    expect(doc.sessions[0].todos).toEqual(await archive.todos.get(SAMPLE.main));
    const withChildren = await exportJson(archive, [SAMPLE.main], { children: true });
    expect(withChildren.sessions.map((s: { info: { id: string } }) => s.info.id)).toEqual([SAMPLE.main, SAMPLE.child]);
    const empty = await archive.sessions.create({ title: 'empty' });
    expect((await exportJson(archive, [empty.id])).sessions[0]).toMatchObject({ messages: [], todos: [] });
  });

  it('writes what `opencode export` writes in the opencode format', async () => {
    const { archive } = await tempArchive({ samples: true });
    const one = await exportJson(archive, [SAMPLE.fork], { format: 'opencode' });
    expect(Object.keys(one)).toEqual(['info', 'messages']);
    expect(one.info.forkedFrom).toBeUndefined();
    expect(one.messages).toEqual(await archive.messages.list(SAMPLE.fork));
    const many = await exportJson(archive, ALL, { format: 'opencode' });
    expect(many.map((s: { info: { id: string } }) => s.info.id)).toEqual(ALL);
  });

  it('fails on unknown or bad IDs before writing a byte', async () => {
    const { archive, root } = await tempArchive({ samples: true });
    expect(await codeOf(text(exportSessions(archive, [newId('session')])))).toBe('NOT_FOUND');
    expect(await codeOf(text(exportSessions(archive, ['../x'])))).toBe('INVALID_ID');
    expect(await codeOf(text(exportSessions(archive, [])))).toBe('INVALID_INPUT');
    const file = join(root, 'out.json');
    expect(await codeOf(exportToFile(archive, [newId('session')], file))).toBe('NOT_FOUND');
    expect(await readdir(root)).not.toContain('out.json');
    await exportToFile(archive, [SAMPLE.main], file);
    expect(JSON.parse(await readFile(file, 'utf8')).sessions[0].info.id).toBe(SAMPLE.main);
  });

  it('streams: a 120 MB session exports in a process whose heap is capped at 64 MB', async () => {
    const { archive, dir, stateDir, root } = await tempArchive();
    const s = await archive.sessions.create();
    const big = 'x'.repeat(2 * 1024 * 1024);
    for (let i = 0; i < 60; i++) await archive.messages.append(s.id, userMessage(`${i}${big}`));
    const out = join(root, 'big.json');
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync(
      process.execPath,
      ['--max-old-space-size=64', ...workerArgs(join(ROOT, 'test', 'fixtures', 'export-worker.ts')), dir, stateDir, s.id, out],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const { size } = await stat(out);
    expect(size).toBeGreaterThan(120 * 1024 * 1024);
  }, 120_000);
});

describe('import', () => {
  it('export → clone import → export is equal once IDs are normalised', async () => {
    const source = await tempArchive({ samples: true });
    const first = await exportJson(source.archive, ALL, { children: true });
    const target = await tempArchive();
    const result = await importSessions(target.archive, first);
    expect(result.mode).toBe('clone');
    expect(result.sessions.map((r) => r.from)).toEqual(first.sessions.map((s: { info: { id: string } }) => s.info.id));
    for (const r of result.sessions) expect(r.to).not.toBe(r.from);
    const second = await exportJson(
      target.archive,
      result.sessions.filter((r) => ALL.includes(r.from as never)).map((r) => r.to),
      { children: true },
    );
    expect(comparable(second)).toEqual(comparable(first));
  });

  it('clone remaps parent, fork origin, message parents and revert pointers inside the payload; keeps provenance and todos', async () => {
    const { archive } = await tempArchive({ samples: true });
    const msgs = await archive.messages.list(SAMPLE.main);
    await archive.sessions.update(SAMPLE.main, { revert: { messageID: msgs[2]?.info.id as string, partID: msgs[2]?.parts[0]?.id } });
    const doc = await exportJson(archive, [SAMPLE.fork, SAMPLE.main], { children: true });
    const result = await importSessions(archive, doc);
    const to = Object.fromEntries(result.sessions.map((r) => [r.from, r.to]));
    const main = await archive.sessions.get(to[SAMPLE.main] as string);
    const child = await archive.sessions.get(to[SAMPLE.child] as string);
    const fork = await archive.sessions.get(to[SAMPLE.fork] as string);
    const newMsgs = await archive.messages.list(main.id);
    expect(child.parentID).toBe(main.id);
    expect(fork.forkedFrom).toEqual({ sessionID: main.id, messageID: newMsgs[2]?.info.id });
    expect(main.revert).toEqual({ messageID: newMsgs[2]?.info.id, partID: newMsgs[2]?.parts[0]?.id });
    expect(main.metadata?.importedFrom).toEqual({ sessionID: SAMPLE.main, exportedAt: doc.exportedAt });
    expect(await archive.todos.get(main.id)).toEqual(await archive.todos.get(SAMPLE.main));
    const assistant = newMsgs.find((m) => m.info.role === 'assistant');
    expect(assistant?.info.role === 'assistant' && newMsgs.map((m) => m.info.id).includes(assistant.info.parentID)).toBe(true);
    // The originals are untouched.
    expect((await archive.sessions.get(SAMPLE.main)).metadata).toBeUndefined();
  });

  it('clone drops a parent that is not imported, and says so in importedFrom', async () => {
    const { archive } = await tempArchive({ samples: true });
    const doc = await exportJson(archive, [SAMPLE.child]);
    const [r] = (await importSessions(archive, doc)).sessions;
    const child = await archive.sessions.get(r?.to as string);
    expect(child.parentID).toBeUndefined();
    expect(child.metadata?.importedFrom).toMatchObject({ sessionID: SAMPLE.child, parentID: SAMPLE.main });
  });

  it('keep-ids restores exact IDs and bytes into an empty archive', async () => {
    const source = await tempArchive({ samples: true });
    const doc = await exportJson(source.archive, [SAMPLE.main, SAMPLE.fork, SAMPLE.notes], { children: true });
    const target = await tempArchive();
    const result = await importSessions(target.archive, doc, { mode: 'keep-ids' });
    expect(result.sessions.map((r) => [r.from, r.to])).toEqual(result.sessions.map((r) => [r.from, r.from]));
    for (const id of [SAMPLE.main, SAMPLE.child, SAMPLE.fork, SAMPLE.notes]) {
      for (const name of ['info.json', 'todos.json']) {
        const a = await readFile(join(SAMPLES, 'sessions', id, name), 'utf8').catch(() => 'absent');
        expect(await readFile(join(target.dir, 'sessions', id, name), 'utf8').catch(() => 'absent')).toBe(a);
      }
      expect(await readdir(join(target.dir, 'sessions', id, 'messages'))).toEqual(await readdir(join(SAMPLES, 'sessions', id, 'messages')));
    }
  });

  it('keep-ids names every collision and writes nothing', async () => {
    const { archive, dir } = await tempArchive({ samples: true });
    const fresh = await archive.sessions.create({ title: 'fresh' });
    const doc = await exportJson(archive, [fresh.id, SAMPLE.main, SAMPLE.notes]);
    await archive.sessions.delete(fresh.id);
    const before = (await readdir(join(dir, 'sessions'))).sort();
    await expect(importSessions(archive, doc, { mode: 'keep-ids' })).rejects.toThrow(
      `session IDs already exist: ${SAMPLE.main}, ${SAMPLE.notes}`,
    );
    expect((await readdir(join(dir, 'sessions'))).sort()).toEqual(before);
  });

  it('reads import files, with line:column for JSON errors', async () => {
    const root = await tempDir();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(root, 'bad.json'), '{\n  "info": {,\n}');
    await expect(readImportFile(join(root, 'bad.json'))).rejects.toThrow(
      `${join(root, 'bad.json')}:2:12: invalid JSON: expected a property name in double quotes, found ","`,
    );
    expect(await codeOf(readImportFile(join(root, 'bad.json')))).toBe('INVALID_INPUT');
    expect(await codeOf(readImportFile(join(root, 'missing.json')))).toBe('NOT_FOUND');
  });
});
