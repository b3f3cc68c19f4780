// Small-file statistics of one listing, in constant memory: the runbook's step 4 ("medir volumen y
// small-files") over millions of keys without holding the key list. Pure: the scanner feeds objects
// in, in whatever order its parallel listings deliver them.
//
// Memory is bounded by the options, never by the number of objects or partitions:
//   - `activePartitions` partitions being accumulated (an LRU: a parallel listing delivers each
//     partition's keys contiguously per listing task, so only the partitions in flight are open);
//   - when a partition leaves the LRU it is offered to the top N by small-file count (a min-heap)
//     and to the newest M (a bounded list), and dropped if neither keeps it;
//   - per-date buckets for the K most recent dates of a date-partitioned layout (exact: a date
//     older than every retained one is never needed again, so it is dropped on sight).

import { z } from 'zod';

/** The little the aggregator needs of a listed object. */
export interface ScannedObject {
  key: string;
  size: number;
  lastModified?: Date;
}

export interface SmallFileOptions {
  /** Files strictly below this size are small. Default 32 MiB, the runbook's threshold. */
  thresholdBytes?: number;
  /** N: partitions kept by small-file count. */
  topPartitions?: number;
  /** M: newest partitions kept (by date value for date partitions, else by last modification). */
  newestPartitions?: number;
  /** K: most recent dates kept for the newest-vs-median comparison. */
  datePartitions?: number;
  /** Distinct formats counted before the rest go to "(other)". */
  maxFormats?: number;
  /** Partitions open at once before the least recently touched is closed. */
  activePartitions?: number;
}

export const DEFAULT_SMALL_FILE_BYTES = 33554432;
const DEFAULTS = {
  thresholdBytes: DEFAULT_SMALL_FILE_BYTES,
  topPartitions: 20,
  newestPartitions: 10,
  datePartitions: 60,
  maxFormats: 24,
  activePartitions: 512,
};

/** Figures shared by a whole scan, a partition and a date bucket. Bytes and counts of data files. */
export interface FileCounts {
  /** Data files: every object except folder markers and job leftovers. */
  files: number;
  bytes: number;
  smallFiles: number;
  smallBytes: number;
}

export interface PartitionStats extends FileCounts {
  /** The partition's path: the key up to its last Hive `key=value/` segment, else its folder ('' at the root). */
  partition: string;
  /** Every object in the partition, leftovers and markers included. */
  objects: number;
  zeroByteFiles: number;
  leftovers: number;
  /** Sortable date of a date partition: YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH. */
  date?: string;
  newestModified?: string;
  oldestModified?: string;
}

export interface DateBucketStats extends FileCounts {
  /** YYYY-MM-DD (or YYYY-MM / YYYY when the layout has no day). */
  date: string;
  partitions: number;
}

export interface LeftoverCounts {
  objects: number;
  bytes: number;
  /** Keys under a `_temporary/` folder (uncommitted Spark/Hadoop task output). */
  temporary: number;
  /** `_SUCCESS` markers. */
  success: number;
  /** Hadoop `.crc` checksum files. */
  crc: number;
  /** Databricks `_committed_*` / `_started_*` transaction markers. */
  commitMarkers: number;
  /** EMR `_$folder$` markers. */
  folderSuffix: number;
}

export interface FormatCount {
  format: string;
  files: number;
  bytes: number;
}

export interface SmallFileSummary extends FileCounts {
  thresholdBytes: number;
  /** Every object listed. */
  objects: number;
  /** Bytes of every object listed. */
  objectBytes: number;
  /** Data files of 0 bytes (also counted as small). */
  zeroByteFiles: number;
  /** Zero-byte keys ending in '/' that console tools create for "folders". */
  folderMarkers: number;
  leftovers: LeftoverCounts;
  /** Data files by format, most files first; beyond `maxFormats` distinct ones they go to "(other)". */
  formats: FormatCount[];
  /**
   * Data files by size: index 0 counts 0-byte files, index i ≥ 1 counts sizes in [2^(i-1), 2^i).
   * Always 50 entries (up to 512 TiB).
   */
  sizeHistogram: number[];
  oldestModified?: string;
  newestModified?: string;
  /** Partitions seen (an upper bound when `partitionStatsApproximate`). */
  partitionsSeen: number;
  /** A partition came back after its stats were dropped, so its partial stats may undercount. */
  partitionStatsApproximate: boolean;
  /** Top N partitions by small files, most first. */
  topPartitions: PartitionStats[];
  /** Newest M partitions, newest first. */
  newestPartitions: PartitionStats[];
  /** The K most recent dates of a date-partitioned layout, oldest first ([] when not date-partitioned). */
  dateBuckets: DateBucketStats[];
  /** Objects whose key carries a partition date. */
  datedFiles: number;
  limits: { topPartitions: number; newestPartitions: number; datePartitions: number };
}

