import { basename, dirname, join } from 'node:path';
import type { CaptureItem, ReadStats, SourceEntry } from '../../contract.js';
import {
  derivedId,
  isRecord,
  type JsonRecord,
  type MessageWithParts,
  type Part,
  readJsonLines,
  readSidecar,
  readSideText,
  SessionBuilder,
  str,
  tokensOf,
} from '../../kit/index.js';
import { BOOKKEEPING, fileFields, HELPERS, promptTitle, QUIET_SYSTEM, resultText, savedOutputPath, todosOf } from './records.js';

// Claude Code keeps each session as JSON Lines under ~/.claude/projects/
// <folder>/<session>.jsonl: `user` and `assistant` records chained by
// uuid/parentUuid, one content block per line (the lines of one answer share
// `message.id`), a tool's result in the next `user` record. Sub-agents live in
// <session>/subagents/[workflows/<wf>/]agent-<id>.jsonl (2.0.x: agent-<id>.jsonl
// beside the session), or inline as `isSidechain` records (1.0.x, several
// agents interleaved). Large tool outputs are saved in <session>/tool-results/
// with a preview in the transcript. A session's identity is its file name:
// lines carried over from another session (Plan Mode's "clear context") only
// link to it.

const PROVIDER = 'anthropic';
const COMPACTION_PREFIX = 'This session is being continued from a previous conversation';

/** The archive ID of a Claude Code session (or of one of its sub-agents). */
export function claudeSessionId(sessionId: string, agentId?: string): string {
  return derivedId('session', undefined, agentId ? `claude-code:${sessionId}:agent:${agentId}` : `claude-code:${sessionId}`);
}

/** A conversation being converted: its builder, and the answer whose lines are still coming. */
interface Conversation {
  b: SessionBuilder;
  answerKey?: string;
  answer?: MessageWithParts;
  /** Summary records: the title of the conversation whose leaf is in it. */
  summaries: Array<{ text: string; leaf: string }>;
}

