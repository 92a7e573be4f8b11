import { dirname } from 'node:path';
import type { AgentAdapter } from '../../contract.js';
import { editorStorages, fileStore, firstExisting, home } from '../../kit/index.js';
import { copilotVscodeSessionId, readCopilotVscodeSession } from './convert.js';

// GitHub Copilot Chat in VS Code: the editor's own chat sessions, under the
// user folder of the first editor found (VS Code, Insiders, VSCodium,
// Cursor, Windsurf; Linux, macOS and Windows paths):
// `workspaceStorage/<workspace>/chatSessions/<id>.jsonl|.json` and
// `globalStorage/emptyWindowChatSessions/<id>.json`.

const FOLDERS = new Set(['workspaceStorage', 'globalStorage', 'chatSessions', 'emptyWindowChatSessions']);

/** Whether a path below the user folder is a session file. */
function isSession(rel: string): boolean {
  const p = rel.split('/');
  const file = /\.jsonl?$/.test(p.at(-1) ?? '');
  return (
    file &&
    ((p.length === 4 && p[0] === 'workspaceStorage' && p[2] === 'chatSessions') ||
      (p.length === 3 && p[0] === 'globalStorage' && p[1] === 'emptyWindowChatSessions'))
  );
}

export const copilotVscode: AgentAdapter = {
  name: 'copilot-vscode',
  label: 'VS Code Copilot Chat',
  unit: 'chat',
  // The editor's user folder: the parent of its globalStorage.
  location: () => dirname(dirname(firstExisting(editorStorages(home(), 'github.copilot-chat')))),
  open: fileStore({
    depth: 3,
    want: (rel) => isSession(rel),
    // workspaceStorage/<workspace>/chatSessions and globalStorage/emptyWindowChatSessions only.
    enter: (rel, name) => FOLDERS.has(name) || (rel.split('/').length === 2 && rel.startsWith('workspaceStorage/')),
    read: (root, entry, stats) => readCopilotVscodeSession(root, entry, stats),
  }),
  watchTargets: (from) => [
    // The workspaces' chatSessions folders and their files (not the workspaces' databases, which change all the time).
    {
      path: `${from}/workspaceStorage`,
      depth: 2,
      accept: (p: string) => /[/\\]chatSessions([/\\][^/\\]+\.jsonl?)?$/.test(p) || dirname(p) === `${from}/workspaceStorage`,
    },
    { path: `${from}/globalStorage/emptyWindowChatSessions`, depth: 0 },
  ],
  archiveIds: (sourceID) => [copilotVscodeSessionId(sourceID)],
};
