import type { AgentAdapter } from '../../contract.js';
import { CLINE_FILES, clineSessionId, editorStorages, fileStore, firstExisting, home, readClineTask } from '../../kit/index.js';

// Cline: a VS Code extension (saoudrizwan.claude-dev) that keeps each task as a folder in the
// editor's extension storage, .../globalStorage/saoudrizwan.claude-dev/tasks/<task id>/ (the
// first editor found: VS Code, Insiders, VSCodium, Cursor, Windsurf; on Linux,
// macOS and Windows). Its files are read together, as one source.

export const cline: AgentAdapter = {
  name: 'cline',
  label: 'Cline',
  unit: 'task',
  location: () => `${firstExisting(editorStorages(home(), 'saoudrizwan.claude-dev'))}/tasks`,
  open: fileStore({
    depth: 1,
    want: (rel, name) => rel.includes('/') && CLINE_FILES.includes(name),
    group: (rel) => rel.split('/')[0] as string,
    read: (_root, _entry, stats, files) => readClineTask(files, stats, { agent: 'cline', envelope: 'cline' }),
  }),
  watchTargets: (from) => [{ path: from, depth: 1 }],
  archiveIds: (sourceID) => [clineSessionId('cline', sourceID)],
};
