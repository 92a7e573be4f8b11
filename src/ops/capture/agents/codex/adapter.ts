import type { AgentAdapter } from '../../contract.js';
import { envDir, fileStore, inHome } from '../../kit/index.js';
import { codexSessionId, readCodexRollout } from './convert.js';

// Codex: $CODEX_HOME/sessions (default ~/.codex/sessions), rollouts in
// YYYY/MM/DD/ folders (the spring-2025 `.json` ones directly below).

const ROLLOUT = /^rollout-.*\.jsonl?$/;

export const codex: AgentAdapter = {
  name: 'codex',
  label: 'Codex',
  unit: 'rollout',
  location: () => `${envDir('CODEX_HOME', () => inHome('.codex'))}/sessions`,
  open: fileStore({ depth: 3, want: (_rel, name) => ROLLOUT.test(name), read: (_root, entry, stats) => readCodexRollout(entry, stats) }),
  watchTargets: (from) => [{ path: from, depth: 3 }],
  archiveIds: (sourceID) => [codexSessionId(sourceID)],
};
