// `sarc mcp install --agent …`: the agent's own MCP configuration, with
// `session-archive` as a stdio server that runs `sarc mcp` on this archive.
// Each file is read, the one entry set, and written back whole (atomically);
// everything else in it is kept. JSON files are edited as JSON; Codex's TOML
// gets its one table replaced or appended.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** The agents whose MCP configuration `sarc mcp install` writes. */
export const MCP_AGENTS = ['claude-code', 'codex', 'gemini-cli', 'opencode'] as const;
export type McpAgent = (typeof MCP_AGENTS)[number];

/** The server's name in every agent's configuration (its tools appear as `mcp__session-archive__search` and the like). */
export const MCP_NAME = 'session-archive';

/** How the agent starts the server: a command and its arguments. */
export interface McpLaunch {
  command: string;
  args: string[];
}

/** Where each agent keeps its user-wide MCP configuration, under `home`. */
export function mcpConfigPath(agent: McpAgent, home = homedir(), env: NodeJS.ProcessEnv = process.env): string {
  switch (agent) {
    case 'claude-code':
      return join(home, '.claude.json');
    case 'codex':
      return join(env.CODEX_HOME || join(home, '.codex'), 'config.toml');
    case 'gemini-cli':
      return join(home, '.gemini', 'settings.json');
    case 'opencode':
      return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'opencode', 'opencode.json');
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function writeWhole(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.sarc-${process.pid}.tmp`;
  await writeFile(temp, text, { mode: 0o600 });
  await rename(temp, path);
}

function jsonObject(text: string | undefined, path: string): Record<string, unknown> {
  if (text === undefined || text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message}); fix it first, nothing was written`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${path} is not a JSON object; nothing was written`);
  return value as Record<string, unknown>;
}

const tomlString = (s: string) => JSON.stringify(s);

/** Codex's config.toml with the `[mcp_servers.session-archive]` table set (replaced where it was, else appended). */
export function codexToml(text: string, launch: McpLaunch): string {
  const table = [
    `[mcp_servers.${MCP_NAME}]`,
    `command = ${tomlString(launch.command)}`,
    `args = [${launch.args.map(tomlString).join(', ')}]`,
  ].join('\n');
  const lines = text.split('\n');
  const header = (l: string) => /^\s*\[/.test(l);
  const start = lines.findIndex((l) => l.trim() === `[mcp_servers.${MCP_NAME}]` || l.trim() === `[mcp_servers."${MCP_NAME}"]`);
  if (start < 0) return `${text.replace(/\s*$/, '')}${text.trim() ? '\n\n' : ''}${table}\n`;
  let end = start + 1;
  while (end < lines.length && !header(lines[end] as string)) end++;
  return [...lines.slice(0, start), ...table.split('\n'), '', ...lines.slice(end)].join('\n').replace(/\n{3,}/g, '\n\n');
}

/** Writes the agent's configuration; resolves with the file written. */
export async function installMcp(
  agent: McpAgent,
  launch: McpLaunch,
  home = homedir(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const path = mcpConfigPath(agent, home, env);
  const old = await readText(path);
  if (agent === 'codex') {
    await writeWhole(path, codexToml(old ?? '', launch));
    return path;
  }
  const config = jsonObject(old, path);
  if (agent === 'opencode') {
    const mcp = (config.mcp && typeof config.mcp === 'object' ? config.mcp : {}) as Record<string, unknown>;
    config.$schema ??= 'https://opencode.ai/config.json';
    config.mcp = { ...mcp, [MCP_NAME]: { type: 'local', command: [launch.command, ...launch.args], enabled: true } };
  } else {
    const servers = (config.mcpServers && typeof config.mcpServers === 'object' ? config.mcpServers : {}) as Record<string, unknown>;
    const entry =
      agent === 'claude-code'
        ? { type: 'stdio', command: launch.command, args: launch.args, env: {} }
        : { command: launch.command, args: launch.args };
    config.mcpServers = { ...servers, [MCP_NAME]: entry };
  }
  await writeWhole(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}
