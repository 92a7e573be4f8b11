import { setFlagsFromString } from 'node:v8';

/**
 * Tunes V8 for a process that keeps an index open for hours (`sarc serve`,
 * `sarc watch`). After a start, V8's memory reducer runs up to three full
 * collections of the whole heap once the process goes quiet. Over 100,000
 * sessions the first one frees the start's garbage (~185 → 128 MB), and the
 * two after it free nothing (128.5 → 128.0 MB) but cost ~0.4 s of CPU. One
 * is kept. The library never sets this itself: the process belongs to its host.
 */
export function tuneForLongRun(): void {
  setFlagsFromString('--memory-reducer-single-gc');
}
