import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Archive, claudeSessionId, codexSessionId, type MessageWithParts, syncAgent } from '../../src/index.js';
import { copilotSessionId } from '../../src/ops/capture/agents/copilot-cli/convert.js';
import { geminiSessionId } from '../../src/ops/capture/agents/gemini-cli/adapter.js';
import { piIdOf, piSessionId } from '../../src/ops/capture/agents/pi/convert.js';
import { qwenSessionId } from '../../src/ops/capture/agents/qwen-code/convert.js';
import { tempArchive } from '../helpers.js';
import { agentHome, CLAUDE, CODEX, COPILOT, GEMINI, haveAgent, PI, QWEN, runAgent } from './agents.js';
import { type MockModel, startMockModel } from './mock-model.js';

// The real Claude Code, Codex, Gemini CLI, Qwen Code, Pi and Copilot CLI, offline against the mock model: each writes
// its own session files (a prompt, a shell tool call and its result, an
// answer, then a resumed second turn), and the archive brings in exactly what
// they wrote.

let mock: MockModel;
beforeAll(async () => {
  mock = await startMockModel();
});
afterAll(async () => {
  await mock.close();
});

/** A first sync of what an agent wrote: one new session, every record mapped. */
async function firstSync(agent: string, from: string) {
  const { archive } = await tempArchive();
  const r = await syncAgent(archive, agent, { from });
  expect(r.sessions).toEqual({ new: 1, updated: 0, unchanged: 0, failed: 0 });
  expect(r.unknown).toEqual({});
  return archive;
}

/** A sync after the agent resumed the session: that session updated, no other made. */
async function syncedInPlace(archive: Archive, agent: string, from: string) {
  const again = await syncAgent(archive, agent, { from });
  expect(again.sessions).toEqual({ new: 0, updated: 1, unchanged: 0, failed: 0 });
  expect((await archive.sessions.list()).length).toBe(1);
}

/** The conversation after a prompt and its resumed second turn, each calling the shell tool once. */
const twoTurns = (tool: RegExp) =>
  ['Run echo hi, please', 'And once more'].flatMap((prompt) => [`user: ${prompt}`, expect.stringMatching(tool), 'assistant: done']);

/** A conversation as roles and part kinds, tools with their status and output. */
const shape = (messages: MessageWithParts[]) =>
  messages.map(
    (m) =>
      `${m.info.role}: ${m.parts
        .map((p) =>
          p.type === 'text'
            ? p.text
            : p.type === 'tool'
              ? `${p.tool}(${JSON.stringify(p.state.input)}) ${p.state.status} ${p.state.status === 'completed' ? JSON.stringify(p.state.output.trim()) : ''}`
              : p.type,
        )
        .join(' | ')}`,
  );

describe.skipIf(!haveAgent(CLAUDE))('the real Claude Code', () => {
  it('writes a transcript that syncs whole, and a resumed turn arrives in the same session', async () => {
    const h = await agentHome({
      ANTHROPIC_BASE_URL: mock.url,
      ANTHROPIC_API_KEY: 'x',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
    });
    const args = ['--model', 'mock-model', '--allowedTools', 'Bash', '-p'];
    const first = await runAgent(CLAUDE.bin, [...args, 'Run echo hi, please'], h);
    expect(first.code, first.stderr).toBe(0);
    const projects = join(h.home, '.claude', 'projects');
    const [folder] = await readdir(projects);
    const [file] = (await readdir(join(projects, folder as string))).filter((f) => f.endsWith('.jsonl'));
    const uuid = (file as string).replace(/\.jsonl$/, '');
    const archive = await firstSync('claude-code', projects);
    const id = claudeSessionId(uuid);
    const info = await archive.sessions.get(id);
    expect(info).toMatchObject({ title: 'Run echo hi, please', directory: h.work, version: expect.stringMatching(/^claude-code 2\./) });
    expect(shape(await archive.messages.list(id))).toEqual([
      'user: Run echo hi, please',
      'assistant: Bash({"command":"echo hi"}) completed "hi"',
      'assistant: done',
    ]);

    // A second turn, resumed: the request carries the earlier turns, and the archive grows in place.
    const before = mock.requests.length;
    const second = await runAgent(CLAUDE.bin, [...args, '--resume', uuid, 'And once more'], h);
    expect(second.code, second.stderr).toBe(0);
    const resumed = mock.requests.slice(before).find((q) => q.api === 'anthropic');
    expect(JSON.stringify(resumed?.body.messages)).toContain('Run echo hi, please');
    await syncedInPlace(archive, 'claude-code', projects);
    expect(shape(await archive.messages.list(id))).toEqual([
      'user: Run echo hi, please',
      'assistant: Bash({"command":"echo hi"}) completed "hi"',
      'assistant: done',
      'user: And once more',
      'assistant: Bash({"command":"echo hi"}) completed "hi"',
      'assistant: done',
    ]);
  }, 120_000);
});

