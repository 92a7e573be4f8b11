import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeSessionId, type MessageWithParts, syncAgent } from '../../src/index.js';
import { startMockModel } from '../agents/mock-model.js';
import { sarc } from '../cli/helpers.js';
import { opencodeEnv } from '../fixtures/opencode-env.js';
import { hasTool, ROOT, tempArchive } from '../helpers.js';
import { HAVE_OPENCODE, HAVE_OPENCODE2, mockProviderConfig, OPENCODE2, opencodeHome, serveOpencode } from './opencode-server.js';

// The real OpenCode 2.1.2 (and 1.18.33 before it, in one HOME): the archive
// mirrors what OpenCode 2 wrote, rescues what it hides, and keeps one session
// per ID across the move from 1.18.

const HAVE_SQLITE = hasTool(
  'SQLite for Node (node:sqlite or better-sqlite3)',
  () => {
    for (const name of ['node:sqlite', 'better-sqlite3']) {
      try {
        createRequire(import.meta.url)(name);
        return true;
      } catch {}
    }
    return false;
  },
  'npm install better-sqlite3',
);

type Oc2Message = { id: string; type: string; text?: string; content?: Array<{ type: string; name?: string; state?: { status: string } }> };

/** Waits until a session of OpenCode 2 has gone idle (its turn ended) `turns` times. */
async function idle(call: (m: string, p: string) => Promise<Record<string, unknown>>, id: string, turns = 1): Promise<Oc2Message[]> {
  for (let i = 0; i < 300; i++) {
    const list = ((await call('GET', `/api/session/${id}/message?limit=200`)).data ?? []) as Oc2Message[];
    if (list.filter((m) => m.type === 'idle').length >= turns) return list;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`session ${id} never went idle`);
}

const kinds = (m: MessageWithParts) =>
  `${m.info.role}${(m.info as { origin?: string }).origin ? `(${(m.info as { origin?: string }).origin})` : ''}: ${m.parts
    .map((p) => (p.type === 'text' ? p.text : p.type === 'tool' ? `${p.tool}:${p.state.status}` : p.type))
    .join(' | ')}`;

