import { availableParallelism } from 'node:os';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { OnProgress } from '../../progress.js';
import type { SessionListing } from './listing.js';
import { type PathStamp, pathStamp } from './path-stamp.js';
import type { Slice } from './scan.js';
import type { FileStamp } from './summary.js';

/** Below this many files a worker's start (~30 ms of CPU) costs more than it saves. */
const WORKERS_FROM = 20_000;
/** IDs a thread claims at a time. */
const CHUNK = 500;
/** Per path: mtime, size, kind (below); NaN until stamped. */
const SLOT = 3;
const MISSING = 0;
const FILE = 1;
const OTHER = 2;

/**
 * The worker's whole program (plain CommonJS, so it runs the same from the
 * compiled code and from the sources under a test runner): claim a chunk of
 * IDs from the shared counter, stat each of their paths, write the stamps
 * into the shared results, until none are left. A stat that throws (EACCES,
 * ENOTDIR…) leaves its slot unset, and the owner stats that path itself, to
 * treat it as a check on its own thread would.
 */
const WORKER = `
const { workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const { prefix, suffixes, names, next, out, chunk } = workerData;
const ids = names.split('\\n');
const S = suffixes.length;
// [0]: the next ID to hand out; [1]: how many paths the workers stamped.
const counter = new Int32Array(next);
const stamps = new Float64Array(out);
for (;;) {
  const start = Atomics.add(counter, 0, chunk);
  if (start >= ids.length) break;
  const end = Math.min(start + chunk, ids.length);
  let stamped = 0;
  for (let i = start; i < end; i++) {
    for (let j = 0; j < S; j++) {
      let s;
      try { s = statSync(prefix + ids[i] + suffixes[j], { throwIfNoEntry: false }); } catch { continue; }
      const at = (i * S + j) * ${SLOT};
      stamps[at] = s ? s.mtimeMs : 0;
      stamps[at + 1] = s ? s.size : 0;
      stamps[at + 2] = s ? (s.isFile() ? ${FILE} : ${OTHER}) : ${MISSING};
      stamped++;
    }
  }
  Atomics.add(counter, 1, stamped);
}
`;

/** How a check of the files against what was read of them runs (the index's reconcile, the search index's sync). */
export interface CheckOptions {
  onProgress?: OnProgress;
  /** One periodic round's share of the sessions (all of them without). */
  slice?: Slice;
  /** The listing of `sessions/` to check against (read anew without). */
  listing?: SessionListing;
  /** The stamps of the listing's share, already being taken; used when its paths are the ones the check needs. */
  scan?: StatScan;
}

/**
 * The stamps (mtime, size, and whether each is a file) of a few paths in each
 * of many folders — `${prefix}${id}${suffix}` for each ID and suffix — taken
 * by worker threads next to whatever the caller does meanwhile (opening the
 * index: loading its snapshot), then by the caller too once it `join`s. At
 * 100,000 sessions one stat per session is ~0.3–0.5 s of one core, most of it
 * in the kernel's path lookup, so a second core halves it and hides it behind
 * the snapshot's load. Few IDs, one core or no workers to be had: the caller
 * stats them all when it joins.
 */
export class StatScan {
  private readonly next = new Int32Array(new SharedArrayBuffer(8));
  private readonly out: Float64Array;
  /** Each worker's end: true when it exited cleanly (code 0), false when it failed. */
  private readonly workers: Array<Promise<boolean>> = [];

  constructor(
    private readonly prefix: string,
    /** Without newlines (session IDs). */
    readonly ids: readonly string[],
    /** The paths stamped in each ID's folder, in `entry`'s order (`j`). */
    readonly suffixes: readonly string[],
    options: { workersFrom?: number } = {},
  ) {
    this.out = new Float64Array(new SharedArrayBuffer(Math.max(1, ids.length * suffixes.length) * SLOT * 8)).fill(Number.NaN);
    const count = ids.length < (options.workersFrom ?? WORKERS_FROM) ? 0 : Math.min(3, availableParallelism() - 1);
    if (count <= 0) return;
    const workerData = { prefix, suffixes, names: ids.join('\n'), next: this.next.buffer, out: this.out.buffer, chunk: CHUNK };
    // Loaded only here (Node 20.16+): a command that stats a few sessions starts without the worker machinery.
    const { Worker } = process.getBuiltinModule('node:worker_threads');
    for (let i = 0; i < count; i++) {
      try {
        // No inherited loaders or profilers: the program above needs nothing but Node.
        const worker = new Worker(WORKER, { eval: true, workerData, execArgv: [], stdout: false, stderr: false });
        // A worker that fails leaves its chunk unset; `join` stats what is left.
        this.workers.push(
          new Promise<boolean>((resolve) => {
            worker.once('error', () => resolve(false)).once('exit', (code) => resolve(code === 0));
          }),
        );
      } catch {
        break;
      }
    }
  }

