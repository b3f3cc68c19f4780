// Data structures whose memory is fixed when they are made, whatever is offered to them: the small-file
// aggregator keeps its top N and newest M partitions in a BoundedTop and remembers the partitions it
// dropped in a BloomFilter.

/** Keeps the `capacity` greatest items by `better`; a min-heap so each offer is O(log capacity). */
export class BoundedTop<T> {
  private readonly heap: T[] = [];
  constructor(
    private readonly capacity: number,
    /** < 0 when a ranks below b. */
    private readonly compare: (a: T, b: T) => number,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  /** Adds the item if it ranks among the top; returns the item pushed out (or the item itself when refused). */
  offer(item: T): T | undefined {
    if (this.capacity <= 0) return item;
    if (this.heap.length < this.capacity) {
      this.heap.push(item);
      this.up(this.heap.length - 1);
      return undefined;
    }
    const min = this.heap[0] as T;
    if (this.compare(item, min) <= 0) return item;
    this.heap[0] = item;
    this.down(0);
    return min;
  }

  remove(item: T): boolean {
    const i = this.heap.indexOf(item);
    if (i < 0) return false;
    const last = this.heap.pop() as T;
    if (i < this.heap.length) {
      this.heap[i] = last;
      this.down(i);
      this.up(i);
    }
    return true;
  }

  has(item: T): boolean {
    return this.heap.includes(item);
  }

  /** Best first. */
  sorted(): T[] {
    return [...this.heap].sort((a, b) => this.compare(b, a));
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.compare(h[i] as T, h[p] as T) >= 0) break;
      [h[i], h[p]] = [h[p] as T, h[i] as T];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.compare(h[l] as T, h[m] as T) < 0) m = l;
      if (r < h.length && this.compare(h[r] as T, h[m] as T) < 0) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m] as T, h[i] as T];
      i = m;
    }
  }
}

/** Fixed-size Bloom filter (3 FNV-1a-derived hashes): "maybe seen" or "surely not seen". */
export class BloomFilter {
  private readonly bits: Uint8Array;
  constructor(private readonly size: number) {
    this.bits = new Uint8Array(size >> 3);
  }
  private hashes(s: string): [number, number, number] {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995) + 0x9e3779b9;
    }
    const m = this.size - 1;
    return [(h1 >>> 0) & m, (h2 >>> 0) & m, ((h1 + 2 * h2) >>> 0) & m];
  }
  add(s: string): void {
    for (const h of this.hashes(s)) this.bits[h >> 3]! |= 1 << (h & 7);
  }
  mayHave(s: string): boolean {
    return this.hashes(s).every((h) => ((this.bits[h >> 3] ?? 0) & (1 << (h & 7))) !== 0);
  }
}
