import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { sessionAgent } from '../../catalog/index/index.js';
import { ArchiveError } from '../../errors.js';
import type { Archive } from '../../store/archive.js';
import { AGENTS, agentEntry, loadAgent } from './registry.js';
import { CaptureState } from './state.js';

/** What `sarc resume` did (or, with `dryRun`, would do). */
export interface ResumePlan {
  /** The archive session. */
  session: string;
  agent: string;
  /** The agent-side session ID it was written under (a fresh one: the agent's own file, if any, is left alone). */
  agentID: string;
  /** The file written in the agent's store. */
  path: string;
  /** The command that loads the file into the agent's store first, where the agent keeps a database (OpenCode). */
  prepare?: string[];
  /** The command that resumes it, and the folder to run it in. */
  command: string[];
  cwd: string;
  /** Resumed in the agent the session came from: what the agent adds comes into this same session (else into a continuation). */
  same: boolean;
}

/** The agents a session can be resumed in (their adapters write their own format where they look). */
export async function resumeTargets(): Promise<string[]> {
  const out: string[] = [];
  for (const a of AGENTS) if ((await loadAgent(a.name)).exportBack?.resume) out.push(a.name);
  return out;
}

/**
 * Writes a session into an agent's store under a fresh agent-side ID (the
 * folder and file name the agent looks in) and records it, so that the next
 * sync of that agent brings in only the turns added after resuming, never a
 * second copy: into the same session when the agent is the one it came from,
 * else as a continuation of it (a fork after its last message). Never
 * overwrites a file.
 */
export async function resumeSession(
  archive: Archive,
  sessionID: string,
  agentName: string,
  options: { dryRun?: boolean } = {},
): Promise<ResumePlan> {
  if (!agentEntry(agentName)) throw new ArchiveError('INVALID_INPUT', `unknown agent ${JSON.stringify(agentName)}`);
  const adapter = await loadAgent(agentName);
  const back = adapter.exportBack;
  if (!back?.resume)
    throw new ArchiveError(
      'INVALID_INPUT',
      `a session cannot be resumed in ${adapter.label} yet: it can in ${(await resumeTargets()).join(', ')}`,
    );
  const info = await archive.sessions.get(sessionID);
  const agentID = back.resume.newId();
  const path = back.resume.path(info.directory, agentID);
  const prepare = back.resume.prepare?.(path);
  const plan: ResumePlan = {
    session: sessionID,
    agent: agentName,
    agentID,
    path,
    ...(prepare ? { prepare } : {}),
    command: back.resume.command(agentID),
    cwd: info.directory,
    same: sessionAgent(info) === agentName,
  };
  if (options.dryRun) return plan;
  let text = '';
  const lines = back.resume.lines?.(archive, sessionID, agentID) ?? back.lines(archive, sessionID, { agentID });
  for await (const line of lines) text += line;
  await mkdir(dirname(path), { recursive: true });
  try {
    await writeFile(path, text, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new ArchiveError('CONFLICT', `${path} exists already; nothing was written`);
    throw error;
  }
  for (const file of back.resume.beside?.(info.directory, agentID) ?? []) {
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(file.path, file.text, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
  const messages = await archive.messages.list(sessionID);
  let after = info.time.created;
  let lastMessage: string | undefined;
  for (const m of messages) {
    if ('error' in m && (m as { error?: { name?: string } }).error?.name === 'CorruptFileError') continue;
    const t = m.info.time as { created: number; completed?: number };
    after = Math.max(after, t.created, t.completed ?? 0);
    lastMessage = m.info.id;
  }
  const syncsAs = adapter.archiveIds(agentID)[0];
  if (syncsAs) {
    await new CaptureState(archive, agentName).addResumed(syncsAs, {
      session: sessionID,
      ...(lastMessage ? { lastMessage } : {}),
      agentID,
      path,
      writtenAt: archive.now(),
      after,
      ...(plan.same ? { same: true } : {}),
    });
  }
  return plan;
}
