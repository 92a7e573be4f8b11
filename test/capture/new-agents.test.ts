import { describe, expect, it } from 'vitest';
import { type MessageWithParts, syncAgent } from '../../src/index.js';
import { ampSessionId } from '../../src/ops/capture/agents/amp/convert.js';
import { copilotSessionId } from '../../src/ops/capture/agents/copilot-cli/convert.js';
import { droidSessionId } from '../../src/ops/capture/agents/droid/convert.js';
import { geminiSessionId } from '../../src/ops/capture/agents/gemini-cli/adapter.js';
import { piSessionId } from '../../src/ops/capture/agents/pi/convert.js';
import { qwenSessionId } from '../../src/ops/capture/agents/qwen-code/convert.js';
import { clineSessionId } from '../../src/ops/capture/kit/cline.js';
import { tempArchive, tempDir } from '../helpers.js';
import { ampFixture } from './contract/amp.js';
import { clineFixture } from './contract/cline.js';
import { copilotFixture } from './contract/copilot-cli.js';
import { droidFixture } from './contract/droid.js';
import { geminiFixture } from './contract/gemini-cli.js';
import { piFixture } from './contract/pi.js';
import { qwenFixture } from './contract/qwen-code.js';

// What each new adapter maps, on its contract store: beyond the contract
// (which every adapter passes), the things particular to each agent's format.

const texts = (messages: MessageWithParts[]) =>
  messages.map((m) =>
    m.parts.map((p) => (p.type === 'text' ? p.text : p.type === 'tool' ? `${p.tool}:${p.state.status}` : p.type)).join(' '),
  );

describe('Gemini CLI', () => {
  it('keeps a tool call once though its message is written twice, its context quiet, the folder it recorded, tokens without the cached part', async () => {
    const store = await geminiFixture.make(await tempDir());
    const { archive } = await tempArchive();
    await syncAgent(archive, 'gemini-cli', { from: store.from });
    const id = geminiSessionId('a1b2c3d4-0000-4000-8000-000000000001');
    const info = await archive.sessions.get(id);
    expect(info).toMatchObject({ title: 'Add a cart', directory: '/home/dev/shop' });
    const messages = await archive.messages.list(id);
    expect(texts(messages)).toEqual([expect.stringContaining('<session_context>'), 'Add a cart', 'run_shell_command:completed', 'Added.']);
    expect(messages[0]?.info).toMatchObject({ synthetic: true, origin: 'environment' });
    const tool = messages[2]?.parts.find((p) => p.type === 'tool');
    expect(tool?.type === 'tool' && tool.state.status === 'completed' && tool.state.output).toBe('ok');
    expect(messages[3]?.info).toMatchObject({ tokens: { input: 20, output: 4, reasoning: 2, cache: { read: 10, write: 0 } } });
    // The sub-agent's chat is a child of its session.
    const child = (await archive.sessions.list()).find((s) => s.parentID === id);
    expect(child?.title).toBe('Find the cart code');
  });
});

describe('Qwen Code', () => {
  it('reads both layouts, a failed tool as failed, and a title set by /rename', async () => {
    const store = await qwenFixture.make(await tempDir());
    const { archive } = await tempArchive();
    await syncAgent(archive, 'qwen-code', { from: store.from });
    const first = await archive.messages.list(qwenSessionId('a1a1a1a1-0000-4000-8000-000000000001'));
    expect(texts(first)).toEqual(['Add a cart', 'Re: Add a cart', 'run_shell_command:error']);
    expect((await archive.sessions.get(qwenSessionId('b2b2b2b2-0000-4000-8000-000000000002'))).title).toBe('Slow checkout');
    const older = qwenSessionId('c3c3c3c3-0000-4000-8000-000000000003');
    expect(texts(await archive.messages.list(older))).toEqual(['Explain the router', 'It maps paths.']);
  });
});

describe('Pi', () => {
  it('makes the way to the last entry the session and the branch it left a fork of it, keeping the cost Pi recorded', async () => {
    const store = await piFixture.make(await tempDir());
    const { archive } = await tempArchive();
    await syncAgent(archive, 'pi', { from: store.from });
    const uuid = '01a20000-0000-7000-8000-000000000001';
    const main = await archive.messages.list(piSessionId(uuid));
    expect(texts(main)).toEqual(['Add a cart', 'Which store?', 'Use a context instead', 'Done with a context.']);
    expect(main[1]?.info).toMatchObject({ cost: 0.0012, tokens: { input: 10, output: 3, cache: { read: 5, write: 0 } } });
    const forks = (await archive.sessions.list()).filter((s) => s.forkedFrom?.sessionID === piSessionId(uuid));
    expect(forks).toHaveLength(1);
    expect(texts(await archive.messages.list(forks[0]?.id as string))).toEqual(['Use Redux', 'Done with Redux.']);
  });
});

