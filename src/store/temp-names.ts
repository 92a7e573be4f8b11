import type { Stats } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { errnoCode } from '../errors.js';
import { randomText } from '../model/ids.js';

// Temp files are named `.<target>.sarc-<host>-<pid>-<random>.tmp`: hidden, not a
// valid ID, matched by the archive's .gitignore, and telling which process
// owns them so that a crashed writer's leftovers can be swept safely.
const HOST = hostTag(hostname());
const TEMP_PATTERN = /^\..+\.sarc-([0-9a-z]{6})-(\d+)-[0-9a-f]{8}\.tmp$/;
/** Temps older than this are swept even when their owner cannot be checked (another host). */
const STALE_TEMP_MS = 60 * 60 * 1000;

function hostTag(name: string): string {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36).padStart(6, '0').slice(-6);
}

/** `<host>-<pid>`: names this process in temp and journal names. */
export function ownerTag(): string {
  return `${HOST}-${process.pid}`;
}

/** True when a `<host>-<pid>` tag names a process that may still be running (another host's always may). */
export function ownerMayBeAlive(host: string, pid: number): boolean {
  return host !== HOST || pid === process.pid || processAlive(pid);
}

/** The temp file name used for writing `target`. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.sarc-${ownerTag()}-${randomText(4, 'hex')}.tmp`);
}

/** True for a file name the archive's writers use for temps. */
export function isTempName(name: string): boolean {
  return TEMP_PATTERN.test(name);
}

/** True when a process with this PID exists on this host. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}

/**
 * Removes temp files (and staging folders) left in `folder` by crashed writers: those of this host
 * whose process is gone, and any older than an hour. Returns the removed paths.
 */
export async function sweepTemps(folder: string, now = Date.now()): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return [];
    throw error;
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = TEMP_PATTERN.exec(name);
    if (!match) continue;
    const path = join(folder, name);
    const dead = !ownerMayBeAlive(match[1] as string, Number(match[2]));
    const old = (await statOrUndefined(path))?.mtimeMs ?? now;
    if (dead || now - old > STALE_TEMP_MS) {
      // Staging and trash folders of fork, import and delete use the same names.
      await rm(path, { recursive: true, force: true }).catch(() => {});
      removed.push(path);
    }
  }
  return removed;
}

/** A path's stats, or undefined when it is not there. */
export async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}
