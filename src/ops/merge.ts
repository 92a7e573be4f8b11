import type { MessageWithParts } from '../model/message.js';
import type { Session } from '../model/session.js';
import type { Todo } from '../model/todo.js';

type Json = unknown;

/** A field both sides changed to different values: the value kept and the one that lost. */
export interface MergeConflict {
  /** Where, as a path: `title`, `time.archived`, `parts[prt_…].text`. */
  field: string;
  kept: unknown;
  dropped: unknown;
}

/** Where a merge is in the document, and where the fields both sides changed are noted. */
interface Trail {
  path: string;
  conflicts: MergeConflict[];
}

const at = (trail: Trail | undefined, step: string): Trail | undefined =>
  trail && {
    path: trail.path ? (step.startsWith('[') ? `${trail.path}${step}` : `${trail.path}.${step}`) : step,
    conflicts: trail.conflicts,
  };

/** Notes a both-changed field (not an added or removed object's inside: the object is the conflict) and returns the winner. */
function decide(trail: Trail | undefined, ours: Json, theirs: Json, theirsWins: boolean): Json {
  const [kept, dropped] = theirsWins ? [theirs, ours] : [ours, theirs];
  trail?.conflicts.push({ field: trail.path || '(whole file)', kept, dropped });
  return kept;
}

const same = (a: Json, b: Json) => JSON.stringify(a) === JSON.stringify(b);
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An item's identity in a list: its `id` when it has one, else all of it. */
const key = (v: Json) => (isObject(v) && typeof v.id === 'string' ? `id:${v.id}` : `json:${JSON.stringify(v)}`);

/**
 * Lists merge as sets of items: ours in their order with what theirs removed
 * taken out, then what theirs added. Items with an `id` that both sides
 * changed are merged themselves.
 */
function mergeLists(base: Json[], ours: Json[], theirs: Json[], theirsWins: boolean, trail?: Trail): Json[] {
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
      out.push(mergeAt(baseKeys.get(k), item, other, theirsWins, at(trail, `[${k.startsWith('id:') ? k.slice(3) : '…'}]`)));
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
 * With `conflicts`, every field both sides changed to different values is
 * noted there with the value kept and the one dropped.
 */
export function mergeValues(base: Json, ours: Json, theirs: Json, theirsWins: boolean, conflicts?: MergeConflict[]): Json {
  return mergeAt(base, ours, theirs, theirsWins, conflicts && { path: '', conflicts });
}

function mergeAt(base: Json, ours: Json, theirs: Json, theirsWins: boolean, trail: Trail | undefined): Json {
  if (same(ours, theirs)) return ours;
  if (base !== undefined && same(base, ours)) return theirs;
  if (base !== undefined && same(base, theirs)) return ours;
  if (ours === undefined || theirs === undefined) {
    // Without a base, a field only one side has was added there: keep it.
    if (base === undefined) return ours ?? theirs;
    return decide(trail, ours, theirs, theirsWins);
  }
  if (isObject(ours) && isObject(theirs)) {
    const b = isObject(base) ? base : undefined;
    const out: Record<string, Json> = {};
    for (const k of new Set([...Object.keys(ours), ...Object.keys(theirs)])) {
      const v = mergeAt(b?.[k], ours[k], theirs[k], theirsWins, at(trail, k));
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
  if (Array.isArray(ours) && Array.isArray(theirs)) return mergeLists(Array.isArray(base) ? base : [], ours, theirs, theirsWins, trail);
  return decide(trail, ours, theirs, theirsWins);
}

/**
 * Which side wins where both changed a field: the newer, and on a tie the
 * one whose bytes sort later — never "ours", which in a rebase is upstream,
 * so a merge and the matching rebase keep the same value.
 */
function theirsNewer(ours: Json, theirs: Json, oursTime: number, theirsTime: number): boolean {
  if (theirsTime !== oursTime) return theirsTime > oursTime;
  return JSON.stringify(theirs) > JSON.stringify(ours);
}

/**
 * Session info: field-wise; where both changed a field, the newer
 * `time.updated` wins (see `theirsNewer` for a tie); `time.updated` is the
 * later one. `conflicts` gets every field both changed, but `time.updated`.
 */
export function mergeInfo(base: Session | undefined, ours: Session, theirs: Session, conflicts?: MergeConflict[]): Session {
  const found: MergeConflict[] = [];
  const merged = mergeValues(base, ours, theirs, theirsNewer(ours, theirs, ours.time.updated, theirs.time.updated), found) as Session;
  merged.time = { ...merged.time, updated: Math.max(ours.time.updated, theirs.time.updated) };
  conflicts?.push(...found.filter((c) => c.field !== 'time.updated'));
  return merged;
}

/** Todo lists: as sets of items (by `id` where they have one). */
export function mergeTodos(base: Todo[] | undefined, ours: Todo[], theirs: Todo[]): Todo[] {
  return mergeLists(base ?? [], ours, theirs, false) as Todo[];
}

/** A message: field-wise, parts as a set by ID; where both changed, the later completed (or created) side wins. */
export function mergeMessage(
  base: MessageWithParts | undefined,
  ours: MessageWithParts,
  theirs: MessageWithParts,
  conflicts?: MergeConflict[],
): MessageWithParts {
  const time = (m: MessageWithParts) =>
    'completed' in m.info.time && typeof m.info.time.completed === 'number' ? m.info.time.completed : m.info.time.created;
  return mergeValues(base, ours, theirs, theirsNewer(ours, theirs, time(ours), time(theirs)), conflicts) as MessageWithParts;
}
