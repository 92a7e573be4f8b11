/**
 * A time for people: `2026-11-21 18:52 GMT+1` in the local zone (or the one
 * given), `2026-11-21 17:52 UTC` with `utc`. Machine output (JSON) keeps epoch
 * milliseconds; this is only for text a person reads.
 */
export function formatTime(ms: number, options: { utc?: boolean; timeZone?: string } = {}): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: options.utc ? 'UTC' : options.timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(new Date(ms));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
}
