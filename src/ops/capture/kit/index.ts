// The kit: what every agent adapter may use besides the contract. An adapter
// imports this file and ../contract.js only — never another agent, never the
// engine — so each agent stays one folder that can be read alone.

export { isArchiveError } from '../../../errors.js';
export { newId } from '../../../model/ids.js';
export type { MessageWithParts, UserMessage } from '../../../model/message.js';
export type { Part } from '../../../model/part.js';
export type { Session } from '../../../model/session.js';
export type { Todo } from '../../../model/todo.js';
export { openSqlite, type SqlDb, type SqlRow, sqliteAvailable } from '../../../store/sqlite.js';
export { IdRemap } from '../../remap.js';
export { assistantBlocks, type BlockPlace, blocksOf, resultText, userBlocks } from './anthropic.js';
export { SessionBuilder } from './builder.js';
export { CLINE_FILES, clineSessionId, editorStorages, firstExisting, readClineTask } from './cline.js';
export { type CallForExport, callForExport, type ExportStep, exportSteps, type UserBlockShape, userBlocksForExport } from './export.js';
export { type FoundFile, fileStamp, fileStore, readJsonDocument, readSidecar, readSideText, realRoot, walkFiles } from './files.js';
export { type GeminiChatFiles, geminiTokens, readGeminiChatFiles } from './gemini.js';
export { GeminiContent, responseOutput, todosOf } from './gemini-content.js';
export { derivedId, derivedUuid } from './ids.js';
export { type JsonRecord, type LineRecord, parseRecord, readJsonLines } from './jsonl.js';
export { findInFolders, foldersOf, projectFolders } from './places.js';
export { isRecord, num, promptText, str, TITLE_MAX, timeOf, titleOf, tokensOf } from './text.js';
export { finishTool, type ToolResult } from './tool-result.js';

import { homedir } from 'node:os';
import { join } from 'node:path';

/** The user's home folder ($HOME when set, so tests and sandboxes can move it). */
export function home(): string {
  return process.env.HOME || homedir();
}

/** `$NAME` when set and not empty, else the fallback. */
export function envDir(name: string, fallback: () => string): string {
  const value = process.env[name];
  return value ? value : fallback();
}

/** A path below the home folder. */
export function inHome(...parts: string[]): string {
  return join(home(), ...parts);
}
