import * as z from 'zod';
import { messageFile } from './message.js';
import { sessionInfo } from './session.js';
import { todoList } from './todo.js';

export const EXPORT_FORMAT = 'session-archive/export';
export const EXPORT_VERSION = 1;

/** One session in an export: its info, messages in order, and todos. */
export const exportedSession = z.looseObject({
  info: sessionInfo,
  messages: z.array(messageFile),
  todos: todoList.optional(),
});

/** The archive's export document. */
export const exportPayload = z.looseObject({
  format: z.literal(EXPORT_FORMAT),
  version: z.number().int().positive(),
  exportedAt: z.number().optional(),
  sessions: z.array(exportedSession),
});

/** What `opencode export <id>` prints: one session's info and messages. */
export const opencodeExport = z.looseObject({
  info: sessionInfo,
  messages: z.array(messageFile),
});

export type ExportedSession = z.infer<typeof exportedSession>;
export type ExportPayload = z.infer<typeof exportPayload>;
export type OpencodeExport = z.infer<typeof opencodeExport>;
