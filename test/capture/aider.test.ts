import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syncAgent } from '../../src/index.js';
import { aiderSessionId } from '../../src/ops/capture/agents/aider/convert.js';
import { sarc } from '../cli/helpers.js';
import { gitRepo, tempArchive, tempDir } from '../helpers.js';

// Aider's `.aider.chat.history.md`, as aider writes it: a banner per run, the person's lines after `#### `, aider's
// own output after `> `, the model's reply as plain Markdown.

const HISTORY = [
  '',
  '# aider chat started at 2026-06-01 10:00:00',
  '',
  '> /usr/bin/aider --model sonnet',
  '> Aider v0.86.1',
  '> Main model: anthropic/claude-sonnet-4-20250514 with diff edit format, infinite output',
  '> Git repo: .git with 12 files',
  '',
  '#### Add a total() to the cart',
  '#### and a test for it',
  '',
  'Here is the change.',
  '',
  'shop/cart.py',
  '```python',
  '<<<<<<< SEARCH',
  '=======',
  'def total(): pass',
  '>>>>>>> REPLACE',
  '```',
  '',
  '> Tokens: 2.3k sent, 1.1k cache write, 120 received. Cost: $0.0089 message, $0.0089 session.',
  '> Applied edit to shop/cart.py',
  '> Commit 1a2b3c4 feat: add total',
  '',
  '#### /run pytest -q',
  '',
  '> 1 passed in 0.01s',
  '',
].join('\n');

describe('Aider', () => {
  it('reads a run: the prompt of two lines, the reply with its edit block whole, its tokens and cost, aider’s own lines as quiet messages', async () => {
    const repo = join(await tempDir(), 'shop');
    await mkdir(repo);
    const file = join(repo, '.aider.chat.history.md');
    // Written on Windows: CRLF line ends read the same.
    await writeFile(file, HISTORY.replaceAll('\n', '\r\n'));
    const { archive } = await tempArchive();
    const r = await syncAgent(archive, 'aider', { from: repo });
    expect(r.failures).toEqual([]);
    const id = aiderSessionId(file, 0, '2026-06-01T10:00:00');
    const info = await archive.sessions.get(id);
    expect(info).toMatchObject({ title: 'Add a total() to the cart', directory: repo, version: 'aider 0.86.1' });
    const messages = await archive.messages.list(id);
    const shape = messages.map((m) => `${m.info.role}${(m.info as { synthetic?: boolean }).synthetic ? '(aider)' : ''}`);
    expect(shape).toEqual(['user(aider)', 'user', 'assistant', 'user(aider)', 'user', 'user(aider)']);
    const reply = messages[2]?.info as {
      modelID: string;
      tokens: { input: number; output: number; cache: { write: number } };
      cost: number;
    };
    expect(reply).toMatchObject({
      modelID: 'anthropic/claude-sonnet-4-20250514',
      cost: 0.0089,
      tokens: { input: 2300, output: 120, cache: { write: 1100 } },
    });
    const text = (i: number) => messages[i]?.parts.map((p) => (p.type === 'text' ? p.text : '')).join('');
    expect(text(1)).toBe('Add a total() to the cart\nand a test for it');
    expect(text(2)).toContain('<<<<<<< SEARCH\n=======\ndef total(): pass\n>>>>>>> REPLACE\n```');
    expect(text(3)).toContain('Applied edit to shop/cart.py');
    expect(text(4)).toBe('/run pytest -q');
    expect(text(5)).toBe('1 passed in 0.01s');
    // Times: the run's start, then one step per message, in file order.
    const times = messages.map((m) => m.info.time.created);
    expect(times[0]).toBe(Date.parse('2026-06-01T10:00:00') + 1);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('a plain sync finds the history files of the repositories the archive knows, and of the folders SARC_AIDER_DIRS names', async () => {
    const root = await tempDir();
    const known = join(root, 'known');
    const named = join(root, 'named');
    await mkdir(known);
    await mkdir(join(named, 'tool'), { recursive: true });
    gitRepo(known);
    await writeFile(join(known, '.aider.chat.history.md'), HISTORY);
    await writeFile(join(named, 'tool', '.aider.chat.history.md'), HISTORY.replace('10:00:00', '12:00:00'));
    const { archive, dir, stateDir } = await tempArchive();
    await archive.projects.projectFor(known);
    const env = { SARC_ARCHIVE: dir, SARC_STATE_DIR: stateDir, HOME: root };
    const first = await sarc(['sync', 'aider', '--json'], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).sessions.new).toBe(1);
    const second = await sarc(['sync', 'aider', '--json'], { env: { ...env, SARC_AIDER_DIRS: named } });
    expect(JSON.parse(second.stdout).sessions.new).toBe(1);
    expect((await archive.sessions.list()).map((s) => s.directory).sort()).toEqual([known, join(named, 'tool')].sort());
  });
});
