import type { AgentAdapter } from '../../contract.js';
import { envDir, fileStore, inHome } from '../../kit/index.js';
import { copilotSessionId, readCopilotEvents } from './convert.js';

// GitHub Copilot CLI: $COPILOT_HOME/session-state (default ~/.copilot), a
// folder per session with its events.jsonl; older versions wrote
// session-state/<uuid>.jsonl directly.

const FOLDER = /^([^/]+)\/events\.jsonl$/;
const FLAT = /^([^/]+)\.jsonl$/;

function sessionOf(rel: string): string | undefined {
  return FOLDER.exec(rel)?.[1] ?? FLAT.exec(rel)?.[1];
}

export const copilotCli: AgentAdapter = {
  name: 'copilot-cli',
  label: 'Copilot CLI',
  unit: 'session',
  location: () => `${envDir('COPILOT_HOME', () => inHome('.copilot'))}/session-state`,
  open: fileStore({
    depth: 1,
    want: (rel) => sessionOf(rel) !== undefined,
    enter: (_rel, name) => !name.startsWith('.'),
    read: (_root, entry, stats) => readCopilotEvents(entry.where, sessionOf(entry.key) ?? entry.key, stats),
  }),
  watchTargets: (from) => [{ path: from, depth: 1 }],
  archiveIds: (sourceID) => [copilotSessionId(sourceID)],
};
