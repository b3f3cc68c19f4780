// The `/smallfiles` chart: how many objects fall in each log2 size bucket, with the small-file
// threshold marked. `sizeHistogramSpec` is pure (data → Vega-Lite spec); `renderSizeHistogram`
// draws it (render.ts).
//
// Decisions worth knowing:
// - Each bucket is the size range [upperBytes / 2, upperBytes), as the scanner's log2 histogram
//   counts them; x is log2 of the size, so every bar has the same width and the threshold line
//   sits where its size falls between two edges.
// - Empty buckets at either end are trimmed (the scanner reports 50 buckets, most of them empty),
//   but the bucket holding the threshold and the one after it always stay, so the line is never on
//   the plot's edge.
// - A bucket is "small" when all of it is below the threshold (upperBytes ≤ threshold): with the
//   runbook's 32 MiB, a power of two, that is exactly the files the scanner counts as small.
// - Edge labels are every 1, 2, 5 or 10 powers of two (1 KB, 32 KB, 1 MB, 32 MB …), as many as fit.
import type { TopLevelSpec } from 'vega-lite';
import type { LayerSpec, UnitSpec } from 'vega-lite/types_unstable/spec/index.js';
import type { Field } from 'vega-lite/types_unstable/channeldef.js';
import { formatBytes, formatInt, formatNumber } from '../../domain/format.js';
import { renderChart } from './render.js';
import {
  CHART_COLORS,
  DEFAULT_HEIGHT,
  DEFAULT_WIDTH,
  approxTextWidth,
  baseConfig,
  chartSide,
  fontSizesFor,
} from './theme.js';
import { niceTicks, type Ticks } from './ticks.js';

export interface SizeBucket {
  /** End of the bucket in bytes (exclusive); the bucket starts at half of it. */
  upperBytes: number;
  count: number;
}

export interface SizeHistogramInput {
  title: string;
  buckets: readonly SizeBucket[];
  /** The small-file threshold (the runbook's 32 MiB). */
  thresholdBytes: number;
  width?: number;
  height?: number;
}

export interface HistogramLayout {
  width: number;
  height: number;
  /** The buckets drawn, smallest first. */
  buckets: SizeBucket[];
  thresholdBytes: number;
  /** y ticks, in objects. */
  ticks: Ticks;
  /** Whether each bar's count is written above it (only when every label fits its bar). */
  countLabels: boolean;
  /** Exponents (log2 of bytes) of the edges labelled on the x axis. */
  edgeLabels: number[];
  /** "4,812 of 12,000 small (40.1%)" or "no objects". */
  summary: string;
  legend: { small: string; other: string };
}

/** 4812 → "4,812", 48120 → "48k", 1_250_000 → "1.3M": fits above a bar or beside an axis. */
export function compactCount(n: number): string {
  if (n < 10_000) return formatInt(n);
  if (n < 1_000_000) return `${formatNumber(n / 1000, n < 100_000 ? 1 : 0)}k`;
  if (n < 1_000_000_000) return `${formatNumber(n / 1e6, n < 1e8 ? 1 : 0)}M`;
  return `${formatNumber(n / 1e9, 1)}G`;
}

function cleanBuckets(buckets: readonly SizeBucket[]): SizeBucket[] {
  const byUpper = new Map<number, number>();
  for (const b of buckets) {
    if (!Number.isFinite(b.upperBytes) || b.upperBytes <= 0) continue;
    const count = Number.isFinite(b.count) && b.count > 0 ? b.count : 0;
    byUpper.set(b.upperBytes, (byUpper.get(b.upperBytes) ?? 0) + count);
  }
  return [...byUpper.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([upperBytes, count]) => ({ upperBytes, count }));
}

/** Which buckets to draw: see the header comment. */
function visibleBuckets(all: SizeBucket[], thresholdBytes: number): SizeBucket[] {
  if (all.length === 0) {
    // Nothing reported: an empty axis around the threshold.
    const t = 2 ** Math.round(Math.log2(thresholdBytes > 0 ? thresholdBytes : 32 * 1024 ** 2));
    return [-3, -2, -1, 0, 1].map((k) => ({ upperBytes: t * 2 ** k, count: 0 }));
  }
  const nonZero = all.flatMap((b, i) => (b.count > 0 ? [i] : []));
  let holding = all.findIndex((b) => b.upperBytes >= thresholdBytes);
  if (holding < 0) holding = all.length - 1;
  let first = Math.min(nonZero[0] ?? holding, holding);
  let last = Math.max(nonZero[nonZero.length - 1] ?? holding, Math.min(all.length - 1, holding + 1));
  // A handful of bars at least, so one busy bucket is not a single slab across the chart.
  while (last - first + 1 < 6 && (first > 0 || last < all.length - 1)) {
    if (first > 0) first--;
    if (last - first + 1 < 6 && last < all.length - 1) last++;
  }
  return all.slice(first, last + 1);
}