const Counts = { files: z.number(), bytes: z.number(), smallFiles: z.number(), smallBytes: z.number() };
const PartitionStatsSchema = z.object({
  ...Counts,
  partition: z.string(),
  objects: z.number(),
  zeroByteFiles: z.number(),
  leftovers: z.number(),
  date: z.string().optional(),
  newestModified: z.string().optional(),
  oldestModified: z.string().optional(),
});

/** A summary read back from storage (a baseline): validated, so an older or foreign shape is refused. */
export const SmallFileSummary = z.object({
  ...Counts,
  thresholdBytes: z.number(),
  objects: z.number(),
  objectBytes: z.number(),
  zeroByteFiles: z.number(),
  folderMarkers: z.number(),
  leftovers: z.object({
    objects: z.number(),
    bytes: z.number(),
    temporary: z.number(),
    success: z.number(),
    crc: z.number(),
    commitMarkers: z.number(),
    folderSuffix: z.number(),
  }),
  formats: z.array(z.object({ format: z.string(), files: z.number(), bytes: z.number() })),
  sizeHistogram: z.array(z.number()),
  oldestModified: z.string().optional(),
  newestModified: z.string().optional(),
  partitionsSeen: z.number(),
  partitionStatsApproximate: z.boolean(),
  topPartitions: z.array(PartitionStatsSchema),
  newestPartitions: z.array(PartitionStatsSchema),
  dateBuckets: z.array(z.object({ ...Counts, date: z.string(), partitions: z.number() })),
  datedFiles: z.number(),
  limits: z.object({ topPartitions: z.number(), newestPartitions: z.number(), datePartitions: z.number() }),
});

/** Parses a stored summary (e.g. a baseline in Redis); undefined when it is not one. */
export function parseSmallFileSummary(json: unknown): SmallFileSummary | undefined {
  const r = SmallFileSummary.safeParse(json);
  return r.success ? r.data : undefined;
}

export const HISTOGRAM_BUCKETS = 50;

/** Index of a size in `sizeHistogram`. */
export function histogramBucket(size: number): number {
  if (size <= 0) return 0;
  return Math.min(HISTOGRAM_BUCKETS - 1, Math.floor(Math.log2(size)) + 1);
}

/** Lower bound in bytes of a histogram bucket (0 for bucket 0). */
export function histogramBucketFloor(index: number): number {
  return index <= 0 ? 0 : 2 ** (index - 1);
}

// ---------------------------------------------------------------------------------------------
// Key anatomy

const HIVE_SEGMENT = /^([A-Za-z_][A-Za-z0-9_.-]*)=(.*)$/s;
const COMPRESSION = new Set([
  'gz',
  'gzip',
  'bz2',
  'zst',
  'zstd',
  'snappy',
  'lz4',
  'xz',
  'deflate',
  'br',
  'lzo',
]);

export type LeftoverKind = 'temporary' | 'success' | 'crc' | 'commitMarkers' | 'folderSuffix';

/** Which kind of job leftover a key is, if any. */
export function leftoverKind(key: string): LeftoverKind | undefined {
  if (key.startsWith('_temporary/') || key.includes('/_temporary/')) return 'temporary';
  if (key.endsWith('_$folder$')) return 'folderSuffix';
  const base = key.slice(key.lastIndexOf('/') + 1);
  if (base === '_SUCCESS') return 'success';
  if (base.endsWith('.crc')) return 'crc';
  if (base.startsWith('_committed_') || base.startsWith('_started_')) return 'commitMarkers';
  return undefined;
}

