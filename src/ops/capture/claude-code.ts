import { basename } from 'node:path';
import type { MessageWithParts } from '../../model/message.js';
import type { Part } from '../../model/part.js';
import type { Todo } from '../../model/todo.js';
import {
  assistantMessage,
  type ConvertedSession,
  type ConvertStats,
  derivedId,
  finishTool,
  isRecord,
  jsonLines,
  timeOf,
  titleFrom,
  toolPart,
} from './convert.js';

// Claude Code keeps each session as JSONL under ~/.claude/projects/<folder>/
// <session>.jsonl: one record per line (`user`, `assistant`, `summary`, and
// bookkeeping types), chained by `uuid`/`parentUuid`. An assistant answer is
// written as several lines sharing `message.id` (one per content block); a
// tool's result comes back as a `tool_result` block of the next `user` line.
// Sub-agent work is a sidechain (`isSidechain: true`), inline or in
// <session>/subagents/agent-<id>.jsonl; it becomes a child session.

/** Record types that carry no conversation; counted, not kept. */
const BOOKKEEPING = new Set(['system', 'file-history-snapshot', 'progress', 'queue-operation', 'custom-title', 'last-prompt']);

const PROVIDER = 'anthropic';
const COMPACTION_PREFIX = 'This session is being continued from a previous conversation';

/** The archive ID of a Claude Code session (or of one of its sub-agents). */
export function claudeSessionId(sessionId: string, agentId?: string): string {
  return derivedId('session', undefined, agentId ? `claude-code:${sessionId}:agent:${agentId}` : `claude-code:${sessionId}`);
}

