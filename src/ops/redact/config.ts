import { join } from 'node:path';
import * as z from 'zod';
import { ArchiveError, isArchiveError } from '../../errors.js';
import { randomText } from '../../model/ids.js';
import type { Archive } from '../../store/archive.js';
import { writeFileAtomic } from '../../store/atomic-write.js';
import { formatCanonical, readDataFile } from '../../store/json-file.js';
import { validate } from '../../store/validate.js';
import { Redactor } from './redactor.js';

// The archive's redaction settings, in `redaction.json` at its root: the key
// its markers are hashed with, whether redaction is on, and the allowed false
// positives. It travels with the archive (committed and cloned with it), so
// every machine makes the same markers and honours the same allow-list.

export const REDACTION_FILE = 'redaction.json';

const settings = z.looseObject({
  key: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters')
    .describe("The key of the markers' hashes"),
  enabled: z.boolean().describe('Whether sessions coming in from agents are redacted (default true)'),
  allow: z
    .looseObject({
      values: z
        .array(z.looseObject({ id: z.string().describe('The keyed hash of an allowed value'), note: z.string().optional() }))
        .describe('Values that are not secrets, by their keyed hash (the value itself is never stored)'),
      patterns: z.array(z.string()).describe('Regular expressions of values that are not secrets'),
    })
    .describe('False positives'),
});

export type RedactionSettings = z.infer<typeof settings>;

function pathOf(archive: Archive): string {
  return join(archive.dir, REDACTION_FILE);
}

/**
 * The archive's settings; `undefined` when it has none yet (redaction is then
 * on, with a key made at first use). Read as every data file of the archive
 * is: a link, a folder or a FIFO in its place is refused, never waited on.
 */
export async function readRedaction(archive: Archive): Promise<RedactionSettings | undefined> {
  return (await readDataFile(settings, pathOf(archive)))?.value;
}

/** Writes the settings (atomically, canonical bytes). */
export async function writeRedaction(archive: Archive, value: RedactionSettings): Promise<void> {
  for (const p of value.allow.patterns) {
    try {
      new RegExp(p);
    } catch (error) {
      throw new ArchiveError('INVALID_INPUT', `invalid allow pattern ${JSON.stringify(p)}: ${(error as Error).message}`);
    }
  }
  await writeFileAtomic(pathOf(archive), formatCanonical(validate(settings, value, 'invalid redaction settings', 'INVALID_INPUT')));
}

/** The settings, made (a new key, redaction on) and written when the archive has none. */
export async function ensureRedaction(archive: Archive): Promise<RedactionSettings> {
  const found = await readRedaction(archive);
  if (found) return found;
  const made: RedactionSettings = { key: randomText(32, 'hex'), enabled: true, allow: { values: [], patterns: [] } };
  try {
    await writeFileAtomic(pathOf(archive), formatCanonical(made), { absent: true });
    return made;
  } catch (error) {
    // Another process made it first: theirs is the archive's.
    if (isArchiveError(error, 'CONFLICT')) return (await readRedaction(archive)) as RedactionSettings;
    throw error;
  }
}

/** The redactor of given settings; without settings, the key is made and written at the first secret found (`create`), or made for this use only. */
function redactorOf(archive: Archive, found: RedactionSettings | undefined, create: boolean): Redactor {
  const allow = { values: found?.allow.values.map((v) => v.id) ?? [], patterns: found?.allow.patterns ?? [] };
  if (found) return new Redactor({ key: found.key, allow });
  return new Redactor({ key: async () => (create ? (await ensureRedaction(archive)).key : randomText(32, 'hex')), allow });
}

/**
 * The redactor of an archive (its key and allow-list), or `undefined` when
 * its redaction is turned off. An archive without settings gets them (a new
 * key, written to `redaction.json`) at the first secret found; without
 * `create` (a dry run, or a reader like a web page: they write nothing) the
 * key is made for this use only.
 */
export async function redactorFor(archive: Archive, options: { create?: boolean } = {}): Promise<Redactor | undefined> {
  const found = await readRedaction(archive);
  if (found && !found.enabled) return undefined;
  return redactorOf(archive, found, options.create !== false);
}

/** A redactor with the archive's key, redaction on or off (for scanning what is already there); see {@link redactorFor} for `create`. */
export async function scannerFor(archive: Archive, options: { create?: boolean } = {}): Promise<Redactor> {
  return redactorOf(archive, await readRedaction(archive), options.create !== false);
}