/** Format of a data file from its name: part-0.snappy.parquet → parquet, x.json.gz → json.gz, none → "(none)". */
export function fileFormat(key: string): string {
  const base = key.slice(key.lastIndexOf('/') + 1).toLowerCase();
  const parts = base.split('.');
  if (parts.length < 2 || (parts.length === 2 && parts[0] === '')) return '(none)';
  const last = parts[parts.length - 1] ?? '';
  const prev = parts.length >= 3 ? (parts[parts.length - 2] ?? '') : '';
  const ok = (e: string): boolean => /^[a-z0-9]{1,10}$/.test(e);
  if (!ok(last)) return '(other)';
  // part-0000.snappy.parquet is parquet; events.json.gz is json.gz; part-0000.gz.parquet stays parquet
  if (COMPRESSION.has(last) && prev && ok(prev) && !COMPRESSION.has(prev) && !/^\d+$/.test(prev))
    return `${prev}.${last}`;
  return last;
}

/** The partition of a key: its path up to the last Hive `key=value/` folder, else its folder. */
export function partitionOf(key: string): string {
  const slash = key.lastIndexOf('/');
  if (slash < 0) return '';
  const folders = key.slice(0, slash).split('/');
  for (let i = folders.length - 1; i >= 0; i--) {
    if (HIVE_SEGMENT.test(folders[i] ?? '')) return folders.slice(0, i + 1).join('/') + '/';
  }
  return key.slice(0, slash + 1);
}

const DATE_KEYS = /^(dt|date|ds|day|d|event_date|partition_date|load_date|ingest_date|.*_date|.*_dt)$/i;

/**
 * The sortable date of a partition path, if its Hive segments carry one: `dt=2026-11-20`,
 * `date=20261120`, `year=2026/month=11/day=20[/hour=05]`. Returns { rank, day } where rank orders
 * partitions (may include the hour) and day is the bucket of the newest-vs-median comparison.
 */
export function partitionDate(partition: string): { rank: string; day: string } | undefined {
  let year: string | undefined;
  let month: string | undefined;
  let day: string | undefined;
  let hour: string | undefined;
  let full: string | undefined;
  for (const seg of partition.split('/')) {
    const m = HIVE_SEGMENT.exec(seg);
    if (!m) continue;
    const name = (m[1] ?? '').toLowerCase();
    const value = m[2] ?? '';
    if (full === undefined) {
      const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}))?/.exec(value);
      const compact = /^(\d{4})(\d{2})(\d{2})(\d{2})?$/.exec(value);
      const hit = iso ?? (DATE_KEYS.test(name) ? compact : null);
      if (hit) {
        full = `${hit[1]}-${hit[2]}-${hit[3]}`;
        if (hit[4]) hour = hit[4];
        continue;
      }
    }
    if ((name === 'year' || name === 'yyyy') && /^\d{4}$/.test(value)) year = value;
    else if ((name === 'month' || name === 'mm') && /^\d{1,2}$/.test(value)) month = value.padStart(2, '0');
    else if ((name === 'day' || name === 'dd') && /^\d{1,2}$/.test(value)) day = value.padStart(2, '0');
    else if ((name === 'hour' || name === 'hh' || name === 'hr') && /^\d{1,2}$/.test(value))
      hour = value.padStart(2, '0');
  }
  let dayKey: string | undefined = full;
  if (!dayKey && year) dayKey = month ? (day ? `${year}-${month}-${day}` : `${year}-${month}`) : year;
  if (!dayKey) return undefined;
  return { rank: hour !== undefined && dayKey.length === 10 ? `${dayKey}T${hour}` : dayKey, day: dayKey };
}

// ---------------------------------------------------------------------------------------------
// Bounded structures

/** Keeps the `capacity` greatest items by `better`; a min-heap so each offer is O(log capacity). */
class BoundedTop<T> {
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
class BloomFilter {
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

interface PartitionAcc extends PartitionStats {
  newestMs: number;
  oldestMs: number;
}

function emptyCounts(): FileCounts {
  return { files: 0, bytes: 0, smallFiles: 0, smallBytes: 0 };
}

function byTopSmall(a: PartitionAcc, b: PartitionAcc): number {
  return a.smallFiles - b.smallFiles || a.files - b.files || (a.partition < b.partition ? 1 : -1);
}

function byNewest(a: PartitionAcc, b: PartitionAcc): number {
  const ad = a.date ?? '';
  const bd = b.date ?? '';
  if (ad !== bd) return ad < bd ? -1 : 1;
  return a.newestMs - b.newestMs || (a.partition < b.partition ? -1 : a.partition > b.partition ? 1 : 0);
}

function toStats(p: PartitionAcc): PartitionStats {
  const { newestMs: _n, oldestMs: _o, ...rest } = p;
  const out: PartitionStats = { ...rest };
  if (Number.isFinite(p.newestMs)) out.newestModified = new Date(p.newestMs).toISOString();
  if (Number.isFinite(p.oldestMs)) out.oldestModified = new Date(p.oldestMs).toISOString();
  return out;
}

// ---------------------------------------------------------------------------------------------

export class SmallFileAggregator {
  readonly thresholdBytes: number;
  private readonly opts: typeof DEFAULTS;

