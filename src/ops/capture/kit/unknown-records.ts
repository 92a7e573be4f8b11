/** Unknown records kept per session at most, and the size of one kept whole. */
const KEEP_RECORDS = 200;
const KEEP_BYTES = 64 * 1024;

/**
 * What a converter met and did not map: counted by kind, and the first
 * {@link KEEP_RECORDS} kept (a large one as its head) for the envelope.
 */
export class UnknownRecords {
  private readonly kept: unknown[] = [];
  private readonly counts: Record<string, number> = {};

  count(kind: string): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
  }

  add(kind: string, value: unknown): void {
    this.count(kind);
    if (this.kept.length >= KEEP_RECORDS) return;
    const text = JSON.stringify(value) ?? 'null';
    this.kept.push(text.length <= KEEP_BYTES ? value : { kind, truncated: true, bytes: text.length, head: text.slice(0, 1024) });
  }

  /** The envelope's `unknown` (counts) and `unknownRecords` (kept), when there are any. */
  envelope(): { unknown?: Record<string, number>; unknownRecords?: unknown[] } {
    return {
      ...(Object.keys(this.counts).length ? { unknown: { ...this.counts } } : {}),
      ...(this.kept.length ? { unknownRecords: [...this.kept] } : {}),
    };
  }
}
