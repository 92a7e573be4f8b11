import { ArchiveError } from '../../errors.js';
import type { AgentAdapter } from './contract.js';

// The one list of agents. Each entry is light (names and a loader), so the
// command line knows every agent's name, label and unit without loading any
// converter; the adapter itself is imported when it is used.

export interface AgentEntry {
  /** The name `sarc sync` takes. */
  readonly name: string;
  /** For people. */
  readonly label: string;
  /** What one source is, for counts. */
  readonly unit: string;
  /** The format the adapter writes sessions back in (`sarc export --format <it>`), if any. */
  readonly exportFormat?: string;
  /** Whether the adapter reads the agent's own export files (`sarc import`). */
  readonly imports: boolean;
  /** Loads the adapter. */
  load(): Promise<AgentAdapter>;
}

export const AGENTS = [
  {
    name: 'claude-code',
    label: 'Claude Code',
    unit: 'transcript',
    exportFormat: 'claude-code',
    imports: false,
    load: async () => (await import('./agents/claude-code/adapter.js')).claudeCode,
  },
  {
    name: 'codex',
    label: 'Codex',
    unit: 'rollout',
    exportFormat: 'codex',
    imports: false,
    load: async () => (await import('./agents/codex/adapter.js')).codex,
  },
  {
    name: 'opencode',
    label: 'OpenCode',
    unit: 'session',
    exportFormat: 'opencode2',
    imports: true,
    load: async () => (await import('./agents/opencode/adapter.js')).opencode,
  },
  {
    name: 'gemini-cli',
    label: 'Gemini CLI',
    unit: 'chat',
    exportFormat: 'gemini-cli',
    imports: false,
    load: async () => (await import('./agents/gemini-cli/adapter.js')).geminiCli,
  },
  {
    name: 'qwen-code',
    label: 'Qwen Code',
    unit: 'chat',
    exportFormat: 'qwen-code',
    imports: false,
    load: async () => (await import('./agents/qwen-code/adapter.js')).qwenCode,
  },
  {
    name: 'pi',
    label: 'Pi',
    unit: 'session',
    exportFormat: 'pi',
    imports: false,
    load: async () => (await import('./agents/pi/adapter.js')).pi,
  },
  {
    name: 'copilot-cli',
    label: 'Copilot CLI',
    unit: 'session',
    exportFormat: 'copilot-cli',
    imports: false,
    load: async () => (await import('./agents/copilot-cli/adapter.js')).copilotCli,
  },
  {
    name: 'copilot-vscode',
    label: 'VS Code Copilot Chat',
    unit: 'chat',
    imports: false,
    load: async () => (await import('./agents/copilot-vscode/adapter.js')).copilotVscode,
  },
  {
    name: 'cursor',
    label: 'Cursor',
    unit: 'chat',
    imports: false,
    load: async () => (await import('./agents/cursor/adapter.js')).cursor,
  },
  {
    name: 'cline',
    label: 'Cline',
    unit: 'task',
    imports: false,
    load: async () => (await import('./agents/cline/adapter.js')).cline,
  },
  {
    name: 'roo-code',
    label: 'Roo Code',
    unit: 'task',
    imports: false,
    load: async () => (await import('./agents/roo-code/adapter.js')).rooCode,
  },
  {
    name: 'kilo-code',
    label: 'Kilo Code',
    unit: 'task',
    imports: false,
    load: async () => (await import('./agents/kilo-code/adapter.js')).kiloCode,
  },
  {
    name: 'amp',
    label: 'Amp',
    unit: 'thread',
    imports: false,
    load: async () => (await import('./agents/amp/adapter.js')).amp,
  },
  {
    name: 'aider',
    label: 'Aider',
    unit: 'history file',
    imports: false,
    load: async () => (await import('./agents/aider/adapter.js')).aider,
  },
  {
    name: 'crush',
    label: 'Crush',
    unit: 'session',
    imports: false,
    load: async () => (await import('./agents/crush/adapter.js')).crush,
  },
  {
    name: 'droid',
    label: 'Factory Droid',
    unit: 'session',
    imports: false,
    load: async () => (await import('./agents/droid/adapter.js')).droid,
  },
] as const satisfies readonly AgentEntry[];

export type AgentName = (typeof AGENTS)[number]['name'];

/** The formats agents write sessions back in (`sarc export --format`), and which agent writes each. */
export const EXPORT_FORMATS: ReadonlyArray<{ format: string; agent: string }> = AGENTS.flatMap((a) =>
  'exportFormat' in a && a.exportFormat ? [{ format: a.exportFormat, agent: a.name }] : [],
);

/** Every agent's name, in the registry's order. */
export const AGENT_NAMES: readonly AgentName[] = AGENTS.map((a) => a.name);

/** The entry of an agent by name, or `undefined`. */
export function agentEntry(name: string): AgentEntry | undefined {
  return AGENTS.find((a) => a.name === name);
}

/** The adapter of an agent by name (loaded on first use). */
export async function loadAgent(name: string): Promise<AgentAdapter> {
  const entry = agentEntry(name);
  if (!entry) throw new ArchiveError('INVALID_INPUT', `unknown agent ${JSON.stringify(name)}: expected ${AGENT_NAMES.join(', ')}`);
  return entry.load();
}