  private totals = emptyCounts();
  private objects = 0;
  private objectBytes = 0;
  private zeroByteFiles = 0;
  private folderMarkers = 0;
  private datedFiles = 0;
  private leftovers: LeftoverCounts = {
    objects: 0,
    bytes: 0,
    temporary: 0,
    success: 0,
    crc: 0,
    commitMarkers: 0,
    folderSuffix: 0,
  };
  private readonly histogram = new Array<number>(HISTOGRAM_BUCKETS).fill(0);
  private readonly formats = new Map<string, FormatCount>();
  private oldestMs = Infinity;
  private newestMs = -Infinity;

  /** Open partitions, least recently touched first (Map keeps insertion order; touching re-inserts). */
  private readonly active = new Map<string, PartitionAcc>();
  /** Closed partitions still kept by the top N or newest M, by name, so a returning partition merges. */
  private readonly kept = new Map<string, PartitionAcc>();
  private readonly top: BoundedTop<PartitionAcc>;
  private readonly newest: BoundedTop<PartitionAcc>;
  private readonly dates = new Map<string, DateBucketStats>();
  private partitionsSeen = 0;
  private approximate = false;
  /** Names of partitions whose stats were dropped, to notice one that comes back (1 MiB, fixed). */
  private readonly dropped = new BloomFilter(1 << 23);

  constructor(options: SmallFileOptions = {}) {
    this.opts = {
      ...DEFAULTS,
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    };
    this.thresholdBytes = this.opts.thresholdBytes;
    this.top = new BoundedTop(this.opts.topPartitions, byTopSmall);
    this.newest = new BoundedTop(this.opts.newestPartitions, byNewest);
  }

  add(obj: ScannedObject): void {
    const { key } = obj;
    const size = Math.max(0, obj.size);
    this.objects++;
    this.objectBytes += size;
    const ms = obj.lastModified ? obj.lastModified.getTime() : NaN;
    if (Number.isFinite(ms)) {
      if (ms < this.oldestMs) this.oldestMs = ms;
      if (ms > this.newestMs) this.newestMs = ms;
    }

    const partition = this.partitionAcc(partitionOf(key));
    partition.objects++;
    if (Number.isFinite(ms)) {
      if (ms > partition.newestMs) partition.newestMs = ms;
      if (ms < partition.oldestMs) partition.oldestMs = ms;
    }

    if (size === 0 && key.endsWith('/')) {
      this.folderMarkers++;
      return;
    }
    const leftover = leftoverKind(key);
    if (leftover) {
      this.leftovers.objects++;
      this.leftovers.bytes += size;
      this.leftovers[leftover]++;
      partition.leftovers++;
      return;
    }

    const small = size < this.thresholdBytes;
    this.count(this.totals, size, small);
    this.count(partition, size, small);
    if (size === 0) {
      this.zeroByteFiles++;
      partition.zeroByteFiles++;
    }
    const bucket = histogramBucket(size);
    this.histogram[bucket] = (this.histogram[bucket] ?? 0) + 1;
    this.countFormat(fileFormat(key), size);

    if (partition.date !== undefined) {
      this.datedFiles++;
      const day = partitionDate(partition.partition)?.day ?? partition.date;
      this.countDate(day, partition.files === 1, size, small);
    }
  }