function textOfResult(content: unknown): string {
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

/** A user's image or document block as a file part (a data: URL). */
function filePart(base: { id: string; sessionID: string; messageID: string }, block: Record<string, unknown>): Part | undefined {
  const source = isRecord(block.source) ? block.source : undefined;
  if (!source) return undefined;
  const mime =
    typeof source.media_type === 'string' ? source.media_type : block.type === 'image' ? 'image/png' : 'application/octet-stream';
  const url =
    source.type === 'base64' && typeof source.data === 'string'
      ? `data:${mime};base64,${source.data}`
      : typeof source.url === 'string'
        ? source.url
        : undefined;
  if (!url) return undefined;
  return { ...base, type: 'file', mime, url, filename: typeof block.title === 'string' ? block.title : undefined } as Part;
}

interface Conversation {
  records: Array<Record<string, unknown>>;
  agentId?: string;
}

/**
 * Converts one Claude Code transcript: the session, and a child session per
 * sub-agent sidechain found in it. `file` names the transcript (its stem is
 * the session ID when the records do not say).
 */
export function convertClaudeCode(text: string, file: string, stats: ConvertStats): ConvertedSession[] {
  const records = jsonLines(text, stats);
  const stem = basename(file, '.jsonl');
  const sessionId = String(records.find((r) => typeof r.sessionId === 'string')?.sessionId ?? stem);
  const isSubagentFile = /^agent-/.test(stem);
  // The main conversation, and each sidechain by its agent.
  const main: Conversation = { records: [] };
  const sidechains = new Map<string, Conversation>();
  for (const r of records) {
    if (r.isSidechain === true || isSubagentFile) {
      const agentId = String(r.agentId ?? (isSubagentFile ? stem.slice(6) : 'sidechain'));
      const chain = sidechains.get(agentId) ?? { records: [], agentId };
      sidechains.set(agentId, chain);
      chain.records.push(r);
    } else main.records.push(r);
  }
  const out: ConvertedSession[] = [];
  const mainId = claudeSessionId(sessionId);
  if (main.records.length > 0) out.push(build(main, sessionId, mainId, undefined, file, stats));
  for (const chain of sidechains.values()) {
    out.push(build(chain, sessionId, claudeSessionId(sessionId, chain.agentId), mainId, file, stats));
  }
  return out;
}

function build(
  conv: Conversation,
  sessionId: string,
  id: string,
  parentID: string | undefined,
  file: string,
  stats: ConvertStats,
): ConvertedSession {
  const messages: MessageWithParts[] = [];
  const tools = new Map<string, Part>();
  const unknownRecords: unknown[] = [];
  let summary: string | undefined;
  let firstUserText: string | undefined;
  let lastUser: string | undefined;
  let assistant: { key: string; message: MessageWithParts } | undefined;
  let todos: Todo[] | undefined;
  let cwd: string | undefined;
  let version: string | undefined;
  let gitBranch: string | undefined;
  let model: string | undefined;
  let first = Number.POSITIVE_INFINITY;
  let last = 0;

  // A record without a time is taken as just after the one before (never the
  // clock: a derived ID must come out the same on every run).
  let previous = 0;
  for (const [index, r] of conv.records.entries()) {
    const ts = timeOf(r.timestamp, previous + 1);
    previous = ts;
    if (r.type === 'user' || r.type === 'assistant') {
      first = Math.min(first, ts);
      last = Math.max(last, ts);
      cwd ??= typeof r.cwd === 'string' ? r.cwd : undefined;
      version ??= typeof r.version === 'string' ? r.version : undefined;
      gitBranch ??= typeof r.gitBranch === 'string' ? r.gitBranch : undefined;
    }
    const uuid = typeof r.uuid === 'string' ? r.uuid : `${sessionId}:${index}`;
    const message = isRecord(r.message) ? r.message : undefined;
    if (r.type === 'summary') {
      if (typeof r.summary === 'string') summary ??= r.summary;
      continue;
    }
    if (r.type === 'user' && message) {
      const content = message.content;
      const blocks =
        typeof content === 'string' ? [{ type: 'text', text: content }] : Array.isArray(content) ? content.filter(isRecord) : [];
      for (const block of blocks) {
        if (block.type !== 'tool_result' || typeof block.tool_use_id !== 'string') continue;
        const part = tools.get(block.tool_use_id);
        if (part) finishTool(part, { output: textOfResult(block.content), error: block.is_error === true, end: ts });
      }
      const rest = blocks.filter((b) => b.type !== 'tool_result');
      if (rest.length === 0) continue;
      const messageID = derivedId('message', ts, `claude-code:${uuid}`);
      const base = (i: number) => ({ id: derivedId('part', ts, `claude-code:${uuid}:${i}`), sessionID: id, messageID });
      const parts: Part[] = [];
      const compacted = r.isCompactSummary === true || rest.some((b) => typeof b.text === 'string' && b.text.startsWith(COMPACTION_PREFIX));
      if (compacted) parts.push({ ...base(-1), type: 'compaction', auto: true } as Part);
      for (const [i, block] of rest.entries()) {
        if (block.type === 'text' && typeof block.text === 'string') {
          parts.push({ ...base(i), type: 'text', text: block.text, ...(compacted ? { synthetic: true } : {}) } as Part);
          if (!compacted && r.isMeta !== true) firstUserText ??= block.text;
        } else if (block.type === 'image' || block.type === 'document') {
          const file = filePart(base(i), block);
          if (file) parts.push(file);
        } else {
          stats.unknown[`user block ${String(block.type)}`] = (stats.unknown[`user block ${String(block.type)}`] ?? 0) + 1;
          unknownRecords.push(block);
        }
      }
      messages.push({
        info: {
          id: messageID,
          sessionID: id,
          role: 'user',
          time: { created: ts },
          agent: 'claude-code',
          model: { providerID: PROVIDER, modelID: model ?? 'unknown' },
          ...(r.isMeta === true ? { synthetic: true } : {}),
        },
        parts,
      } as MessageWithParts);
      lastUser = messageID;
      assistant = undefined;
      continue;
    }
    if (r.type === 'assistant' && message) {
      if (typeof message.model === 'string' && message.model !== '<synthetic>') model = message.model;
      const key = typeof message.id === 'string' ? message.id : uuid;
      if (!assistant || assistant.key !== key) {
        const messageID = derivedId('message', ts, `claude-code:${key}`);
        assistant = {
          key,
          message: assistantMessage({
            id: messageID,
            sessionID: id,
            time: ts,
            parentID: lastUser ?? messageID,
            modelID: typeof message.model === 'string' ? message.model : (model ?? 'unknown'),
            providerID: PROVIDER,
            agent: 'claude-code',
            cwd: cwd ?? '/',
          }),
        };
        messages.push(assistant.message);
      }
      const info = assistant.message.info as MessageWithParts['info'] & { role: 'assistant' };
      info.time.completed = Math.max(info.time.completed ?? ts, ts);
      if (typeof message.stop_reason === 'string') info.finish = message.stop_reason;
      const usage = isRecord(message.usage) ? message.usage : undefined;
      if (usage) {
        const n = (v: unknown) => (typeof v === 'number' ? v : 0);
        // The lines of one answer repeat its usage; the last is the final count.
        info.tokens = {
          input: n(usage.input_tokens),
          output: n(usage.output_tokens),
          reasoning: 0,
          cache: { read: n(usage.cache_read_input_tokens), write: n(usage.cache_creation_input_tokens) },
        };
      }
      const blocks = Array.isArray(message.content) ? message.content.filter(isRecord) : [];
      for (const [i, block] of blocks.entries()) {
        const base = { id: derivedId('part', ts, `claude-code:${uuid}:${i}`), sessionID: id, messageID: info.id };
        if (block.type === 'text' && typeof block.text === 'string') {
          assistant.message.parts.push({ ...base, type: 'text', text: block.text } as Part);
        } else if (block.type === 'thinking' || block.type === 'redacted_thinking') {
          const signature = typeof block.signature === 'string' ? { signature: block.signature } : {};
          assistant.message.parts.push({
            ...base,
            type: 'reasoning',
            text: typeof block.thinking === 'string' ? block.thinking : '',
            metadata: block.type === 'redacted_thinking' ? { redacted: block.data } : signature,
            time: { start: ts, end: ts },
          } as Part);
        } else if (block.type === 'tool_use' && typeof block.id === 'string') {
          const part = toolPart(base, { callID: block.id, tool: String(block.name ?? 'tool'), input: block.input ?? {}, start: ts });
          tools.set(block.id, part);
          assistant.message.parts.push(part);
          if (block.name === 'TodoWrite' && isRecord(block.input) && Array.isArray(block.input.todos)) {
            todos = block.input.todos.filter(isRecord).map((t) => ({
              content: String(t.content ?? ''),
              status: String(t.status ?? 'pending'),
              priority: String(t.priority ?? 'medium'),
              ...(typeof t.id === 'string' ? { id: t.id } : {}),
            }));
          }
        } else {
          stats.unknown[`assistant block ${String(block.type)}`] = (stats.unknown[`assistant block ${String(block.type)}`] ?? 0) + 1;
          unknownRecords.push(block);
        }
      }
      continue;
    }
    const type = String(r.type ?? 'untyped');
    stats.unknown[type] = (stats.unknown[type] ?? 0) + 1;
    if (!BOOKKEEPING.has(type)) unknownRecords.push(r);
  }
  // A user message comes before the answer that names the model.
  for (const [i, m] of messages.entries()) {
    if (m.info.role !== 'user' || m.info.model.modelID !== 'unknown') continue;
    const next = messages.slice(i + 1).find((n) => n.info.role === 'assistant');
    if (next && next.info.role === 'assistant') m.info.model = { providerID: PROVIDER, modelID: next.info.modelID };
  }
  if (!Number.isFinite(first)) first = last = previous;
  return {
    id,
    title: summary ?? titleFrom(firstUserText ?? '', conv.agentId ? `Sub-agent ${conv.agentId}` : `Claude Code session ${sessionId}`),
    directory: cwd ?? '/',
    parentID,
    version: `claude-code ${version ?? 'unknown'}`,
    created: first,
    updated: last,
    metadata: {
      source: 'claude-code',
      claudeCode: {
        sessionId,
        file,
        ...(conv.agentId ? { agentId: conv.agentId } : {}),
        ...(gitBranch ? { gitBranch } : {}),
        ...(unknownRecords.length ? { unknownRecords } : {}),
      },
    },
    messages,
    todos,
  };
}
