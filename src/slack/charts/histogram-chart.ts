// The `/smallfiles` chart: how many objects fall in each log2 size bucket, with the small-file
// threshold marked. Pure: the same input always gives the same PNG bytes.
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
import { formatBytes, formatInt, formatNumber } from '../../domain/format.js';
import { drawLegend, layoutLegend, type LegendLayout } from './legend.js';
import { Raster, fitText, textHeight, textWidth } from './raster.js';
import {
  CHART_COLORS,
  DEFAULT_HEIGHT,
  DEFAULT_WIDTH,
  chartSide,
  textScaleFor,
  type PlotArea,
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

export interface HistogramScale {
  width: number;
  height: number;
  textScale: number;
  plot: PlotArea;
  /** The buckets drawn, smallest first: bar `i` is `buckets[i]`. */
  buckets: SizeBucket[];
  /** y ticks, in objects. */
  ticks: Ticks;
  /** Pixel width of one bucket's band. */
  band: number;
  legend: LegendLayout;
  /** Left and right pixel edges of bucket `i`'s band. */
  bandLeft(index: number): number;
  bandRight(index: number): number;
  /** Pixel column of a size on the log2 axis, clamped to the plot. */
  x(bytes: number): number;
  /** Pixel row of a count. */
  y(count: number): number;
  /** Whether bucket `i` is drawn in the alert colour. */
  isSmall(index: number): boolean;
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

/** Where everything goes; `renderSizeHistogram` draws with exactly this. */
export function histogramScaleFor(input: SizeHistogramInput): HistogramScale {
  const width = chartSide(input.width, DEFAULT_WIDTH);
  const height = chartSide(input.height, DEFAULT_HEIGHT);
  const s = textScaleFor(width, height);
  const margin = 6 * s;
  const threshold =
    Number.isFinite(input.thresholdBytes) && input.thresholdBytes > 0 ? input.thresholdBytes : 0;
  const buckets = visibleBuckets(cleanBuckets(input.buckets), threshold);
  const small = (i: number): boolean => (buckets[i]?.upperBytes ?? Infinity) <= threshold;

  const legendTop = margin + textHeight(s) + 4 * s;
  const thresholdText = formatBytes(threshold);
  let legend = layoutLegend(
    [
      { swatch: 'box', color: CHART_COLORS.smallBar, label: `small files (< ${thresholdText})` },
      { swatch: 'box', color: CHART_COLORS.bar, label: 'other files' },
      { swatch: 'none', color: CHART_COLORS.muted, label: summaryText(input.buckets, threshold) },
    ],
    margin,
    legendTop,
    width - margin,
    s,
  );
  // Room above the bars for the threshold line's label.
  let top = legend.bottom + 5 * s + textHeight(s) + 2 * s;
  const bottom = height - margin - 27 * s;
  if (bottom - top < 40 * s) {
    legend = { items: [], bottom: legendTop };
    top = legendTop + textHeight(s) + 6 * s;
  }
  const maxCount = Math.max(0, ...buckets.map((b) => b.count));
  const target = Math.max(2, Math.min(6, Math.floor((bottom - top) / (20 * s))));
  const ticks = niceTicks(maxCount > 0 ? maxCount * 1.05 : target, target, 1);
  const tickWidth = Math.max(...ticks.values.map((v) => textWidth(compactCount(v), s)));
  const left = margin + textHeight(s) + 5 * s + tickWidth + 4 * s;
  const right = width - 2 * margin;
  const band = (right - left) / buckets.length;

  const bandLeft = (i: number): number => left + i * band;
  const bandRight = (i: number): number => left + (i + 1) * band;
  const x = (bytes: number): number => {
    if (!(bytes > 0)) return left;
    const lg = Math.log2(bytes);
    for (let i = 0; i < buckets.length; i++) {
      const upper = Math.log2(buckets[i]?.upperBytes ?? 1);
      const lower = upper - 1;
      if (lg <= lower) return bandLeft(i);
      if (lg <= upper) return bandLeft(i) + (lg - lower) * band;
    }
    return right;
  };

  return {
    width,
    height,
    textScale: s,
    plot: { left, top, right, bottom },
    buckets,
    ticks,
    band,
    legend,
    bandLeft,
    bandRight,
    x,
    y: (count) => bottom - (Math.min(Math.max(count, 0), ticks.max) / ticks.max) * (bottom - top),
    isSmall: small,
  };
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

/** Draw the histogram. Returns PNG bytes. */
export function renderSizeHistogram(input: SizeHistogramInput): Buffer {
  const sc = histogramScaleFor(input);
  const { plot, buckets, textScale: s } = sc;
  const C = CHART_COLORS;
  const r = new Raster(sc.width, sc.height, C.background);
  const threshold =
    Number.isFinite(input.thresholdBytes) && input.thresholdBytes > 0 ? input.thresholdBytes : 0;

  const empty = buckets.every((b) => b.count === 0);
  for (const v of empty ? [] : sc.ticks.values) {
    const y = sc.y(v);
    if (v > 0) r.hLine(plot.left, plot.right, y, C.grid, 1);
    r.text(plot.left - 4 * s, y - 3.5 * s, compactCount(v), { color: C.muted, scale: s, align: 'right' });
  }
  r.text(6 * s + textHeight(s) / 2, (plot.top + plot.bottom) / 2, 'objects', {
    color: C.muted,
    scale: s,
    vertical: true,
  });

  // Bars, with a gap between neighbours when there is room for one.
  const gap = sc.band >= 8 ? Math.max(1, Math.round(sc.band * 0.12)) : 0;
  const countLabels = buckets.map((b) => (b.count > 0 ? compactCount(b.count) : ''));
  const labelsFit = countLabels.every((t) => textWidth(t, s) <= sc.band - 2);
  buckets.forEach((b, i) => {
    const x0 = Math.round(sc.bandLeft(i)) + Math.floor(gap / 2);
    const x1 = Math.round(sc.bandRight(i)) - Math.ceil(gap / 2);
    const y = Math.round(sc.y(b.count));
    // Any non-zero bucket gets at least a sliver, so "a few" never looks like "none".
    const top = b.count > 0 ? Math.min(y, plot.bottom - 2) : plot.bottom;
    r.fillRect(x0, top, x1 - x0, plot.bottom - top, sc.isSmall(i) ? C.smallBar : C.bar);
    const label = countLabels[i];
    if (labelsFit && label) {
      r.text((x0 + x1) / 2, top - 3 * s - 7 * s, label, { color: C.text, scale: s, align: 'center' });
    }
  });
  r.hLine(plot.left, plot.right, plot.bottom, C.axis, 1);

  // Edge labels every 1, 2, 5 or 10 powers of two, aligned so 1 KB and 1 MB are among them.
  const edges = [...buckets.map((b) => b.upperBytes / 2), buckets[buckets.length - 1]?.upperBytes ?? 1];
  const widest = Math.max(...edges.map((e) => textWidth(formatBytes(e), s)));
  const step = [1, 2, 5, 10, 20].find((k) => k * sc.band >= widest + 8 * s) ?? 20;
  const thresholdX = sc.x(threshold);
  const thresholdLabelText = formatBytes(threshold);
  const thresholdLabelBox = {
    left: thresholdX - textWidth(thresholdLabelText, s) / 2 - 6 * s,
    right: thresholdX + textWidth(thresholdLabelText, s) / 2 + 6 * s,
  };
  const labelTop = plot.bottom + 5 * s;
  edges.forEach((bytes, j) => {
    const exp = Math.round(Math.log2(bytes));
    if (Math.abs(Math.log2(bytes) - exp) > 1e-9 || exp % step !== 0) return;
    const x = sc.bandLeft(j);
    const text = formatBytes(bytes);
    const w = textWidth(text, s);
    if (x + w / 2 > sc.width - 2 * s || x - w / 2 < 2 * s) return;
    r.vLine(x, plot.bottom, plot.bottom + 3 * s, C.axis, 1);
    // The threshold's own label wins a collision.
    if (x + w / 2 > thresholdLabelBox.left && x - w / 2 < thresholdLabelBox.right) return;
    r.text(x, labelTop, text, { color: C.muted, scale: s, align: 'center' });
  });

  // The threshold: a solid line through the plot, labelled above it and on the axis.
  r.vLine(thresholdX, plot.top - 2 * s, plot.bottom + 3 * s, C.thresholdMarker, Math.max(2, s));
  const topText = `small-file threshold ${thresholdLabelText}`;
  const topW = textWidth(topText, s);
  const topLeft = thresholdX + 4 * s + topW <= plot.right ? thresholdX + 4 * s : thresholdX - 4 * s - topW;
  r.text(Math.max(plot.left, topLeft), plot.top - 2 * s - 7 * s, topText, {
    color: C.thresholdMarker,
    scale: s,
  });
  r.text(thresholdX, labelTop, thresholdLabelText, { color: C.thresholdMarker, scale: s, align: 'center' });

  r.text((plot.left + plot.right) / 2, labelTop + textHeight(s) + 4 * s, 'object size (log2 buckets)', {
    color: C.muted,
    scale: s,
    align: 'center',
  });
  if (empty) {
    r.text((plot.left + plot.right) / 2, (plot.top + plot.bottom) / 2 - 3.5 * s, 'no objects', {
      color: C.text,
      scale: s,
      align: 'center',
    });
  }
  r.text(6 * s, 6 * s, fitText(input.title, sc.width - 12 * s - 1, s), {
    color: C.title,
    scale: s,
    bold: true,
  });
  drawLegend(r, sc.legend, s);
  return r.toPng();
}
