import { appendFile, cp, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeSessionId, codexSessionId, type MessageWithParts, syncAgent } from '../../src/index.js';
import { sarc } from '../cli/helpers.js';
import { ROOT, tempArchive, tempDir } from '../helpers.js';

const CLAUDE = join(ROOT, 'test', 'fixtures', 'claude-code');
const CODEX = join(ROOT, 'test', 'fixtures', 'codex');
const S1 = '7d1c2b3a-0000-4000-8000-000000000001';
const S2 = '7d1c2b3a-0000-4000-8000-000000000002';

/** Every file of the archive with its mtime: what a run that writes nothing leaves as it was. */
async function snapshot(dir: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const rel of await readdir(dir, { recursive: true })) out[rel] = (await stat(join(dir, rel))).mtimeMs;
  return out;
}

const partKinds = (m: MessageWithParts) => m.parts.map((p) => (p.type === 'tool' ? `tool:${p.tool}:${p.state.status}` : p.type));

async function copyOf(fixtures: string): Promise<string> {
  const dir = join(await tempDir(), 'source');
  await cp(fixtures, dir, { recursive: true });
  return dir;
}

describe('sarc sync claude-code', () => {
  it('converts transcripts: messages, thinking, tool calls with output and status, images, todos, sub-agents as child sessions, compaction; unknown records kept, broken lines skipped', async () => {
    const { archive } = await tempArchive();
    const result = await syncAgent(archive, 'claude-code', { from: CLAUDE });
    expect(result.sessions).toEqual({ new: 4, updated: 0, unchanged: 0, failed: 0 });
    expect(result.malformed).toBe(1);
    expect(result.skipped).toEqual([
      { file: expect.stringContaining(`${S1}.jsonl`), line: 21, reason: expect.stringMatching(/^not JSON/) },
    ]);
    // The cut last line of the second transcript is pending, not skipped.
    expect(result.pending).toBe(1);
    // Record types it does not know are counted and kept; bookkeeping it knows is counted in the session only.
    expect(result.unknown).toEqual({ hologram: 1 });

    const main = await archive.sessions.get(claudeSessionId(S1));
    expect(main).toMatchObject({ title: 'Retry failed HTTP requests', directory: '/home/dev/src/webapp', version: 'claude-code 2.0.14' });
    expect(main.time.created).toBe(Date.parse('2026-05-01T10:00:00.000Z'));
    expect(main.metadata).toMatchObject({ source: 'claude-code', claudeCode: { id: S1, gitBranch: 'main' } });
    const kept = (main.metadata?.claudeCode ?? {}) as { unknownRecords?: Array<{ type: string }>; unknown?: Record<string, number> };
    expect(kept.unknownRecords?.map((r) => r.type)).toEqual(['hologram']);
    expect(kept.unknown).toEqual({ hologram: 1, '(file-history-snapshot)': 1, '(system stop_hook_summary)': 1 });

    const messages = await archive.messages.list(main.id);
    expect(messages.map((m) => `${m.info.role}:${partKinds(m).join(',')}`)).toEqual([
      'user:text',
      'user:file',
      'assistant:reasoning,tool:Read:completed',
      'assistant:tool:Bash:error',
      'assistant:tool:Task:completed',
      'assistant:tool:TodoWrite:completed',
      'assistant:text',
      'user:compaction,text',
      'user:text',
    ]);
    const [, image, read, bash] = messages as [MessageWithParts, MessageWithParts, MessageWithParts, MessageWithParts];
    expect(image.parts[0]).toMatchObject({ type: 'file', mime: 'image/png', url: 'data:image/png;base64,iVBORw0KGgo=' });
    expect(read.info).toMatchObject({
      role: 'assistant',
      modelID: 'claude-sonnet-4-5-20250929',
      providerID: 'anthropic',
      finish: 'tool_use',
    });
    // One answer written as two lines: one message, the last line's usage.
    expect((read.info as { tokens: unknown }).tokens).toEqual({ input: 12, output: 40, reasoning: 0, cache: { read: 100, write: 20 } });
    expect(read.parts[0]).toMatchObject({ type: 'reasoning', text: 'I should read the client first.', metadata: { signature: 'sig1' } });
    expect(read.parts[1]).toMatchObject({
      type: 'tool',
      callID: 'toolu_read',
      state: {
        status: 'completed',
        input: { file_path: '/home/dev/src/webapp/src/client.ts' },
        output: 'export async function get(url) { return fetch(url) }',
      },
    });
    expect(bash.parts[0]).toMatchObject({ state: { status: 'error', error: '1 test failed', input: { command: 'npm test' } } });
    expect(messages[0]?.info).toMatchObject({ model: { providerID: 'anthropic', modelID: 'claude-sonnet-4-5-20250929' } });
    expect(await archive.todos.get(main.id)).toEqual([
      { content: 'Wrap fetch in withRetry', status: 'completed', priority: 'medium' },
      { content: 'Add a test', status: 'in_progress', priority: 'medium' },
    ]);

    // Both sub-agents (inline sidechain, and a subagents/ file) are child sessions.
    const children = (await archive.sessions.list())
      .filter((s) => s.parentID === main.id)
      .map((s) => s.title)
      .sort();
    expect(children).toEqual(['Check the retry delays', 'List every caller of fetch']);
    // The transcript still being written: its complete lines are in, the cut last line is not.
    expect((await archive.messages.list(claudeSessionId(S2))).length).toBe(2);
  });

  it('re-runs write nothing, take a grown transcript in place, never duplicate; a dry run writes nothing', async () => {
    const { archive, dir } = await tempArchive();
    const from = await copyOf(CLAUDE);
    await syncAgent(archive, 'claude-code', { from });
    const before = await snapshot(dir);
    const again = await syncAgent(archive, 'claude-code', { from });
    expect(again.sessions.new + again.sessions.updated).toBe(0);
    // Nothing changed: nothing is read (the cut last line is read when the agent finishes it, which changes the file).
    expect(again.files).toEqual({ found: 3, read: 0, skipped: 3 });
    expect(await snapshot(dir)).toEqual(before);

    // The agent finishes its line and answers.
    const s2 = join(from, '-home-dev-src-webapp', `${S2}.jsonl`);
    await appendFile(
      s2,
      `t"}, "uuid": "v3", "timestamp": "2026-05-02T09:01:00.000Z", "sessionId": "${S2}", "cwd": "/home/dev/src/webapp"}\n` +
        `${JSON.stringify({ type: 'assistant', uuid: 'v4', parentUuid: 'v3', sessionId: S2, timestamp: '2026-05-02T09:01:05.000Z', message: { id: 'msg_V2', role: 'assistant', model: 'claude-opus-4-1', content: [{ type: 'text', text: 'Fixed.' }] } })}\n`,
    );
    const dry = await syncAgent(archive, 'claude-code', { from, dryRun: true });
    expect(dry.sessions).toMatchObject({ new: 0, updated: 1 });
    expect((await archive.messages.list(claudeSessionId(S2))).length).toBe(2);
    const grown = await syncAgent(archive, 'claude-code', { from });
    expect(grown.sessions).toEqual({ new: 0, updated: 1, unchanged: 0, failed: 0 });
    const texts = (await archive.messages.list(claudeSessionId(S2))).map((m) => (m.parts[0]?.type === 'text' ? m.parts[0].text : ''));
    expect(texts).toEqual(['Why does the build fail?', 'A missing import.', 'Fix it', 'Fixed.']);
    expect((await archive.sessions.list()).length).toBe(4);
    const quiet = await syncAgent(archive, 'claude-code', { from });
    expect(quiet.files).toEqual({ found: 3, read: 0, skipped: 3 });
  });
});

