import cliProgress from 'cli-progress';
import { formatCount, formatSpan } from '../basics.js';
import type { GlobalOptions } from './output.js';

/** "120/s · 2 min left", from the units done since `started` (blank until the first unit). */
export function pace(done: number, total: number, started: number, now = Date.now()): string {
  const seconds = (now - started) / 1000;
  if (done <= 0 || seconds <= 0) return '';
  const rate = done / seconds;
  const left = Math.max(0, total - done) / rate;
  return `· ${rate >= 10 ? formatCount(rate) : rate.toFixed(1)}/s · ${formatSpan(left * 1000)} left`;
}

/** A progress bar for long work, on a terminal only (nothing extra when piped, with --json or --quiet). */
export interface Progress {
  /** One more unit done. */
  tick(label?: string): void;
  /** `done` of `total` (the total may change: a new file, a count learnt late); fits the library's `onProgress`. */
  update(done: number, total: number, label?: string): void;
  stop(): void;
}

/** `total` may be 0 when it is not known yet; the bar appears once there are at least two units. */
export function progress(options: GlobalOptions, total: number, what: string): Progress {
  if (!process.stderr.isTTY || options.json || options.quiet) return { tick() {}, update() {}, stop() {} };
  let bar: cliProgress.SingleBar | undefined;
  let current = 0;
  let max = total;
  // The rate counts from the first unit seen, not from the bar's creation (a total learnt late would flatter it).
  let started = 0;
  let from = 0;
  const show = (label: string) => {
    if (!started) {
      started = Date.now();
      from = current;
    }
    const speed = pace(current - from, max - from, started);
    if (!bar) {
      if (max < 2) return;
      bar = new cliProgress.SingleBar(
        { format: `${what} [{bar}] {value}/{total} {label} {pace}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(max, current, { label, pace: speed });
      return;
    }
    bar.setTotal(max);
    bar.update(current, { label, pace: speed });
  };
  return {
    tick(label = '') {
      current++;
      show(label);
    },
    update(done, newTotal, label = '') {
      current = done;
      max = newTotal;
      show(label);
    },
    stop() {
      bar?.stop();
    },
  };
}
