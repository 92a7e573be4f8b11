import {
  type Archive,
  type CreateSessionInput,
  forkFamilyTitles,
  forkSession,
  type ImportMode,
  importSessions,
  type MigrateOptions,
  type MigrateSelection,
  migrate,
  revert,
  type Session,
  type SessionIndex,
  type SessionPatch,
  share,
  unrevert,
  unshare,
} from '../index.js';

export interface ServerDeps {
  archive: Archive;
  index: SessionIndex;
}

/**
 * The writes that the API and the web UI both make, each followed by a
 * refresh of the index for the sessions it touched: a list right after a
 * write (from the same client) sees it, where the watcher would a moment
 * later. One place, so the two front ends cannot drift apart.
 */
export function serverActions({ archive, index }: ServerDeps, options: { publicUrl: string }) {
  const fresh = async <T>(result: T, ...ids: string[]): Promise<T> => {
    // The write is done: a refresh that fails must not answer an error (a client would write again); the watcher catches up.
    await index.refresh(...ids).catch(() => {});
    return result;
  };
  const freshSession = (s: Session) => fresh(s, s.id);
  return {
    /** A write inside one session (a message, a part, the todos), then the index refreshed for it, as every other write. */
    within: async <T>(sessionID: string, write: () => Promise<T>) => fresh(await write(), sessionID),
    create: async (input: CreateSessionInput) => freshSession(await archive.sessions.create(input)),
    update: async (id: string, patch: SessionPatch) => freshSession(await archive.sessions.update(id, patch)),
    setArchived: async (id: string, archived: boolean) =>
      freshSession(await archive.sessions.update(id, { time: { archived: archived ? archive.now() : null } })),
    /** Deletes a session and its child tree; returns the deleted IDs. */
    remove: async (id: string) => {
      const ids = await archive.sessions.delete(id, { children: (p) => index.childIds(p) });
      return fresh(ids, ...ids);
    },
    fork: async (id: string, options: { messageID?: string; id?: string }) =>
      freshSession(await forkSession(archive, id, { ...options, taken: forkFamilyTitles(index, id) })),
    /** Share URLs start with the server's configured public URL, never with what a request says its host is. */
    share: async (id: string) => freshSession(await share(archive, id, { baseUrl: options.publicUrl })),
    unshare: async (id: string) => freshSession(await unshare(archive, id)),
    revert: async (id: string, target: { messageID: string; partID?: string }) => freshSession(await revert(archive, id, target)),
    unrevert: async (id: string) => freshSession(await unrevert(archive, id)),
    migrate: async (selection: MigrateSelection, options: Omit<MigrateOptions, 'index'>) => {
      const result = await migrate(archive, selection, { ...options, index });
      return fresh(result, ...result.moved.map((r) => r.id));
    },
    import: async (payload: unknown, mode: ImportMode = 'clone') => {
      const result = await importSessions(archive, payload, { mode });
      return fresh(result, ...result.sessions.map((s) => s.to));
    },
  };
}

export type ServerActions = ReturnType<typeof serverActions>;
