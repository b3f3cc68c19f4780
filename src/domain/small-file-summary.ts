// What a small-file scan reports (SmallFileSummary) and its schema for reading one back from
// storage; the size histogram's buckets. Produced by SmallFileAggregator (small-files.ts).
import { z } from 'zod';

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
