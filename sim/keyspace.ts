// Synthetic key spaces: millions of S3 objects that exist only as arithmetic. Keys and sizes are
// computed from an index over a virtual sorted key space, so listing seeks by binary search and
// nothing is ever materialised.
import { compareKeys } from './key-order.js';
import { hash01, hash32 } from './random.js';

export interface SyntheticPartition {
  /** Partition folder name under the key space prefix, e.g. `dt=2026-11-20` (no slashes at the ends). */
  name: string;
  /** Number of objects in it. */
  count: number;
  /** Average object size in bytes; sizes spread uniformly over ±50% around it. */
  avgSize: number;
  /** Epoch ms of LastModified for its objects. */
  lastModified: number;
}

export interface SyntheticKeySpaceSpec {
  /** Key prefix the partitions live under, e.g. `events/` ('' for the bucket root). */
  prefix: string;
  partitions: SyntheticPartition[];
  /** File name suffix; default `.snappy.parquet`. */
  extension?: string;
}

export interface VirtualObject {
  key: string;
  size: number;
  lastModified: number;
  etag: string;
}

export class SyntheticKeySpace {
  readonly prefix: string;
  readonly total: number;
  readonly totalBytes: number;
  private readonly parts: SyntheticPartition[];
  /** offsets[i] = global index of the first object of partition i. */
  private readonly offsets: number[];
  private readonly width: number;
  private readonly extension: string;

  constructor(spec: SyntheticKeySpaceSpec) {
    this.prefix = spec.prefix;
    this.extension = spec.extension ?? '.snappy.parquet';
    // Keys of one partition share `prefix + name + '/'`, so ordering partitions by that string
    // makes the concatenation of partitions the sorted key space.
    this.parts = [...spec.partitions]
      .filter((p) => p.count > 0)
      .sort((a, b) => compareKeys(a.name + '/', b.name + '/'));
    const names = new Set(this.parts.map((p) => p.name));
    if (names.size !== this.parts.length) throw new Error('synthetic partitions must have distinct names');
    this.offsets = [];
    let total = 0;
    let bytes = 0;
    let maxCount = 1;
    for (const p of this.parts) {
      this.offsets.push(total);
      total += p.count;
      bytes += p.count * Math.round(p.avgSize);
      maxCount = Math.max(maxCount, p.count);
    }
    this.total = total;
    this.totalBytes = bytes;
    this.width = Math.max(5, String(maxCount - 1).length);
  }

  get partitions(): readonly SyntheticPartition[] {
    return this.parts;
  }

  private locate(index: number): { part: SyntheticPartition; partIndex: number; local: number } {
    let lo = 0;
    let hi = this.offsets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.offsets[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return { part: this.parts[lo]!, partIndex: lo, local: index - this.offsets[lo]! };
  }

  keyAt(index: number): string {
    const { part, local } = this.locate(index);
    return `${this.prefix}${part.name}/part-${String(local).padStart(this.width, '0')}${this.extension}`;
  }

  objectAt(index: number): VirtualObject {
    const { part, local } = this.locate(index);
    const key = `${this.prefix}${part.name}/part-${String(local).padStart(this.width, '0')}${this.extension}`;
    // Uniform in [0.5, 1.5) × average: the mean stays the declared average.
    const size = Math.max(1, Math.round(part.avgSize * (0.5 + hash01(part.name, local))));
    // A cheap stable 128-bit hex tag; md5 per key would dominate the cost of a listing page.
    const etag = `"${[0, 1, 2, 3].map((n) => hash32(key, n).toString(16).padStart(8, '0')).join('')}"`;
    return { key, size, lastModified: part.lastModified, etag };
  }

  /** First index whose key is >= target (total when none). */
  lowerBound(target: string): number {
    let lo = 0;
    let hi = this.total;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (compareKeys(this.keyAt(mid), target) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of a key, or -1. */
  indexOf(key: string): number {
    if (!key.startsWith(this.prefix)) return -1;
    const i = this.lowerBound(key);
    return i < this.total && this.keyAt(i) === key ? i : -1;
  }

  /** Deterministic content of a virtual object: its key repeated, sliced to [start, end). */
  static content(key: string, start: number, end: number): Buffer {
    const pattern = Buffer.from(`${key}\n`);
    const len = end - start;
    if (len <= 0) return Buffer.alloc(0);
    const offset = start % pattern.length;
    const rotated = Buffer.concat([pattern.subarray(offset), pattern.subarray(0, offset)]);
    return Buffer.alloc(len, rotated);
  }
}
