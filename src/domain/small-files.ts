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
// Beside it: small-file-keys.ts (what a key says: partition, date, format, leftover),
// small-file-summary.ts (what a scan reports) and bounded.ts (the fixed-size heap and Bloom filter).
import { BloomFilter, BoundedTop } from './bounded.js';
import { fileFormat, leftoverKind, partitionDate, partitionOf } from './small-file-keys.js';
import {
  HISTOGRAM_BUCKETS,
  histogramBucket,
  type DateBucketStats,
  type FileCounts,
  type FormatCount,
  type LeftoverCounts,
  type PartitionStats,
  type SmallFileSummary,
} from './small-file-summary.js';

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
