/**
 * Milliseconds of a monotonic clock: process.hrtime, not `performance.now()`,
 * whose first use loads perf_hooks (and with it the worker machinery), a cost
 * at the start of every command that reads a file.
 */
const now = (): number => Number(process.hrtime.bigint()) / 1e6;
/** When the work of a long loop last let the event loop run (see {@link yieldNow}). */
let lastYield = now();
/** A loop of small synchronous reads runs at most this long before it lets other work in. */
const SLICE_MS = 8;

/**
 * Lets timers and I/O callbacks run when this process has been busy for
 * {@link SLICE_MS} without a break. Small data files are read with
 * synchronous calls (see readDataFile), so a loop over thousands of them —
 * a fork or an export of a long session — would otherwise hold the event
 * loop for its whole length, and every other request of a server would wait.
 */
export async function yieldNow(): Promise<void> {
  if (now() - lastYield < SLICE_MS) return;
  await new Promise((resolve) => setImmediate(resolve));
  lastYield = now();
}

/**
 * `Promise.all(items.map(fn))` with at most `limit` calls running at once;
 * results in input order. Lets other work in now and then ({@link yieldNow}).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
      await yieldNow();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