describe.skipIf(!HAVE_OPENCODE2 || !HAVE_SQLITE)('OpenCode 2', () => {
  it('a HOME only OpenCode 2 used syncs completely: prompts, tool calls with their output, answers, a fork with its copied messages', async () => {
    const mock = await startMockModel();
    try {
      const at = await opencodeHome(mockProviderConfig(mock.url));
      const oc = await serveOpencode(2, at);
      const s = (await oc.call('POST', '/api/session', { title: 'Two', location: { directory: at.repo } })).data as { id: string };
      await oc.call('POST', `/api/session/${s.id}/prompt`, { text: 'Run echo hi, please' });
      const listed = await idle(oc.call, s.id);
      const fork = (await oc.call('POST', `/api/session/${s.id}/fork`, {})).data as { id: string };
      await oc.stop();

      const { archive } = await tempArchive();
      const r = await syncAgent(archive, 'opencode', { from: at.db });
      expect(r.failures).toEqual([]);
      expect(r.sessions).toMatchObject({ new: 2, failed: 0 });
      expect(r.hidden).toBe(0);
      const messages = await archive.messages.list(s.id);
      expect(messages.length).toBe(listed.length);
      expect(messages.map(kinds)).toEqual(['user: Run echo hi, please', 'assistant: shell:completed', 'assistant: done', 'user(idle): ']);
      const call = messages[1]?.parts[0];
      expect(call?.type === 'tool' && call.state.status === 'completed' && call.state.output).toBe('hi\n');
      expect(await archive.sessions.get(s.id)).toMatchObject({ title: 'Two', directory: at.repo, version: '2.1.2' });
      // The fork: its own session, pointing at its source; its copies keep OpenCode 2's IDs (msg_…_<seq>).
      const forked = await archive.sessions.get(fork.id);
      expect(forked.forkedFrom?.sessionID).toBe(s.id);
      const copies = await archive.messages.list(fork.id);
      expect(copies.length).toBeGreaterThan(0);
      expect(copies.map(kinds).slice(0, 3)).toEqual(messages.map(kinds).slice(0, 3));
      expect(copies.every((m) => /^msg_[0-9a-f]{12}[0-9A-Za-z]{14}_[0-9]+$/.test(m.info.id))).toBe(true);
      // Nothing changed: nothing read, nothing written.
      expect((await syncAgent(archive, 'opencode', { from: at.db })).files.read).toBe(0);
    } finally {
      await mock.close();
    }
  }, 120_000);

  it.skipIf(!HAVE_OPENCODE)(
    'the move from 1.18 to 2: every session of either generation is in the archive once, each as the side that changed it last shows it; V1 sessions OpenCode 2 hides are counted',
    async () => {
      const mock = await startMockModel({ reply: 'answered in OpenCode 2' });
      const at = await opencodeHome(mockProviderConfig(mock.url));
      const say = (call: (m: string, p: string, b?: unknown) => Promise<unknown>, id: string, text: string) =>
        call('POST', `/session/${id}/message`, { noReply: true, parts: [{ type: 'text', text }] });
      // 1.18 makes four sessions.
      let v1 = await serveOpencode(1, at);
      const a = await v1.call('POST', '/session', { title: 'Made by 1.18, continued by 1.18' });
      await say(v1.call, a.id, 'first words of A');
      const b = await v1.call('POST', '/session', { title: 'Made by 1.18, renamed and continued in 2' });
      await say(v1.call, b.id, 'first words of B');
      const e = await v1.call('POST', '/session', { title: 'Made by 1.18, archived in 2' });
      await say(v1.call, e.id, 'words of E');
      const f = await v1.call('POST', '/session', { title: 'Made by 1.18, deleted in 2' });
      await say(v1.call, f.id, 'words of F');
      await v1.stop();
      // OpenCode 2 starts once: it copies them.
      let v2 = await serveOpencode(2, at);
      const seen = ((await v2.call('GET', '/api/session')).data ?? []) as Array<{ id: string }>;
      expect(seen.map((s) => s.id).sort()).toEqual([a.id, b.id, e.id, f.id].sort());
      await v2.stop();
      // 1.18 again: a new session, and a message in A (OpenCode 2 will see neither).
      v1 = await serveOpencode(1, at);
      const c = await v1.call('POST', '/session', { title: 'Made by 1.18 after the move' });
      await say(v1.call, c.id, 'words of C');
      await say(v1.call, a.id, 'second words of A, after the move');
      await v1.stop();
      // OpenCode 2: a new session; B renamed and continued (a turn with the model); E archived; F deleted.
      v2 = await serveOpencode(2, at);
      const d = (await v2.call('POST', '/api/session', { title: 'Made by 2', location: { directory: at.repo } })).data as { id: string };
      await v2.call('PATCH', `/api/session/${b.id}`, { title: 'Renamed in OpenCode 2' });
      await v2.call('POST', `/api/session/${b.id}/prompt`, { text: 'more words of B, in OpenCode 2' });
      await idle(v2.call, b.id);
      await v2.call('PATCH', `/api/session/${e.id}`, { archived: true });
      const archivedAt = ((await v2.call('GET', `/api/session/${e.id}`)).data as { time: { archived?: number } }).time.archived;
      expect(archivedAt).toEqual(expect.any(Number));
      await v2.call('DELETE', `/api/session/${f.id}`);
      await v2.stop();
      await mock.close();

      const { archive, dir, stateDir } = await tempArchive();
      const r = await syncAgent(archive, 'opencode', { from: at.db });
      expect(r.failures).toEqual([]);
      // C: only 1.18 has it (F too, but OpenCode 2 had copied it and deleted it since: not a hidden one).
      expect(r.hidden).toBe(1);
      // Every session either side ever showed, F too (deleted in OpenCode 2, kept here as it was).
      expect((await archive.sessions.list()).map((s) => s.id).sort()).toEqual([a.id, b.id, c.id, d.id, e.id, f.id].sort());
      const texts = async (id: string) =>
        (await archive.messages.list(id)).flatMap((m) => m.parts.map((p) => (p.type === 'text' ? p.text : '')));
      // A: changed last by 1.18 — both messages (the union by ID).
      expect(await texts(a.id)).toEqual(['first words of A', 'second words of A, after the move']);
      // B: changed last by OpenCode 2 — its title, and the turn it added (the prompt and the model's answer).
      expect((await archive.sessions.get(b.id)).title).toBe('Renamed in OpenCode 2');
      const inB = await texts(b.id);
      expect(inB.slice(0, 2)).toEqual(['first words of B', 'more words of B, in OpenCode 2']);
      expect(inB).toContain('answered in OpenCode 2');
      // E: archived in OpenCode 2, archived here at the same moment.
      expect((await archive.sessions.get(e.id)).time.archived).toBe(archivedAt);
      expect(await texts(f.id)).toEqual(['words of F']);
      expect((await archive.sessions.get(c.id)).title).toBe('Made by 1.18 after the move');
      expect((await archive.sessions.get(d.id)).title).toBe('Made by 2');

      // The rescue: sarc opencode restore puts C back, through OpenCode 2's own import (here without its background
      // service: the \`opencode\` on PATH adds --standalone).
      const bin = join(at.home, 'bin');
      await mkdir(bin);
      await writeFile(join(bin, 'opencode'), `#!/bin/sh\nexec ${JSON.stringify(OPENCODE2)} "$@" --standalone\n`, { mode: 0o755 });
      const env = {
        ...(opencodeEnv(at.home) as Record<string, string>),
        PATH: `${bin}:${process.env.PATH}`,
        SARC_ARCHIVE: dir,
        SARC_STATE_DIR: stateDir,
      };
      const planned = await sarc(['opencode', 'restore', '--from', at.db, '--json'], { env });
      expect(planned.code, planned.stderr).toBe(0);
      expect((JSON.parse(planned.stdout) as { sessions: Array<{ id: string; title: string }> }).sessions).toMatchObject([
        { id: c.id, title: 'Made by 1.18 after the move' },
      ]);
      const restored = await sarc(['opencode', 'restore', '--from', at.db], { env });
      expect(restored.code, restored.stderr).toBe(0);
      expect(restored.stdout).toContain('1 of 1 session put back into OpenCode 2');
      v2 = await serveOpencode(2, at);
      const listed = ((await v2.call('GET', '/api/session')).data ?? []) as Array<{ id: string; title: string }>;
      expect(listed.find((x) => x.id === c.id)?.title).toBe('Made by 1.18 after the move');
      const back = ((await v2.call('GET', `/api/session/${c.id}/message?limit=50`)).data ?? []) as Array<{ text?: string }>;
      expect(back.map((m) => m.text)).toContain('words of C');
      await v2.stop();
      expect((await syncAgent(archive, 'opencode', { from: at.db })).hidden).toBe(0);
      const none = await sarc(['opencode', 'restore', '--from', at.db], { env });
      expect(none.stdout).toContain('nothing to restore');
    },
    180_000,
  );

  it("sarc export --format opencode2 is taken by OpenCode 2 and reads back the same; OpenCode 2's own export comes in through sarc import", async () => {
    const { archive, dir, stateDir } = await tempArchive();
    await syncAgent(archive, 'claude-code', { from: join(ROOT, 'test', 'fixtures', 'claude-code') });
    const id = claudeSessionId('7d1c2b3a-0000-4000-8000-000000000001');
    const env = { SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir };
    const at = await opencodeHome();
    const file = join(at.home, 'export.json');
    const exported = await sarc(['export', id, '--format', 'opencode2', '-o', file], { env });
    expect(exported.code, exported.stderr).toBe(0);
    const imported = spawnSync(OPENCODE2, ['session', 'import', '--standalone', file], {
      cwd: at.repo,
      env: opencodeEnv(at.home),
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(imported.stdout + imported.stderr).toContain(`Imported session: ${id}`);
    // Read back through OpenCode 2 (its database, as a sync reads it): the same conversation.
    const back = await tempArchive();
    const r = await syncAgent(back.archive, 'opencode', { from: at.db });
    expect(r.failures).toEqual([]);
    const shape = async (a: typeof archive) => (await a.messages.list(id)).filter((m) => m.parts.some((p) => p.type !== 'file')).map(kinds);
    expect(await shape(back.archive)).toEqual(await shape(archive));
    // The title comes back; the folder is the one OpenCode 2 imported it into (where it ran, or its --directory).
    expect(await back.archive.sessions.get(id)).toMatchObject({ title: (await archive.sessions.get(id)).title, directory: at.repo });
    // Through OpenCode 2's own routes too: the title, and every message's words and tool calls in order.
    const v2 = await serveOpencode(2, at);
    try {
      const served = (await v2.call('GET', `/api/session/${id}`)).data as { title: string; time: { created: number } };
      const source = await archive.sessions.get(id);
      expect(served).toMatchObject({ title: source.title, time: { created: source.time.created } });
      const page = ((await v2.call('GET', `/api/session/${id}/message?limit=200`)).data ?? []) as Oc2Message[];
      // The person's words, and the model's text, reasoning and tool calls (a compaction is checked on its own).
      const said = (m: Oc2Message) =>
        m.type === 'user'
          ? m.text
            ? [`user: ${m.text}`]
            : []
          : m.type === 'assistant'
            ? (m.content ?? []).map((c) => (c.type === 'tool' ? `tool ${c.name}:${c.state?.status}` : `assistant ${c.type}`))
            : [];
      const words = (ms: MessageWithParts[]) =>
        ms.flatMap((m) =>
          m.info.role === 'user'
            ? m.parts.some((p) => p.type === 'compaction')
              ? []
              : m.parts.filter((p) => p.type === 'text').map((p) => `user: ${(p as { text: string }).text}`)
            : m.parts.flatMap((p) =>
                p.type === 'tool'
                  ? [`tool ${p.tool}:${p.state.status}`]
                  : p.type === 'text' || p.type === 'reasoning'
                    ? [`assistant ${p.type}`]
                    : [],
              ),
        );
      // Newest first in OpenCode 2's pages.
      expect([...page].reverse().flatMap(said)).toEqual(words(await archive.messages.list(id)));
      expect(page.filter((m) => m.type === 'compaction').map((m) => (m as { summary?: string }).summary)).toEqual([
        expect.stringContaining('Summary: retries were added.'),
      ]);
    } finally {
      await v2.stop();
    }
    // And OpenCode 2's own export of it, through sarc import: the same again.
    const own = spawnSync(OPENCODE2, ['session', 'export', '--standalone', id], {
      cwd: at.repo,
      env: opencodeEnv(at.home),
      encoding: 'utf8',
      timeout: 120_000,
    });
    const ownFile = join(at.home, 'own.json');
    await writeFile(ownFile, own.stdout);
    const third = await tempArchive();
    const byImport = await sarc(['import', '--keep-ids', ownFile], { env: { SARC_ARCHIVE: third.dir, SARC_STATE_DIR: third.stateDir } });
    expect(byImport.code, byImport.stderr).toBe(0);
    expect(await shape(third.archive)).toEqual(await shape(back.archive));
  }, 120_000);
});
