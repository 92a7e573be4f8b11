import type { AgentAdapter } from '../../contract.js';
import { envDir, fileStore, inHome } from '../../kit/index.js';
import { piSessionId, readPiSession } from './convert.js';

// Pi: ~/.pi/agent/sessions ($PI_CODING_AGENT_SESSION_DIR, or $PI_CODING_AGENT_DIR/sessions), a folder per
// working folder, a JSONL file per session.

export const pi: AgentAdapter = {
  name: 'pi',
  label: 'Pi',
  unit: 'session',
  location: () => envDir('PI_CODING_AGENT_SESSION_DIR', () => `${envDir('PI_CODING_AGENT_DIR', () => inHome('.pi', 'agent'))}/sessions`),
  open: fileStore({
    depth: 1,
    want: (rel, name) => rel.includes('/') && name.endsWith('.jsonl'),
    read: (_root, entry, stats) => readPiSession(entry, stats),
  }),
  watchTargets: (from) => [{ path: from, depth: 1 }],
  archiveIds: (sourceID) => {
    const [uuid, branch] = sourceID.split(':');
    return uuid ? [piSessionId(uuid, branch)] : [];
  },
};
