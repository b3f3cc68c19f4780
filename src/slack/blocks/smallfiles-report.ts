// /smallfiles messages: progress while scanning (with Cancel), then the result — summary, the
// comparisons, top partitions, the compaction recommendation and what the scan cost. Pure.
import { escapeMrkdwn, code } from '../mrkdwn.js';
import {
  actions,
  button,
  capBlocks,
  chunkLines,
  context,
  divider,
  header,
  section,
  type Block,
} from './kit.js';
import { formatBytes, formatInt, formatShare, plural } from '../../domain/format.js';
import type { SmallFileSummary } from '../../domain/small-file-summary.js';
import type {
  CompactionRecommendation,
  ListingCost,
  PartitionTrend,
  ScanComparison,
} from '../../domain/small-file-compare.js';

export interface SmallFilesProgress {
  location: string;
  objects: number;
  bytes: number;
  requests: number;
  elapsedMs: number;
  throttledRequests: number;
}

export function renderScanProgress(p: SmallFilesProgress, cancelValue: string): Block[] {
  const rate = p.elapsedMs > 0 ? Math.round((p.objects / p.elapsedMs) * 1000) : 0;
  return [
    section(
      `:mag: Scanning ${code(p.location)} — ${formatInt(p.objects)} objects (${formatBytes(p.bytes)}) so far, ${formatInt(p.requests)} requests, ${(p.elapsedMs / 1000).toFixed(0)} s${rate ? `, ${formatInt(rate)} objects/s` : ''}${p.throttledRequests ? ` · :snail: ${formatInt(p.throttledRequests)} throttled requests retried` : ''}`,
    ),
    actions(
      [
        button({
          text: 'Cancel scan',
          actionId: 'medic.smallfiles.cancel',
          value: cancelValue,
          style: 'danger',
          confirm: {
            title: 'Cancel the scan?',
            text: 'The partial figures are discarded.',
            confirm: 'Cancel scan',
            deny: 'Keep scanning',
          },
        }),
      ],
      'medic-smallfiles-progress',
    ),
  ];
}

export function renderScanFailure(location: string, title: string, detail: string, byUser?: string): Block[] {
  const by = byUser && /^[UW][A-Z0-9]{2,}$/.test(byUser) ? ` by <@${byUser}>` : '';
  return [section(`:x: *${escapeMrkdwn(title)}*${by} — ${code(location)}\n${escapeMrkdwn(detail)}`)];
}

export interface SmallFilesReportModel {
  location: string;
  source: 'listing' | 'inventory';
  inventoryAgeMs?: number;
  summary: SmallFileSummary;
  durationMs: number;
  slowed: boolean;
  throttledRequests: number;
  previous?: { at: number; comparison: ScanComparison };
  trend?: PartitionTrend;
  compare?: { location: string; comparison: ScanComparison };
  recommendation: CompactionRecommendation;
  cost: ListingCost;
}

export function smallFilesHeadline(m: SmallFilesReportModel): string {
  const s = m.summary;
  const share = s.files ? s.smallFiles / s.files : 0;
  return `Small files: ${formatShare(share)} of ${formatInt(s.files)} files under ${formatBytes(s.thresholdBytes)} in ${m.location}`;
}

export function renderSmallFilesReport(m: SmallFilesReportModel): Block[] {
  const s = m.summary;
  const blocks: Block[] = [header(smallFilesHeadline(m))];
  const fields = [
    `*Files*\n${formatInt(s.files)} (${formatBytes(s.bytes)})`,
    `*Small files*\n${formatInt(s.smallFiles)} (${formatShare(s.files ? s.smallFiles / s.files : 0)}), ${formatBytes(s.smallBytes)}`,
    `*Average file*\n${formatBytes(s.files ? s.bytes / s.files : 0)}`,
    `*Zero-byte files*\n${formatInt(s.zeroByteFiles)}`,
    `*Job leftovers*\n${formatInt(s.leftovers.objects)} (_temporary/ ${formatInt(s.leftovers.temporary)}, _SUCCESS ${formatInt(s.leftovers.success)}, .crc ${formatInt(s.leftovers.crc)})`,
    `*Partitions*\n${formatInt(s.partitionsSeen)}${s.partitionStatsApproximate ? ' (approx.)' : ''}`,
  ];
  if (s.formats.length)
    fields.push(
      `*Formats*\n${s.formats
        .slice(0, 5)
        .map((f) => `${escapeMrkdwn(f.format)} ${formatInt(f.files)}`)
        .join(', ')}`,
    );
  blocks.push(section(`*${escapeMrkdwn(m.recommendation.reason)}*`, { fields }));
  const comparisons: string[] = [];
  if (m.trend) comparisons.push(...m.trend.sentences);
  if (m.previous) comparisons.push(...m.previous.comparison.sentences);
  if (m.compare) comparisons.push(...m.compare.comparison.sentences);
  if (comparisons.length)
    blocks.push(
      section(
        `*Against the baseline*\n${
          chunkLines(
            comparisons.map((c) => `• ${escapeMrkdwn(c)}`),
            2900,
          )[0]
        }`,
      ),
    );
  else
    blocks.push(
      context('No baseline yet: this is the first scan of this location; the next scan is compared with it.'),
    );
  if (m.recommendation.partitions.length) {
    blocks.push(
      divider(),
      section(
        `*Compaction, per partition* _(${escapeMrkdwn(m.recommendation.rule)})_\n${
          chunkLines(
            m.recommendation.partitions.map((p) => `• ${escapeMrkdwn(p.sentence)}`),
            2800,
          )[0]
        }`,
      ),
    );
  } else if (s.topPartitions.length) {
    const top = s.topPartitions
      .slice(0, 5)
      .map(
        (p) =>
          `• ${code(p.partition || '(root)')}: ${formatInt(p.smallFiles)} small of ${formatInt(p.files)} files`,
      );
    blocks.push(section(`*Partitions with the most small files*\n${top.join('\n')}`));
  }
  const src =
    m.source === 'inventory'
      ? `from S3 Inventory${m.inventoryAgeMs !== undefined ? ` (report ${(m.inventoryAgeMs / 3_600_000).toFixed(0)} h old)` : ''}`
      : `listed in ${(m.durationMs / 1000).toFixed(1)} s`;
  const notes = [`${escapeMrkdwn(m.location)} · ${src} · ${escapeMrkdwn(m.cost.sentence)}`];
  if (m.slowed)
    notes.push(
      `:snail: slowed by throttling: ${plural(m.throttledRequests, 'request')} retried with backoff`,
    );
  blocks.push(context(...notes));
  return capBlocks(blocks);
}

/** The summary's log2 histogram as chart buckets, without the empty ends. */
export function histogramBuckets(summary: SmallFileSummary): { upperBytes: number; count: number }[] {
  const h = summary.sizeHistogram;
  let lo = h.findIndex((n) => n > 0);
  if (lo < 0) return [];
  let hi = h.length - 1;
  while (hi > lo && h[hi] === 0) hi--;
  lo = Math.max(1, lo);
  return h.slice(lo, hi + 1).map((count, i) => ({ upperBytes: 2 ** (lo + i), count }));
}
