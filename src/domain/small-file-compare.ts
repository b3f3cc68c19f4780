// Small-file scans compared and turned into plain sentences and a compaction recommendation: the
// runbook's checklist item "comparación de input-size y #files con baseline" and its mitigation
// "ejecutar job de compactación". Pure.
import { formatBytes, formatInt, formatNumber } from './format.js';
import { median } from './degradation.js';
import type { DateBucketStats, FileCounts, SmallFileSummary } from './small-file-summary.js';

export interface SmallFileFigures {
  files: number;
  bytes: number;
  avgFileBytes: number;
  smallFiles: number;
  /** Small files ÷ files (0 when there are no files). */
  smallFileShare: number;
  /** Small-file bytes ÷ bytes. */
  smallByteShare: number;
}

export function smallFileFigures(c: FileCounts): SmallFileFigures {
  return {
    files: c.files,
    bytes: c.bytes,
    avgFileBytes: c.files > 0 ? c.bytes / c.files : 0,
    smallFiles: c.smallFiles,
    smallFileShare: c.files > 0 ? c.smallFiles / c.files : 0,
    smallByteShare: c.bytes > 0 ? c.smallBytes / c.bytes : 0,
  };
}

export interface ScanComparison {
  current: SmallFileFigures;
  previous: SmallFileFigures;
  /** current ÷ previous; undefined when the previous figure was 0. */
  filesRatio: number | undefined;
  bytesRatio: number | undefined;
  avgFileRatio: number | undefined;
  /** Percentage points of small-file share gained (negative: lost). */
  smallFileShareDelta: number;
  /** Files grew at least 2× faster than bytes: the layout is fragmenting. */
  fragmenting: boolean;
  /** Plain sentences, the first is the headline. */
  sentences: string[];
}

const ratio = (a: number, b: number): number | undefined => (b > 0 ? a / b : undefined);

/** 20.1×, 1.3×, 0.5×, 150× */
export function formatRatio(r: number): string {
  return `${formatNumber(r, r >= 100 ? 0 : r >= 0.1 ? 1 : 2)}×`;
}

/** 0.961 → "96%", 0.004 → "0.4%" */
export function formatShare(s: number): string {
  const pct = s * 100;
  return `${formatNumber(pct, pct > 0 && pct < 1 ? 1 : 0)}%`;
}

const STEADY = 0.05;

function movement(r: number | undefined): 'grew' | 'shrank' | 'steady' | 'new' {
  if (r === undefined) return 'new';
  if (r >= 1 + STEADY) return 'grew';
  if (r <= 1 - STEADY) return 'shrank';
  return 'steady';
}

/**
 * "input grew 20.1× in files but only 1.1× in bytes (avg file 210 KB, was 4.2 MB)". `subject` names
 * what is compared ("input", "the newest partition"), `was` how the reference is called ("was",
 * "median").
 */
function growthSentence(
  subject: string,
  cur: SmallFileFigures,
  prev: SmallFileFigures,
  was = 'was',
): { sentence: string; fragmenting: boolean } {
  const fr = ratio(cur.files, prev.files);
  const br = ratio(cur.bytes, prev.bytes);
  const avg = `(avg file ${formatBytes(cur.avgFileBytes)}, ${was} ${formatBytes(prev.avgFileBytes)})`;
  if (fr === undefined)
    return {
      sentence: `${subject} had no files before; now ${formatInt(cur.files)} files, ${formatBytes(cur.bytes)}`,
      fragmenting: false,
    };
  const fragmenting = fr >= 1 + STEADY && (br === undefined || br <= 0 || fr / br >= 2);
  const mf = movement(fr);
  const mb = movement(br);
  let sentence: string;
  if (fragmenting && br !== undefined && br > 0) {
    sentence = `${subject} grew ${formatRatio(fr)} in files but only ${formatRatio(br)} in bytes ${avg}`;
  } else if (mf === 'steady' && mb === 'steady') {
    sentence = `${subject} held steady: ${formatRatio(fr)} the files and ${formatRatio(br ?? 1)} the bytes ${avg}`;
  } else if (mf === mb && (mf === 'grew' || mf === 'shrank')) {
    const verb = mf === 'grew' ? 'grew' : 'shrank to';
    sentence = `${subject} ${verb} ${formatRatio(fr)} in files and ${formatRatio(br as number)} in bytes ${avg}`;
  } else {
    const part = (m: typeof mf, r: number | undefined, what: string): string =>
      m === 'grew'
        ? `grew ${formatRatio(r as number)} in ${what}`
        : m === 'shrank'
          ? `shrank to ${formatRatio(r as number)} in ${what}`
          : m === 'new'
            ? `had no ${what} before`
            : `held steady in ${what}`;
    sentence = `${subject} ${part(mf, fr, 'files')} and ${part(mb, br, 'bytes')} ${avg}`;
  }
  return { sentence, fragmenting };
}

