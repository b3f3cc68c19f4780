// Summaries of disjoint parts of one location (its partitions, scanned at different times) merged
// into the summary one scan of the whole location would have given: counts and histograms add up,
// the top/newest partitions and the most recent dates are re-ranked with the aggregator's own
// orders and limits. Used by the partition cache (jobs/partition-cache.ts).
import type { PartitionStats, SmallFileSummary } from './small-file-summary.js';

function byTopSmallDesc(a: PartitionStats, b: PartitionStats): number {
  return b.smallFiles - a.smallFiles || b.files - a.files || (a.partition < b.partition ? -1 : 1);
}

function ms(iso: string | undefined): number {
  return iso ? Date.parse(iso) : -Infinity;
}

function byNewestDesc(a: PartitionStats, b: PartitionStats): number {
  const ad = a.date ?? '';
  const bd = b.date ?? '';
  if (ad !== bd) return ad < bd ? 1 : -1;
  return ms(b.newestModified) - ms(a.newestModified) || (a.partition < b.partition ? 1 : -1);
}

export function mergeSummaries(parts: readonly SmallFileSummary[], thresholdBytes: number): SmallFileSummary {
  const first = parts[0];
  const limits = first?.limits ?? { topPartitions: 20, newestPartitions: 10, datePartitions: 60 };
  const out: SmallFileSummary = {
    thresholdBytes,
    files: 0,
    bytes: 0,
    smallFiles: 0,
    smallBytes: 0,
    objects: 0,
    objectBytes: 0,
    zeroByteFiles: 0,
    folderMarkers: 0,
    leftovers: { objects: 0, bytes: 0, temporary: 0, success: 0, crc: 0, commitMarkers: 0, folderSuffix: 0 },
    formats: [],
    sizeHistogram: new Array<number>(first?.sizeHistogram.length ?? 50).fill(0),
    partitionsSeen: 0,
    partitionStatsApproximate: false,
    topPartitions: [],
    newestPartitions: [],
    dateBuckets: [],
    datedFiles: 0,
    limits,
  };
  const formats = new Map<string, { format: string; files: number; bytes: number }>();
  const dates = new Map<string, SmallFileSummary['dateBuckets'][number]>();
  let oldest = Infinity;
  let newest = -Infinity;
  for (const p of parts) {
    for (const k of [
      'files',
      'bytes',
      'smallFiles',
      'smallBytes',
      'objects',
      'objectBytes',
      'zeroByteFiles',
      'folderMarkers',
      'partitionsSeen',
      'datedFiles',
    ] as const)
      out[k] += p[k];
    for (const k of Object.keys(out.leftovers) as (keyof SmallFileSummary['leftovers'])[])
      out.leftovers[k] += p.leftovers[k];
    p.sizeHistogram.forEach((n, i) => (out.sizeHistogram[i] = (out.sizeHistogram[i] ?? 0) + n));
    for (const f of p.formats) {
      const m = formats.get(f.format) ?? { format: f.format, files: 0, bytes: 0 };
      m.files += f.files;
      m.bytes += f.bytes;
      formats.set(f.format, m);
    }
    for (const d of p.dateBuckets) {
      const m = dates.get(d.date) ?? {
        date: d.date,
        partitions: 0,
        files: 0,
        bytes: 0,
        smallFiles: 0,
        smallBytes: 0,
      };
      m.partitions += d.partitions;
      m.files += d.files;
      m.bytes += d.bytes;
      m.smallFiles += d.smallFiles;
      m.smallBytes += d.smallBytes;
      dates.set(d.date, m);
    }
    out.partitionStatsApproximate ||= p.partitionStatsApproximate;
    out.topPartitions.push(...p.topPartitions);
    out.newestPartitions.push(...p.newestPartitions);
    oldest = Math.min(oldest, ms(p.oldestModified) === -Infinity ? Infinity : ms(p.oldestModified));
    newest = Math.max(newest, ms(p.newestModified));
  }
  out.formats = [...formats.values()].sort((a, b) => b.files - a.files || (a.format < b.format ? -1 : 1));
  out.topPartitions = out.topPartitions.sort(byTopSmallDesc).slice(0, limits.topPartitions);
  out.newestPartitions = out.newestPartitions.sort(byNewestDesc).slice(0, limits.newestPartitions);
  out.dateBuckets = [...dates.values()]
    .sort((a, b) => (a.date < b.date ? -1 : 1))
    .slice(-limits.datePartitions);
  if (Number.isFinite(oldest)) out.oldestModified = new Date(oldest).toISOString();
  if (Number.isFinite(newest)) out.newestModified = new Date(newest).toISOString();
  return out;
}
