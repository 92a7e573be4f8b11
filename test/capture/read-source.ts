import type { ConvertedInfo, MessageWithParts, ReadStats } from '../../src/index.js';
import { loadAgent } from '../../src/index.js';

/** A session as an adapter reads it (its last info, and its messages as the last item of each ID gave them). */
export interface ReadSession {
  info: ConvertedInfo;
  messages: MessageWithParts[];
}

/** Everything an agent's adapter reads at `from`, without an archive: for checking a converter by itself. */
export async function readSource(agent: string, from: string): Promise<{ sessions: Map<string, ReadSession>; stats: ReadStats }> {
  const adapter = await loadAgent(agent);
  const store = await adapter.open(from);
  if (!store) throw new Error(`no ${agent} store at ${from}`);
  const stats: ReadStats = { records: 0, unknown: {}, skipped: [], pending: 0 };
  const sessions = new Map<string, ReadSession>();
  const messages = new Map<string, Map<string, MessageWithParts>>();
  try {
    for (const entry of (await store.list()).sort((a, b) => a.depth - b.depth)) {
      for await (const item of store.read(entry, stats)) {
        if (item.kind === 'message') {
          const list = messages.get(item.session) ?? new Map<string, MessageWithParts>();
          messages.set(item.session, list);
          list.set(item.message.info.id, structuredClone(item.message));
        } else {
          const list = [...(messages.get(item.info.id)?.values() ?? [])].sort(
            (a, b) => a.info.time.created - b.info.time.created || (a.info.id < b.info.id ? -1 : 1),
          );
          sessions.set(item.info.id, { info: item.info, messages: list });
        }
      }
    }
  } finally {
    store.close?.();
  }
  return { sessions, stats };
}
