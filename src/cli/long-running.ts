import { execFile } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';

/**
 * The V8 flag that lets its memory reducer run one collection instead of
 * several, as this Node's V8 spells it (`--v8-options` lists them): older
 * versions have `--memory-reducer-single-gc`, newer ones
 * `--memory-reducer-gc-count`. Undefined when it has neither. Chosen from
 * the list, because V8 prints "unrecognized flag" for a flag it lacks.
 */
export function singleReducerGcFlag(v8Options: string): string | undefined {
  if (/^\s*--memory-reducer-gc-count\b/m.test(v8Options)) return '--memory-reducer-gc-count=1';
  if (/^\s*--memory-reducer-single-gc\b/m.test(v8Options)) return '--memory-reducer-single-gc';
  return undefined;
}

/**
 * Tunes V8 for a process that keeps an index open for hours (`sarc serve`,
 * `sarc watch`). After a start, V8's memory reducer runs up to three full
 * collections of the whole heap once the process goes quiet. Over 100,000
 * sessions the first one frees the start's garbage (~185 → 128 MB), and the
 * two after it free nothing (128.5 → 128.0 MB) but cost ~0.4 s of CPU. One
 * is kept. The flag is looked up in the background (the reducer starts
 * seconds after the start, at the earliest); nothing changes if the lookup
 * fails. The library never sets this itself: the process belongs to its host.
 */
export function tuneForLongRun(): void {
  const child = execFile(process.execPath, ['--v8-options'], { maxBuffer: 16 << 20 }, (error, stdout) => {
    const flag = error ? undefined : singleReducerGcFlag(stdout);
    if (flag) setFlagsFromString(flag);
  });
  child.unref();
}