function summaryText(buckets: readonly SizeBucket[], threshold: number): string {
  let total = 0;
  let small = 0;
  for (const b of buckets) {
    const c = Number.isFinite(b.count) && b.count > 0 ? b.count : 0;
    total += c;
    if (b.upperBytes <= threshold) small += c;
  }
  if (total === 0) return 'no objects';
  return `${formatInt(small)} of ${formatInt(total)} small (${formatNumber((small / total) * 100, 1)}%)`;
}

const log2 = (bytes: number): number => Math.log2(bytes);

/** Everything the spec is built from. */
export function histogramLayout(input: SizeHistogramInput): HistogramLayout {
  const width = chartSide(input.width, DEFAULT_WIDTH);
  const height = chartSide(input.height, DEFAULT_HEIGHT);
  const fs = fontSizesFor(width, height);
  const thresholdBytes =
    Number.isFinite(input.thresholdBytes) && input.thresholdBytes > 0 ? input.thresholdBytes : 0;
  const buckets = visibleBuckets(cleanBuckets(input.buckets), thresholdBytes);

  const plotWidth = Math.max(40, width - 6.5 * fs.label);
  const plotHeight = Math.max(30, height - fs.title - 10 * fs.label);
  const band = plotWidth / buckets.length;
  const maxCount = Math.max(0, ...buckets.map((b) => b.count));
  const target = Math.max(2, Math.min(6, Math.floor(plotHeight / (3.4 * fs.label))));
  const ticks = niceTicks(maxCount > 0 ? maxCount * 1.05 : target, target, 1);
  const countLabels = buckets.every(
    (b) => b.count === 0 || approxTextWidth(compactCount(b.count), fs.label) <= band - 2,
  );

  // Edge labels every 1, 2, 5 or 10 powers of two, aligned so 1 KB and 1 MB are among them; the
  // threshold's own label wins a collision.
  const firstEdge = log2(buckets[0]!.upperBytes) - 1;
  const lastEdge = log2(buckets[buckets.length - 1]!.upperBytes);
  const edges: number[] = [];
  for (let e = Math.ceil(firstEdge); e <= lastEdge; e++) edges.push(e);
  const widest = Math.max(...edges.map((e) => approxTextWidth(formatBytes(2 ** e), fs.label)));
  const step = [1, 2, 5, 10, 20].find((k) => k * band >= widest + fs.label) ?? 20;
  const thr = thresholdBytes > 0 ? log2(thresholdBytes) : undefined;
  const thrHalf = approxTextWidth(formatBytes(thresholdBytes), fs.label) / 2 + fs.label / 2;
  const edgeLabels = edges.filter((e) => {
    if (e % step !== 0) return false;
    if (thr === undefined || e === thr) return true;
    const half = approxTextWidth(formatBytes(2 ** e), fs.label) / 2;
    return Math.abs(e - thr) * band >= half + thrHalf;
  });

  const thresholdText = formatBytes(thresholdBytes);
  return {
    width,
    height,
    buckets,
    thresholdBytes,
    ticks,
    countLabels,
    edgeLabels,
    summary: summaryText(input.buckets, thresholdBytes),
    legend: { small: `small files (< ${thresholdText})`, other: 'other files' },
  };
}

/** Names of the layers (Vega marks `<name>_marks`), so tests can find what each drew. */
export const HISTOGRAM_LAYERS = {
  bars: 'size_bars',
  counts: 'bar_counts',
  threshold: 'threshold_line',
  thresholdLabel: 'threshold_label',
  empty: 'no_objects',
} as const;

