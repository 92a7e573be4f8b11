import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forkFamilyTitles, forkSession, forkTitle, newId, openIndex } from '../../src/index.js';
import { codeOf, normalizeIds, SAMPLE, tempArchive, userMessage } from '../helpers.js';

describe('fork', () => {
  it('numbers titles as OpenCode does', () => {
    expect(forkTitle('Fix bug')).toBe('Fix bug (fork #1)');
    expect(forkTitle('Fix bug (fork #1)')).toBe('Fix bug (fork #2)');
    expect(forkTitle('Fix bug (fork #9)')).toBe('Fix bug (fork #10)');
    expect(forkTitle('(fork #1)')).toBe('(fork #1) (fork #1)');
    // Numbered after the family's forks that are there already.
    expect(forkTitle('Fix bug', ['Fix bug (fork #1)', 'Other (fork #7)'])).toBe('Fix bug (fork #2)');
    expect(forkTitle('Fix bug (fork #1)', ['Fix bug', 'Fix bug (fork #1)', 'Fix bug (fork #3)'])).toBe('Fix bug (fork #4)');
  });

  it('sarc fork and the server count the forks there are: a second fork of a session, or a fork of its fork, gets the next number', async () => {
    const { archive } = await tempArchive({ samples: true });
    const index = await openIndex(archive, { watch: false });
    try {
      // The samples hold "Add retries to the HTTP client (fork #1)", a fork of the main session.
      const next = async (id: string) => {
        const fork = await forkSession(archive, id, { taken: forkFamilyTitles(index, id) });
        await index.refresh(fork.id);
        return fork;
      };
      const second = await next(SAMPLE.main);
      expect(second.title).toBe('Add retries to the HTTP client (fork #2)');
      expect((await next(SAMPLE.fork)).title).toBe('Add retries to the HTTP client (fork #3)');
      expect((await next(second.id)).title).toBe('Add retries to the HTTP client (fork #4)');
      expect((await next(SAMPLE.notes)).title).toBe('Weekly notes summary (fork #1)');
    } finally {
      await index.close();
    }
  });

  it.each([
    ['the 1st message', 0, 0],
    ['a middle message', 2, 2],
    ['the last message', 4, 4],
    ['no message (all)', undefined, 5],
  ])('at %s copies the messages strictly before it, with every field', async (_what, index, copied) => {
    const { archive } = await tempArchive({ samples: true });
    const source = await archive.messages.list(SAMPLE.main);
    const at = index === undefined ? undefined : source[index]?.info.id;
    const fork = await forkSession(archive, SAMPLE.main, { messageID: at });
    expect(fork.forkedFrom).toEqual(at === undefined ? { sessionID: SAMPLE.main } : { sessionID: SAMPLE.main, messageID: at });
    const messages = await archive.messages.list(fork.id);
    expect(messages.length).toBe(copied);
    // Same content once IDs are normalised: every field of tool/file/reasoning/patch parts kept.
    expect(normalizeIds([fork.id, ...messages])).toEqual(normalizeIds([SAMPLE.main, ...source.slice(0, copied)]));
    const ids = new Set(messages.flatMap((m) => [m.info.id, ...m.parts.map((p) => p.id)]));
    for (const m of source) expect(ids.has(m.info.id)).toBe(false);
    for (const m of messages) {
      expect(m.info.sessionID).toBe(fork.id);
      for (const p of m.parts) expect([p.sessionID, p.messageID]).toEqual([fork.id, m.info.id]);
      if (m.info.role === 'assistant') expect(messages.map((x) => x.info.id)).toContain(m.info.parentID);
    }
    // New IDs ascend in the original order.
    const order = messages.map((m) => m.info.id);
    expect([...order].sort()).toEqual(order);
  });

  it('copies directory, project, workspace, metadata, agent and model; not parent, todos, share, revert, summary', async () => {
    const { archive } = await tempArchive();
    const parent = await archive.sessions.create({ title: 'parent' });
    const s = await archive.sessions.create({
      title: 'Source',
      parentID: parent.id,
      workspaceID: 'wrk_1',
      agent: 'plan',
      model: { id: 'm', providerID: 'p' },
      metadata: { k: 1 },
    });
    const m = await archive.messages.append(s.id, userMessage('hi'));
    await archive.todos.set(s.id, [{ content: 't', status: 'pending', priority: 'low' }]);
    await archive.sessions.update(s.id, {
      share: { url: 'https://x/share/abc' },
      revert: { messageID: m.info.id },
      summary: { additions: 1, deletions: 2, files: 1 },
      futureField: 'kept',
    });
    const fork = await forkSession(archive, s.id);
    expect(fork).toMatchObject({
      title: 'Source (fork #1)',
      directory: s.directory,
      projectID: s.projectID,
      workspaceID: 'wrk_1',
      agent: 'plan',
      model: { id: 'm', providerID: 'p' },
      metadata: { k: 1 },
      futureField: 'kept',
    });
    for (const gone of ['parentID', 'share', 'revert', 'summary']) expect(fork).not.toHaveProperty(gone);
    expect(await archive.todos.get(fork.id)).toEqual([]);
    const second = await forkSession(archive, fork.id, { messageID: (await archive.messages.list(fork.id))[0]?.info.id });
    expect(second.title).toBe('Source (fork #2)');
    expect(second.forkedFrom?.sessionID).toBe(fork.id);
  });

  it('remaps compaction tail_start_id inside the copy', async () => {
    const { archive } = await tempArchive();
    const s = await archive.sessions.create();
    const a = await archive.messages.append(s.id, userMessage('a', { time: { created: 1 } }));
    const b = await archive.messages.append(s.id, {
      info: { role: 'user', agent: 'build', model: { providerID: 'p', modelID: 'm' }, time: { created: 2 } },
      parts: [{ type: 'compaction', auto: true, tail_start_id: a.info.id }],
    });
    const fork = await forkSession(archive, s.id);
    const [fa, fb] = await archive.messages.list(fork.id);
    expect(fb?.parts[0]).toMatchObject({ type: 'compaction', tail_start_id: fa?.info.id });
    expect(fa?.info.id).not.toBe(a.info.id);
    expect(b.info.id).not.toBe(fb?.info.id);
  });

  it('fails clearly and leaves nothing behind', async () => {
    const { archive, dir } = await tempArchive({ samples: true });
    const before = (await readdir(join(dir, 'sessions'))).sort();
    const unknownMessage = newId('message');
    expect(await codeOf(forkSession(archive, newId('session')))).toBe('NOT_FOUND');
    await expect(forkSession(archive, SAMPLE.main, { messageID: unknownMessage })).rejects.toThrow(
      `message not found: ${unknownMessage} in session ${SAMPLE.main}`,
    );
    // A message of another session is not "in that session".
    const other = (await archive.messages.list(SAMPLE.notes))[0]?.info.id as string;
    expect(await codeOf(forkSession(archive, SAMPLE.main, { messageID: other }))).toBe('NOT_FOUND');
    expect(await codeOf(forkSession(archive, SAMPLE.main, { id: 'ses_bad' }))).toBe('INVALID_ID');
    expect(await codeOf(forkSession(archive, SAMPLE.main, { id: SAMPLE.notes }))).toBe('DUPLICATE_ID');
    expect(await codeOf(forkSession(archive, SAMPLE.main, { messageID: '../x' }))).toBe('INVALID_ID');
    expect((await readdir(join(dir, 'sessions'))).sort()).toEqual(before);
    const custom = 'ses_0123456789abForkedCustom12';
    expect((await forkSession(archive, SAMPLE.main, { id: custom })).id).toBe(custom);
  });
});
