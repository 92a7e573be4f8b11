import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import { SearchIndex } from '../../src/index.js';
import { codexToml } from '../../src/mcp/install.js';
import { ANSWER_CHARS } from '../../src/mcp/server.js';
import { sarc } from '../cli/helpers.js';
import { hasTool, SAMPLE, SARC, tempArchive, tempDir, userMessage } from '../helpers.js';

const HAVE_SQLITE = hasTool('SQLite', () => SearchIndex.available(), 'Node 22.5+, or npm install better-sqlite3');

const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => {});
});

/** The real `sarc mcp` as a child process, spoken to with the SDK's own client. */
async function connect(dir: string, stateDir: string): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...SARC, '--archive', dir, 'mcp'],
    env: { ...(process.env as Record<string, string>), SARC_STATE_DIR: stateDir, SARC_NO_WATCHER: '1' },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'test', version: '1' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

const textOf = (r: unknown) => ((r as { content: Array<{ text: string }> }).content[0] as { text: string }).text;
const jsonOf = (r: unknown) => JSON.parse(textOf(r));

describe.skipIf(!HAVE_SQLITE)('sarc mcp: the archive as an MCP server', () => {
  it('offers read-only tools to search, list and read sessions, their todos and files', async () => {
    const { dir, stateDir } = await tempArchive({ samples: true });
    const client = await connect(dir, stateDir);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['list_sessions', 'read_session', 'search', 'session_files', 'session_todos']);
    for (const t of tools) expect(t.annotations?.readOnlyHint, t.name).toBe(true);

    // Search: grouped per session, the fork's copies folded into its source.
    const found = jsonOf(await client.callTool({ name: 'search', arguments: { query: '"retry loop"' } }));
    expect(found.sessions).toHaveLength(1);
    expect(found.sessions[0]).toMatchObject({ sessionID: SAMPLE.main, hits: 2, forksFoldedIn: [SAMPLE.fork] });
    expect(found.sessions[0].best.snippet).toContain('retry loop');
    // Filters as sarc list: project by name, agent.
    const listed = jsonOf(await client.callTool({ name: 'list_sessions', arguments: { project: 'webapp' } }));
    expect(listed.sessions.map((s: { id: string }) => s.id).sort()).toEqual([SAMPLE.child, SAMPLE.fork, SAMPLE.main].sort());
    expect(jsonOf(await client.callTool({ name: 'list_sessions', arguments: { agent: 'codex' } })).sessions).toEqual([]);
    // Reading: turns as Markdown, a prefix will do.
    const read = textOf(await client.callTool({ name: 'read_session', arguments: { session: 'fe5e0a1b2c3d' } }));
    expect(read).toContain('# Add retries to the HTTP client');
    expect(read).toContain('## You · 2026-10-03 09:15 UTC');
    expect(read).toContain('(end of the session)');
    const todos = jsonOf(await client.callTool({ name: 'session_todos', arguments: { session: SAMPLE.main } }));
    expect(todos.todos.map((t: { content: string }) => t.content)).toContain('Wrap fetch in withRetry');
    const files = jsonOf(await client.callTool({ name: 'session_files', arguments: { session: SAMPLE.main } }));
    expect(files.files.map((f: { file: string }) => f.file)).toContain('src/client.ts');
    // A wrong session is an error result the model can read, not a broken connection.
    const missing = await client.callTool({ name: 'read_session', arguments: { session: 'ses_0000000000000000000000000z' } });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/^error: .*not found/);
    expect(jsonOf(await client.callTool({ name: 'list_sessions', arguments: {} })).sessions.length).toBeGreaterThan(0);
  }, 90_000);

  it('answers a long session a bounded range at a time, and says where to go on', async () => {
    const { dir, stateDir, archive } = await tempArchive();
    const s = await archive.sessions.create({ title: 'long', directory: '/w' });
    const big = 'x'.repeat(3_000);
    for (let i = 0; i < 120; i++) await archive.messages.append(s.id, userMessage(`message ${i} ${big}`, { time: { created: 1_000 + i } }));
    const client = await connect(dir, stateDir);
    let from = 0;
    const seen: number[] = [];
    for (let calls = 0; calls < 40 && from < 120; calls++) {
      const page = textOf(await client.callTool({ name: 'read_session', arguments: { session: s.id, from } }));
      expect(page.length).toBeLessThanOrEqual(ANSWER_CHARS + 200);
      for (const m of page.matchAll(/message (\d+) x/g)) seen.push(Number(m[1]));
      const next = /\(next: read_session with from: (\d+)\)/.exec(page);
      if (!next) {
        expect(page).toContain('(end of the session)');
        break;
      }
      expect(Number(next[1])).toBeGreaterThan(from);
      from = Number(next[1]);
    }
    // Every message once, in order, over the pages.
    expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => i));
  }, 90_000);
});

