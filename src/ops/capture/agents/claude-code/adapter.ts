import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { AgentAdapter } from '../../contract.js';
import { envDir, fileStore, inHome } from '../../kit/index.js';
import { claudeSessionId, readClaudeTranscript } from './convert.js';
import { claudeProjectFolder, claudeSessionIdOf, claudeTranscript } from './export.js';

// Claude Code: ~/.claude/projects (or $CLAUDE_CONFIG_DIR/projects), one
// folder per working folder, a JSONL transcript per session, sub-agents in
// the session's own folder.

/** Which files under projects/ are transcripts, by their path's parts; `undefined` for any other file. */
function depthOf(rel: string, name: string): number | undefined {
  if (!name.endsWith('.jsonl')) return undefined;
  const parts = rel.split('/');
  const agent = name.startsWith('agent-');
  if (parts.length === 2) return agent ? 1 : 0;
  if (!agent) return undefined;
  if (parts.length === 4 && parts[2] === 'subagents') return 1;
  if (parts.length === 6 && parts[2] === 'subagents' && parts[3] === 'workflows') return 1;
  return undefined;
}

/** Folders a transcript can be in: a project, a session's folder, its subagents/ and workflows/<wf>/. */
function enter(rel: string, name: string): boolean {
  const depth = rel.split('/').length;
  if (depth <= 2) return true;
  if (depth === 3) return name === 'subagents';
  if (depth === 4) return name === 'workflows';
  return depth === 5;
}

/** Where Claude Code keeps its transcripts: ~/.claude/projects, or $CLAUDE_CONFIG_DIR/projects. */
const projectsDir = () => `${envDir('CLAUDE_CONFIG_DIR', () => inHome('.claude'))}/projects`;

export const claudeCode: AgentAdapter = {
  name: 'claude-code',
  label: 'Claude Code',
  unit: 'transcript',
  location: () => projectsDir(),
  open: fileStore({
    depth: 5,
    want: (rel, name) => depthOf(rel, name) !== undefined,
    enter,
    depthOf: (rel) => depthOf(rel, rel.split('/').at(-1) ?? '') ?? 0,
    read: readClaudeTranscript,
  }),
  watchTargets: (from) => [{ path: from, depth: 5 }],
  exportBack: {
    format: 'claude-code',
    lines: claudeTranscript,
    async hint(archive, sessionID) {
      const info = await archive.sessions.get(sessionID);
      const where = `~/.claude/projects/${claudeProjectFolder(info.directory)}/${claudeSessionIdOf(info)}.jsonl`;
      // Never a suggestion to write over the agent's own file: that makes a second copy at the next sync.
      return `it is the transcript Claude Code keeps as ${where}; put it there only if that file is gone (to go on with the session in Claude Code: sarc resume ${sessionID})`;
    },
    resume: {
      newId: () => randomUUID(),
      path: (directory, agentID) => join(projectsDir(), claudeProjectFolder(directory), `${agentID}.jsonl`),
      command: (agentID) => ['claude', '--resume', agentID],
    },
  },
  archiveIds: (sourceID) => {
    const [session, agent] = sourceID.split(':');
    return session ? [claudeSessionId(session, agent)] : [];
  },
};
