import { randomUUID } from 'node:crypto';
import { derivedUuid, exportSteps, isRecord, type MessageWithParts, userBlocksForExport } from '../../kit/index.js';
import type { Archive } from '../../kit/live.js';

// A session written as a Qwen Code chat (JSONL records chained by
// uuid/parentUuid, `message.parts` in Gemini's shape), as Qwen Code 0.24
// writes and resumes it: user records, assistant records (`role: model`),
// shell calls as its own `run_shell_command` with a `tool_result` record after
// them; other tools' calls kept as the assistant's text (Qwen Code has no tool
// of their name); images as inline data.

/** Where Qwen Code keeps the chats of a working folder: projects/<folder, / and . → ->/chats/<id>.jsonl. */
export function qwenChatPath(home: string, directory: string, id: string): string {
  return `${home}/projects/${directory.replace(/[/.]/g, '-')}/chats/${id}.jsonl`;
}

export const newQwenId = (): string => randomUUID();

/** The chat's lines (each ends with `\n`). */
export async function* qwenChat(archive: Archive, sessionID: string, options: { agentID?: string } = {}): AsyncGenerator<string> {
  const info = await archive.sessions.get(sessionID);
  const sessionId = options.agentID ?? newQwenId();
  const messages = await archive.messages.list(sessionID);
  let parent: string | null = null;
  const push = function* (key: string, time: number, record: Record<string, unknown>) {
    const uuid = derivedUuid(`${sessionId}:${key}`);
    yield `${JSON.stringify({ uuid, parentUuid: parent, sessionId, timestamp: new Date(time).toISOString(), cwd: info.directory, version: '0.24.4', ...record })}\n`;
    parent = uuid;
  };
  for (const m of messages as MessageWithParts[]) {
    if (!isRecord(m.info) || !Array.isArray(m.parts)) continue;
    const time = m.info.time.created;
    if (m.info.role === 'user') {
      const parts = userBlocksForExport(m.parts, {
        text: (text) => ({ text }),
        image: (mimeType, data) => ({ inlineData: { mimeType, data } }),
      });
      if (parts.length) yield* push(m.info.id, time, { type: 'user', message: { role: 'user', parts } });
      continue;
    }
    const model = m.info.modelID;
    // Shell calls as Qwen Code's own; other tools' calls (no Qwen Code tool of that name) as text.
    for (const step of exportSteps(m)) {
      if (step.kind === 'text') {
        yield* push(step.key, step.at, { type: 'assistant', model, message: { role: 'model', parts: [{ text: step.text }] } });
        continue;
      }
      const { call, part } = step;
      const functionCall = { id: part.callID, name: 'run_shell_command', args: { command: call.command } };
      yield* push(`${part.id}:call`, call.start, { type: 'assistant', model, message: { role: 'model', parts: [{ functionCall }] } });
      yield* push(`${part.id}:result`, call.end, {
        type: 'tool_result',
        message: {
          role: 'user',
          parts: [{ functionResponse: { id: part.callID, name: 'run_shell_command', response: { output: call.result } } }],
        },
      });
    }
  }
}
