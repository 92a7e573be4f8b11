import type { AgentAdapter } from '../../contract.js';
import { envDir, fileStore, inHome } from '../../kit/index.js';
import { copilotSessionId, readCopilotEvents } from './convert.js';
import { copilotEvents, copilotWorkspace, newCopilotId } from './export.js';

// GitHub Copilot CLI: $COPILOT_HOME/session-state (default ~/.copilot), a
// folder per session with its events.jsonl; older versions wrote
// session-state/<uuid>.jsonl directly.

const FOLDER = /^([^/]+)\/events\.jsonl$/;
const FLAT = /^([^/]+)\.jsonl$/;

function sessionOf(rel: string): string | undefined {
  return FOLDER.exec(rel)?.[1] ?? FLAT.exec(rel)?.[1];
}

/** Where Copilot CLI keeps its sessions: $COPILOT_HOME/session-state, default ~/.copilot/session-state. */
const stateDir = () => `${envDir('COPILOT_HOME', () => inHome('.copilot'))}/session-state`;

export const copilotCli: AgentAdapter = {
  name: 'copilot-cli',
  label: 'Copilot CLI',
  unit: 'session',
  location: stateDir,
  open: fileStore({
    depth: 1,
    want: (rel) => sessionOf(rel) !== undefined,
    enter: (_rel, name) => !name.startsWith('.'),
    read: (_root, entry, stats) => readCopilotEvents(entry.where, sessionOf(entry.key) ?? entry.key, stats),
  }),
  watchTargets: (from) => [{ path: from, depth: 1 }],
  archiveIds: (sourceID) => [copilotSessionId(sourceID)],
  exportBack: {
    format: 'copilot-cli',
    lines: copilotEvents,
    hint: async (_archive, sessionID) =>
      `Copilot CLI looks in ~/.copilot/session-state/<session ID>/events.jsonl, with a workspace.yaml beside it (to go on with the session in Copilot CLI: sarc resume ${sessionID} --in copilot-cli)`,
    resume: {
      newId: newCopilotId,
      path: (_directory, agentID) => `${stateDir()}/${agentID}/events.jsonl`,
      command: (agentID) => ['copilot', `--resume=${agentID}`],
      beside: (directory, agentID) => [
        {
          path: `${stateDir()}/${agentID}/workspace.yaml`,
          text: copilotWorkspace(agentID, directory, 'Resumed from the archive', new Date()),
        },
      ],
    },
  },
};