/** Reads one transcript (a session, or a sub-agent's file) as capture items. */
export async function* readClaudeTranscript(root: string, entry: SourceEntry, stats: ReadStats): AsyncGenerator<CaptureItem> {
  const path = entry.where;
  const stem = basename(path, '.jsonl');
  const segments = entry.key.split('/');
  const agentFile = stem.startsWith('agent-') ? stem.slice(6) : undefined;
  // <proj>/<session>.jsonl; <proj>/<session>/subagents/[workflows/<wf>/]agent-<id>.jsonl; <proj>/agent-<id>.jsonl.
  const parentStem = agentFile && segments.length > 2 ? (segments[1] as string) : undefined;
  const sessionDir = join(dirname(path), parentStem ?? stem);
  const conversations = new Map<string, Conversation>();
  const sidechainRoot = new Map<string, string>();
  const seen = new Set<string>();
  let fileSessionId: string | undefined = parentStem;
  const sidecar = agentFile ? await readSidecar(root, join(dirname(path), `${stem}.meta.json`)) : undefined;

  const open = (key: string, make: () => SessionBuilder): Conversation => {
    let c = conversations.get(key);
    if (!c) {
      c = { b: make(), summaries: [] };
      conversations.set(key, c);
    }
    return c;
  };
  const builderFor = (sessionId: string, agentId?: string): SessionBuilder => {
    const helper = agentId && Object.keys(HELPERS).find((p) => agentId.startsWith(`${p}-`));
    const b = new SessionBuilder({
      agent: 'claude-code',
      envelope: 'claudeCode',
      id: claudeSessionId(sessionId, agentId),
      sourceID: agentId ? `${sessionId}:${agentId}` : sessionId,
      where: path,
      providerID: PROVIDER,
      ...(agentId ? { parentID: claudeSessionId(sessionId) } : {}),
    });
    if (agentId) {
      b.extra.sessionId = sessionId;
      b.extra.agentId = agentId;
      if (helper) b.extra.helper = helper;
      const description = str(sidecar?.description);
      const type = str(sidecar?.agentType) ?? str(sidecar?.subagent_type);
      if (sidecar) b.extra.meta = sidecar;
      // A helper's title says what it is; a sub-agent's is its first prompt (else its ID).
      if (helper) b.title('agent', `${HELPERS[helper]} ${agentId}`);
      else b.title('fallback', `Sub-agent ${agentId}`);
      if (description) b.title('agent', type ? `${type}: ${description}` : description);
    }
    return b;
  };
  const conversationOf = (r: JsonRecord): Conversation => {
    if (agentFile) {
      fileSessionId ??= str(r.sessionId) ?? stem;
      return open('agent', () => builderFor(fileSessionId as string, agentFile));
    }
    if (r.isSidechain === true) {
      // 1.0.x: sub-agents inline, interleaved; each chain of parentUuid links from its first record is one agent.
      const uuid = str(r.uuid);
      const parent = str(r.parentUuid);
      const root = (parent && sidechainRoot.get(parent)) || str(r.agentId) || uuid || 'sidechain';
      if (uuid) sidechainRoot.set(uuid, root);
      return open(`side:${root}`, () => builderFor(stem, str(r.agentId) ?? root));
    }
    return open('main', () => builderFor(stem));
  };

  for await (const { record: r, line } of readJsonLines(path, stats)) {
    const type = str(r.type) ?? 'untyped';
    const uuid = str(r.uuid);
    if (uuid && (type === 'user' || type === 'assistant' || type === 'system')) {
      if (seen.has(uuid)) {
        stats.skipped.push({ line, reason: `duplicate uuid ${uuid}` });
        continue;
      }
      seen.add(uuid);
    }
    const c = conversationOf(r);
    const b = c.b;
    const ts = b.recordTime(r.timestamp, line, stats);
    if (ts === undefined) continue;
    if (type === 'user' || type === 'assistant') {
      b.directory ??= str(r.cwd);
      b.version ??= str(r.version);
      if (typeof r.gitBranch === 'string' && r.gitBranch !== '') b.extra.gitBranch ??= r.gitBranch;
      const other = str(r.sessionId);
      if (!agentFile && other && other !== stem && r.isSidechain !== true) {
        // A line carried over from another session: it links there, it does not make this file that session.
        const from = (b.extra.carriedFrom as string[] | undefined) ?? [];
        if (!from.includes(other)) b.extra.carriedFrom = [...from, other];
        b.forkedFrom ??= { sessionID: claudeSessionId(other) };
      }
    }
    const message = isRecord(r.message) ? r.message : undefined;
    if (type === 'user' && message) {
      await userRecord(c, r, message, ts, root, sessionDir, stats, uuid ?? `line:${line}`);
      for (const item of b.take()) yield item;
      continue;
    }
    if (type === 'assistant' && message) {
      assistantRecord(c, r, message, ts, stats, uuid ?? `line:${line}`);
      for (const item of b.take()) yield item;
      continue;
    }
    if (type === 'summary') {
      if (typeof r.summary === 'string') c.summaries.push({ text: r.summary, leaf: str(r.leafUuid) ?? '' });
      continue;
    }
    if (type === 'custom-title') b.title('custom', str(r.customTitle) ?? str(r.title));
    else if (type === 'ai-title') b.title('ai', str(r.aiTitle) ?? str(r.title));
    else if (type === 'agent-name') b.title('agent', str(r.agentName) ?? str(r.name));
    else if (type === 'cost-state') {
      b.extra.cost = { totalCostUSD: r.totalCostUSD, modelUsage: r.modelUsage, totalDuration: r.totalDuration };
      b.skipped(type);
    } else if (type === 'system') systemRecord(c, r, ts, uuid ?? `line:${line}`);
    else if (BOOKKEEPING.has(type)) b.skipped(type);
    else b.unknown(stats, type, r);
    for (const item of b.take()) yield item;
  }
  // Parents first: the main conversation, then its sub-agents.
  const ordered = [...conversations.entries()].sort(([a], [b]) => Number(a !== 'main') - Number(b !== 'main'));
  for (const [, c] of ordered) {
    // A summary names this conversation when its leaf is one of its records; others summarise another session.
    const own = c.summaries.filter((s) => seen.has(s.leaf)).at(-1) ?? (c.summaries.length && !seen.size ? c.summaries.at(-1) : undefined);
    if (own) c.b.title('summary', own.text);
    const others = c.summaries.filter((s) => s !== own).length;
    if (others) c.b.extra.otherSummaries = others;
    for (const item of c.b.finish(stats)) yield item;
  }
}

async function userRecord(
  c: Conversation,
  r: JsonRecord,
  message: JsonRecord,
  ts: number,
  root: string,
  sessionDir: string,
  stats: ReadStats,
  key: string,
): Promise<void> {
  const b = c.b;
  const content = message.content;
  const blocks = typeof content === 'string' ? [{ type: 'text', text: content }] : Array.isArray(content) ? content.filter(isRecord) : [];
  for (const block of blocks) {
    if (block.type !== 'tool_result' || typeof block.tool_use_id !== 'string') continue;
    let output = resultText(block.content);
    if (output.includes('<persisted-output>')) {
      const saved = savedOutputPath(sessionDir, block.tool_use_id);
      const whole = saved ? await readSideText(root, saved) : undefined;
      if (whole !== undefined) output = whole;
    }
    b.result(block.tool_use_id, { output, error: block.is_error === true, time: ts });
  }
  const rest = blocks.filter((x) => x.type !== 'tool_result');
  if (rest.length === 0) return;
  c.answer = undefined;
  c.answerKey = undefined;
  const compacted = r.isCompactSummary === true || rest.some((x) => typeof x.text === 'string' && x.text.startsWith(COMPACTION_PREFIX));
  const meta = r.isMeta === true;
  const m = b.user({ key, time: ts, ...(meta ? { synthetic: true } : {}) });
  if (compacted) b.part(m, { id: b.partId(ts, `${key}:-1`), type: 'compaction', auto: true });
  for (const [i, block] of rest.entries()) {
    const id = b.partId(ts, `${key}:${i}`);
    if (block.type === 'text' && typeof block.text === 'string') {
      b.part(m, { id, type: 'text', text: block.text, ...(compacted || meta ? { synthetic: true } : {}) });
      if (!compacted && !meta) b.title('prompt', promptTitle(block.text), { first: true });
    } else if (block.type === 'image' || block.type === 'document') {
      const file = fileFields(block);
      if (file) b.part(m, { id, type: 'file', ...file });
      else b.unknown(stats, `user block ${String(block.type)} (source ${String(isRecord(block.source) ? block.source.type : '?')})`, block);
    } else b.unknown(stats, `user block ${String(block.type)}`, block);
  }
}

