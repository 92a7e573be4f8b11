import { basename, isAbsolute } from 'node:path';
import type { AgentAdapter } from '../../contract.js';
import { derivedId, envDir, fileStore, home, readGeminiChatFiles, readSideText } from '../../kit/index.js';
import { geminiChat, geminiChatPath, newGeminiId } from './export.js';

// Gemini CLI: ~/.gemini (or $GEMINI_CLI_HOME/.gemini), a folder per working
// folder under tmp/ (its base name; older versions the SHA-256 of its path),
// chats/session-<time>-<first 8 of the ID>.jsonl — or .json, one document,
// in older versions. A resume in a later minute starts a second file for the
// same session beside the first: the files of a session are one source. A
// sub-agent's chat is chats/<parent's ID>/<its ID>.jsonl.

/** The archive ID of a Gemini CLI session. */
export function geminiSessionId(id: string): string {
  return derivedId('session', undefined, `gemini-cli:${id}`);
}

const MAIN = /^session-.*-([0-9A-Za-z_-]{1,8})\.jsonl?$/;
const CHILD = /^([0-9A-Za-z_-]+)\.jsonl$/;

/** What a file below the store is: a main chat (grouped by folder and short ID) or a sub-agent's; `undefined` for any other. */
export function chatFile(rel: string): { group: string; parent?: string; id?: string } | undefined {
  const parts = rel.split('/');
  if (parts[0] !== 'tmp' || parts[2] !== 'chats') return undefined;
  const name = parts.at(-1) ?? '';
  if (parts.length === 4) {
    const short = MAIN.exec(name)?.[1];
    return short ? { group: `${parts.slice(0, 3).join('/')}/${short}` } : undefined;
  }
  const id = parts.length === 5 ? CHILD.exec(name)?.[1] : undefined;
  return id ? { group: rel, parent: parts[3], id } : undefined;
}

/** Gemini CLI's folder: ~/.gemini, or $GEMINI_CLI_HOME/.gemini. */
const geminiHome = () => `${envDir('GEMINI_CLI_HOME', home)}/.gemini`;

export const geminiCli: AgentAdapter = {
  name: 'gemini-cli',
  label: 'Gemini CLI',
  unit: 'chat',
  location: () => geminiHome(),
  open: fileStore({
    depth: 4,
    want: (rel) => chatFile(rel) !== undefined,
    enter: (rel) => {
      const parts = rel.split('/');
      return parts[0] === 'tmp' && (parts.length !== 3 || parts[2] === 'chats');
    },
    group: (rel) => chatFile(rel)?.group ?? rel,
    depthOf: (key) => (chatFile(key)?.parent ? 1 : 0),
    read: async function* (root, entry, stats, files) {
      const kind = chatFile(entry.key) ?? { group: entry.key };
      const project = entry.key.split('/').slice(0, 2).join('/');
      // The working folder as the agent wrote it beside the chats (absent for the hashed folders of older versions).
      const recorded = (await readSideText(root, `${root}/${project}/.project_root`, 4096))?.trim();
      yield* readGeminiChatFiles(files, stats, {
        agent: 'gemini-cli',
        envelope: 'geminiCli',
        providerID: 'google',
        sessionId: geminiSessionId,
        fallbackId: kind.id ?? entry.key.split('/').at(-1) ?? entry.key,
        ...(kind.parent ? { parentID: geminiSessionId(kind.parent) } : {}),
        ...(recorded && isAbsolute(recorded) ? { directory: recorded } : {}),
      });
    },
  }),
  watchTargets: (from) => [{ path: `${from}/tmp`, depth: 3 }],
  archiveIds: (sourceID) => [geminiSessionId(sourceID)],
  exportBack: {
    format: 'gemini-cli',
    lines: geminiChat,
    hint: async (_archive, sessionID) =>
      `Gemini CLI looks in ~/.gemini/tmp/<folder name>/chats/ (to go on with the session in Gemini CLI: sarc resume ${sessionID} --in gemini-cli)`,
    resume: {
      newId: newGeminiId,
      path: (directory, agentID) => geminiChatPath(geminiHome(), directory, agentID, new Date()),
      command: (agentID) => ['gemini', '--resume', agentID],
      // The folder's record of the working folder it stands for, as Gemini CLI writes it beside the chats.
      beside: (directory) => [{ path: `${geminiHome()}/tmp/${basename(directory)}/.project_root`, text: directory }],
    },
  },
};