function shareSentence(
  cur: SmallFileFigures,
  prev: SmallFileFigures,
  thresholdBytes: number,
  was = 'was',
): string {
  return `small files (under ${formatBytes(thresholdBytes)}) are ${formatShare(cur.smallFileShare)} of files (${was} ${formatShare(prev.smallFileShare)}) and ${formatShare(cur.smallByteShare)} of bytes (${was} ${formatShare(prev.smallByteShare)})`;
}

function compareFigures(
  cur: SmallFileFigures,
  prev: SmallFileFigures,
  subject: string,
  thresholdBytes: number,
): ScanComparison {
  const g = growthSentence(subject, cur, prev);
  return {
    current: cur,
    previous: prev,
    filesRatio: ratio(cur.files, prev.files),
    bytesRatio: ratio(cur.bytes, prev.bytes),
    avgFileRatio: ratio(cur.avgFileBytes, prev.avgFileBytes),
    smallFileShareDelta: (cur.smallFileShare - prev.smallFileShare) * 100,
    fragmenting: g.fragmenting,
    sentences: [g.sentence, shareSentence(cur, prev, thresholdBytes)],
  };
}

/**
 * A scan against the previous scan of the same location (the baseline). `previousAt` (ISO time of
 * the previous scan) is mentioned when given.
 */
export function compareScans(
  current: SmallFileSummary,
  previous: SmallFileSummary,
  opts: { previousAt?: string } = {},
): ScanComparison {
  const c = compareFigures(
    smallFileFigures(current),
    smallFileFigures(previous),
    'input',
    current.thresholdBytes,
  );
  if (opts.previousAt)
    c.sentences[0] += ` since the scan of ${opts.previousAt.slice(0, 16).replace('T', ' ')} UTC`;
  if (current.thresholdBytes !== previous.thresholdBytes)
    c.sentences.push(
      `the previous scan used a ${formatBytes(previous.thresholdBytes)} threshold, so small-file shares are not directly comparable`,
    );
  return c;
}

