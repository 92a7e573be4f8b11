// The public library API. Internal helpers (paths, locks, atomic writes) stay
// unexported on purpose: the CLI and the server use only what is here.

// The light parts, also loadable alone: what a command needs at its start (errors, version, times, locating the
// archive, asking a running watcher), and what showing a session needs (views.js, at the end: turns, tool calls, prices).
export * from './basics.js';
export type { ArchiveEvent, ArchiveEventType } from './catalog/index/index.js';
export {
  directoryMatcher,
  findSessionByPrefix,
  forkGrouping,
  type HistoryItem,
  type HistoryQuery,
  type IndexedSession,
  type IndexStats,
  type ListQuery,
  type OpenIndexOptions,
  resumedFromOf,
  type SessionSummary,
  sessionAgent,
} from './catalog/index/index.js';
export {
  answerUsage,
  DIMENSIONS,
  type Dimension,
  type Figures,
  findProject,
  findProjects,
  type GroupedSearchResult,
  IDLE_MS,
  loadPrices,
  type ModelPrice,
  messageText,
  type OneOffOptions,
  type PriceTable,
  parseSearch,
  partText,
  priceOf,
  projectLabel,
  projectLabels,
  type Rates,
  type SearchGroup,
  type SearchHit,
  SearchIndex,
  type SearchQuery,
  type SearchResult,
  type SearchTerm,
  searchGroupsIndex,
  searchIndex,
  type TokenCounts,
  type UsageAnswer,
  type UsageAsk,
  type UsageQuery,
  type UsageResult,
  type UsageRow,
  usageIndex,
} from './catalog/search/index.js';
export { openIndex, SessionIndex } from './catalog/session-index.js';
export { ArchiveError, type ArchiveErrorCode, isArchiveError } from './errors.js';
export { formatTime } from './format-time.js';
export * from './model/index.js';
export { buildSchemas, SCHEMA_FILES } from './model/json-schema.js';
export { type Attachment, attachmentLine, attachmentOf, dataUrlBytes } from './ops/attachment.js';
export { claudeSessionId } from './ops/capture/agents/claude-code/convert.js';
export { claudeProjectFolder, claudeSessionIdOf, claudeTranscript } from './ops/capture/agents/claude-code/export.js';
export { codexSessionId } from './ops/capture/agents/codex/convert.js';
export { opencodeDbPath } from './ops/capture/agents/opencode/adapter.js';
export { OpencodeLive, OpencodeMirror, type OpencodePluginOptions, opencodePlugin } from './ops/capture/agents/opencode/live.js';
export { opencodeGeneration } from './ops/capture/agents/opencode/resume.js';
export type {
  AgentAdapter,
  CaptureItem,
  ConvertedInfo,
  ReadStats,
  SourceEntry,
  SourceStore,
  WatchTarget,
} from './ops/capture/contract.js';
export { pull, type SyncFailure, type SyncOptions, type SyncResult } from './ops/capture/engine.js';
export { derivedId } from './ops/capture/kit/ids.js';
export { type AgentEntry, loadAgent } from './ops/capture/registry.js';
export { type RestorePlan, restoreOpencodeSessions } from './ops/capture/restore.js';
export { type ResumePlan, resumeSession, resumeTargets } from './ops/capture/resume.js';
export {
  agentLocation,
  captureSources,
  idsForSourceId,
  type Provenance,
  provenanceOf,
  type SourceRow,
  syncAgent,
} from './ops/capture/sync.js';
export { type SyncWatcher, type WatchSyncOptions, watchSync } from './ops/capture/watch.js';
export { diff, type FileDiff } from './ops/diff.js';
export { type ExportOptions, exportSessions, exportToFile } from './ops/export.js';
export { type ForkOptions, forkFamilyTitles, forkSession, forkTitle } from './ops/fork.js';
export { droppedCopyName, gitCheck, gitSetup, type MergeReport, mergeFiles, shellQuote } from './ops/git.js';
export { type ImportMode, type ImportOptions, type ImportResult, importSessions, readImportFile } from './ops/import.js';
export { fileAsText, type MarkdownOptions, messageMarkdown, sessionMarkdown, turnsMarkdown } from './ops/markdown.js';
export { type MergeConflict, mergeInfo, mergeMessage, mergeTodos, mergeValues } from './ops/merge.js';
export { type MigrateOptions, type MigrateResult, type MigrateRow, type MigrateSelection, migrate } from './ops/migrate.js';
export { type OrphanRow, orphans } from './ops/orphans.js';
export { quarantine, quarantineFolder } from './ops/quarantine.js';
export {
  ensureRedaction,
  REDACTION_FILE,
  type RedactionSettings,
  readRedaction,
  redactorFor,
  scannerFor,
  writeRedaction,
} from './ops/redact/config.js';
export { RULES_VERSION } from './ops/redact/detect.js';
export { type Finding, MARKER, type RedactionRules, Redactor } from './ops/redact/redactor.js';
export { type ScanFinding, type ScanResult, scanArchive, scanHistory, scanStaged } from './ops/redact/scan.js';
export { conflictOriginal, type ResolveResult, resolveConflicts } from './ops/resolve.js';
export { findShared, share, shareToken, unshare } from './ops/share.js';
export type { OnProgress } from './progress.js';
export { type Archive, GITIGNORE, initArchive, type OpenArchiveOptions, openArchive } from './store/archive.js';
export { writeFileAtomic } from './store/atomic-write.js';
export { jsonChunks } from './store/json-chunks.js';
export { parseJsonInput } from './store/json-file.js';
export { expandHome, locateArchive, stateDirFor } from './store/locate.js';
export type { LockOptions } from './store/lock.js';
export { compareMessages } from './store/message-file.js';
export { type BrokenMessage, isBroken, type ListMessagesOptions, type MessagePage, MessageReads } from './store/message-reads.js';
export { type MessageInput, MessageStore, type PartInput } from './store/messages.js';
export { type DetectedProject, detectProject, GLOBAL_PROJECT } from './store/project-id.js';
export { type ProjectInput, ProjectStore } from './store/projects.js';
export { RevertStore, type RevertTarget, revert, unrevert } from './store/revert.js';
export {
  addEditorSchemas,
  type EditorSettingsResult,
  editorWorkspace,
  repositoryOf,
  schemaFolder,
  staleSchemaFiles,
  writeSchemaFiles,
} from './store/schema-files.js';
export {
  type CreateSessionInput,
  type DeleteSessionOptions,
  type ListSessionsOptions,
  type SessionContent,
  type SessionPatch,
  SessionStore,
} from './store/sessions.js';
export { type Signal, type SignalKind, SignalStore } from './store/signals.js';
export { type SqlEngine, searchEngineLine } from './store/sqlite.js';
export { type SessionStatus, StatusStore } from './store/status.js';
export { type StrayFile, type StrayKind, strayKind } from './store/strays.js';
export { TodoStore } from './store/todos.js';
export { VERSION } from './version.js';
export * from './views.js';