describe('sarc sync codex', () => {
  it('converts rollouts (current and early formats): turns, reasoning, function and custom tool calls with exit status, plan as todos, tokens; unknown events kept', async () => {
    const { archive } = await tempArchive();
    const result = await syncAgent(archive, 'codex', { from: CODEX });
    expect(result.sessions).toEqual({ new: 2, updated: 0, unchanged: 0, failed: 0 });
    expect(result.unknown).toEqual({ 'event mystery_event': 1 });
    expect(result.malformed).toBe(0); // the cut last line is left for the next run, not counted

    const id = codexSessionId('0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b');
    const session = await archive.sessions.get(id);
    expect(session).toMatchObject({
      title: 'Rename the /v1/users route to /v2/users',
      directory: '/home/dev/src/api',
      version: 'codex 0.46.0',
    });
    expect(session.metadata).toMatchObject({ source: 'codex', codex: { originator: 'codex_cli_rs', git: { branch: 'main' } } });
    const messages = await archive.messages.list(id);
    expect(messages.map((m) => `${m.info.role}:${partKinds(m).join(',')}`)).toEqual([
      'user:text',
      'user:text,file',
      'assistant:reasoning,tool:shell:completed,tool:apply_patch:completed,tool:shell:error,tool:update_plan:completed,text',
      'user:text',
      'assistant:text',
    ]);
    expect(messages[0]?.parts[0]).toMatchObject({ synthetic: true });
    const turn = messages[2] as MessageWithParts;
    expect(turn.info).toMatchObject({
      modelID: 'gpt-5-codex',
      providerID: 'openai',
      tokens: { input: 4000, output: 200, reasoning: 100, cache: { read: 1000 } },
    });
    expect(turn.parts[1]).toMatchObject({
      state: { input: { command: ['bash', '-lc', 'rg -n "/v1/users"'] }, output: 'src/routes.ts:12: app.get("/v1/users")\n' },
    });
    expect(turn.parts[2]).toMatchObject({
      tool: 'apply_patch',
      state: { input: { input: expect.stringContaining('*** Update File: src/routes.ts') } },
    });
    expect(turn.parts[3]).toMatchObject({ state: { status: 'error', error: '1 failing' } });
    expect(await archive.todos.get(id)).toEqual([
      { content: 'Rename the route', status: 'completed', priority: 'medium' },
      { content: 'Fix the failing test', status: 'in_progress', priority: 'medium' },
    ]);
    const early = await archive.messages.list(codexSessionId('5f0e4d3c-2b1a-4098-8776-655443322110'));
    expect(early.map((m) => m.info.role)).toEqual(['user', 'assistant']);
    expect((await syncAgent(archive, 'codex', { from: CODEX, all: true })).sessions).toEqual({
      new: 0,
      updated: 0,
      unchanged: 2,
      failed: 0,
    });
    // Unchanged rollouts are not read again (the cut last line is taken once the file changes).
    expect((await syncAgent(archive, 'codex', { from: CODEX })).files).toEqual({ found: 2, read: 0, skipped: 2 });
  });
});

describe('the sync command', () => {
  it('reports counts (--json), says when nothing changed, and refuses an unknown source', async () => {
    const { dir, stateDir } = await tempArchive();
    const env = { SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir };
    const first = await sarc(['sync', 'codex', '--from', CODEX, '--json'], { env });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ source: 'codex', sessions: { new: 2, updated: 0, failed: 0 }, failures: [] });
    const second = await sarc(['sync', 'codex', '--from', CODEX], { env });
    expect(second.stdout).toBe(`codex: nothing changed (2 rollouts at ${CODEX}, 2 unchanged since the last run)\n`);
    const two = await sarc(['sync', 'codex', 'claude-code', '--from', CODEX], { env });
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('--from names one place: give one agent with it');
    const bad = await sarc(['sync', 'hologram'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown agent "hologram": expected claude-code, codex');
  });
});
