import cliProgress from 'cli-progress';
import type { GlobalOptions } from './output.js';

/** A progress bar for long work, on a terminal only (nothing extra when piped, with --json or --quiet). */
export interface Progress {
  tick(label?: string): void;
  stop(): void;
}

export function progress(options: GlobalOptions, total: number, what: string): Progress {
  if (!process.stderr.isTTY || options.json || options.quiet || total < 2) return { tick() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: `${what} [{bar}] {value}/{total} {label}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { label: '' });
  return {
    tick(label = '') {
      bar.increment(1, { label });
    },
    stop() {
      bar.stop();
    },
  };
}
