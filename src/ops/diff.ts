import type { z } from 'zod';
import { shortPath } from '../format-paths.js';
import type { snapshotFileDiff } from '../model/common.js';
import { assertId } from '../model/ids.js';
import type { Part } from '../model/part.js';
import type { Archive } from '../store/archive.js';
import { diffOf, toolSummary } from './tool-summary.js';

export type FileDiff = z.infer<typeof snapshotFileDiff>;

const count = (patch: string, sign: '+' | '-') =>
  patch
    .split('\n')
    .filter((l) => l.startsWith(sign) && !l.startsWith(sign === '+' ? '+++' : '---') && !l.startsWith(`${sign}${sign}${sign}`)).length;

/** A diff of one file from a patch's lines (the counts are its + and - lines). */
function fileDiff(file: string | undefined, patch: string, status?: FileDiff['status']): FileDiff {
  return {
    ...(file !== undefined ? { file } : {}),
    patch,
    additions: count(patch, '+'),
    deletions: count(patch, '-'),
    ...(status ? { status } : {}),
  };
}

/**
 * A patch in Codex's `apply_patch` form (`*** Update File: a.ts` / `*** Add
 * File:` / `*** Delete File:` sections), one diff per file; `undefined` when
 * the text is not one.
 */
function codexPatch(text: string, directory: string): FileDiff[] | undefined {
  const sections = [...text.matchAll(/^\*\*\* (Update|Add|Delete) File: (.+)$/gm)];
  if (!sections.length) return undefined;
  return sections.map((m, i) => {
    const start = (m.index as number) + m[0].length + 1;
    const end = sections[i + 1]?.index ?? text.search(/^\*\*\* End Patch/m);
    const body = text.slice(start, end < start ? undefined : end).replace(/\n$/, '');
    const status = m[1] === 'Add' ? 'added' : m[1] === 'Delete' ? 'deleted' : 'modified';
    return fileDiff(shortPath((m[2] as string).trim(), directory), body, status);
  });
}

/**
 * The file changes a session's edit tool calls made, in order (a later
 * change of a file is added to the earlier ones'): Edit and MultiEdit
 * (old → new text), Write (the whole content, as added lines), Codex's
 * `apply_patch`, and a diff an agent put in a call's metadata. Only calls that
 * completed count. For sessions that recorded no snapshot diffs.
 */
function editCallDiffs(parts: Iterable<Part>, directory: string): FileDiff[] {
  const byFile = new Map<string, FileDiff>();
  const loose: FileDiff[] = [];
  const add = (d: FileDiff) => {
    if (d.file === undefined) {
      loose.push(d);
      return;
    }
    const before = byFile.get(d.file);
    byFile.delete(d.file);
    byFile.set(
      d.file,
      before
        ? {
            ...before,
            patch: [before.patch, d.patch].filter(Boolean).join('\n'),
            additions: before.additions + d.additions,
            deletions: before.deletions + d.deletions,
            status: before.status === 'added' ? 'added' : d.status,
          }
        : d,
    );
  };
  for (const p of parts) {
    if (p.type !== 'tool' || p.state.status !== 'completed') continue;
    const input = (p.state.input ?? {}) as Record<string, unknown>;
    const patchText = typeof input.patch === 'string' ? input.patch : typeof input.input === 'string' ? input.input : undefined;
    const codex = patchText ? codexPatch(patchText, directory) : undefined;
    if (codex) {
      for (const d of codex) add(d);
      continue;
    }
    const summary = toolSummary(p, directory);
    const file = summary.path === undefined ? undefined : shortPath(summary.path, directory);
    const edits = Array.isArray(input.edits) ? input.edits : undefined;
    if (edits && file !== undefined) {
      // MultiEdit: each of its edits in turn.
      for (const e of edits) {
        const x = (e ?? {}) as Record<string, unknown>;
        const before = x.old_string ?? x.oldString;
        const after = x.new_string ?? x.newString;
        if (typeof before === 'string' && typeof after === 'string') add(fileDiff(file, diffOf(before, after), 'modified'));
      }
    } else if (summary.diff !== undefined) add(fileDiff(file, summary.diff, 'modified'));
    else if (summary.content !== undefined && file !== undefined && /write|create/i.test(p.tool))
      add(
        fileDiff(
          file,
          summary.content
            .split('\n')
            .map((l) => `+${l}`)
            .join('\n'),
          'added',
        ),
      );
  }
  return [...loose, ...byFile.values()];
}

/**
 * OpenCode's `SnapshotFileDiff[]` from what the session stored: with a
 * `messageID`, that user message's `summary.diffs`; otherwise the session's
 * `summary.diffs`, or, when it has none, the user messages' diffs in order
 * (a later diff of a file replaces an earlier one). A session that recorded
 * none (most agents keep no snapshots) shows what its edit tool calls
 * changed, from their inputs ({@link editCallDiffs}); with a `messageID` of
 * an assistant message, that message's calls.
 */
export async function diff(archive: Archive, sessionID: string, options: { messageID?: string } = {}): Promise<FileDiff[]> {
  const info = await archive.sessions.get(sessionID);
  if (options.messageID !== undefined) {
    assertId('message', options.messageID);
    const m = await archive.messages.get(sessionID, options.messageID);
    return m.info.role === 'user' ? (m.info.summary?.diffs ?? []) : editCallDiffs(m.parts, info.directory);
  }
  if (info.summary?.diffs?.length) return info.summary.diffs;
  const byFile = new Map<string, FileDiff>();
  const loose: FileDiff[] = [];
  const parts: Part[] = [];
  for (const m of await archive.messages.list(sessionID)) {
    if (m.info.role !== 'user') {
      parts.push(...m.parts);
      continue;
    }
    for (const d of m.info.summary?.diffs ?? []) {
      if (d.file === undefined) loose.push(d);
      else {
        byFile.delete(d.file);
        byFile.set(d.file, d);
      }
    }
  }
  const recorded = [...loose, ...byFile.values()];
  return recorded.length ? recorded : editCallDiffs(parts, info.directory);
}
