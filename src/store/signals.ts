import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertId } from '../model/ids.js';
import { writeFileAtomic } from './atomic-write.js';

export type SignalKind = 'abort' | 'init';

export interface Signal {
  kind: SignalKind;
  sessionID: string;
  time: number;
  /** What was asked (for init: the request body). */
  request: Record<string, unknown>;
}

/**
 * Requests for whoever writes a session (abort, init), as files in the state
 * dir — `<sessionID>.<kind>.json` — so that a writer in another process sees
 * them through its own index's watcher.
 */
export class SignalStore {
  readonly folder: string;

  constructor(stateDir: string) {
    this.folder = join(stateDir, 'signals');
  }

  async record(kind: SignalKind, sessionID: string, time: number, request: Record<string, unknown> = {}): Promise<Signal> {
    assertId('session', sessionID);
    const signal: Signal = { kind, sessionID, time, request };
    await mkdir(this.folder, { recursive: true });
    await writeFileAtomic(join(this.folder, `${sessionID}.${kind}.json`), `${JSON.stringify(signal, null, 2)}\n`);
    return signal;
  }

  /** Reads a signal file by its name, or undefined when it is not one. */
  async read(name: string): Promise<Signal | undefined> {
    const match = /^(ses_[0-9a-f]{12}[0-9A-Za-z]{14})\.(abort|init)\.json$/.exec(name);
    if (!match) return undefined;
    try {
      const value = JSON.parse(await readFile(join(this.folder, name), 'utf8')) as Signal;
      return value.sessionID === match[1] && value.kind === match[2] && typeof value.time === 'number' ? value : undefined;
    } catch {
      return undefined;
    }
  }
}