function assistantRecord(c: Conversation, r: JsonRecord, message: JsonRecord, ts: number, stats: ReadStats, uuid: string): void {
  const b = c.b;
  const model = str(message.model);
  const key = str(message.id) ?? uuid;
  if (!c.answer || c.answerKey !== key || b.current() !== c.answer) {
    c.answer = b.assistant({ key, time: ts, ...(model && model !== '<synthetic>' ? { modelID: model } : {}) });
    c.answerKey = key;
  }
  const m = c.answer;
  const info = m.info as MessageWithParts['info'] & { role: 'assistant' };
  info.time.completed = Math.max(info.time.completed ?? ts, ts);
  if (typeof message.stop_reason === 'string') info.finish = message.stop_reason;
  if (r.isApiErrorMessage === true) {
    const text = resultText(message.content);
    info.error = { name: 'UnknownError', data: { message: text || 'API error' } };
  }
  const usage = isRecord(message.usage) ? message.usage : undefined;
  if (usage) {
    // The lines of one answer repeat its usage: the last is the final count.
    info.tokens = tokensOf({
      input: usage.input_tokens,
      output: usage.output_tokens,
      cacheRead: usage.cache_read_input_tokens,
      cacheWrite: usage.cache_creation_input_tokens,
    });
  }
  const blocks = Array.isArray(message.content) ? message.content.filter(isRecord) : [];
  for (const [i, block] of blocks.entries()) {
    const id = b.partId(ts, `${uuid}:${i}`);
    if (block.type === 'text' && typeof block.text === 'string') {
      b.part(m, { id, type: 'text', text: block.text });
    } else if (block.type === 'thinking' || block.type === 'redacted_thinking') {
      b.part(m, {
        id,
        type: 'reasoning',
        text: str(block.thinking) ?? '',
        metadata:
          block.type === 'redacted_thinking' ? { redacted: block.data } : str(block.signature) ? { signature: block.signature } : {},
        time: { start: ts, end: ts },
      });
    } else if ((block.type === 'tool_use' || block.type === 'server_tool_use') && typeof block.id === 'string') {
      const tool = String(block.name ?? 'tool');
      b.tool(m, { id, callID: block.id, tool, input: block.input ?? {}, time: ts });
      if (tool === 'TodoWrite') b.todos = todosOf(block.input) ?? b.todos;
    } else if (typeof block.type === 'string' && block.type.endsWith('_tool_result') && typeof block.tool_use_id === 'string') {
      // A server tool's result (web search, advisor) comes in the answer itself.
      const content = block.content;
      const failed = isRecord(content) && typeof content.type === 'string' && content.type.endsWith('_error');
      b.result(block.tool_use_id, { output: resultText(content), error: failed, time: ts });
    } else b.unknown(stats, `assistant block ${String(block.type)}`, block);
  }
}

/** A `system` record: kept as a quiet message (its origin said), except the ones that only time a turn. */
function systemRecord(c: Conversation, r: JsonRecord, ts: number, key: string): void {
  const b = c.b;
  const subtype = str(r.subtype) ?? 'system';
  if (QUIET_SYSTEM.has(subtype)) {
    b.skipped(`system ${subtype}`);
    return;
  }
  c.answer = undefined;
  c.answerKey = undefined;
  const m = b.user({ key, time: ts, synthetic: true, extra: { origin: 'system', subtype, ...(str(r.level) ? { level: r.level } : {}) } });
  if (subtype === 'compact_boundary') {
    const trigger = isRecord(r.compactMetadata) ? str(r.compactMetadata.trigger) : undefined;
    b.part(m, { id: b.partId(ts, `${key}:-1`), type: 'compaction', auto: trigger !== 'manual' });
  }
  const text = str(r.content) ?? (isRecord(r.error) ? JSON.stringify(r.error) : undefined) ?? subtype;
  b.part(m, { id: b.partId(ts, `${key}:0`), type: 'text', text, synthetic: true });
}

export type { Part };
