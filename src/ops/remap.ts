import { newId } from '../model/ids.js';
import type { MessageWithParts } from '../model/message.js';

/**
 * Old → new IDs for a copy (fork, clone import). Because IDs are unique
 * random strings, every string in the copy that equals an old ID is a
 * reference to it (`parentID`, parts' `messageID`, compaction `tail_start_id`,
 * `revert.messageID`, a tool's metadata naming a session, …) and is replaced.
 */
export class IdRemap {
  private readonly ids = new Map<string, string>();

  set(oldId: string, newId: string): void {
    this.ids.set(oldId, newId);
  }

  get(oldId: string): string | undefined {
    return this.ids.get(oldId);
  }

  has(oldId: string): boolean {
    return this.ids.has(oldId);
  }

  /** All pairs, in the order they were added. */
  entries(): Array<[string, string]> {
    return [...this.ids];
  }

  /** A deep copy of `value` with every mapped ID replaced. Keys are kept as they are. */
  apply<T>(value: T): T {
    return this.walk(value) as T;
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.ids.get(value) ?? value;
    if (Array.isArray(value)) return value.map((v) => this.walk(v));
    if (value !== null && typeof value === 'object') {
      // fromEntries defines own properties, so even a "__proto__" key stays data.
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.walk(v)]));
    }
    return value;
  }
}

/**
 * Gives the messages and their parts fresh IDs in `remap`, in their order, so
 * the copies sort as the originals did.
 */
export function assignNewIds(messages: readonly MessageWithParts[], remap: IdRemap): void {
  for (const m of messages) remap.set(m.info.id, newId('message'));
  for (const m of messages) for (const p of m.parts) remap.set(p.id, newId('part'));
}
