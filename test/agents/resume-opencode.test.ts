import { spawnSync } from 'node:child_process';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claudeSessionId, syncAgent } from '../../src/index.js';
import {
  HAVE_OPENCODE,
  HAVE_OPENCODE2,
  mockProviderConfig,
  OPENCODE,
  OPENCODE2,
  opencodeHome,
  serveOpencode,
} from '../capture/opencode-server.js';
import { sarc } from '../cli/helpers.js';
import { opencodeEnv } from '../fixtures/opencode-env.js';
import { hasNativeSqlite, ROOT, SAMPLE, tempArchive } from '../helpers.js';
import { type MockModel, startMockModel } from './mock-model.js';

// Syncing OpenCode reads its database: a native SQLite.
const NATIVE_SQLITE = hasNativeSqlite();

// `sarc resume --in opencode` with the real OpenCode 1.18.33 and 2.1.2: the session written as an export file,
// loaded by OpenCode's own import (the command sarc prints), continued by `opencode run --session` against the
// mock model, and the new turn synced back from OpenCode's database.

let mock: MockModel;
beforeAll(async () => {
  mock = await startMockModel({ reply: 'picked up where we left off' });
});
afterAll(async () => {
  await mock.close();
});

/** Waits until a session of OpenCode 2 has gone idle (its turn ended). */
async function idle(call: (m: string, p: string) => Promise<Record<string, unknown>>, id: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const list = ((await call('GET', `/api/session/${id}/message?limit=200`)).data ?? []) as Array<{ type: string }>;
    if (list.some((m) => m.type === 'idle')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`session ${id} never went idle`);
}

const textsOf = (messages: Array<{ parts: Array<{ type: string; text?: string }> }>) =>
  messages.flatMap((m) => m.parts.flatMap((p) => (p.type === 'text' ? [p.text as string] : [])));

/** A HOME whose `opencode` on PATH is the given binary, set to use the mock model; the archive's environment with it. */
async function setUp(binary: string) {
  const at = await opencodeHome(mockProviderConfig(mock.url));
  const bin = join(at.home, 'bin');
  await mkdir(bin);
  await symlink(binary, join(bin, 'opencode'));
  const env = opencodeEnv(at.home, { PATH: `${bin}:${process.env.PATH}` }) as Record<string, string>;
  const run = (args: string[]) => spawnSync('opencode', args, { cwd: at.repo, env, encoding: 'utf8', timeout: 120_000 });
  return { at, env, run };
}

describe.skipIf(!HAVE_OPENCODE || !NATIVE_SQLITE)('sarc resume in the real OpenCode 1.18', () => {
  it('a session OpenCode made comes back into the same archive session, with exactly the new turn', async () => {
    const { at, env, run } = await setUp(OPENCODE);
    const { archive, dir, stateDir } = await tempArchive({ samples: true });
    await archive.sessions.modify(SAMPLE.main, (info) => ({ ...info, directory: at.repo }));
    const before = await archive.messages.list(SAMPLE.main);
    const sarcEnv = { ...env, SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir };
    const printed = await sarc(['resume', SAMPLE.main, '--print', '--json'], { env: sarcEnv });
    expect(printed.code, printed.stderr).toBe(0);
    const plan = JSON.parse(printed.stdout) as { agentID: string; path: string; prepare: string[]; command: string[]; same: boolean };
    expect(plan).toMatchObject({
      same: true,
      prepare: ['opencode', 'import', plan.path],
      command: ['opencode', '--session', plan.agentID],
    });
    const imported = run(plan.prepare.slice(1));
    expect(imported.status, imported.stderr).toBe(0);
    // Loaded, not yet continued: nothing new.
    const early = await sarc(['sync', 'opencode', '--json'], { env: sarcEnv });
    expect(early.code, early.stderr).toBe(0);
    expect(JSON.parse(early.stdout).sessions).toMatchObject({ new: 0, updated: 0 });

    // OpenCode 1.18 shows it with every earlier message in order (what it sends the model on the next turn; 1.18 with a
    // custom provider does not reach the mock model offline, so the turn is added as 1.x adds one without a model).
    const oc = await serveOpencode(1, at);
    const listed = (await oc.call('GET', `/session/${plan.agentID}/message`)) as unknown as Array<{
      info: { id: string };
      parts: Array<{ type: string; text?: string }>;
    }>;
    expect(textsOf(listed)).toEqual(textsOf(before));
    expect(listed.map((m) => m.info.id)).toEqual(listed.map((m) => m.info.id).sort());
    await oc.call('POST', `/session/${plan.agentID}/message`, {
      noReply: true,
      parts: [{ type: 'text', text: 'Go on: retry on 503 too' }],
    });
    await oc.stop();

    const after = await sarc(['sync', 'opencode', '--json'], { env: sarcEnv });
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout).sessions).toMatchObject({ new: 0, updated: 1 });
    const now = await archive.messages.list(SAMPLE.main);
    expect(now.slice(0, before.length)).toEqual(before);
    const added = textsOf(now.slice(before.length));
    expect(added).toEqual(['Go on: retry on 503 too']);
    expect((await archive.sessions.list()).map((s) => s.id)).not.toContain(plan.agentID);
    const again = await sarc(['sync', 'opencode', '--json'], { env: sarcEnv });
    expect(JSON.parse(again.stdout).sessions).toMatchObject({ new: 0, updated: 0 });
  }, 240_000);
});