  /** The figures so far. Closes open partitions, so call it once the listing is done. */
  summary(): SmallFileSummary {
    for (const p of [...this.active.values()]) this.close(p);
    this.active.clear();
    const formats = [...this.formats.values()].sort(
      (a, b) => b.files - a.files || (a.format < b.format ? -1 : 1),
    );
    const out: SmallFileSummary = {
      thresholdBytes: this.thresholdBytes,
      ...this.totals,
      objects: this.objects,
      objectBytes: this.objectBytes,
      zeroByteFiles: this.zeroByteFiles,
      folderMarkers: this.folderMarkers,
      leftovers: { ...this.leftovers },
      formats,
      sizeHistogram: [...this.histogram],
      partitionsSeen: this.partitionsSeen,
      partitionStatsApproximate: this.approximate,
      topPartitions: this.top
        .sorted()
        .filter((p) => p.smallFiles > 0)
        .map(toStats),
      newestPartitions: this.newest.sorted().map(toStats),
      dateBuckets: [...this.dates.values()].sort((a, b) => (a.date < b.date ? -1 : 1)).map((b) => ({ ...b })),
      datedFiles: this.datedFiles,
      limits: {
        topPartitions: this.opts.topPartitions,
        newestPartitions: this.opts.newestPartitions,
        datePartitions: this.opts.datePartitions,
      },
    };
    if (Number.isFinite(this.oldestMs)) out.oldestModified = new Date(this.oldestMs).toISOString();
    if (Number.isFinite(this.newestMs)) out.newestModified = new Date(this.newestMs).toISOString();
    return out;
  }

  /** How many partitions the aggregator holds right now (open + kept + date buckets): the memory bound. */
  retained(): { active: number; kept: number; dateBuckets: number } {
    return { active: this.active.size, kept: this.kept.size, dateBuckets: this.dates.size };
  }

  private count(c: FileCounts, size: number, small: boolean): void {
    c.files++;
    c.bytes += size;
    if (small) {
      c.smallFiles++;
      c.smallBytes += size;
    }
  }

  private countFormat(format: string, size: number): void {
    let f = this.formats.get(format);
    if (!f) {
      const name = this.formats.size < this.opts.maxFormats - 1 ? format : '(other)';
      f = this.formats.get(name);
      if (!f) {
        f = { format: name, files: 0, bytes: 0 };
        this.formats.set(name, f);
      }
    }
    f.files++;
    f.bytes += size;
  }

  private countDate(day: string, newPartition: boolean, size: number, small: boolean): void {
    let b = this.dates.get(day);
    if (!b) {
      if (this.opts.datePartitions <= 0) return;
      if (this.dates.size >= this.opts.datePartitions) {
        let oldest: string | undefined;
        for (const d of this.dates.keys()) if (oldest === undefined || d < oldest) oldest = d;
        // Older than every kept date: never needed (the newest K only move forward).
        if (oldest === undefined || day < oldest) return;
        this.dates.delete(oldest);
      }
      b = { date: day, partitions: 0, ...emptyCounts() };
      this.dates.set(day, b);
    }
    if (newPartition) b.partitions++;
    this.count(b, size, small);
  }

  private partitionAcc(name: string): PartitionAcc {
    let p = this.active.get(name);
    if (p) {
      // LRU touch: move to the end, but only when it is not already the most recent
      this.active.delete(name);
      this.active.set(name, p);
      return p;
    }
    p = this.kept.get(name);
    if (p) {
      // A closed partition came back (its keys arrived in two runs): reopen it and keep counting.
      this.kept.delete(name);
      this.top.remove(p);
      this.newest.remove(p);
    } else {
      if (this.dropped.mayHave(name)) this.approximate = true;
      this.partitionsSeen++;
      const date = partitionDate(name);
      p = {
        partition: name,
        objects: 0,
        zeroByteFiles: 0,
        leftovers: 0,
        ...emptyCounts(),
        newestMs: -Infinity,
        oldestMs: Infinity,
      };
      if (date) p.date = date.rank;
    }
    this.active.set(name, p);
    if (this.active.size > this.opts.activePartitions) {
      const lru = this.active.values().next().value as PartitionAcc;
      this.active.delete(lru.partition);
      this.close(lru);
    }
    return p;
  }

  /** A partition leaves the open set: the top N or the newest M keep it, or its stats are dropped. */
  private close(p: PartitionAcc): void {
    const pushedOut: PartitionAcc[] = [];
    for (const s of [this.top, this.newest]) {
      const out = s.offer(p);
      if (out && out !== p) pushedOut.push(out);
    }
    if (this.top.has(p) || this.newest.has(p)) this.kept.set(p.partition, p);
    else this.dropped.add(p.partition);
    for (const out of pushedOut) {
      if (this.top.has(out) || this.newest.has(out)) continue;
      this.kept.delete(out.partition);
      this.dropped.add(out.partition);
    }
  }
}
