/**
 * An array kept sorted by `compare`, changed by binary-search insert and
 * remove so that a change at 100k entries costs a memmove, not a sort.
 * `compare` must be a total order over distinct items (the ID breaks ties).
 */
export class SortedList<T> {
  readonly items: T[] = [];

  constructor(private readonly compare: (a: T, b: T) => number) {}

  /** The index of the first item not before `probe`. */
  lowerBound(probe: T): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(this.items[mid] as T, probe) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(item: T): void {
    this.items.splice(this.lowerBound(item), 0, item);
  }

  /**
   * Puts `item` in `old`'s place when both sort the same (a summary re-read
   * with the same times), moving nothing; false when it cannot.
   */
  replace(old: T, item: T): boolean {
    if (this.compare(old, item) !== 0) return false;
    const at = this.lowerBound(old);
    if (this.items[at] !== old) return false;
    this.items[at] = item;
    return true;
  }

  remove(item: T): void {
    const at = this.lowerBound(item);
    if (this.items[at] === item) this.items.splice(at, 1);
  }

  /** Replaces everything at once (a sort instead of n inserts). */
  reset(items: Iterable<T>): void {
    this.items.length = 0;
    // One push per item: spreading 150k+ arguments into push() overflows the stack.
    for (const item of items) this.items.push(item);
    this.items.sort(this.compare);
  }
}
