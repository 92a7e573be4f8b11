import cliProgress from 'cli-progress';
import type { GlobalOptions } from './output.js';

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
  const show = (label: string) => {
    if (!bar) {
      if (max < 2) return;
      bar = new cliProgress.SingleBar(
        { format: `${what} [{bar}] {value}/{total} {label}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(max, current, { label });
      return;
    }
    bar.setTotal(max);
    bar.update(current, { label });
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