describe.skipIf(!haveAgent(CODEX))('the real Codex', () => {
  it('writes a rollout that syncs whole, and a resumed turn arrives in the same session', async () => {
    const h = await agentHome({ MOCK_API_KEY: 'x' });
    h.env.CODEX_HOME = join(h.home, '.codex');
    await mkdir(h.env.CODEX_HOME);
    const config = [
      '-c',
      'model_provider=mock',
      '-c',
      'model=mock-model',
      '-c',
      `model_providers.mock={name="Mock",base_url="${mock.url}/v1",wire_api="responses",env_key="MOCK_API_KEY"}`,
    ];
    const exec = ['exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', ...config];
    const first = await runAgent(CODEX.bin, [...exec, 'Run echo hi, please'], h);
    expect(first.code, first.stderr).toBe(0);
    const sessions = join(h.home, '.codex', 'sessions');
    const rollout = (await readdir(sessions, { recursive: true })).find((f) => f.endsWith('.jsonl')) as string;
    const uuid = /([0-9a-f-]{36})\.jsonl$/.exec(rollout)?.[1] as string;
    const archive = await firstSync('codex', sessions);
    const id = codexSessionId(uuid);
    expect(await archive.sessions.get(id)).toMatchObject({ title: 'Run echo hi, please', directory: h.work });
    const spoken = (messages: MessageWithParts[]) => shape(messages.filter((m) => !(m.info as { origin?: string }).origin));
    expect(spoken(await archive.messages.list(id))).toEqual([
      'user: Run echo hi, please',
      expect.stringMatching(/^assistant: exec_command\(\{"cmd":"echo hi"\}\) completed ".*Process exited with code 0.*\\nhi" \| done$/),
    ]);

    const before = mock.requests.length;
    const second = await runAgent(CODEX.bin, [...exec.slice(0, 1), 'resume', ...exec.slice(1), uuid, 'And once more'], h);
    expect(second.code, second.stderr).toBe(0);
    const resumed = mock.requests.slice(before).find((q) => q.api === 'responses');
    expect(JSON.stringify(resumed?.body.input)).toContain('Run echo hi, please');
    await syncedInPlace(archive, 'codex', sessions);
    const prompts = spoken(await archive.messages.list(id)).filter((s) => s.startsWith('user:'));
    expect(prompts).toEqual(['user: Run echo hi, please', 'user: And once more']);
  }, 120_000);
});

/** The conversation without what the agent itself put in (its context, system records). */
const spoken = (messages: MessageWithParts[]) => shape(messages.filter((m) => !(m.info as { origin?: string }).origin));

