import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import type { ReadStats } from '../contract.js';

// JSON Lines read as a stream: a transcript of any size costs memory in
// proportion to its largest line, never to the file. A line that is not a
// JSON object, is over the size bound or nests too deep is skipped and
// reported with its line number; one bad record never fails the file. The last
// line without its newline may still be being written: it is taken when it
// parses whole, and otherwise counted as pending (the agent's next write
// changes the file, and the next run reads it again).

export type JsonRecord = Record<string, unknown>;

/** A record with the line it stands on (1-based). */
export interface LineRecord {
  record: JsonRecord;
  line: number;
}

export interface JsonLinesOptions {
  /** A line longer than this many bytes is skipped. @default 256 MiB */
  maxLine?: number;
  /** A record nested deeper than this is skipped. @default 200 */
  maxDepth?: number;
}

const CHUNK = 1 << 20;
const NEWLINE = 0x0a;

/** Whether JSON text nests deeper than `max` (brackets outside strings). */
export function nestsDeeper(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** One line's text as a record, or why it is not one. */
export function parseRecord(text: string, maxDepth: number): JsonRecord | string {
  if (nestsDeeper(text, maxDepth)) return `nested deeper than ${maxDepth} levels`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  return value as JsonRecord;
}

/**
 * The records of a JSON Lines file, in file order, read in 1 MiB chunks.
 * Lines that are blank are passed over; bad ones are noted in `stats.skipped`.
 */
export async function* readJsonLines(path: string, stats: ReadStats, options: JsonLinesOptions = {}): AsyncGenerator<LineRecord> {
  const maxLine = options.maxLine ?? 256 * 1024 * 1024;
  const maxDepth = options.maxDepth ?? 200;
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    // A line is decoded as its bytes arrive (a newline byte never stands inside a
    // UTF-8 sequence, so one decoder serves the whole file): no copy of its bytes is kept.
    const decoder = new StringDecoder('utf8');
    let partial = '';
    let partialBytes = 0;
    let tooLong = false;
    let line = 1;
    const take = (text: string, atLine: number): LineRecord | undefined => {
      if (text.trim() === '') return undefined;
      const parsed = parseRecord(text, maxDepth);
      if (typeof parsed === 'string') {
        stats.skipped.push({ line: atLine, reason: parsed });
        return undefined;
      }
      stats.records++;
      return { record: parsed, line: atLine };
    };
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      let start = 0;
      for (;;) {
        const nl = buffer.indexOf(NEWLINE, start);
        if (nl === -1 || nl >= bytesRead) break;
        const tail = buffer.subarray(start, nl);
        if (tooLong || partialBytes + tail.length > maxLine) {
          stats.skipped.push({ line, reason: `over ${maxLine} bytes` });
          decoder.end();
          partial = '';
        } else {
          const text = partial + decoder.write(tail);
          partial = '';
          const got = take(text, line);
          if (got) yield got;
        }
        partialBytes = 0;
        tooLong = false;
        line++;
        start = nl + 1;
      }
      if (start < bytesRead) {
        const rest = buffer.subarray(start, bytesRead);
        if (!tooLong && partialBytes + rest.length <= maxLine) {
          partial += decoder.write(rest);
          partialBytes += rest.length;
        } else {
          tooLong = true;
          partial = '';
        }
      }
    }
    // The last line, without its newline.
    if (tooLong) stats.skipped.push({ line, reason: `over ${maxLine} bytes` });
    else if (partialBytes > 0) {
      const text = partial + decoder.end();
      partial = '';
      if (text.trim() !== '') {
        const parsed = parseRecord(text, maxDepth);
        if (typeof parsed === 'string') stats.pending++;
        else {
          stats.records++;
          yield { record: parsed, line };
        }
      }
    }
  } finally {
    await handle.close();
  }
}