describe('sarc mcp install', () => {
  it("writes each agent's MCP configuration, keeping what was there; again, it changes nothing", async () => {
    const { dir } = await tempArchive();
    const home = await tempDir();
    const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), CODEX_HOME: join(home, '.codex') };
    await writeFile(join(home, '.claude.json'), JSON.stringify({ theme: 'dark', mcpServers: { other: { command: 'x' } } }));
    const files: Record<string, string> = {
      'claude-code': join(home, '.claude.json'),
      codex: join(home, '.codex', 'config.toml'),
      'gemini-cli': join(home, '.gemini', 'settings.json'),
      opencode: join(home, '.config', 'opencode', 'opencode.json'),
    };
    for (const agent of Object.keys(files)) {
      const run = await sarc(['--archive', dir, 'mcp', 'install', '--agent', agent, '--json'], { env });
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ agent, config: files[agent] });
    }
    const claude = JSON.parse(await readFile(files['claude-code'] as string, 'utf8'));
    expect(claude.theme).toBe('dark');
    expect(claude.mcpServers.other).toEqual({ command: 'x' });
    expect(claude.mcpServers['session-archive']).toMatchObject({ type: 'stdio', command: process.execPath });
    expect(claude.mcpServers['session-archive'].args.slice(-3)).toEqual(['--archive', dir, 'mcp']);
    const gemini = JSON.parse(await readFile(files['gemini-cli'] as string, 'utf8'));
    expect(gemini.mcpServers['session-archive'].args.at(-1)).toBe('mcp');
    const opencode = JSON.parse(await readFile(files.opencode as string, 'utf8'));
    expect(opencode.mcp['session-archive']).toMatchObject({ type: 'local', enabled: true });
    expect(opencode.mcp['session-archive'].command.at(-1)).toBe('mcp');
    const toml = await readFile(files.codex as string, 'utf8');
    expect(toml).toContain('[mcp_servers.session-archive]\n');
    // Again: the same files.
    const before = await Promise.all(Object.values(files).map((f) => readFile(f, 'utf8')));
    for (const agent of Object.keys(files))
      expect((await sarc(['--archive', dir, 'mcp', 'install', '--agent', agent], { env })).code).toBe(0);
    expect(await Promise.all(Object.values(files).map((f) => readFile(f, 'utf8')))).toEqual(before);
    // A broken config is left alone, with the reason.
    await writeFile(files['gemini-cli'] as string, '{ not json');
    const broken = await sarc(['--archive', dir, 'mcp', 'install', '--agent', 'gemini-cli'], { env });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/settings\.json is not valid JSON/);
    expect(await readFile(files['gemini-cli'] as string, 'utf8')).toBe('{ not json');
    expect((await sarc(['--archive', dir, 'mcp', 'install', '--agent', 'vim'], { env })).code).toBe(2);
  }, 90_000);

  it("replaces Codex's table in place and keeps the rest of config.toml", () => {
    const launch = { command: '/usr/bin/node', args: ['/x/sarc.js', 'mcp'] };
    const old = 'model = "o3"\n\n[mcp_servers.session-archive]\ncommand = "old"\nargs = []\n\n[profiles.fast]\nmodel = "mini"\n';
    const next = codexToml(old, launch);
    expect(next).toBe(
      'model = "o3"\n\n[mcp_servers.session-archive]\ncommand = "/usr/bin/node"\nargs = ["/x/sarc.js", "mcp"]\n\n[profiles.fast]\nmodel = "mini"\n',
    );
    expect(codexToml('', launch)).toBe('[mcp_servers.session-archive]\ncommand = "/usr/bin/node"\nargs = ["/x/sarc.js", "mcp"]\n');
  });
});
