import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { errnoCode } from '../errors.js';
import { assertId, isId } from '../model/ids.js';
import { modelSchemas } from '../model/lazy.js';
import type { StatusInput } from '../model/status.js';

export type { StatusInput };

import { writeFileAtomic } from './atomic-write.js';
import { processAlive } from './temp-names.js';
import { validate } from './validate.js';

/** A session's runtime status as stored: the input plus when, and which process on which host set it. */
export type SessionStatus = StatusInput & { since?: number; host?: string; pid?: number };

const IDLE: SessionStatus = { type: 'idle' };
const HOST = hostname();

/**
 * The status as it stands now: an error stays until someone clears it, but a
 * busy or retry whose process is gone from this host is idle.
 */
export function effective(status: SessionStatus): SessionStatus {
  if (status.type !== 'error' && status.host === HOST && typeof status.pid === 'number' && !processAlive(status.pid)) return IDLE;
  return status;
}

/**
 * Runtime status per session, kept in the state dir (never in the archive):
 * one small file per non-idle session. A `busy` or `retry` whose process is
 * gone from this host reads as idle, so status never sticks after a crash.
 */
export class StatusStore {
  readonly folder: string;

  constructor(
    stateDir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.folder = join(stateDir, 'status');
  }

  private path(sessionID: string): string {
    assertId('session', sessionID);
    return join(this.folder, `${sessionID}.json`);
  }

  /** Sets a session's status (idle removes the file); returns what is stored. */
  async set(sessionID: string, input: StatusInput): Promise<SessionStatus> {
    const path = this.path(sessionID);
    const status = validate((await modelSchemas()).statusInput, input, 'invalid status', 'INVALID_INPUT');
    if (status.type === 'idle') {
      await unlink(path).catch((error: unknown) => {
        if (errnoCode(error) !== 'ENOENT') throw error;
      });
      return IDLE;
    }
    const stored: SessionStatus = { ...status, since: this.now(), host: HOST, pid: process.pid };
    await mkdir(this.folder, { recursive: true });
    await writeFileAtomic(path, `${JSON.stringify(stored, null, 2)}\n`);
    return stored;
  }

  /** A session's status; idle when none is stored, or its owner is gone. */
  async get(sessionID: string): Promise<SessionStatus> {
    return (await this.read(this.path(sessionID))) ?? IDLE;
  }

  private async read(path: string): Promise<SessionStatus | undefined> {
    let value: unknown;
    try {
      value = JSON.parse(await readFile(path, 'utf8'));
    } catch {
      return undefined;
    }
    const parsed = (await modelSchemas()).statusInput.safeParse(value);
    if (!parsed.success) return undefined;
    const status = effective(parsed.data as SessionStatus);
    return status.type === 'idle' ? undefined : status;
  }

  /** Every session that is not idle, as OpenCode's `GET /session/status` answers: `{[sessionID]: status}`. */
  async map(): Promise<Record<string, SessionStatus>> {
    let names: string[];
    try {
      names = await readdir(this.folder);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return {};
      throw error;
    }
    const out: Record<string, SessionStatus> = {};
    for (const name of names.sort()) {
      const id = name.slice(0, -5);
      if (!name.endsWith('.json') || !isId('session', id)) continue;
      const status = await this.read(join(this.folder, name));
      if (status) out[id] = status;
    }
    return out;
  }
}
