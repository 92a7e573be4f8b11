// The light part of the public API: what a command line needs before it
// knows it must read the archive. It loads no schema library, no SQLite, no
// store and no diff library, so `sarc --help`, `sarc list`, or a command a
// running watcher answers, starts in a fraction of the time the whole library
// takes to load. What showing or checking sessions needs besides is in
// src/views.ts, loaded by the commands that do. Everything here is exported
// by src/index.ts as well; a test keeps this file's imports light.

export {
  archiveKey,
  askWatcher,
  LOCAL_SOCKET,
  type LocalAnswer,
  type LocalQuestion,
  localSocketPath,
  readWholeSession,
  type WholeSession,
} from './catalog/socket/local-client.js';
export { ArchiveError, type ArchiveErrorCode, isArchiveError } from './errors.js';
export { formatBytes, formatCostTotal, formatCount, formatDollars, formatSpan } from './format-numbers.js';
export { shortFolder, shortPath } from './format-paths.js';
export { duration, formatDate, formatTime } from './format-time.js';
export { assertId, type IdKind, isId } from './model/ids.js';
export { AGENT_NAMES, AGENTS, type AgentName, agentEntry, EXPORT_FORMATS } from './ops/capture/registry.js';
export { expandHome, locateArchive, stateDirFor } from './store/locate.js';
export { VERSION } from './version.js';
