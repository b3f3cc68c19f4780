// Bounded quantiles of task figures (times, bytes) per stage without keeping every task.
//
// The first EXACT_LIMIT values are kept as they are, so a stage of up to that many tasks gets
// exact quantiles. Past it, values go into logarithmic buckets (the DDSketch construction:
// bucket i holds (γ^(i-1), γ^i] with γ = (1 + α) / (1 − α)), and a quantile is the bucket's
// representative 2γ^i / (γ + 1): within RELATIVE_ACCURACY (1 %) of the true value at that rank.
// Count, sum, min and max stay exact. Memory: one map entry per non-empty bucket, at most
// log(max/min) / log(γ) ≈ 115 per decade of spread, whatever the number of tasks.
//
// Quantiles use Spark's own rank rule (AppStatusStore.taskSummary): the value at index
// min(floor(q × n), n − 1) of the sorted values, so a median matches the Spark UI's.

export const RELATIVE_ACCURACY = 0.01;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Values kept exactly before switching to buckets. */
export const EXACT_LIMIT = 128;

export interface SketchSnapshot {
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Quantiles are exact (no bucketing happened). */
  exact: boolean;
}

export class QuantileSketch {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  private exactValues: number[] | undefined = [];
  private buckets: Map<number, number> | undefined;
  /** Values ≤ 0 (a 0 ms task, a task that read no bytes). */
  private zeros = 0;

  add(value: number): void {
    if (!Number.isFinite(value)) return;
    const v = value < 0 ? 0 : value;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (this.exactValues) {
      this.exactValues.push(v);
      if (this.exactValues.length > EXACT_LIMIT) {
        const values = this.exactValues;
        this.exactValues = undefined;
        this.buckets = new Map();
        for (const x of values) this.bucketAdd(x);
      }
      return;
    }
    this.bucketAdd(v);
  }

  private bucketAdd(v: number): void {
    if (v <= 0) {
      this.zeros++;
      return;
    }
    const i = Math.ceil(Math.log(v) / LOG_GAMMA);
    const b = this.buckets as Map<number, number>;
    b.set(i, (b.get(i) ?? 0) + 1);
  }

  /** Whether quantiles are exact. */
  get exact(): boolean {
    return this.exactValues !== undefined;
  }

  /** Number of buckets in use (memory check). */
  get bucketCount(): number {
    return this.buckets?.size ?? 0;
  }

  /** The value at Spark's rank for q (0–1); 0 for an empty sketch. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.min(Math.floor(Math.max(0, Math.min(1, q)) * this.count), this.count - 1);
    if (this.exactValues) {
      const sorted = [...this.exactValues].sort((a, b) => a - b);
      return sorted[rank] as number;
    }
    if (rank < this.zeros) return 0;
    let seen = this.zeros;
    const keys = [...(this.buckets as Map<number, number>).keys()].sort((a, b) => a - b);
    for (const k of keys) {
      seen += (this.buckets as Map<number, number>).get(k) as number;
      if (seen > rank) {
        const rep = (2 * Math.pow(GAMMA, k)) / (GAMMA + 1);
        return Math.min(this.max, Math.max(this.min, rep));
      }
    }
    return this.max;
  }

  /** Adds another sketch's values (stage attempts merged into one stage). */
  merge(other: QuantileSketch): void {
    if (other.count === 0) return;
    if (other.exactValues) {
      for (const v of other.exactValues) this.add(v);
      return;
    }
    // Other is bucketed: switch to buckets and add its buckets.
    if (this.exactValues) {
      const values = this.exactValues;
      this.exactValues = undefined;
      this.buckets = new Map();
      for (const x of values) this.bucketAdd(x);
    }
    const b = this.buckets as Map<number, number>;
    for (const [k, n] of other.buckets as Map<number, number>) b.set(k, (b.get(k) ?? 0) + n);
    this.zeros += other.zeros;
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  snapshot(): SketchSnapshot {
    return {
      count: this.count,
      sum: this.sum,
      min: this.count ? this.min : 0,
      max: this.count ? this.max : 0,
      exact: this.exact,
    };
  }
}
