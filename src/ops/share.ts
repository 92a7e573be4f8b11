import { randomBytes } from 'node:crypto';
import type { SessionIndex } from '../catalog/session-index.js';
import { ArchiveError, isArchiveError } from '../errors.js';
import type { Session } from '../model/session.js';
import type { Archive } from '../store/archive.js';

/** 192 bits from the CSPRNG, base64url: 32 characters. */
const TOKEN = /^[A-Za-z0-9_-]{32}$/;

/** The token at the end of a share URL (`…/share/<token>`), if it has one. */
export function shareToken(url: string | undefined): string | undefined {
  const match = /\/share\/([A-Za-z0-9_-]{32})$/.exec(url ?? '');
  return match?.[1];
}

function checkBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ArchiveError(
      'INVALID_INPUT',
      `invalid share base URL ${JSON.stringify(baseUrl)}: expected an http(s) URL such as http://127.0.0.1:4097`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ArchiveError('INVALID_INPUT', `invalid share base URL ${JSON.stringify(baseUrl)}: expected http or https`);
  }
  return baseUrl.replace(/\/+$/, '');
}

/**
 * Shares a session: `share.url = <baseUrl>/share/<token>` with an
 * unguessable token. The URL lives in the session's `info.json`, so the share
 * survives restarts and travels with a synced archive. Sharing a shared
 * session returns it as it is (same URL).
 */
export async function share(archive: Archive, sessionID: string, options: { baseUrl: string }): Promise<Session> {
  const base = checkBaseUrl(options.baseUrl);
  return archive.sessions.modify(sessionID, (info) => {
    if (shareToken(info.share?.url)) return info;
    return { ...info, share: { url: `${base}/share/${randomBytes(24).toString('base64url')}` } };
  });
}

/** Stops sharing: the URL is removed and stops working. */
export async function unshare(archive: Archive, sessionID: string): Promise<Session> {
  return archive.sessions.update(sessionID, { share: null });
}

/**
 * The session shared under `token`, or undefined (unknown, revoked, or not a
 * token at all). Uses the index when given, else reads every `info.json`.
 */
export async function findShared(archive: Archive, token: string, options: { index?: SessionIndex } = {}): Promise<Session | undefined> {
  if (!TOKEN.test(token)) return undefined;
  const candidates = options.index
    ? options.index
        .all()
        .filter((s) => shareToken(s.share) === token)
        .map((s) => s.id)
    : (await archive.sessions.list()).filter((s) => shareToken(s.share?.url) === token).map((s) => s.id);
  for (const id of candidates) {
    const info = await archive.sessions
      .get(id)
      .catch((e: unknown) => (isArchiveError(e, 'NOT_FOUND', 'CORRUPT') ? undefined : Promise.reject(e)));
    if (info && shareToken(info.share?.url) === token) return info;
  }
  return undefined;
}
