import type { MessageWithParts } from '../model/message.js';
import type { Session } from '../model/session.js';
import type { Todo } from '../model/todo.js';

type Json = unknown;

const same = (a: Json, b: Json) => JSON.stringify(a) === JSON.stringify(b);
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An item's identity in a list: its `id` when it has one, else all of it. */
const key = (v: Json) => (isObject(v) && typeof v.id === 'string' ? `id:${v.id}` : `json:${JSON.stringify(v)}`);

/**
 * Lists merge as sets of items: ours in their order with what theirs removed
 * taken out, then what theirs added. Items with an `id` that both sides
 * changed are merged themselves.
 */
function mergeLists(base: Json[], ours: Json[], theirs: Json[], theirsWins: boolean): Json[] {
  const baseKeys = new Map(base.map((v) => [key(v), v]));
  const theirsByKey = new Map(theirs.map((v) => [key(v), v]));
  const oursKeys = new Set(ours.map(key));
  const out: Json[] = [];
  for (const item of ours) {
    const k = key(item);
    const other = theirsByKey.get(k);
    if (other === undefined) {
      // Gone on their side: removed there (if it was in the base and unchanged here), else kept.
      if (baseKeys.has(k) && same(baseKeys.get(k), item)) continue;
      out.push(item);
    } else {
      out.push(mergeValues(baseKeys.get(k), item, other, theirsWins));
    }
  }
  for (const item of theirs) {
    const k = key(item);
    if (!oursKeys.has(k) && !(baseKeys.has(k) && same(baseKeys.get(k), item))) out.push(item);
  }
  return out;
}

/**
 * A three-way, field-wise merge: what only one side changed is taken from
 * it; where both changed the same field, `theirsWins` decides. Objects merge
 * key by key (ours' key order, then keys only theirs has); lists merge as sets.
 * Without a base (`undefined`, e.g. a sync conflict copy) every difference
 * counts as changed on both sides. `undefined` in the result means removed.
 */
export function mergeValues(base: Json, ours: Json, theirs: Json, theirsWins: boolean): Json {
  if (same(ours, theirs)) return ours;
  if (base !== undefined && same(base, ours)) return theirs;
  if (base !== undefined && same(base, theirs)) return ours;
  if (ours === undefined || theirs === undefined) {
    // Without a base, a field only one side has was added there: keep it.
    if (base === undefined) return ours ?? theirs;
    return theirsWins ? theirs : ours;
  }
  if (isObject(ours) && isObject(theirs)) {
    const b = isObject(base) ? base : undefined;
    const out: Record<string, Json> = {};
    for (const k of new Set([...Object.keys(ours), ...Object.keys(theirs)])) {
      const v = mergeValues(b?.[k], ours[k], theirs[k], theirsWins);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
  if (Array.isArray(ours) && Array.isArray(theirs)) return mergeLists(Array.isArray(base) ? base : [], ours, theirs, theirsWins);
  return theirsWins ? theirs : ours;
}

/** Session info: field-wise; where both changed a field, the newer `time.updated` wins; `time.updated` is the later one. */
export function mergeInfo(base: Session | undefined, ours: Session, theirs: Session): Session {
  const merged = mergeValues(base, ours, theirs, theirs.time.updated > ours.time.updated) as Session;
  merged.time = { ...merged.time, updated: Math.max(ours.time.updated, theirs.time.updated) };
  return merged;
}

/** Todo lists: as sets of items (by `id` where they have one). */
export function mergeTodos(base: Todo[] | undefined, ours: Todo[], theirs: Todo[]): Todo[] {
  return mergeLists(base ?? [], ours, theirs, false) as Todo[];
}

/** A message: field-wise, parts as a set by ID; where both changed, the later completed (or created) side wins. */
export function mergeMessage(base: MessageWithParts | undefined, ours: MessageWithParts, theirs: MessageWithParts): MessageWithParts {
  const time = (m: MessageWithParts) =>
    'completed' in m.info.time && typeof m.info.time.completed === 'number' ? m.info.time.completed : m.info.time.created;
  return mergeValues(base, ours, theirs, time(theirs) > time(ours)) as MessageWithParts;
}