describe.skipIf(!haveAgent(GEMINI))('the real Gemini CLI', () => {
  it('writes a chat that syncs whole; a resume in a later minute starts a second file, and its turn arrives in the same session', async () => {
    const h = await agentHome({ GEMINI_API_KEY: 'x', GOOGLE_GEMINI_BASE_URL: mock.url, GEMINI_CLI_TRUST_WORKSPACE: 'true' });
    const gemini = join(h.home, '.gemini');
    await mkdir(gemini);
    await writeFile(join(gemini, 'settings.json'), JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } }));
    const args = ['-m', 'gemini-2.5-flash', '--approval-mode', 'yolo'];
    const first = await runAgent(GEMINI.bin, [...args, '-p', 'Run echo hi, please'], h);
    expect(first.code, first.stderr).toBe(0);
    const chats = join(gemini, 'tmp', 'work', 'chats');
    const [file] = await readdir(chats);
    const archive = await firstSync('gemini-cli', gemini);
    const [session] = await archive.sessions.list();
    const uuid = (session?.metadata as { geminiCli: { id: string } } | undefined)?.geminiCli.id as string;
    expect(uuid.slice(0, 8)).toBe(/-([0-9a-f]{8})\.jsonl$/.exec(file as string)?.[1]);
    const id = geminiSessionId(uuid);
    expect(await archive.sessions.get(id)).toMatchObject({
      title: 'Run echo hi, please',
      directory: h.work,
      version: 'gemini-cli unknown',
    });
    const tool = /^assistant: run_shell_command\(\{"command":"echo hi"\}\) completed ".*Output: hi.*"$/;
    expect(spoken(await archive.messages.list(id))).toEqual(['user: Run echo hi, please', expect.stringMatching(tool), 'assistant: done']);

    // Gemini CLI names a chat file by the minute it starts: moved to an earlier minute, the resume writes a second file.
    await rename(join(chats, file as string), join(chats, (file as string).replace(/T\d\d-\d\d-/, 'T00-00-')));
    const before = mock.requests.length;
    const second = await runAgent(GEMINI.bin, [...args, '--resume', uuid, '-p', 'And once more'], h);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.stringify(mock.requests.slice(before).find((q) => q.api === 'gemini')?.body.contents)).toContain('Run echo hi, please');
    expect((await readdir(chats)).length).toBe(2);
    await syncedInPlace(archive, 'gemini-cli', gemini);
    expect(spoken(await archive.messages.list(id))).toEqual(twoTurns(tool));
  }, 120_000);
});

describe.skipIf(!haveAgent(QWEN))('the real Qwen Code', () => {
  it('writes a chat that syncs whole, and a resumed turn arrives in the same session', async () => {
    const h = await agentHome({
      OPENAI_API_KEY: 'x',
      OPENAI_BASE_URL: `${mock.url}/v1`,
      OPENAI_MODEL: 'mock-model',
      QWEN_CODE_SUPPRESS_YOLO_WARNING: '1',
    });
    const qwen = join(h.home, '.qwen');
    await mkdir(qwen);
    await writeFile(join(qwen, 'settings.json'), JSON.stringify({ memory: { enableManagedAutoMemory: false } }));
    const first = await runAgent(QWEN.bin, ['--yolo', '-p', 'Run echo hi, please'], h);
    expect(first.code, first.stderr).toBe(0);
    const chats = join(qwen, 'projects', h.work.replace(/[/.]/g, '-'), 'chats');
    const [file] = await readdir(chats);
    const uuid = (file as string).replace(/\.jsonl$/, '');
    const archive = await firstSync('qwen-code', qwen);
    const id = qwenSessionId(uuid);
    expect(await archive.sessions.get(id)).toMatchObject({
      title: 'Run echo hi, please',
      directory: h.work,
      version: expect.stringMatching(/^qwen-code 0\./),
    });
    const tool = /^assistant: run_shell_command\(\{"command":"echo hi"\}\) completed ".*Output: hi.*"$/s;
    expect(spoken(await archive.messages.list(id))).toEqual(['user: Run echo hi, please', expect.stringMatching(tool), 'assistant: done']);

    const before = mock.requests.length;
    const second = await runAgent(QWEN.bin, ['--yolo', '--resume', uuid, '-p', 'And once more'], h);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.stringify(mock.requests.slice(before).find((q) => q.api === 'chat')?.body.messages)).toContain('Run echo hi, please');
    await syncedInPlace(archive, 'qwen-code', qwen);
    expect(spoken(await archive.messages.list(id))).toEqual(twoTurns(tool));
  }, 120_000);
});

