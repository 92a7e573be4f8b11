import type { AgentAdapter } from '../../contract.js';
import { envDir, fileStore, inHome } from '../../kit/index.js';
import { piSessionId, readPiSession } from './convert.js';
import { newPiId, piSession, piSessionPath } from './export.js';

// Pi: ~/.pi/agent/sessions ($PI_CODING_AGENT_SESSION_DIR, or $PI_CODING_AGENT_DIR/sessions), a folder per
// working folder, a JSONL file per session.

/** Where Pi keeps its sessions. */
const sessionsDir = () =>
  envDir('PI_CODING_AGENT_SESSION_DIR', () => `${envDir('PI_CODING_AGENT_DIR', () => inHome('.pi', 'agent'))}/sessions`);

export const pi: AgentAdapter = {
  name: 'pi',
  label: 'Pi',
  unit: 'session',
  location: sessionsDir,
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
  exportBack: {
    format: 'pi',
    lines: piSession,
    hint: async (_archive, sessionID) =>
      `Pi looks in ~/.pi/agent/sessions/--<folder>--/<time>_<session ID>.jsonl (to go on with the session in Pi: sarc resume ${sessionID} --in pi)`,
    resume: {
      newId: newPiId,
      path: (directory, agentID) => piSessionPath(sessionsDir(), directory, agentID, new Date()),
      command: (agentID) => ['pi', '--session', agentID],
    },
  },
};
