import type { AgentAdapter } from '../../contract.js';
import { CLINE_FILES, clineSessionId, editorStorages, fileStore, firstExisting, home, readClineTask } from '../../kit/index.js';

// Roo Code: a VS Code extension (rooveterinaryinc.roo-cline) that keeps each task as a folder in the
// editor's extension storage, .../globalStorage/rooveterinaryinc.roo-cline/tasks/<task id>/ (the
// first editor found: VS Code, Insiders, VSCodium, Cursor, Windsurf; on Linux,
// macOS and Windows). Its files are read together, as one source.

export const rooCode: AgentAdapter = {
  name: 'roo-code',
  label: 'Roo Code',
  unit: 'task',
  location: () => `${firstExisting(editorStorages(home(), 'rooveterinaryinc.roo-cline'))}/tasks`,
  open: fileStore({
    depth: 1,
    want: (rel, name) => rel.includes('/') && CLINE_FILES.includes(name),
    group: (rel) => rel.split('/')[0] as string,
    read: (_root, _entry, stats, files) => readClineTask(files, stats, { agent: 'roo-code', envelope: 'rooCode' }),
  }),
  watchTargets: (from) => [{ path: from, depth: 1 }],
  archiveIds: (sourceID) => [clineSessionId('roo-code', sourceID)],
};
