import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SearchIndex } from '../../src/index.js';
import { sarc } from '../cli/helpers.js';
import { hasTool, SAMPLE, tempArchive } from '../helpers.js';
import { agentHome, CLAUDE, haveAgent, runAgent } from './agents.js';
import { type MockModel, startMockModel } from './mock-model.js';

// The real Claude Code, offline against the mock model, with `sarc mcp
// install` done: the model asks for the archive's search tool, Claude Code
// starts `sarc mcp` and calls it, and the answer goes back to the model.

const HAVE_SQLITE = hasTool('SQLite', () => SearchIndex.available(), 'node-sqlite3-wasm is a dependency: npm install');

let mock: MockModel;
beforeAll(async () => {
  mock = await startMockModel({ reply: 'found it' });
});
afterAll(async () => {
  await mock.close();
});

describe.skipIf(!haveAgent(CLAUDE) || !HAVE_SQLITE)('an agent searches the archive through sarc mcp', () => {
  it('Claude Code calls session-archive’s search tool and the model receives the grouped hits', async () => {
    const { dir } = await tempArchive({ samples: true });
    const h = await agentHome({
      ANTHROPIC_BASE_URL: mock.url,
      ANTHROPIC_API_KEY: 'x',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      // MCP tools offered to the model as they are, not behind Claude Code's ToolSearch (the mock cannot search).
      ENABLE_TOOL_SEARCH: 'false',
    });
    const install = await sarc(['--archive', dir, 'mcp', 'install', '--agent', 'claude-code'], { env: h.env });
    expect(install.code, install.stderr).toBe(0);
    const tool = 'mcp__session-archive__search';
    mock.call = { name: tool, input: { query: '"retry loop"' } };
    const before = mock.requests.length;
    const run = await runAgent(
      CLAUDE.bin,
      ['--model', 'mock-model', '--allowedTools', tool, '-p', 'Where did I write the retry loop?'],
      h,
      90_000,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('found it');
    const sent = mock.requests.slice(before).map((r) => JSON.stringify(r.body));
    // The tool was offered to the model…
    expect(sent.some((b) => b.includes(`"name":"${tool}"`))).toBe(true);
    // …and its answer, the archive's hits, came back in a tool result.
    const answered = sent.find((b) => b.includes('tool_result') && b.includes(SAMPLE.main));
    expect(answered, 'a request with the search result').toBeDefined();
    expect(answered).toContain('retry loop');
  }, 120_000);
});
