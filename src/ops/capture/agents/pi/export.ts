import { randomUUID } from 'node:crypto';
import { derivedUuid, exportSteps, isRecord, type MessageWithParts, userBlocksForExport } from '../../kit/index.js';
import type { Archive } from '../../kit/live.js';

// A session written as a Pi session file (format version 3): a `session`
// header, then `message` entries chained by id/parentId — user messages,
// assistant messages (shell calls as Pi's own `bash` tool calls), and a
// `toolResult` after each call; other tools' calls kept as the assistant's
// text (Pi has no tool of their name); images as image blocks.

export const newPiId = (): string => randomUUID();

/** Where Pi keeps a session of a working folder: sessions/--<folder, / → ->--/<time>_<id>.jsonl. */
export function piSessionPath(sessions: string, directory: string, id: string, time: Date): string {
  const folder = `--${directory.replace(/^\/+/, '').replace(/\//g, '-')}--`;
  return `${sessions}/${folder}/${time.toISOString().replace(/[:.]/g, '-')}_${id}.jsonl`;
}

const ZERO_USAGE = {
  input: 0,
  output: 0,
  cacheRead: 0,
  cacheWrite: 0,
  totalTokens: 0,
  cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 },
};

/** The session file's lines (each ends with `\n`). */
export async function* piSession(archive: Archive, sessionID: string, options: { agentID?: string } = {}): AsyncGenerator<string> {
  const info = await archive.sessions.get(sessionID);
  const id = options.agentID ?? newPiId();
  const messages = await archive.messages.list(sessionID);
  yield `${JSON.stringify({ type: 'session', version: 3, id, timestamp: new Date(info.time.created).toISOString(), cwd: info.directory })}\n`;
  let parent: string | null = null;
  const entry = (key: string, time: number, message: Record<string, unknown>) => {
    const entryId = derivedUuid(`${id}:${key}`).slice(0, 8);
    const line = `${JSON.stringify({ type: 'message', id: entryId, parentId: parent, timestamp: new Date(time).toISOString(), message: { ...message, timestamp: time } })}\n`;
    parent = entryId;
    return line;
  };
  for (const m of messages as MessageWithParts[]) {
    if (!isRecord(m.info) || !Array.isArray(m.parts)) continue;
    const time = m.info.time.created;
    if (m.info.role === 'user') {
      const content = userBlocksForExport(m.parts, {
        text: (text) => ({ type: 'text', text }),
        image: (mimeType, data) => ({ type: 'image', data, mimeType }),
      });
      if (content.length) yield entry(m.info.id, time, { role: 'user', content });
      continue;
    }
    const assistant = { api: 'openai-completions', provider: m.info.providerID, model: m.info.modelID, usage: ZERO_USAGE };
    // Shell calls as Pi's own `bash`; other tools' calls (no Pi tool of that name) as text.
    for (const step of exportSteps(m)) {
      if (step.kind === 'text') {
        yield entry(step.key, step.at, {
          role: 'assistant',
          content: [{ type: 'text', text: step.text }],
          ...assistant,
          stopReason: 'stop',
        });
        continue;
      }
      const { call, part } = step;
      const toolCall = { type: 'toolCall', id: part.callID, name: 'bash', arguments: { command: call.command } };
      yield entry(`${part.id}:call`, call.start, { role: 'assistant', content: [toolCall], ...assistant, stopReason: 'toolUse' });
      yield entry(`${part.id}:result`, call.end, {
        role: 'toolResult',
        toolCallId: part.callID,
        toolName: 'bash',
        content: [{ type: 'text', text: call.result }],
        isError: part.state.status === 'error',
      });
    }
  }
}