  /** The first {@link join}: later ones wait for it (two users of one scan, a periodic round's index and search index). */
  private joined: Promise<void> | undefined;

  /**
   * Stats what the workers have not claimed yet, on this thread, in chunks
   * with a turn of the event loop between them; then waits for the workers
   * and stats any path they could not. Resolves once every stamp is known.
   * Progress is in IDs (reported to the first caller).
   */
  join(onProgress?: OnProgress): Promise<void> {
    this.joined ??= this.takeRest(onProgress);
    return this.joined;
  }

  private async takeRest(onProgress?: OnProgress): Promise<void> {
    const n = this.ids.length;
    onProgress?.(Math.min(Atomics.load(this.next, 0), n), n);
    for (;;) {
      const start = Atomics.add(this.next, 0, CHUNK);
      if (start >= n) break;
      for (let i = start; i < Math.min(start + CHUNK, n); i++) for (let j = 0; j < this.suffixes.length; j++) this.statHere(i, j);
      onProgress?.(Math.min(Atomics.load(this.next, 0), n), n);
      await yieldToLoop();
    }
    const clean = (await Promise.all(this.workers)).every(Boolean);
    // The workers' last atomic step comes after their last stamps: this load makes those stamps visible here.
    Atomics.load(this.next, 1);
    // A worker that failed may have left a stamp half written: then every stamp is taken again here (rare).
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < this.suffixes.length; j++) if (!clean || Number.isNaN(this.out[this.at(i, j) + 2])) this.statHere(i, j);
    }
  }

  /** How many paths the workers stamped (the rest were stamped on the caller's thread). */
  get byWorkers(): number {
    return Atomics.load(this.next, 1);
  }

  /**
   * Stops handing out IDs (the stamps are not wanted after all): the
   * workers finish the chunk they hold and exit, when the returned promise
   * resolves. The stamps are then incomplete; `join` is not for a cancelled scan.
   */
  cancel(): Promise<void> {
    Atomics.store(this.next, 0, this.ids.length);
    return Promise.all(this.workers).then(() => undefined);
  }

  /** The stamp of the i-th ID's j-th path (after `join`); undefined when it is missing. */
  entry(i: number, j = 0): PathStamp | undefined {
    const at = this.at(i, j);
    const kind = this.out[at + 2];
    return kind === MISSING ? undefined : { mtimeMs: this.out[at] as number, size: this.out[at + 1] as number, file: kind === FILE };
  }

  /** The stamp of the i-th ID's j-th path when it is a file; undefined when it is missing or not a file. */
  stamp(i: number, j = 0): FileStamp | undefined {
    const at = this.at(i, j);
    return this.out[at + 2] === FILE ? { mtimeMs: this.out[at] as number, size: this.out[at + 1] as number } : undefined;
  }

  /**
   * True when each path of the i-th ID has the stamp `numbers` holds for it
   * from `from` on: its mtime then its size, NaN for one that should be
   * missing (what a search index keeps; no object is made per path).
   */
  matches(i: number, numbers: Float64Array, from: number): boolean {
    for (let j = 0; j < this.suffixes.length; j++) {
      const at = this.at(i, j);
      const mtimeMs = numbers[from + 2 * j] as number;
      if (
        this.out[at + 2] === MISSING ? !Number.isNaN(mtimeMs) : this.out[at] !== mtimeMs || this.out[at + 1] !== numbers[from + 2 * j + 1]
      ) {
        return false;
      }
    }
    return true;
  }

  /** True when the i-th ID's j-th path is a file. */
  isFile(i: number, j = 0): boolean {
    return this.out[this.at(i, j) + 2] === FILE;
  }

  private at(i: number, j: number): number {
    return (i * this.suffixes.length + j) * SLOT;
  }

  private statHere(i: number, j: number): void {
    // Throws what a check on this thread throws (EACCES…).
    const stamp = pathStamp(`${this.prefix}${this.ids[i]}${this.suffixes[j]}`);
    const at = this.at(i, j);
    this.out[at] = stamp?.mtimeMs ?? 0;
    this.out[at + 1] = stamp?.size ?? 0;
    this.out[at + 2] = stamp ? (stamp.file ? FILE : OTHER) : MISSING;
  }
}
