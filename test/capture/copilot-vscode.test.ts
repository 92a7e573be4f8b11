import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syncAgent } from '../../src/index.js';
import { copilotVscodeSessionId } from '../../src/ops/capture/agents/copilot-vscode/convert.js';
import { tempArchive, tempDir } from '../helpers.js';
import { copilotVscodeFixture } from './contract/copilot-vscode.js';

// What a VS Code chat session carries over, from its mutation log replayed: the title set later, the workspace's
// folder, each request's prompt and answer (reasoning, the tool call and what it did, the text), model and time taken.

describe('VS Code Copilot Chat', () => {
  it('replays the log and maps a request to a prompt and an answer', async () => {
    const store = await copilotVscodeFixture.make(await tempDir());
    const { archive } = await tempArchive();
    const r = await syncAgent(archive, 'copilot-vscode', { from: store.from });
    expect(r.failures).toEqual([]);
    const id = copilotVscodeSessionId('c0de0000-0000-4000-8000-000000000001');
    expect(await archive.sessions.get(id)).toMatchObject({ title: 'Cart work', directory: '/home/dev/shop' });
    const [prompt, reply] = await archive.messages.list(id);
    expect(prompt?.parts.map((p) => (p.type === 'text' ? p.text : p.type))).toEqual(['Add a cart']);
    expect(reply?.info).toMatchObject({ role: 'assistant', modelID: 'claude-sonnet-4.5', providerID: 'copilot' });
    // Completed the request's total time after it was sent.
    const sent = prompt?.info.time.created ?? 0;
    expect((reply?.info.time as { completed?: number } | undefined)?.completed).toBe(sent + 2500);
    expect(reply?.parts.map((p) => p.type)).toEqual(['reasoning', 'tool', 'text']);
    expect(reply?.parts[1]).toMatchObject({
      tool: 'copilot_readFile',
      state: { status: 'completed', input: { message: 'Reading cart.py' }, output: 'Read cart.py' },
    });
    // A window with no folder: no working folder.
    expect((await archive.sessions.get(copilotVscodeSessionId('c0de0000-0000-4000-8000-000000000003'))).directory).toBe('/');
  });

  it('refuses a log entry whose path reaches an object prototype, and applies the rest', async () => {
    const store = await copilotVscodeFixture.make(await tempDir());
    const log = join(store.from, 'workspaceStorage', '0a1b2c3d4e5f', 'chatSessions', 'c0de0000-0000-4000-8000-000000000001.jsonl');
    await appendFile(
      log,
      [
        { kind: 1, k: ['__proto__', 'polluted'], v: 'yes' },
        { kind: 2, k: ['constructor', 'prototype', 'polluted'], v: ['yes'] },
        { kind: 1, k: ['customTitle'], v: 'Still applied' },
      ]
        .map((e) => `${JSON.stringify(e)}\n`)
        .join(''),
    );
    const { archive } = await tempArchive();
    const r = await syncAgent(archive, 'copilot-vscode', { from: store.from });
    expect(r.failures).toEqual([]);
    expect(r.skipped.filter((x) => /does not apply/.test(x.reason))).toHaveLength(2);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await archive.sessions.get(copilotVscodeSessionId('c0de0000-0000-4000-8000-000000000001'))).title).toBe('Still applied');
  });
});
