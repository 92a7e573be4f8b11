import { join } from 'node:path';
import { isRecord, type JsonRecord, str, type Todo } from '../../kit/index.js';

// What a Claude Code transcript's records and blocks say, read apart from the
// conversation: which records carry nothing to keep, a tool result's text, a
// user's file block, a prompt's title, where a large output was saved.

/** Record types that carry no conversation: counted, not kept. */
export const BOOKKEEPING = new Set([
  'file-history-snapshot',
  'progress',
  'queue-operation',
  'last-prompt',
  'attachment',
  'atis-latch',
  'api-request',
  'api-request-shape',
  'api-request-blob',
  'tools-used',
  'permission-mode',
  'mode',
  'pr-link',
  'tag',
]);
/** `system` subtypes that only time or trace a turn: counted, not kept. */
export const QUIET_SYSTEM = new Set(['turn_duration', 'stop_hook_summary']);
/** Helper agents by their file name's prefix, for their titles. */
export const HELPERS: Record<string, string> = {
  acompact: 'Compaction helper',
  aside_question: 'Side question',
  aprompt_suggestion: 'Prompt suggestion helper',
};

export function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return content === undefined ? '' : JSON.stringify(content);
  return content
    .map((block) => {
      if (!isRecord(block)) return '';
      if (block.type === 'text' && typeof block.text === 'string') return block.text;
      if (block.type === 'image') return '[image]';
      return JSON.stringify(block);
    })
    .join('\n');
}

/** A user's image or document block as a file part's fields (a data: URL), or `undefined`. */
export function fileFields(block: JsonRecord): { mime: string; url: string; filename?: string } | undefined {
  const source = isRecord(block.source) ? block.source : undefined;
  if (!source) return undefined;
  const given = str(source.media_type);
  const filename = str(block.title) ?? str(block.name);
  if (source.type === 'base64' && typeof source.data === 'string') {
    const mime = given ?? (block.type === 'image' ? 'image/png' : 'application/octet-stream');
    return { mime, url: `data:${mime};base64,${source.data}`, ...(filename ? { filename } : {}) };
  }
  if (source.type === 'text' && typeof source.data === 'string') {
    const mime = given ?? 'text/plain';
    return { mime, url: `data:${mime};base64,${Buffer.from(source.data, 'utf8').toString('base64')}`, ...(filename ? { filename } : {}) };
  }
  if (source.type === 'url' && typeof source.url === 'string') {
    return { mime: given ?? 'application/octet-stream', url: source.url, ...(filename ? { filename } : {}) };
  }
  return undefined;
}

/** A prompt's title text: a slash command as `/name args`, else the text. */
export function promptTitle(text: string): string {
  const name = /<command-name>([^<]*)<\/command-name>/.exec(text)?.[1]?.trim();
  if (name) {
    const args = /<command-args>([^<]*)<\/command-args>/.exec(text)?.[1]?.trim();
    return args ? `${name} ${args}` : name;
  }
  return text;
}

/** Where a large output the transcript only previews was saved: `<session>/tool-results/<call>.txt`. */
export function savedOutputPath(sessionDir: string, callID: string): string | undefined {
  return /^[A-Za-z0-9_-]{1,128}$/.test(callID) ? join(sessionDir, 'tool-results', `${callID}.txt`) : undefined;
}

/** A TodoWrite call's input as todos, or `undefined`. */
export function todosOf(input: unknown): Todo[] | undefined {
  if (!isRecord(input) || !Array.isArray(input.todos)) return undefined;
  return input.todos.filter(isRecord).map((t) => ({
    content: String(t.content ?? ''),
    status: String(t.status ?? 'pending'),
    priority: String(t.priority ?? 'medium'),
    ...(typeof t.id === 'string' ? { id: t.id } : {}),
  }));
}
