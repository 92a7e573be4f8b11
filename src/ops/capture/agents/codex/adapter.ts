import type { AgentAdapter } from '../../contract.js';
import { envDir, fileStore, inHome } from '../../kit/index.js';
import { codexSessionId, readCodexRollout } from './convert.js';
import { codexRollout, codexRolloutPath, newCodexId } from './export.js';

// Codex: $CODEX_HOME/sessions (default ~/.codex/sessions), rollouts in
// YYYY/MM/DD/ folders (the spring-2025 `.json` ones directly below).

const ROLLOUT = /^rollout-.*\.jsonl?$/;

/** Where Codex keeps its rollouts: $CODEX_HOME/sessions, default ~/.codex/sessions. */
const sessionsDir = () => `${envDir('CODEX_HOME', () => inHome('.codex'))}/sessions`;

export const codex: AgentAdapter = {
  name: 'codex',
  label: 'Codex',
  unit: 'rollout',
  location: sessionsDir,
  open: fileStore({ depth: 3, want: (_rel, name) => ROLLOUT.test(name), read: (_root, entry, stats) => readCodexRollout(entry, stats) }),
  watchTargets: (from) => [{ path: from, depth: 3 }],
  archiveIds: (sourceID) => [codexSessionId(sourceID)],
  exportBack: {
    format: 'codex',
    lines: codexRollout,
    hint: async (_archive, sessionID) =>
      `Codex finds a rollout anywhere under ~/.codex/sessions/ by the ID in its first line (to go on with the session in Codex: sarc resume ${sessionID} --in codex)`,
    resume: {
      newId: newCodexId,
      path: (_directory, agentID) => codexRolloutPath(sessionsDir(), agentID, new Date()),
      command: (agentID) => ['codex', 'resume', agentID],
    },
  },
};
