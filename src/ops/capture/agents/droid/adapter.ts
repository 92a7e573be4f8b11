import type { AgentAdapter } from '../../contract.js';
import { fileStore, inHome } from '../../kit/index.js';
import { droidSessionId, readDroidSession } from './convert.js';

// Factory Droid: ~/.factory/sessions, a folder per working folder (older
// versions: the files directly there), a JSONL file per session.

export const droid: AgentAdapter = {
  name: 'droid',
  label: 'Factory Droid',
  unit: 'session',
  location: () => inHome('.factory', 'sessions'),
  open: fileStore({
    depth: 1,
    want: (_rel, name) => name.endsWith('.jsonl'),
    read: (root, entry, stats) => readDroidSession(root, entry, stats),
  }),
  watchTargets: (from) => [{ path: from, depth: 1 }],
  archiveIds: (sourceID) => [droidSessionId(sourceID)],
};
