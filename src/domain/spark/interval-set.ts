// Busy time of one executor: the union of its tasks' [launch, finish] intervals, in bounded
// memory. Intervals are kept merged and sorted; past `cap` of them, the two separated by the
// smallest gap are joined and that gap is counted in `mergedGapMs` — so the union is exact
// whenever mergedGapMs is 0, and otherwise overstates busy time (understates idle time) by at most
// mergedGapMs.

export class IntervalSet {
  private starts: number[] = [];
  private ends: number[] = [];
  mergedGapMs = 0;

  constructor(private readonly cap = 32) {}

  add(start: number, end: number): void {
    if (!(end > start)) return;
    const { starts, ends } = this;
    // First interval whose end is ≥ start (could overlap or follow).
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((ends[mid] as number) < start) lo = mid + 1;
      else hi = mid;
    }
    const i = lo;
    let s = start;
    let e = end;
    let j = i;
    while (j < starts.length && (starts[j] as number) <= e) {
      s = Math.min(s, starts[j] as number);
      e = Math.max(e, ends[j] as number);
      j++;
    }
    starts.splice(i, j - i, s);
    ends.splice(i, j - i, e);
    if (starts.length > this.cap) {
      // Join the pair with the smallest gap.
      let best = 0;
      let bestGap = Infinity;
      for (let k = 0; k + 1 < starts.length; k++) {
        const gap = (starts[k + 1] as number) - (ends[k] as number);
        if (gap < bestGap) {
          bestGap = gap;
          best = k;
        }
      }
      this.mergedGapMs += bestGap;
      ends[best] = ends[best + 1] as number;
      starts.splice(best + 1, 1);
      ends.splice(best + 1, 1);
    }
  }

  /** Busy ms inside [from, to]. */
  busyWithin(from: number, to: number): number {
    let total = 0;
    for (let k = 0; k < this.starts.length; k++) {
      const s = Math.max(from, this.starts[k] as number);
      const e = Math.min(to, this.ends[k] as number);
      if (e > s) total += e - s;
    }
    return total;
  }

  get size(): number {
    return this.starts.length;
  }
}
