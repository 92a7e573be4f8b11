import type { ReadStats } from '../contract.js';
import { timeOf } from './text.js';

/**
 * A transcript's times: a record without one placed just after the record
 * before (never the clock: IDs must come out the same on every run), equal
 * message times kept in file order, and the span of the conversation. The
 * {@link SessionBuilder} is one, with the messages.
 */
export class TranscriptClock {
  protected first = Number.POSITIVE_INFINITY;
  protected last = Number.NEGATIVE_INFINITY;
  /** The time of the record before, for a record without one. */
  protected previous = 0;
  /** Equal times kept in file order: the last message's time as given, and as assigned. */
  private lastGiven = Number.NaN;
  private lastAssigned = Number.NEGATIVE_INFINITY;

  /** The time of a record: its own, else just after the record before (never the clock: IDs must come out the same on every run). */
  time(given: number | undefined): number {
    const t = given ?? this.previous + 1;
    this.previous = t;
    return t;
  }

  /**
   * A record's time from its raw field: {@link time} of it, or `undefined`
   * when the record has a time that is none (negative, not a date) — such a
   * record is broken, and is reported with its line and skipped.
   */
  recordTime(raw: unknown, line: number, stats: ReadStats): number | undefined {
    const given = timeOf(raw);
    if (raw !== undefined && raw !== null && given === undefined) {
      stats.skipped.push({ line, reason: `bad time ${JSON.stringify(raw).slice(0, 40)}` });
      return undefined;
    }
    return this.time(given);
  }

  /** Marks a time as part of the conversation (the session's created and updated span what it saw). */
  saw(t: number): void {
    if (t < this.first) this.first = t;
    if (t > this.last) this.last = t;
  }

  /** A message's creation time: a time equal to the one before moves just after it, so equal times keep file order. */
  protected created(t: number): number {
    const assigned = t === this.lastGiven && t <= this.lastAssigned ? this.lastAssigned + 1 : t;
    this.lastGiven = t;
    this.lastAssigned = assigned;
    return assigned;
  }
}
