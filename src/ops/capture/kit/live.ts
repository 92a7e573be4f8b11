import type { MessageWithParts } from '../../../model/message.js';
import { type Archive, initArchive, openArchive } from '../../../store/archive.js';
import { locateArchive } from '../../../store/locate.js';
import { redactorFor } from '../../redact/config.js';
import { type Outcome, SessionWriter } from '../apply.js';
import type { ConvertedInfo } from '../contract.js';
import { CaptureState } from '../state.js';

// Live capture (a plugin inside the agent) writes through the same three-way
// writer as a sync, one session at a time, and keeps the same state, so a
// later sync of the same store sees what the plugin wrote as its own.

export { statusInput } from '../../../model/status.js';
export type { Archive };

/** The archive a plugin writes to: named, or located from the project folder as `sarc` does; made when missing. */
export async function openArchiveFor(options: { archive?: string; stateDir?: string; cwd: string }): Promise<Archive> {
  const dir = locateArchive({ explicit: options.archive, cwd: options.cwd });
  await initArchive(dir);
  return openArchive({ dir, stateDir: options.stateDir });
}

/** Writes one session as the agent has it now (only what changed since the last write). */
export async function captureSession(
  archive: Archive,
  agent: string,
  where: string,
  info: ConvertedInfo,
  messages: readonly MessageWithParts[],
): Promise<Outcome> {
  const state = new CaptureState(archive, agent);
  const redactor = await redactorFor(archive);
  const writer = new SessionWriter(archive, info.id, await state.base(info.id), {
    dryRun: false,
    verify: false,
    source: info.id,
    where,
    redactor,
  });
  await writer.write(info, messages);
  await state.saveBase(info.id, writer.baseForNext());
  return writer.outcome;
}