describe.skipIf(!haveAgent(PI))('the real Pi', () => {
  it('writes a session that syncs whole, and a resumed turn arrives in the same session', async () => {
    const h = await agentHome({ PI_OFFLINE: '1' });
    const agent = join(h.home, '.pi', 'agent');
    await mkdir(agent, { recursive: true });
    const provider = {
      baseUrl: `${mock.url}/v1`,
      api: 'openai-completions',
      apiKey: 'x',
      compat: { supportsDeveloperRole: false },
      models: [{ id: 'mock-model' }],
    };
    await writeFile(join(agent, 'models.json'), JSON.stringify({ providers: { mock: provider } }));
    const args = ['--provider', 'mock', '--model', 'mock-model'];
    const first = await runAgent(PI.bin, [...args, '-p', 'Run echo hi, please'], h);
    expect(first.code, first.stderr).toBe(0);
    const sessions = join(agent, 'sessions');
    const file = (await readdir(sessions, { recursive: true })).find((f) => f.endsWith('.jsonl')) as string;
    const uuid = piIdOf(file) as string;
    const archive = await firstSync('pi', sessions);
    const id = piSessionId(uuid);
    expect(await archive.sessions.get(id)).toMatchObject({ title: 'Run echo hi, please', directory: h.work });
    const turn = ['user: Run echo hi, please', 'assistant: bash({"command":"echo hi"}) completed "hi"', 'assistant: done'];
    expect(spoken(await archive.messages.list(id))).toEqual(turn);

    const second = await runAgent(PI.bin, [...args, '--session', join(sessions, file), '-p', 'And once more'], h);
    expect(second.code, second.stderr).toBe(0);
    await syncedInPlace(archive, 'pi', sessions);
    expect(spoken(await archive.messages.list(id))).toEqual([
      ...turn,
      ...turn.map((t) => t.replace('Run echo hi, please', 'And once more')),
    ]);
  }, 120_000);
});

describe.skipIf(!haveAgent(COPILOT))('the real Copilot CLI', () => {
  it('writes events that sync whole, and a resumed turn arrives in the same session', async () => {
    const h = await agentHome({
      COPILOT_OFFLINE: 'true',
      COPILOT_PROVIDER_BASE_URL: `${mock.url}/v1`,
      COPILOT_PROVIDER_API_KEY: 'x',
      COPILOT_MODEL: 'mock-model',
    });
    const args = ['--allow-all-tools', '--disable-client-telemetry', '-s'];
    const first = await runAgent(COPILOT.bin, [...args, '-p', 'Run echo hi, please'], h);
    expect(first.code, first.stderr).toBe(0);
    const state = join(h.home, '.copilot', 'session-state');
    const [uuid] = (await readdir(state)).filter((f) => !f.startsWith('.'));
    const archive = await firstSync('copilot-cli', state);
    const id = copilotSessionId(uuid as string);
    expect(await archive.sessions.get(id)).toMatchObject({
      title: 'Run echo hi, please',
      directory: h.work,
      version: 'copilot-cli 1.0.102',
    });
    const tool = /^assistant: bash\(\{"command":"echo hi"\}\) completed "hi\\n.*exit code 0.*"$/;
    expect(spoken(await archive.messages.list(id))).toEqual(['user: Run echo hi, please', expect.stringMatching(tool), 'assistant: done']);

    const second = await runAgent(COPILOT.bin, [...args, `--resume=${uuid}`, '-p', 'And once more'], h);
    expect(second.code, second.stderr).toBe(0);
    await syncedInPlace(archive, 'copilot-cli', state);
    expect(spoken(await archive.messages.list(id))).toEqual(twoTurns(tool));
  }, 120_000);
});