describe.skipIf(!HAVE_OPENCODE2 || !NATIVE_SQLITE)('sarc resume in the real OpenCode 2', () => {
  it('a session Claude Code made is continued in OpenCode 2; the continuation holds exactly the new turn', async () => {
    const { at, env, run } = await setUp(OPENCODE2);
    const { archive, dir, stateDir } = await tempArchive();
    await syncAgent(archive, 'claude-code', { from: join(ROOT, 'test', 'fixtures', 'claude-code') });
    const id = claudeSessionId('7d1c2b3a-0000-4000-8000-000000000001');
    await archive.sessions.modify(id, (info) => ({ ...info, directory: at.repo }));
    const before = await archive.messages.list(id);
    const sarcEnv = { ...env, SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir };
    const printed = await sarc(['resume', id, '--in', 'opencode', '--print', '--json'], { env: sarcEnv });
    expect(printed.code, printed.stderr).toBe(0);
    const plan = JSON.parse(printed.stdout) as { agentID: string; path: string; prepare: string[]; command: string[]; same: boolean };
    expect(plan).toMatchObject({ same: false, prepare: ['opencode', 'session', 'import', plan.path] });
    // --standalone: no background service left running after the test.
    const imported = run(['session', 'import', '--standalone', plan.path]);
    expect(imported.stdout + imported.stderr).toContain(`Imported session: ${plan.agentID}`);

    const requests = mock.requests.length;
    const oc = await serveOpencode(2, at);
    await oc.call('POST', `/api/session/${plan.agentID}/prompt`, { text: 'Now add jitter' });
    await idle(oc.call, plan.agentID);
    await oc.stop();
    const sent = JSON.stringify(mock.requests.slice(requests).map((r) => r.body));
    // The session was compacted in Claude Code: OpenCode 2 sends the compaction's summary and the turns after it.
    expect(sent).toContain('Summary: retries were added.');
    expect(sent).toContain('Now make the delay configurable.');
    expect(sent).toContain('Now add jitter');

    const after = await sarc(['sync', 'opencode', '--json'], { env: sarcEnv });
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout).sessions).toMatchObject({ new: 1, updated: 0 });
    expect(await archive.messages.list(id)).toEqual(before);
    const continuation = await archive.sessions.get(plan.agentID);
    expect(continuation.forkedFrom?.sessionID).toBe(id);
    const added = textsOf(await archive.messages.list(plan.agentID));
    expect(added).toContain('Now add jitter');
    expect(added).toContain('picked up where we left off');
    expect(added.filter((t) => textsOf(before).includes(t))).toEqual([]);
    const shown = (await sarc(['show', plan.agentID], { env: sarcEnv })).stdout;
    expect(shown).toContain(`resumed   from ${id} in OpenCode`);
    // OpenCode 2's end-of-turn marker is named, with nothing after it.
    expect(shown).toMatch(/ {2}· idle\n/);
  }, 240_000);
});
