// The light part of the public API: what a command line needs before it
// knows it must read the archive. It loads no schema library, no SQLite and
// no store, so `sarc --help`, or a command a running watcher answers, starts
// in a fraction of the time the whole library takes to load. Everything here
// is exported by src/index.ts as well; a test keeps this file's imports light.

export { resumedFromOf, sessionAgent } from './catalog/index/summary.js';
export { replyCost, shippedPrices } from './catalog/search/prices.js';
export { type SearchCheck, startSearchCheck } from './catalog/search/saved-stamps.js';
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
export { formatDate, formatTime } from './format-time.js';
export { assertId, type IdKind, isId } from './model/ids.js';
export { type Attachment, attachmentLine, attachmentOf, dataUrlBytes } from './ops/attachment.js';
export { AGENT_NAMES, AGENTS, type AgentName, agentEntry, EXPORT_FORMATS } from './ops/capture/registry.js';
export { diffOf, duration, shortFolder, shortPath, type ToolSummary, toolFailed, toolSummary } from './ops/tool-summary.js';
export { type ChildRef, isPrompt, isSubAgentTool, planTurns, quietKind, subAgentChild, type TurnHead, turnsOf } from './ops/turns.js';
export { expandHome, locateArchive, stateDirFor } from './store/locate.js';
export { VERSION } from './version.js';
