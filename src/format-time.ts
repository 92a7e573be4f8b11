/**
 * A time for people: `2026-11-21 18:52 GMT+1` in the local zone (or the one
 * given), `2026-11-21 17:52 UTC` with `utc`. Machine output (JSON) keeps epoch
 * milliseconds; this is only for text a person reads.
 */
export function formatTime(ms: number, options: { utc?: boolean; timeZone?: string } = {}): string {
  const parts = formatter(options.utc ? 'UTC' : options.timeZone).formatToParts(new Date(ms));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
}

/**
 * The day of a time, `2026-11-21`, in the local zone (or UTC with `utc`), as
 * {@link formatTime} begins: read from the Date itself, so a list of dates
 * does not load the locale data an Intl formatter needs (~25 ms at a
 * command's start).
 */
export function formatDate(ms: number, options: { utc?: boolean } = {}): string {
  const d = new Date(ms);
  const [y, m, day] = options.utc ? [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()] : [d.getFullYear(), d.getMonth(), d.getDate()];
  return `${String(y).padStart(4, '0')}-${String(m + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * One formatter per zone, made once: making one costs about a millisecond, a
 * listing of 50 rows 50 of them. The local zone's is keyed by `TZ` too, so a
 * process that sets it (as Node allows at run time) gets the new zone.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? `local:${process.env.TZ ?? ''}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    formatters.set(key, f);
  }
  return f;
}

/** "820 ms", "4.2 s", "3 min 5 s". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
