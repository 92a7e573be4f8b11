import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inSlice } from '../../src/catalog/index/scan.js';
import { searchFile } from '../../src/catalog/search/saved-stamps.js';
import { newId, openIndex, parseSearch, SearchIndex, type SessionIndex, searchIndex, startSearchCheck } from '../../src/index.js';
import { openSqlite, sqliteEngine } from '../../src/store/sqlite.js';
import { sarc } from '../cli/helpers.js';
import { assistantInfo, codeOf, hasTool, SAMPLE, tempArchive, until, userMessage, writeSessionFolders } from '../helpers.js';

const open: SessionIndex[] = [];
afterEach(async () => {
  for (const index of open.splice(0)) await index.close();
});

const MAIN_ASSISTANT = 'msg_019a8b7c6d02Zq8Wm3Nx5Rv7Tb';

const HAVE_SQLITE = hasTool('SQLite', () => SearchIndex.available(), 'node-sqlite3-wasm is a dependency: npm install');

describe.skipIf(!HAVE_SQLITE)('full-text search', () => {
  it('finds words in any form in message text, reasoning, tool inputs and outputs, file names and todos, with the match marked', async () => {
    const { archive } = await tempArchive({ samples: true });
    // The example: the titles say "retries", a search says "retry".
    const retry = await searchIndex(archive, { query: 'retry', limit: 100 });
    expect(retry.hits.length).toBeGreaterThan(4);
    for (const hit of retry.hits) {
      expect(hit.marks.length).toBeGreaterThan(0);
      for (const [a, b] of hit.marks) expect(hit.snippet.slice(a, b).toLowerCase()).toMatch(/^retr/);
    }
    const where = async (query: string) =>
      (await searchIndex(archive, { query, limit: 100 })).hits.map((h) => `${h.sessionID} ${h.field} ${h.messageID ?? ''}`);
    // Reasoning, a tool's output, a tool's input, a patch's file name, a todo.
    expect(await where('"retry loop"')).toContain(`${SAMPLE.main} message ${MAIN_ASSISTANT}`);
    expect(await where('"return fetch(url)"')).toContain(`${SAMPLE.main} message ${MAIN_ASSISTANT}`);
    expect(await where('withRetry')).toContain(`${SAMPLE.main} message ${MAIN_ASSISTANT}`);
    expect(await where('client.ts')).toContain(`${SAMPLE.main} message ${MAIN_ASSISTANT}`);
    expect(await where('"retry policy"')).toContain(`${SAMPLE.main} todos `);
    expect(await where('HTTP client')).toContain(`${SAMPLE.main} title `);
    // Nothing matches words that are not there together.
    expect(await where('retry zebra')).toEqual([]);
  });

  it('snippets read as plain text: no Markdown marks, no tool name said twice', async () => {
    const { archive } = await tempArchive();
    const s = await archive.sessions.create({ directory: '/w', title: 'plain snippets' });
    const u = await archive.messages.append(
      s.id,
      userMessage('Please **fix** the `quokka` parser, see [the docs](https://example.org/q).'),
    );
    await archive.messages.append(s.id, {
      info: assistantInfo(u.info.id),
      parts: [
        {
          type: 'tool',
          callID: 'c',
          tool: 'Read',
          state: {
            status: 'completed',
            input: { file_path: '/w/wombat.ts' },
            output: 'ok',
            title: 'Read',
            metadata: {},
            time: { start: 1, end: 2 },
          },
        },
      ],
    } as never);
    const [text] = (await searchIndex(archive, { query: 'quokka' })).hits;
    expect(text?.snippet).toBe('Please fix the quokka parser, see the docs https://example.org/q.');
    expect(text?.snippet.slice(...(text.marks[0] as [number, number]))).toBe('quokka');
    const [tool] = (await searchIndex(archive, { query: 'wombat' })).hits;
    expect(tool?.snippet).toBe('Read\n/w/wombat.ts\nok'.replace(/\n/g, ' '));
  });

  it('reads no file through a link: a message file or info.json that is a link is not searchable, its real neighbours are', async () => {
    const { archive, dir, root } = await tempArchive();
    const s = await archive.sessions.create({ directory: '/w/a', title: 'Linked notes' });
    const kept = await archive.messages.append(s.id, userMessage('quince stays searchable'));
    const outside = join(root, 'outside.json');
    const linked = newId('message');
    await writeFile(outside, JSON.stringify(userMessage('kumquat from outside the archive', { id: linked, sessionID: s.id })));
    await symlink(outside, join(dir, 'sessions', s.id, 'messages', `${linked}.json`));
    const other = await archive.sessions.create({ directory: '/w/b', title: 'Persimmon title' });
    const info = join(dir, 'sessions', other.id, 'info.json');
    await writeFile(join(root, 'info-outside.json'), await readFile(info));
    await rm(info);
    await symlink(join(root, 'info-outside.json'), info);
    const ids = async (query: string) => (await searchIndex(archive, { query })).hits.map((h) => h.messageID ?? h.sessionID);
    expect(await ids('quince')).toEqual([kept.info.id]);
    expect(await ids('kumquat')).toEqual([]);
    expect(await ids('persimmon')).toEqual([]);
    expect(await ids('linked')).toEqual([s.id]);
  });

  it('phrases, prefixes and exclusions; case and accents do not matter', async () => {
    const { archive } = await tempArchive();
    const s = await archive.sessions.create({ directory: '/w/a', title: 'Cache notes' });
    await archive.messages.append(s.id, userMessage('The CAFÉ menu is cached in Zürich for ten minutes'));
    await archive.messages.append(s.id, userMessage('menu cached elsewhere'));
    const count = async (query: string) => (await searchIndex(archive, { query })).hits.length;
    expect(await count('cafe zurich')).toBe(1);
    expect(await count('café ZÜRICH')).toBe(1);
    expect(await count('"menu is cached"')).toBe(1);
    expect(await count('"cached menu"')).toBe(0);
    expect(await count('menu')).toBe(2);
    expect(await count('men*')).toBe(2);
    expect(await count('menu -zurich')).toBe(1);
    expect(await count('zur*')).toBe(1);
    // Punctuation is never an error.
    expect(await count('c++ "unclosed')).toBe(0);
    expect(parseSearch('a "b c" d* -e')).toEqual([
      { text: 'a', kind: 'word', exclude: false },
      { text: 'b c', kind: 'phrase', exclude: false },
      { text: 'd', kind: 'prefix', exclude: false },
      { text: 'e', kind: 'word', exclude: true },
    ]);
    expect(await codeOf(searchIndex(archive, { query: '  ' }))).toBe('INVALID_INPUT');
    expect(await codeOf(searchIndex(archive, { query: '-menu' }))).toBe('INVALID_INPUT');
  });

  it('filters by project, folder glob, time, role and archived; ranks the better match first, then the newest', async () => {
    const { archive } = await tempArchive();
    const a = await archive.sessions.create({ directory: '/work/alpha/api', title: 'alpha' });
    const b = await archive.sessions.create({ directory: '/work/beta', title: 'beta' });
    const ua = await archive.messages.append(a.id, userMessage('deploy the parser', { time: { created: 1_000 } }));
    const ub = await archive.messages.append(b.id, userMessage('deploy the parser again', { time: { created: 2_000 } }));
    await archive.messages.append(b.id, {
      info: assistantInfo(ub.info.id, { time: { created: 3_000 } }),
      parts: [{ type: 'text', text: 'I will deploy the parser now' }],
    });
    await archive.sessions.update(b.id, { time: { archived: 5 } });
    const ids = async (q: Record<string, unknown>) =>
      (await searchIndex(archive, { query: 'deploy parser', ...q })).hits.map((h) => h.messageID);
    expect(await ids({ directory: '/work/alpha' })).toEqual([ua.info.id]);
    expect(await ids({ directory: '/work/*/api' })).toEqual([ua.info.id]);
    expect(await ids({ directory: '/work/b*' })).toHaveLength(2);
    expect(await ids({ role: 'user' })).toEqual(expect.arrayContaining([ua.info.id, ub.info.id]));
    expect(await ids({ role: 'user' })).toHaveLength(2);
    expect(await ids({ from: 1_500, to: 2_500 })).toEqual([ub.info.id]);
    expect(await ids({ archived: 'exclude' })).toEqual([ua.info.id]);
    expect(await ids({ archived: 'only' })).toHaveLength(2);
    expect(await ids({ project: a.projectID })).toContain(ua.info.id);
    expect(await ids({ project: 'no-such-project' })).toEqual([]);
    // Equal relevance: the newest first; pages do not overlap.
    const all = (await searchIndex(archive, { query: 'deploy parser' })).hits.map((h) => h.time);
    expect(all).toEqual([...all].sort((x, y) => y - x));
    const first = await searchIndex(archive, { query: 'deploy parser', limit: 2 });
    const second = await searchIndex(archive, { query: 'deploy parser', limit: 2, offset: 2 });
    expect(first.more).toBe(true);
    expect(second.more).toBe(false);
    expect(new Set([...first.hits, ...second.hits].map((h) => h.messageID)).size).toBe(3);
    // A title that says it all outranks a message that says it once among much else.
    await archive.sessions.create({ directory: '/w', title: 'Tokenizer rewrite' });
    const c = await archive.sessions.create({ directory: '/w', title: 'misc' });
    await archive.messages.append(c.id, userMessage(`${'lots of other words here '.repeat(40)} tokenizer`));
    expect((await searchIndex(archive, { query: 'tokenizer' })).hits[0]?.field).toBe('title');
  });

  it('words that match a great many messages rank the newest 1,000 by relevance, and say so', async () => {
    const { archive, dir } = await tempArchive();
    const s = await archive.sessions.create({ directory: '/w', title: 'many' });
    // Written as files (as a sync or a git pull would bring them): 2,100 messages that all say "widget".
    const folder = join(dir, 'sessions', s.id, 'messages');
    await mkdir(folder, { recursive: true });
    const ids: string[] = [];
    for (let i = 0; i < 2_100; i++) {
      const id = `msg_${(0x019a00000000 + i).toString(16).padStart(12, '0')}Many${String(i).padStart(10, '0')}`;
      ids.push(id);
      // The oldest says it ten times: the most relevant, but not among the newest 1,000.
      const text = i === 0 ? 'widget '.repeat(10) : `a widget number ${i} among ${'other words '.repeat(5)}`;
      const message = {
        info: {
          id,
          sessionID: s.id,
          role: 'user',
          time: { created: 1_000_000 + i },
          agent: 'build',
          model: { providerID: 'p', modelID: 'm' },
        },
        parts: [
          {
            id: `prt_${(0x019a00000000 + i).toString(16).padStart(12, '0')}Many${String(i).padStart(10, '0')}`,
            sessionID: s.id,
            messageID: id,
            type: 'text',
            text,
          },
        ],
      };
      await writeFile(join(folder, `${id}.json`), JSON.stringify(message));
    }
    const result = await searchIndex(archive, { query: 'widget', limit: 500 });
    expect(result.rankedAmong).toBe(1_000);
    expect(result.hits.map((h) => h.messageID)).not.toContain(ids[0]);
    expect(Math.min(...result.hits.map((h) => h.time))).toBeGreaterThanOrEqual(1_000_000 + 1_100);
    // Fewer matches (here by a time filter): every one is ranked, the oldest too.
    const few = await searchIndex(archive, { query: 'widget', to: 1_000_050, limit: 100 });
    expect(few.rankedAmong).toBeUndefined();
    expect(few.hits).toHaveLength(50);
    expect(few.hits.map((h) => h.messageID)).toContain(ids[0]);
  });

  it('a folder filter sees sessions another process indexed into the same file', async () => {
    const { archive } = await tempArchive();
    await archive.messages.append((await archive.sessions.create({ directory: '/w/old', title: 'old' })).id, userMessage('a lychee'));
    const here = await SearchIndex.open(archive);
    const there = await SearchIndex.open(archive);
    try {
      await here.sync();
      expect(here.search({ query: 'lychee', directory: '/w/*' }).hits).toHaveLength(1);
      const s = await archive.sessions.create({ directory: '/w/new', title: 'new' });
      await archive.messages.append(s.id, userMessage('another lychee'));
      await there.sync();
      // `here` wrote nothing since its last look; the file changed under it all the same.
      expect(here.search({ query: 'lychee', directory: '/w/*' }).hits).toHaveLength(2);
      expect(here.search({ query: 'lychee', directory: '/w/new' }).hits).toHaveLength(1);
    } finally {
      await here.close();
      await there.close();
    }
  });

  it('a periodic sync spread over rounds reads each round its share of the sessions, and all of them over the rounds', async () => {
    const { archive } = await tempArchive();
    const index = await SearchIndex.open(archive);
    try {
      const ids = [];
      for (let i = 0; i < 12; i++) ids.push((await archive.sessions.create({ directory: '/w', title: `plain ${i}` })).id);
      await index.sync();
      for (const id of ids) await archive.sessions.update(id, { title: `tamarind ${id}` });
      const found = () => new Set(index.search({ query: 'tamarind', limit: 100 }).hits.map((h) => h.sessionID));
      const of = 3;
      for (let round = 0; round < of; round++) {
        await index.sync({ slice: { index: round, of } });
        const expected = ids.filter((id) => inSlice(id, { index: 0, of }) || (round >= 1 && inSlice(id, { index: 1, of })) || round >= 2);
        expect([...found()].sort()).toEqual(expected.sort());
      }
      // A removed session is dropped by the round that checks for removals (the first of each cycle).
      await archive.sessions.delete(ids[0] as string);
      await index.sync({ slice: { index: of, of } });
      expect(found().has(ids[0] as string)).toBe(false);
    } finally {
      await index.close();
    }
  });

  it('over 20,000+ sessions (stats on worker threads, stored stamps read in chunks, then as saved) a sync reads again only what changed', async () => {
    const { archive, dir } = await tempArchive();
    const sessions = join(dir, 'sessions');
    const ids = writeSessionFolders(dir, 20_100, 'plain');
    const index = await SearchIndex.open(archive);
    try {
      expect(await index.sync()).toBe(20_100);
      // Nothing changed: every stored row matched its files, in each chunk of the stored stamps.
      expect(await index.sync()).toBe(0);
      // The checks below read the stamps as a one-off search saves them.
      index.saveStamps();
      const edited = ids[20_050] as string;
      const text = await readFile(join(sessions, edited, 'info.json'), 'utf8');
      await writeFile(join(sessions, edited, 'info.json'), text.replace('plain 20050', 'persimmon'));
      await writeFile(
        join(sessions, ids[3] as string, 'todos.json'),
        '[{"id":"t","content":"a quince","status":"pending","priority":"low"}]\n',
      );
      await rm(join(sessions, ids[10_000] as string), { recursive: true });
      const [added] = writeSessionFolders(dir, 1, 'newcomer');
      expect(await index.sync()).toBe(4);
      expect(index.search({ query: 'newcomer' }).hits.map((h) => h.sessionID)).toEqual([added]);
      expect(index.search({ query: 'persimmon' }).hits.map((h) => h.sessionID)).toEqual([edited]);
      expect(index.search({ query: 'quince' }).hits.map((h) => h.sessionID)).toEqual([ids[3]]);
      expect(await index.sync()).toBe(0);
    } finally {
      await index.close();
    }
  }, 180_000);

  it('a steady stream of notices does not hold back what was noticed first', async () => {
    const { archive } = await tempArchive();
    const index = await SearchIndex.open(archive);
    const s = await archive.sessions.create({ directory: '/w', title: 'busy' });
    await index.sync();
    const m = await archive.messages.append(s.id, userMessage('a loquat'));
    // Notices every 5 ms (as from a busy writer), each sooner than the 15 ms a batch waits.
    index.note(s.id, m.info.id);
    const stream = setInterval(() => index.note(s.id), 5);
    try {
      await until(() => index.search({ query: 'loquat' }).hits.length === 1, 1_000);
    } finally {
      clearInterval(stream);
      await index.close();
    }
  });

  // It counts the commits in the WAL, which SQLite in WebAssembly does not keep (SARC_SQLITE=wasm, or Node 20 without better-sqlite3).
  it.skipIf(sqliteEngine() === 'wasm')(
    'what one flush reads is written in one transaction, also while a check catches up at the same time',
    async () => {
      const { archive } = await tempArchive();
      const index = await SearchIndex.open(archive);
      await index.sync();
      const make = async (n: number, word: string) => {
        const ids: string[] = [];
        for (let i = 0; i < n; i++) {
          const s = await archive.sessions.create({ directory: '/w', title: `${word} ${i}` });
          await archive.messages.append(s.id, userMessage(`a ${word} here`));
          ids.push(s.id);
        }
        return ids;
      };
      // Commit frames (a frame header whose second word, the database size after the commit, is not 0)
      // the WAL holds past `from`; nothing here writes enough for a checkpoint to start it over.
      const wal = `${index.file}-wal`;
      const commitsAfter = async (from: number) => {
        const bytes = await readFile(wal);
        const frame = 24 + bytes.readUInt32BE(8);
        let commits = 0;
        for (let at = Math.max(from, 32); at + frame <= bytes.length; at += frame) if (bytes.readUInt32BE(at + 4) !== 0) commits++;
        return commits;
      };
      try {
        const first = await make(12, 'quince');
        const before = statSync(wal).size;
        for (const id of first) index.note(id);
        await index.flush();
        expect(await commitsAfter(before)).toBe(1);
        expect(index.search({ query: 'quince', limit: 50 }).hits.length).toBe(24);

        // A check that starts while a flush is under way (each reading a few hundred sessions, so
        // that each ends while the other still reads) shares its queue: each has its own writes
        // searchable when it resolves.
        await make(150, 'medlar');
        for (const id of await make(150, 'sloe')) index.note(id);
        const flushed = index.flush().then(() => index.search({ query: 'sloe', limit: 500 }).hits.length);
        await new Promise((resolve) => setTimeout(resolve, 5));
        const synced = index.sync().then(() => index.search({ query: 'medlar', limit: 500 }).hits.length);
        expect(await Promise.all([flushed, synced])).toEqual([300, 300]);
      } finally {
        await index.close();
      }
    },
  );

  it('catches up by stamps: a new message, a hand edit in place, a removed file and a removed session', async () => {
    const { archive, dir, stateDir } = await tempArchive({ samples: true });
    expect((await searchIndex(archive, { query: 'kumquat' })).hits).toEqual([]);
    expect(existsSync(join(stateDir, searchFile()))).toBe(true);
    const m = await archive.messages.append(SAMPLE.notes, userMessage('buy a kumquat'));
    expect((await searchIndex(archive, { query: 'kumquat' })).hits.map((h) => h.messageID)).toEqual([m.info.id]);
    // A hand edit that keeps the folder as it is (written in place) but moves info.json's stamp too, as an editor on the session would.
    const file = join(dir, 'sessions', SAMPLE.notes, 'messages', `${m.info.id}.json`);
    await writeFile(file, (await readFile(file, 'utf8')).replace('kumquat', 'persimmon'));
    await archive.sessions.update(SAMPLE.notes, { title: 'Weekly notes (edited)' });
    expect((await searchIndex(archive, { query: 'kumquat' })).hits).toEqual([]);
    expect((await searchIndex(archive, { query: 'persimmon' })).hits).toHaveLength(1);
    await unlink(file);
    expect((await searchIndex(archive, { query: 'persimmon' })).hits).toEqual([]);
    await rm(join(dir, 'sessions', SAMPLE.main), { recursive: true });
    expect((await searchIndex(archive, { query: 'withRetry' })).hits.filter((h) => h.sessionID === SAMPLE.main)).toEqual([]);
  });

  it('a one-off search reads the stamps the last one saved; any write to the session table, by any process, unsaves them', async () => {
    const { archive, dir, stateDir } = await tempArchive({ samples: true });
    const saved = () => {
      const check = startSearchCheck(dir, { stateDir });
      void check?.scan.cancel();
      return check?.stored.ids.length;
    };
    expect(saved()).toBeUndefined();
    await searchIndex(archive, { query: 'retry' });
    const sessions = (await archive.sessions.ids()).length;
    expect(saved()).toBe(sessions);
    // Each kind of write to the session table, made by another connection as another program would.
    const ghost = newId('session');
    const file = join(stateDir, searchFile());
    for (const sql of [
      `UPDATE session SET title = 'x' WHERE id = '${SAMPLE.notes}'`,
      `DELETE FROM session WHERE id = '${SAMPLE.notes}'`,
      `INSERT INTO session VALUES ('${ghost}', 'global', '/w', 'a ghost', 0, 0, '1:1', '', '', 'opencode')`,
    ]) {
      await searchIndex(archive, { query: 'retry' });
      expect(saved()).toBe(sessions);
      const db = openSqlite(file, { purpose: 'test', own: true });
      db.exec(sql);
      db.close();
      expect(saved()).toBeUndefined();
    }
    // The last write left a row with no folder: the next check drops it.
    expect((await searchIndex(archive, { query: 'ghost' })).hits).toEqual([]);
    // Saved numbers of the wrong length are not used.
    await searchIndex(archive, { query: 'retry' });
    const db = openSqlite(file, { purpose: 'test', own: true });
    db.exec("UPDATE saved_stamps SET numbers = x'00'");
    db.close();
    expect(saved()).toBeUndefined();
    expect((await searchIndex(archive, { query: '"weekly notes"' })).hits.map((h) => h.sessionID)).toContain(SAMPLE.notes);
    // A table of saved stamps of another shape (another version's) is made again as this one needs it.
    const other = openSqlite(file, { purpose: 'test', own: true });
    other.exec('DROP TABLE saved_stamps; CREATE TABLE saved_stamps (one INTEGER PRIMARY KEY, ids TEXT)');
    other.close();
    expect(saved()).toBeUndefined();
    await searchIndex(archive, { query: 'retry' });
    expect(saved()).toBe(sessions);
  });

  it('a check from saved stamps (and stats started before the index opens) finds what a rebuild finds', async () => {
    const { archive, dir, stateDir } = await tempArchive({ samples: true });
    const sessions = join(dir, 'sessions');
    const extra = writeSessionFolders(dir, 30, 'plain');
    const queries = ['retry', 'plain', 'persimmon', 'quince', 'kumquat', '"weekly notes"', 'withRetry'];
    const answers = async (early: boolean) => {
      const out: string[][] = [];
      for (const query of queries) {
        const result = await searchIndex(
          archive,
          { query, limit: 100 },
          { early: early ? startSearchCheck(dir, { stateDir }) : undefined },
        );
        out.push(result.hits.map((h) => `${h.sessionID} ${h.field} ${h.messageID ?? ''}`).sort());
      }
      return out;
    };
    const rebuilt = async () => {
      for (const suffix of ['', '-wal', '-shm']) await rm(join(stateDir, `${searchFile()}${suffix}`), { force: true });
      return answers(false);
    };
    // Nothing changed since the stamps were saved.
    expect(await answers(true)).toEqual(await answers(false));
    // Changes while no index ran: info.json and todos.json edited in place, a new message, a new session, a session removed, one broken.
    const info = join(sessions, extra[3] as string, 'info.json');
    await writeFile(info, (await readFile(info, 'utf8')).replace('plain 3', 'persimmon'));
    await writeFile(
      join(sessions, extra[4] as string, 'todos.json'),
      '[{"id":"t","content":"a quince","status":"pending","priority":"low"}]\n',
    );
    await archive.messages.append(SAMPLE.notes, userMessage('buy a kumquat'));
    writeSessionFolders(dir, 1, 'plain newcomer');
    await rm(join(sessions, extra[5] as string), { recursive: true });
    await writeFile(join(sessions, extra[6] as string, 'info.json'), '{ broken');
    const after = await answers(true);
    // What changed is found (the queries' order: persimmon, quince, kumquat), and a rebuild finds the same.
    expect([after[2], after[3], after[4]].map((hits) => hits?.length)).toEqual([1, 1, 1]);
    expect(after[1]?.length).toBe(30 + 1 - 3);
    expect(after).toEqual(await rebuilt());
    // Stats started from saved stamps, then the index rebuilt by another process before this one checks:
    // those stamps are no longer the table's, so they are not used (the table is empty: every hit would be lost).
    await searchIndex(archive, { query: 'retry' });
    const early = startSearchCheck(dir, { stateDir });
    expect(early?.stored.ids.length).toBeGreaterThan(30);
    await (await SearchIndex.open(archive, { rebuild: true })).close();
    const hits = (await searchIndex(archive, { query: 'plain', limit: 100 }, { early })).hits;
    expect(hits.length).toBeGreaterThan(25);
  });

  it('while the mtime of sessions/ vouches for the listing saved with the stamps, a search does not read it, and still finds new sessions', async () => {
    const { archive, dir, stateDir } = await tempArchive({ samples: true });
    const sessions = join(dir, 'sessions');
    // A folder named like a session, with no info.json yet (listed, no row).
    const latecomer = newId('session');
    await mkdir(join(sessions, latecomer, 'messages'), { recursive: true });
    // The folder's mtime is settled (older than a coarse clock's tick), so a listing read now is saved with the stamps.
    const past = new Date(Date.now() - 60_000);
    await utimes(sessions, past, past);
    const settled = statSync(sessions).mtimeMs;
    await searchIndex(archive, { query: 'retry' });
    const file = join(stateDir, searchFile());
    const savedListing = () => {
      const db = openSqlite(file, { purpose: 'test', own: true });
      try {
        return db.prepare('SELECT listed_mtime AS mtime, unstored FROM saved_stamps').get();
      } finally {
        db.close();
      }
    };
    expect(savedListing()).toEqual({ mtime: settled, unstored: latecomer });
    // Its info.json appears: the folder of sessions/ keeps its mtime, so the next search goes by the saved listing,
    // where the latecomer is one of the folders to look at again.
    const info = {
      id: latecomer,
      slug: 's',
      projectID: 'global',
      directory: '/w',
      title: 'a latecomer',
      version: '1',
      time: { created: 1, updated: 1 },
    };
    await writeFile(join(sessions, latecomer, 'info.json'), `${JSON.stringify(info, null, 2)}\n`);
    expect(statSync(sessions).mtimeMs).toBe(settled);
    expect((await searchIndex(archive, { query: 'latecomer' })).hits.map((h) => h.sessionID)).toEqual([latecomer]);
    // A new folder moves the mtime: the listing is read again.
    const [newcomer] = writeSessionFolders(dir, 1, 'a newcomer');
    expect((await searchIndex(archive, { query: 'newcomer' })).hits.map((h) => h.sessionID)).toEqual([newcomer]);
    // Nothing changed, the mtime settled again: the newer listing is saved with the stamps already saved.
    await utimes(sessions, past, past);
    const before = savedListing();
    await searchIndex(archive, { query: 'retry' });
    expect(before?.mtime).toBe(null);
    expect(savedListing()).toEqual({ mtime: settled, unstored: '' });
  });

  it('a missing or damaged search index is rebuilt from the files', async () => {
    const { archive, stateDir } = await tempArchive({ samples: true });
    const before = (await searchIndex(archive, { query: 'retry', limit: 100 })).hits.length;
    for (const suffix of ['', '-wal', '-shm']) await rm(join(stateDir, `${searchFile()}${suffix}`), { force: true });
    expect((await searchIndex(archive, { query: 'retry', limit: 100 })).hits.length).toBe(before);
    await writeFile(join(stateDir, searchFile()), 'this is not a database, it is a text file '.repeat(200));
    for (const suffix of ['-wal', '-shm']) await rm(join(stateDir, `${searchFile()}${suffix}`), { force: true });
    const warnings: string[] = [];
    const index = await SearchIndex.open(archive, { onWarning: (m) => warnings.push(m) });
    await index.sync();
    expect(index.search({ query: 'retry', limit: 100 }).hits.length).toBe(before);
    await index.close();
    expect(warnings.join()).toMatch(/unreadable.*rebuilding/);
  });

  it('with the watcher: a hand edit, a git-style replace and a deletion are searchable within a second', async () => {
    const { archive, dir } = await tempArchive({ samples: true });
    const index = await openIndex(archive, { search: true, onWarning: () => {} });
    open.push(index);
    await index.ready();
    await index.searchReady();
    expect(index.search({ query: 'retry' }).complete).toBe(true);
    const file = join(dir, 'sessions', SAMPLE.main, 'messages', `${MAIN_ASSISTANT}.json`);
    const text = await readFile(file, 'utf8');
    // In place (same inode, the folder unchanged): only the messages folder's watch sees it.
    await writeFile(file, text.replace('retry loop', 'pomegranate loop'));
    await until(() => index.search({ query: 'pomegranate' }).hits.length === 1, 1_000);
    // As git checks out a file: removed, then written anew.
    await unlink(file);
    await writeFile(file, text.replace('retry loop', 'tangerine loop'));
    await until(
      () => index.search({ query: 'tangerine' }).hits.length === 1 && index.search({ query: 'pomegranate' }).hits.length === 0,
      1_000,
    );
    await rm(join(dir, 'sessions', SAMPLE.main), { recursive: true });
    await until(() => index.search({ query: 'tangerine' }).hits.length === 0, 1_000);
    // A session written through the library.
    const s = await archive.sessions.create({ directory: '/w', title: 'fresh' });
    await archive.messages.append(s.id, userMessage('a quince for later'));
    await until(() => index.search({ query: 'quince' }).hits.length === 1, 1_000);
  });
  it('two processes catching the same search index up at once both finish, and each message is indexed once', async () => {
    const { archive } = await tempArchive();
    const seed = await archive.sessions.create({ directory: '/w', title: 'seed' });
    for (let i = 0; i < 3; i++) await archive.messages.append(seed.id, userMessage(`kumquat number ${i}`));
    // 250 more sessions like it, written as files (as a sync tool or git would bring them).
    const sessions = join(archive.dir, 'sessions');
    const from = join(sessions, seed.id);
    const names = await readdir(join(from, 'messages'));
    for (let i = 0; i < 250; i++) {
      const id = newId('session');
      const to = join(sessions, id);
      await mkdir(join(to, 'messages'), { recursive: true });
      const info = JSON.parse(await readFile(join(from, 'info.json'), 'utf8'));
      await writeFile(join(to, 'info.json'), JSON.stringify({ ...info, id, title: `copy ${i}` }));
      for (const name of names) {
        const message = JSON.parse(await readFile(join(from, 'messages', name), 'utf8'));
        message.info.sessionID = id;
        await writeFile(join(to, 'messages', name), JSON.stringify(message));
      }
    }
    const env = { SARC_ARCHIVE: archive.dir, SARC_STATE_DIR: archive.stateDir, SARC_NO_WATCHER: '1' };
    const runs = await Promise.all([1, 2].map(() => sarc(['--json', 'search', 'kumquat', '--limit', '1'], { env })));
    for (const run of runs) expect(run.stderr).toBe('');
    for (const run of runs) expect(run.code).toBe(0);
    const all = await searchIndex(archive, { query: 'kumquat', limit: 500 });
    const found = all.hits.length + (await searchIndex(archive, { query: 'kumquat', limit: 500, offset: 500 })).hits.length;
    expect(found).toBe(251 * 3);
  }, 60_000);
});