/** The Vega-Lite spec of the histogram. Pure: the same input always gives the same spec. */
export function sizeHistogramSpec(input: SizeHistogramInput): TopLevelSpec {
  const lay = histogramLayout(input);
  const fs = fontSizesFor(lay.width, lay.height);
  const H = HISTOGRAM_LAYERS;
  const { buckets, ticks } = lay;
  const domain = [log2(buckets[0]!.upperBytes) - 1, log2(buckets[buckets.length - 1]!.upperBytes)];
  const plotWidth = Math.max(40, lay.width - 6.5 * fs.label);
  // A gap between neighbours when the bars are wide enough for one.
  const gap = plotWidth / buckets.length >= 8 ? 0.06 : 0;
  const rows = buckets.map((b) => {
    const hi = log2(b.upperBytes);
    const small = b.upperBytes <= lay.thresholdBytes;
    return {
      lo: hi - 1 + gap,
      hi: hi - gap,
      mid: hi - 0.5,
      upperBytes: b.upperBytes,
      count: b.count,
      // Any non-zero bucket gets at least a sliver, so "a few" never looks like "none".
      drawn: b.count > 0 ? Math.max(b.count, ticks.max * 0.008) : 0,
      label: b.count > 0 ? compactCount(b.count) : '',
      kind: small ? lay.legend.small : lay.legend.other,
    };
  });
  const empty = buckets.every((b) => b.count === 0);
  const thrExp = lay.thresholdBytes > 0 ? log2(lay.thresholdBytes) : undefined;
  const thrInView = thrExp !== undefined && thrExp >= domain[0]! && thrExp <= domain[1]!;
  const maxExp = Math.ceil(domain[1]!) + 1;
  const edgeText = Array.from({ length: Math.max(0, maxExp + 1) }, (_, e) => formatBytes(2 ** e));
  const thresholdText = formatBytes(lay.thresholdBytes);
  const axisValues = [...lay.edgeLabels];
  if (thrInView && !axisValues.includes(thrExp)) axisValues.push(thrExp);
  axisValues.sort((a, b) => a - b);

  const x = {
    field: 'lo',
    type: 'quantitative' as const,
    scale: { domain, nice: false, zero: false },
    axis: {
      title: 'object size (log2 buckets)',
      values: axisValues,
      labelExpr:
        thrExp !== undefined
          ? `datum.value === ${thrExp} ? ${JSON.stringify(thresholdText)} : ${JSON.stringify(edgeText)}[round(datum.value)]`
          : `${JSON.stringify(edgeText)}[round(datum.value)]`,
      labelColor:
        thrExp !== undefined
          ? {
              condition: { test: `datum.value === ${thrExp}`, value: CHART_COLORS.thresholdMarker },
              value: CHART_COLORS.muted,
            }
          : CHART_COLORS.muted,
      grid: false,
      labelFlush: true,
      labelOverlap: true,
    },
  };
  const yLabels = ticks.values.map((v) => compactCount(v));
  const y = {
    field: 'drawn',
    type: 'quantitative' as const,
    scale: { domain: [0, ticks.max], nice: false, zero: true },
    axis: {
      title: 'objects',
      values: empty ? [] : ticks.values,
      labelExpr: `${JSON.stringify(yLabels)}[round(datum.value / ${ticks.step})]`,
      domain: false,
      ticks: false,
      grid: !empty,
    },
  };
  const layers: (LayerSpec<Field> | UnitSpec<Field>)[] = [
    {
      name: H.bars,
      data: { values: rows.filter((r) => r.count > 0) },
      mark: { type: 'rect' },
      encoding: {
        x,
        x2: { field: 'hi' },
        y,
        y2: { datum: 0 },
        color: {
          field: 'kind',
          type: 'nominal',
          scale: {
            domain: [lay.legend.small, lay.legend.other],
            range: [CHART_COLORS.smallBar, CHART_COLORS.bar],
          },
          legend: { symbolType: 'square' },
        },
      },
    },
  ];
  if (lay.countLabels)
    layers.push({
      name: H.counts,
      data: { values: rows.filter((r) => r.count > 0) },
      mark: { type: 'text', baseline: 'bottom', dy: -3, color: CHART_COLORS.text, fontSize: fs.label },
      encoding: { x: { ...x, field: 'mid' }, y, text: { field: 'label' } },
    });
  if (thrInView) {
    layers.push({
      name: H.threshold,
      data: { values: [{ lo: thrExp }] },
      mark: { type: 'rule', color: CHART_COLORS.thresholdMarker, strokeWidth: 2 },
      encoding: { x },
    });
    // Above the plot, to the right of the line unless that runs off the chart.
    const text = `small-file threshold ${thresholdText}`;
    const fitsRight =
      ((domain[1]! - thrExp) / (domain[1]! - domain[0]!)) * plotWidth > approxTextWidth(text, fs.label) + 8;
    layers.push({
      name: H.thresholdLabel,
      data: { values: [{ lo: thrExp, drawn: ticks.max, text }] },
      mark: {
        type: 'text',
        color: CHART_COLORS.thresholdMarker,
        fontSize: fs.label,
        align: fitsRight ? 'left' : 'right',
        baseline: 'bottom',
        dx: fitsRight ? 4 : -4,
        dy: -2,
      },
      encoding: { x, y, text: { field: 'text' } },
    });
  }
  if (empty)
    layers.push({
      name: H.empty,
      data: { values: [{ lo: (domain[0]! + domain[1]!) / 2, drawn: ticks.max / 2, text: 'no objects' }] },
      mark: { type: 'text', color: CHART_COLORS.text, fontSize: fs.label * 1.2 },
      encoding: { x, y, text: { field: 'text' } },
    });

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: lay.width,
    height: lay.height,
    autosize: { type: 'fit', contains: 'padding' },
    title: { text: input.title, subtitle: lay.summary, limit: lay.width - 2 * fs.label },
    config: baseConfig(lay.width, lay.height),
    layer: layers,
  };
}

/** Draw the histogram. Returns PNG bytes. */
export async function renderSizeHistogram(input: SizeHistogramInput): Promise<Buffer> {
  return (await renderChart(sizeHistogramSpec(input))).png;
}
