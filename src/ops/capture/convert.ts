import { createHash } from 'node:crypto';
import type { IdKind } from '../../model/ids.js';
import type { MessageWithParts } from '../../model/message.js';
import type { Part } from '../../model/part.js';
import type { Session } from '../../model/session.js';
import type { Todo } from '../../model/todo.js';

// What the converters of other agents' transcripts share: IDs derived from
// the source's own IDs (so a re-run updates instead of duplicating), and the
// shape a converted session takes before it is written.

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const MAX_48 = 2 ** 48 - 1;
const PREFIX: Record<IdKind, string> = { session: 'ses', message: 'msg', part: 'prt' };

/**
 * An archive ID for a source's ID: the same every time for the same `key`.
 * Its 12 hex characters carry `time` as `newId` does (inverted for
 * sessions) — or, without a time, more of the hash (a session's ID must be
 * known from any of its files, e.g. a sub-agent's) — and its 14 base62
 * characters 80 bits of a SHA-256 of `key`.
 */
export function derivedId(kind: IdKind, time: number | undefined, key: string): string {
  const hash = createHash('sha256').update(key).digest('hex');
  let hex: string;
  if (time === undefined) hex = hash.slice(20, 32);
  else {
    const t = Math.max(0, Math.min(MAX_48, Math.floor(time)));
    hex = (kind === 'session' ? MAX_48 - t : t).toString(16).padStart(12, '0');
  }
  let n = BigInt(`0x${hash.slice(0, 20)}`);
  let tail = '';
  for (let i = 0; i < 14; i++) {
    tail = BASE62.charAt(Number(n % 62n)) + tail;
    n /= 62n;
  }
  return `${PREFIX[kind]}_${hex}${tail}`;
}

/** A session converted from another agent's transcript, ready to be written. */
export interface ConvertedSession {
  /** The archive ID (derived from the source's). */
  id: string;
  title: string;
  directory: string;
  parentID?: string;
  version: string;
  created: number;
  updated: number;
  /** The source's own fields the model has no place for. */
  metadata: Record<string, unknown>;
  messages: MessageWithParts[];
  todos?: Todo[];
  /**
   * A mirror (OpenCode's own sessions): the info exactly as the source has
   * it (IDs, project, times), and messages the source no longer has are
   * removed from the archive too.
   */
  mirror?: Session;
}

/** What reading a transcript found besides sessions. */
export interface ConvertStats {
  /** Records read. */
  records: number;
  /** Records of a type the converter does not know, by type (kept under the session's `metadata`). */
  unknown: Record<string, number>;
  /** Lines that are not JSON (a truncated last line is taken on the next run). */
  malformed: number;
}

/** A transcript's lines as records; a line that is not JSON is counted and skipped. */
export function jsonLines(text: string, stats: ConvertStats): Array<Record<string, unknown>> {
  const records: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as unknown;
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        records.push(value as Record<string, unknown>);
        stats.records++;
      } else stats.malformed++;
    } catch {
      stats.malformed++;
    }
  }
  return records;
}

/** Epoch milliseconds of an ISO time (or a number), else `fallback`. */
export function timeOf(value: unknown, fallback: number): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const t = Date.parse(value);
    if (Number.isFinite(t)) return t;
  }
  return fallback;
}

/** The first line of a text, cut to a title's length. */
export function titleFrom(text: string, fallback: string): string {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
  if (!line) return fallback;
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

export const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A new assistant message (no parts yet) answering `parentID`. */
export function assistantMessage(a: {
  id: string;
  sessionID: string;
  time: number;
  parentID: string;
  modelID: string;
  providerID: string;
  agent: string;
  cwd: string;
}): MessageWithParts {
  return {
    info: {
      id: a.id,
      sessionID: a.sessionID,
      role: 'assistant',
      time: { created: a.time, completed: a.time },
      parentID: a.parentID,
      modelID: a.modelID,
      providerID: a.providerID,
      mode: 'build',
      agent: a.agent,
      path: { cwd: a.cwd, root: a.cwd },
      cost: 0,
      tokens: { input: 0, output: 0, reasoning: 0, cache: { read: 0, write: 0 } },
    },
    parts: [],
  };
}

/** A tool part, pending its result. */
export function toolPart(
  base: { id: string; sessionID: string; messageID: string },
  call: { callID: string; tool: string; input: unknown; start: number },
): Part {
  return {
    ...base,
    type: 'tool',
    callID: call.callID,
    tool: call.tool,
    state: { status: 'running', input: isRecord(call.input) ? call.input : { value: call.input }, time: { start: call.start } },
  } as Part;
}

/** Completes a tool part with its result (output or error). */
export function finishTool(part: Part, result: { output: string; error: boolean; end: number; metadata?: Record<string, unknown> }): void {
  if (part.type !== 'tool' || part.state.status === 'completed' || part.state.status === 'error') return;
  const input = part.state.input;
  const start = 'time' in part.state ? (part.state.time as { start: number }).start : result.end;
  part.state = result.error
    ? { status: 'error', input, error: result.output, metadata: result.metadata, time: { start, end: Math.max(start, result.end) } }
    : {
        status: 'completed',
        input,
        output: result.output,
        title: part.tool,
        metadata: result.metadata ?? {},
        time: { start, end: Math.max(start, result.end) },
      };
}
