import type { AgentAdapter } from '../../contract.js';
import { envDir, fileStore, inHome, readGeminiChatFiles } from '../../kit/index.js';
import { qwenSessionId, readQwenChat } from './convert.js';
import { newQwenId, qwenChat, qwenChatPath } from './export.js';

// Qwen Code: ~/.qwen (or $QWEN_HOME). Its sessions are projects/<working
// folder, / → ->/chats/<session ID>.jsonl; before that it kept Gemini CLI's
// layout (it began as a fork of it): tmp/<hash>/chats/session-*.json.

const CURRENT = /^projects\/[^/]+\/chats\/([^/]+)\.jsonl$/;
const OLDER = /^tmp\/[^/]+\/chats\/session-.*?([0-9A-Za-z_-]{1,8})\.jsonl?$/;

/** Qwen Code's folder: $QWEN_HOME, default ~/.qwen. */
const qwenHome = () => envDir('QWEN_HOME', () => inHome('.qwen'));

export const qwenCode: AgentAdapter = {
  name: 'qwen-code',
  label: 'Qwen Code',
  unit: 'chat',
  location: () => qwenHome(),
  open: fileStore({
    depth: 3,
    want: (rel) => CURRENT.test(rel) || OLDER.test(rel),
    enter: (rel) => {
      const parts = rel.split('/');
      return (parts[0] === 'projects' || parts[0] === 'tmp') && (parts.length !== 3 || parts[2] === 'chats');
    },
    read: (_root, entry, stats, files) => {
      const current = CURRENT.exec(entry.key)?.[1];
      if (current) return readQwenChat(entry.where, current, stats);
      return readGeminiChatFiles(files, stats, {
        agent: 'qwen-code',
        envelope: 'qwenCode',
        providerID: 'openai',
        sessionId: qwenSessionId,
        fallbackId: OLDER.exec(entry.key)?.[1] ?? entry.key,
      });
    },
  }),
  watchTargets: (from) => [
    { path: `${from}/projects`, depth: 2 },
    { path: `${from}/tmp`, depth: 2 },
  ],
  archiveIds: (sourceID) => [qwenSessionId(sourceID)],
  exportBack: {
    format: 'qwen-code',
    lines: qwenChat,
    hint: async (_archive, sessionID) =>
      `Qwen Code looks in ~/.qwen/projects/<folder>/chats/<session ID>.jsonl (to go on with the session in Qwen Code: sarc resume ${sessionID} --in qwen-code)`,
    resume: {
      newId: newQwenId,
      path: (directory, agentID) => qwenChatPath(qwenHome(), directory, agentID),
      command: (agentID) => ['qwen', '--resume', agentID],
    },
  },
};