describe('Copilot CLI', () => {
  it('reads both layouts, tokens from the usage record of each call, reasoning, and a failed command with its exit code', async () => {
    const store = await copilotFixture.make(await tempDir());
    const { archive } = await tempArchive();
    await syncAgent(archive, 'copilot-cli', { from: store.from });
    const first = await archive.messages.list(copilotSessionId('0c0c0000-0000-4000-8000-000000000001'));
    expect(texts(first)).toEqual(['Run the tests', 'reasoning bash:error']);
    const tool = first[1]?.parts.find((p) => p.type === 'tool');
    expect(tool?.type === 'tool' && tool.state.status === 'error' && [tool.state.error, tool.state.metadata]).toEqual([
      '1 failing',
      { exitCode: 1 },
    ]);
    const flat = await archive.messages.list(copilotSessionId('0c0c0000-0000-4000-8000-000000000003'));
    expect(texts(flat)).toEqual(['Explain the router', 'Re: Explain the router']);
    expect(flat[1]?.info).toMatchObject({ modelID: 'gpt-5', tokens: { input: 20, output: 5, cache: { read: 3, write: 0 } } });
  });
});

describe.each(['cline', 'roo-code', 'kilo-code'])('%s', (agent) => {
  it('takes the task from <task>, the folder from the environment details (kept quiet), tokens and cost from the panel, the version from the metadata', async () => {
    const store = await clineFixture(agent).make(await tempDir());
    const { archive } = await tempArchive();
    await syncAgent(archive, agent, { from: store.from });
    const id = clineSessionId(agent, '1780308000000');
    expect(await archive.sessions.get(id)).toMatchObject({ title: 'Add a cart', directory: '/home/dev/shop', version: `${agent} 3.39.2` });
    const [user, answer] = await archive.messages.list(id);
    expect(user?.parts.map((p) => p.type === 'text' && [p.text.slice(0, 6), p.synthetic === true])).toEqual([
      ['<task>', false],
      ['<envir', true],
    ]);
    expect(answer?.info).toMatchObject({ cost: 0.0021, tokens: { input: 12, output: 4, cache: { read: 6, write: 2 } } });
  });
});

describe('Amp', () => {
  it('takes the folder from the thread’s tree, times from when each message was sent, tokens from its usage', async () => {
    const store = await ampFixture.make(await tempDir());
    const { archive } = await tempArchive();
    await syncAgent(archive, 'amp', { from: store.from });
    const id = ampSessionId('T-0a0a0000-0000-4000-8000-000000000001');
    expect(await archive.sessions.get(id)).toMatchObject({ title: 'Add a cart', directory: '/home/dev/shop' });
    const [user, answer] = await archive.messages.list(id);
    expect(user?.info.time.created).toBe(Date.parse('2026-06-01T10:00:00.000Z'));
    expect(answer?.info).toMatchObject({
      modelID: 'claude-sonnet-4-5',
      finish: 'end_turn',
      tokens: { input: 10, output: 3, cache: { read: 4, write: 1 } },
    });
  });
});

describe('Factory Droid', () => {
  it('reads both layouts, the title it gave, a failed tool as failed, and its own context as quiet parts', async () => {
    const store = await droidFixture.make(await tempDir());
    const { archive } = await tempArchive();
    await syncAgent(archive, 'droid', { from: store.from });
    const first = droidSessionId('d0d00000-0000-4000-8000-000000000001');
    expect(await archive.sessions.get(first)).toMatchObject({ title: 'Add a cart', directory: '/home/dev/shop', version: 'droid 2' });
    expect(texts(await archive.messages.list(first))).toEqual(['Add a cart', 'Execute:error']);
    const flat = await archive.messages.list(droidSessionId('d0d00000-0000-4000-8000-000000000003'));
    expect(flat[0]?.parts.map((p) => p.type === 'text' && p.synthetic === true)).toEqual([true, false]);
    expect(flat[1]?.info).toMatchObject({ modelID: 'claude-sonnet-4-5', tokens: { input: 9, output: 2 } });
  });
});