/** `--compare URI`: location a against location b, in the same terms. */
export function compareLocations(
  a: SmallFileSummary,
  b: SmallFileSummary,
  labels: { a: string; b: string },
): ScanComparison {
  const c = compareFigures(smallFileFigures(a), smallFileFigures(b), labels.a, a.thresholdBytes);
  c.sentences[0] = c.sentences[0]!.replace(/\(avg file ([^,]+), was /, `(avg file $1, ${labels.b} `);
  c.sentences[0] += ` compared with ${labels.b}`;
  c.sentences[1] = shareSentence(c.current, c.previous, a.thresholdBytes, labels.b);
  return c;
}

export interface PartitionTrend {
  /** The newest date buckets compared, oldest first. */
  newest: (DateBucketStats & { figures: SmallFileFigures; filesRatio?: number; bytesRatio?: number })[];
  /** Median figures of the earlier dates. */
  median: SmallFileFigures;
  earlierDates: number;
  sentences: string[];
  /** The newest partition has ≥ 2× the median's files per byte. */
  fragmenting: boolean;
}

/**
 * For date-partitioned layouts: the newest date(s) against the median of the earlier ones (at
 * least `minEarlier`, default 3). Undefined when the layout is not date-partitioned or too short.
 */
export function compareNewestPartitions(
  summary: SmallFileSummary,
  opts: { newest?: number; minEarlier?: number } = {},
): PartitionTrend | undefined {
  const n = Math.max(1, opts.newest ?? 1);
  const minEarlier = Math.max(1, opts.minEarlier ?? 3);
  const buckets = summary.dateBuckets;
  if (buckets.length < n + minEarlier) return undefined;
  const earlier = buckets.slice(0, buckets.length - n);
  const newest = buckets.slice(buckets.length - n);
  const med: SmallFileFigures = {
    files: median(earlier.map((b) => b.files)),
    bytes: median(earlier.map((b) => b.bytes)),
    avgFileBytes: median(earlier.map((b) => (b.files ? b.bytes / b.files : 0))),
    smallFiles: median(earlier.map((b) => b.smallFiles)),
    smallFileShare: median(earlier.map((b) => (b.files ? b.smallFiles / b.files : 0))),
    smallByteShare: median(earlier.map((b) => (b.bytes ? b.smallBytes / b.bytes : 0))),
  };
  const unit =
    (earlier[0]?.date.length ?? 10) === 10
      ? 'days'
      : (earlier[0]?.date.length ?? 0) === 7
        ? 'months'
        : 'years';
  let fragmenting = false;
  const sentences: string[] = [];
  const out = newest.map((b) => {
    const figures = smallFileFigures(b);
    const g = growthSentence(`partition ${b.date}`, figures, med, 'median');
    fragmenting ||= g.fragmenting;
    sentences.push(
      `${g.sentence.replace(/ \(avg file/, ` against the median of the ${earlier.length} earlier ${unit} (avg file`)}: ` +
        `${formatInt(b.files)} files, ${formatBytes(b.bytes)}, ${formatShare(figures.smallFileShare)} small ` +
        `(median ${formatInt(med.files)} files, ${formatBytes(med.bytes)}, ${formatShare(med.smallFileShare)} small)`,
    );
    const r: PartitionTrend['newest'][number] = { ...b, figures };
    const fr = ratio(b.files, med.files);
    const br = ratio(b.bytes, med.bytes);
    if (fr !== undefined) r.filesRatio = fr;
    if (br !== undefined) r.bytesRatio = br;
    return r;
  });
  return { newest: out, median: med, earlierDates: earlier.length, sentences, fragmenting };
}

// ---------------------------------------------------------------------------------------------
// Recommendation and cost

export interface CompactionOptions {
  /** Target file size of the compaction job (default 512 MiB, Iceberg's default target). */
  targetFileBytes?: number;
  /** Small-file share by count above which compaction is warranted (default 0.5). */
  minSmallFileShare?: number;
  /** Small files needed before compaction is worth a job (default 1,000). */
  minSmallFiles?: number;
  /** Partitions listed in the recommendation (default 10). */
  maxPartitions?: number;
}

export interface PartitionCompaction {
  partition: string;
  files: number;
  smallFiles: number;
  bytes: number;
  avgFileBytes: number;
  /** Files after compaction at the target size. */
  targetFiles: number;
  sentence: string;
}

export interface CompactionRecommendation {
  warranted: boolean;
  /** The rule applied, in words. */
  rule: string;
  /** Why it is or is not warranted, with the figures. */
  reason: string;
  targetFileBytes: number;
  /** Files after compacting the whole location at the target. */
  targetFiles: number;
  partitions: PartitionCompaction[];
}

const MiB = 1024 * 1024;

function filesAtTarget(bytes: number, target: number): number {
  return Math.max(1, Math.ceil(bytes / target));
}

/**
 * Compaction is warranted when small files are more than half of the files (by count) and there are
 * at least 1,000 of them: below that the per-file open and listing overhead a job pays is seconds,
 * not worth a compaction run. Sized per partition at the target: "4,812 files (avg 210 KB) → about
 * 2 files at the 512 MB target".
 */
export function recommendCompaction(
  summary: SmallFileSummary,
  opts: CompactionOptions = {},
): CompactionRecommendation {
  const target = opts.targetFileBytes ?? 512 * MiB;
  const minShare = opts.minSmallFileShare ?? 0.5;
  const minSmall = opts.minSmallFiles ?? 1000;
  const maxPartitions = opts.maxPartitions ?? 10;
  const f = smallFileFigures(summary);
  const rule =
    `compact when small files (under ${formatBytes(summary.thresholdBytes)}) are more than ` +
    `${formatShare(minShare)} of files and at least ${formatInt(minSmall)}; size the output at ${formatBytes(target)} files`;
  const warranted = f.smallFileShare > minShare && f.smallFiles >= minSmall;
  const figures = `${formatInt(f.smallFiles)} of ${formatInt(f.files)} files are small (${formatShare(f.smallFileShare)})`;
  const reason = warranted
    ? `compaction warranted: ${figures}`
    : f.files === 0
      ? 'no data files to compact'
      : f.smallFileShare <= minShare
        ? `compaction not needed: ${figures}, not more than ${formatShare(minShare)}`
        : `compaction not needed yet: ${figures}, fewer than ${formatInt(minSmall)}`;
  const partitions = summary.topPartitions
    .filter(
      (p) => p.files >= 2 && p.smallFiles / p.files > minShare && filesAtTarget(p.bytes, target) < p.files,
    )
    .slice(0, maxPartitions)
    .map((p) => {
      const avg = p.bytes / p.files;
      const targetFiles = filesAtTarget(p.bytes, target);
      return {
        partition: p.partition,
        files: p.files,
        smallFiles: p.smallFiles,
        bytes: p.bytes,
        avgFileBytes: avg,
        targetFiles,
        sentence:
          `${p.partition || '(root)'}: ${formatInt(p.files)} files (avg ${formatBytes(avg)}) → about ` +
          `${formatInt(targetFiles)} file${targetFiles === 1 ? '' : 's'} at the ${formatBytes(target)} target`,
      };
    });
  return {
    warranted,
    rule,
    reason,
    targetFileBytes: target,
    targetFiles: filesAtTarget(f.bytes, target),
    partitions,
  };
}

export const LIST_PRICE_PER_1000_USD = 0.005;

export interface ListingCost {
  requests: number;
  usd: number;
  /** Requests a sequential 1,000-key listing needs at least. */
  sequentialRequests: number;
  sentence: string;
}

/** What the scan's own listing cost: "the scan made 1,234 LIST requests (≈ $0.0062)". */
export function listingCost(
  requests: number,
  objects: number,
  pricePer1000 = LIST_PRICE_PER_1000_USD,
): ListingCost {
  const usd = (requests / 1000) * pricePer1000;
  const sequentialRequests = Math.max(1, Math.ceil(objects / 1000));
  const money = usd < 0.01 ? `$${usd.toFixed(4)}` : `$${formatNumber(usd, 2)}`;
  return {
    requests,
    usd,
    sequentialRequests,
    sentence:
      `the scan made ${formatInt(requests)} LIST request${requests === 1 ? '' : 's'} (≈ ${money} at ` +
      `$${pricePer1000} per 1,000); a sequential listing needs at least ${formatInt(sequentialRequests)}`,
  };
}

/** "3,048 objects, 3.6 MB: 1,216 of 3,036 data files are small (40%) under 32 MB; 8 job leftovers" */
export function describeSummary(s: SmallFileSummary): string {
  const f = smallFileFigures(s);
  const parts = [
    `${formatInt(s.objects)} objects, ${formatBytes(s.objectBytes)}: ${formatInt(s.smallFiles)} of ${formatInt(s.files)} ` +
      `data files are small (${formatShare(f.smallFileShare)}) under ${formatBytes(s.thresholdBytes)}, avg file ${formatBytes(f.avgFileBytes)}`,
  ];
  if (s.zeroByteFiles) parts.push(`${formatInt(s.zeroByteFiles)} empty files`);
  if (s.leftovers.objects)
    parts.push(`${formatInt(s.leftovers.objects)} job leftovers (_temporary, _SUCCESS, .crc, markers)`);
  return parts.join('; ');
}
