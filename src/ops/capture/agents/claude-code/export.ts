import { createHash } from 'node:crypto';
import { derivedUuid, isRecord, type MessageWithParts, type Session } from '../../kit/index.js';
import type { Archive } from '../../kit/live.js';

// A session written back as a Claude Code transcript (JSONL), in the format
// `convertClaudeCode` reads: a summary record, then user and assistant
// records chained by uuid/parentUuid, tool results as the user records that
// follow a tool call. Whether the claude CLI resumes it is not checked here.

const uuidOf = derivedUuid;

/** Where Claude Code keeps the transcripts of a working folder: its path with every `/` (and `.`) as `-`. */
export function claudeProjectFolder(directory: string): string {
  return directory.replace(/[/.]/g, '-');
}

/** The Claude Code session ID of an archive session: the one it came from, else one derived from its ID. */
export function claudeSessionIdOf(info: Session): string {
  const envelope = isRecord(info.metadata?.claudeCode) ? info.metadata.claudeCode : undefined;
  const source = envelope?.agentId === undefined ? (envelope?.id ?? envelope?.sessionId) : undefined;
  return typeof source === 'string' ? source : uuidOf(`session-archive:${info.id}`);
}

function userContent(m: MessageWithParts): unknown[] {
  const blocks: unknown[] = [];
  for (const p of m.parts) {
    if (p.type === 'text') blocks.push({ type: 'text', text: p.text });
    else if (p.type === 'file') {
      const data = /^data:([^;,]+);base64,(.*)$/s.exec(p.url);
      if (data?.[1]?.startsWith('image/')) blocks.push({ type: 'image', source: { type: 'base64', media_type: data[1], data: data[2] } });
      else blocks.push({ type: 'text', text: `[file ${p.filename ?? p.url}]` });
    }
  }
  return blocks;
}

/** The transcript's lines (each ends with `\n`). */
export async function* claudeTranscript(archive: Archive, sessionID: string, options: { agentID?: string } = {}): AsyncGenerator<string> {
  const info = await archive.sessions.get(sessionID);
  const sessionId = options.agentID ?? claudeSessionIdOf(info);
  const messages = await archive.messages.list(sessionID);
  const common = {
    isSidechain: false,
    userType: 'external',
    cwd: info.directory,
    sessionId,
    version: info.version.replace(/^claude-code /, ''),
  };
  let parent: string | null = null;
  const lines: string[] = [];
  const push = (record: Record<string, unknown>, key: string, time: number) => {
    const uuid = uuidOf(`${sessionId}:${key}`);
    lines.push(JSON.stringify({ parentUuid: parent, ...common, ...record, uuid, timestamp: new Date(time).toISOString() }));
    parent = uuid;
  };
  for (const m of messages) {
    if (m.info.role === 'user') {
      const content = userContent(m);
      if (content.length === 0) continue;
      const compacted = m.parts.some((p) => p.type === 'compaction');
      const only = content.length === 1 && isRecord(content[0]) && content[0].type === 'text' ? (content[0].text as string) : undefined;
      push(
        { type: 'user', ...(compacted ? { isCompactSummary: true } : {}), message: { role: 'user', content: only ?? content } },
        m.info.id,
        m.info.time.created,
      );
      continue;
    }
    const a = m.info;
    const content: unknown[] = [];
    const results: unknown[] = [];
    let end = a.time.completed ?? a.time.created;
    for (const p of m.parts) {
      if (p.type === 'text') content.push({ type: 'text', text: p.text });
      else if (p.type === 'reasoning')
        content.push({
          type: 'thinking',
          thinking: p.text,
          signature: typeof p.metadata?.signature === 'string' ? p.metadata.signature : '',
        });
      else if (p.type === 'tool') {
        content.push({ type: 'tool_use', id: p.callID, name: p.tool, input: p.state.input });
        if (p.state.status === 'completed' || p.state.status === 'error') {
          end = Math.max(end, p.state.time.end);
          results.push({
            type: 'tool_result',
            tool_use_id: p.callID,
            content: p.state.status === 'completed' ? p.state.output : p.state.error,
            ...(p.state.status === 'error' ? { is_error: true } : {}),
          });
        }
      }
    }
    if (content.length === 0) continue;
    push(
      {
        type: 'assistant',
        message: {
          id: `msg_${createHash('sha256').update(a.id).digest('hex').slice(0, 24)}`,
          type: 'message',
          role: 'assistant',
          model: a.modelID,
          content,
          stop_reason: a.finish ?? null,
          usage: {
            input_tokens: a.tokens.input,
            output_tokens: a.tokens.output,
            cache_read_input_tokens: a.tokens.cache.read,
            cache_creation_input_tokens: a.tokens.cache.write,
          },
        },
      },
      a.id,
      a.time.created,
    );
    if (results.length) push({ type: 'user', message: { role: 'user', content: results } }, `${a.id}:results`, end);
  }
  yield `${JSON.stringify({ type: 'summary', summary: info.title, leafUuid: parent })}\n`;
  for (const line of lines) yield `${line}\n`;
}
