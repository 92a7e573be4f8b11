import type { z } from 'zod';
import { ArchiveError } from '../errors.js';
import { findStructureProblem, MAX_DEPTH } from './json-syntax.js';

/** `parts[2].state.status` from zod's path array. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

export interface FieldIssue {
  path: string;
  message: string;
}

/** Every issue of a zod error as `{path, message}`. */
export function listIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({ path: formatIssuePath(issue.path), message: issue.message }));
}

/**
 * True when `value` is already what a JSON round trip would give back: plain
 * objects and arrays of strings, finite numbers, booleans and null, no
 * `__proto__` key, no deeper than a data file may be. A parsed request body
 * is, and is then validated in place rather than copied whole.
 */
function isPlainJson(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (depth >= MAX_DEPTH) return false;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return false;
        for (let i = 0; i < value.length; i++) {
          if (!(i in value) || !isPlainJson(value[i], depth + 1)) return false;
        }
        return true;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      if (Object.getOwnPropertySymbols(value).length > 0) return false;
      for (const key of Object.keys(value)) {
        if (key === '__proto__' || key === 'toJSON') return false;
        if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

function toJson(value: unknown): unknown {
  if (isPlainJson(value)) return value;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    // A cycle, a BigInt, or nesting too deep for JSON.stringify.
    throw new ArchiveError('INVALID_INPUT', `invalid input: not JSON data (${(cause as Error).message})`, { cause });
  }
  if (text === undefined) return undefined;
  const problem = findStructureProblem(text);
  if (problem) throw new ArchiveError('INVALID_INPUT', `invalid input: ${problem.reason}`);
  return JSON.parse(text);
}

/**
 * Validates `value` against `schema`. On failure throws an `ArchiveError` with
 * `code` (CORRUPT for files, INVALID_INPUT for caller input) whose message
 * lists every issue with its field path, prefixed by `where`.
 */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: string,
  code: 'CORRUPT' | 'INVALID_INPUT' = 'CORRUPT',
): z.output<S> {
  // Caller input passes through JSON first: `undefined` fields vanish (as they
  // would on disk) and nothing that JSON cannot hold reaches a file.
  const result = schema.safeParse(code === 'INVALID_INPUT' ? toJson(value) : value);
  if (result.success) return result.data;
  const issues = listIssues(result.error);
  const text = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw new ArchiveError(code, `${where}: ${text}`, {
    path: code === 'CORRUPT' ? where : undefined,
    cause: result.error,
    details: { issues },
  });
}
