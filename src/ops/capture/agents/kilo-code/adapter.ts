import type { AgentAdapter } from '../../contract.js';
import { CLINE_FILES, clineSessionId, editorStorages, fileStore, firstExisting, home, readClineTask } from '../../kit/index.js';

// Kilo Code: a VS Code extension (kilocode.kilo-code) that keeps each task as a folder in the
// editor's extension storage, .../globalStorage/kilocode.kilo-code/tasks/<task id>/ (the
// first editor found: VS Code, Insiders, VSCodium, Cursor, Windsurf; on Linux,
// macOS and Windows). Its files are read together, as one source.

export const kiloCode: AgentAdapter = {
  name: 'kilo-code',
  label: 'Kilo Code',
  unit: 'task',
  location: () => `${firstExisting(editorStorages(home(), 'kilocode.kilo-code'))}/tasks`,
  open: fileStore({
    depth: 1,
    want: (rel, name) => rel.includes('/') && CLINE_FILES.includes(name),
    group: (rel) => rel.split('/')[0] as string,
    read: (_root, _entry, stats, files) => readClineTask(files, stats, { agent: 'kilo-code', envelope: 'kiloCode' }),
  }),
  watchTargets: (from) => [{ path: from, depth: 1 }],
  archiveIds: (sourceID) => [clineSessionId('kilo-code', sourceID)],
};
