import type { AgentAdapter } from '../../contract.js';
import { envDir, fileStore, inHome } from '../../kit/index.js';
import { ampSessionId, readAmpThread } from './convert.js';

// Amp: $XDG_DATA_HOME/amp/threads (default ~/.local/share/amp/threads), one
// JSON document per thread.

export const amp: AgentAdapter = {
  name: 'amp',
  label: 'Amp',
  unit: 'thread',
  location: () => `${envDir('XDG_DATA_HOME', () => inHome('.local', 'share'))}/amp/threads`,
  open: fileStore({
    depth: 0,
    want: (_rel, name) => /^T-.+\.json$/.test(name),
    read: (_root, entry, stats) => readAmpThread(entry, stats),
  }),
  watchTargets: (from) => [{ path: from, depth: 0 }],
  archiveIds: (sourceID) => [ampSessionId(sourceID)],
};
