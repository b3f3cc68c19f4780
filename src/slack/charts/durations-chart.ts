// The triage report's chart: recent run durations against the baseline and the degradation threshold,
// with failed runs marked. Pure: the same input always gives the same PNG bytes.
//
// Decisions worth knowing:
// - x is the run's position, oldest → newest, not its start time: runs are what the rule counts, and
//   a weekend gap would otherwise squeeze the interesting runs together.
// - y is linear minutes from 0. An outlier (more than 3× the larger of the baseline, the threshold
//   and the 75th percentile of durations) is clipped rather than put on a log scale: a log axis
//   would flatten the baseline→threshold band this chart exists to show. A clipped run is an
//   upward triangle at the top edge, and the legend gives the largest clipped duration.
// - Many runs: every run keeps its slot and the line, but once slots are narrower than a marker,
//   succeeded and stopped runs lose their dots; failed and degraded runs are always marked, smaller.
// - Failed runs (FAILED, TIMEOUT, ERROR) are red X marks off the line: the time to failure is not a
//   duration comparable with the baseline, so the line joins only the other runs.
import { formatNumber } from '../../domain/format.js';
import { drawLegend, layoutLegend, type LegendItem, type LegendLayout } from './legend.js';
import { Raster, fitText, textHeight, textWidth, type Rgb } from './raster.js';
import {
  CHART_COLORS,
  DEFAULT_HEIGHT,
  DEFAULT_WIDTH,
  chartSide,
  textScaleFor,
  type PlotArea,
} from './theme.js';
import { niceTicks, tickDecimals, type Ticks } from './ticks.js';

export interface DurationsChartRun {
  id: string;
  startedOn: Date;
  durationSec: number;
  /** Glue's run state (SUCCEEDED, FAILED, TIMEOUT, ERROR, STOPPED, RUNNING …), any case. */
  state: string;
  /** Flagged by the degradation rule. */
  degraded?: boolean;
}

export interface DurationsChartInput {
  title: string;
  /** In any order; drawn oldest → newest by `startedOn`. */
  runs: readonly DurationsChartRun[];
  baselineSec?: number;
  thresholdSec?: number;
  width?: number;
  height?: number;
}

/** How a run is drawn. */
export type RunMark = 'succeeded' | 'degraded' | 'failed' | 'other';

const FAILED_STATES = new Set(['FAILED', 'TIMEOUT', 'ERROR']);

export function runMark(run: Pick<DurationsChartRun, 'state' | 'degraded'>): RunMark {
  const state = run.state.toUpperCase();
  if (FAILED_STATES.has(state)) return 'failed';
  if (run.degraded) return 'degraded';
  return state === 'SUCCEEDED' ? 'succeeded' : 'other';
}

export interface DurationsScale {
  width: number;
  height: number;
  /** Font magnification used for every label. */
  textScale: number;
  plot: PlotArea;
  /** The runs oldest → newest: `x(i)` is the centre of `runs[i]`'s slot. */
  runs: DurationsChartRun[];
  marks: RunMark[];
  /** y ticks, in minutes. */
  ticks: Ticks;
  /** Top of the y axis in seconds. */
  yMaxSec: number;
  /** Indexes into `runs` of the runs above the axis, drawn as triangles at the top edge. */
  clipped: number[];
  /** Pixel width of one run's slot. */
  slot: number;
  /** Whether succeeded and stopped runs get their own dot (false when the runs are too dense). */
  allMarkers: boolean;
  /** Marker radius in pixels. */
  markerRadius: number;
  legend: LegendLayout;
  x(index: number): number;
  /** Pixel row of a duration; durations above the axis map to the top edge. */
  y(sec: number): number;
}

/** The duration a run is drawn at, or undefined when it has none worth drawing. */
function plottedSec(run: DurationsChartRun): number | undefined {
  const d = run.durationSec;
  return Number.isFinite(d) && d >= 0 ? d : undefined;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const a = sorted[lo] ?? 0;
  const b = sorted[Math.min(sorted.length - 1, lo + 1)] ?? a;
  return a + (b - a) * (pos - lo);
}

const positive = (v: number | undefined): number | undefined =>
  v !== undefined && Number.isFinite(v) && v > 0 ? v : undefined;

/** 45 → "45s", 1260 → "21m", 270 → "4.5m", 7500 → "2h 05m". */
export function shortDuration(sec: number): string {
  if (!Number.isFinite(sec)) return String(sec);
  if (sec < 60) return `${Math.round(sec)}s`;
  const min = sec / 60;
  if (min < 10) return `${formatNumber(min, 1)}m`;
  if (Math.round(min) < 60) return `${Math.round(min)}m`;
  const total = Math.round(min);
  return `${Math.floor(total / 60)}h ${String(total % 60).padStart(2, '0')}m`;
}

/** The threshold's label: its distance from the baseline when both are known. */
export function thresholdLabel(thresholdSec: number, baselineSec: number | undefined): string {
  if (baselineSec === undefined) return `threshold ${shortDuration(thresholdSec)}`;
  const pct = Math.round((thresholdSec / baselineSec - 1) * 100);
  return `${pct >= 0 ? '+' : ''}${pct}% (${shortDuration(thresholdSec)})`;
}

function legendItems(
  marks: readonly RunMark[],
  clippedMaxSec: number | undefined,
  allMarkers: boolean,
): LegendItem[] {
  const has = (m: RunMark): boolean => marks.includes(m);
  const items: LegendItem[] = [];
  if (has('succeeded')) {
    items.push(
      allMarkers
        ? { swatch: 'dot', color: CHART_COLORS.run, label: 'succeeded' }
        : { swatch: 'line', color: CHART_COLORS.runLine, label: 'succeeded' },
    );
  }
  if (has('degraded')) items.push({ swatch: 'dot', color: CHART_COLORS.degraded, label: 'degraded' });
  if (has('failed')) items.push({ swatch: 'x', color: CHART_COLORS.failed, label: 'failed' });
  // Dense charts draw stopped and running runs only as part of the line.
  if (has('other') && allMarkers) {
    items.push({ swatch: 'ring', color: CHART_COLORS.other, label: 'stopped/running' });
  }
  if (clippedMaxSec !== undefined) {
    items.push({
      swatch: 'triangle',
      color: CHART_COLORS.muted,
      label: `off scale (max ${shortDuration(clippedMaxSec)})`,
    });
  }
  return items;
}

/**
 * Where everything goes for this input: the plot area, the axis and the pixel position of any run
 * or duration. `renderDurationsChart` draws with exactly this, so tests can ask it where to look.
 */
export function durationsScaleFor(input: DurationsChartInput): DurationsScale {
  const width = chartSide(input.width, DEFAULT_WIDTH);
  const height = chartSide(input.height, DEFAULT_HEIGHT);
  const s = textScaleFor(width, height);
  const margin = 6 * s;
  const baselineSec = positive(input.baselineSec);
  const thresholdSec = positive(input.thresholdSec);

  const time = (r: DurationsChartRun): number => {
    const t = r.startedOn instanceof Date ? r.startedOn.getTime() : NaN;
    return Number.isFinite(t) ? t : 0;
  };
  // Array.prototype.sort is stable: runs started at the same instant keep the caller's order.
  const runs = [...input.runs].sort((a, b) => time(a) - time(b));
  const marks = runs.map(runMark);

  // y domain, clipping outliers (see the header comment)
  const values = runs.map(plottedSec).filter((v): v is number => v !== undefined);
  const sorted = [...values].sort((a, b) => a - b);
  const focus = Math.max(baselineSec ?? 0, thresholdSec ?? 0, quantile(sorted, 0.75));
  const limit = focus > 0 ? focus * 3 : Infinity;
  const visibleMax = values.reduce((m, v) => (v <= limit && v > m ? v : m), 0);
  const dataTop = Math.max(visibleMax, baselineSec ?? 0, thresholdSec ?? 0);
  // 5 % headroom keeps the highest marker off the top edge.
  const rawTopMin = dataTop > 0 ? (dataTop * 1.05) / 60 : 1;

  // Vertical layout first: the number of ticks depends on the plot's height, which depends on the
  // legend, which says whether runs are off scale, which depends on the ticks. Lay the legend out
  // for a first guess of the ticks, then once more if the final ticks clip other runs.
  const titleTop = margin;
  const legendTop = titleTop + textHeight(s) + 4 * s;
  const bottom = height - margin - 27 * s;
  // Whether every run gets a marker is decided on an estimate of the plot's width (the real one
  // depends on the tick labels): the legend must agree with what is drawn.
  const estimatedPlotWidth = width - 3 * margin - textHeight(s) - 9 * s - textWidth('000', s);
  const allMarkers = runs.length === 0 || estimatedPlotWidth / runs.length >= 4 * s;
  const largestAbove = (limitSec: number): number | undefined => {
    let max: number | undefined;
    for (const v of values) if (v > limitSec && (max === undefined || v > max)) max = v;
    return max;
  };
  const layout = (clippedMaxSec: number | undefined): { legend: LegendLayout; top: number } => {
    const legend = layoutLegend(
      legendItems(marks, clippedMaxSec, allMarkers),
      margin,
      legendTop,
      width - margin,
      s,
    );
    const top = legend.bottom + 5 * s;
    // Too small for a legend: the plot matters more.
    if (bottom - top < 40 * s) return { legend: { items: [], bottom: legendTop }, top: legendTop + 4 * s };
    return { legend, top };
  };
  const firstGuess = largestAbove(niceTicks(rawTopMin, 5).max * 60);
  let { legend, top } = layout(firstGuess);
  const target = Math.max(2, Math.min(6, Math.floor((bottom - top) / (20 * s))));
  const ticks = niceTicks(rawTopMin, target);
  const yMaxSec = ticks.max * 60;
  const clippedMaxSec = largestAbove(yMaxSec);
  if (clippedMaxSec !== firstGuess) ({ legend, top } = layout(clippedMaxSec));

  const decimals = tickDecimals(ticks.step);
  const tickWidth = Math.max(...ticks.values.map((v) => textWidth(formatNumber(v, decimals), s)));
  const left = margin + textHeight(s) + 5 * s + tickWidth + 4 * s;
  const right = width - 2 * margin;
  const plot: PlotArea = { left, top, right, bottom };

  const n = runs.length;
  const slot = n > 0 ? (right - left) / n : right - left;
  const markerRadius = Math.max(2, Math.min(2.5 * s, slot * 0.4));
  const clipped: number[] = [];
  runs.forEach((r, i) => {
    if ((plottedSec(r) ?? 0) > yMaxSec) clipped.push(i);
  });

  return {
    width,
    height,
    textScale: s,
    plot,
    runs,
    marks,
    ticks,
    yMaxSec,
    clipped,
    slot,
    allMarkers,
    markerRadius,
    legend,
    x: (index) => left + (index + 0.5) * slot,
    y: (sec) => bottom - (Math.min(Math.max(sec, 0), yMaxSec) / yMaxSec) * (bottom - top),
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_MS = 86_400_000;
const pad2 = (v: number): string => String(v).padStart(2, '0');
const dayLabel = (d: Date): string => `${MONTHS[d.getUTCMonth()] ?? '?'} ${d.getUTCDate()}`;
const timeLabel = (d: Date): string => `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

const overlaps = (a: Box, b: Box): boolean =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** Draw the chart. Returns PNG bytes. */
export function renderDurationsChart(input: DurationsChartInput): Buffer {
  const sc = durationsScaleFor(input);
  const { plot, runs, marks, textScale: s } = sc;
  const C = CHART_COLORS;
  const r = new Raster(sc.width, sc.height, C.background);
  const baselineSec = positive(input.baselineSec);
  const thresholdSec = positive(input.thresholdSec);
  const plotW = plot.right - plot.left;

  // Degraded runs sit on a pale band so the degraded window reads at a glance.
  marks.forEach((m, i) => {
    if (m !== 'degraded') return;
    const x0 = Math.floor(plot.left + i * sc.slot);
    const x1 = Math.ceil(plot.left + (i + 1) * sc.slot);
    r.fillRect(x0, plot.top, x1 - x0, plot.bottom - plot.top, C.degradedBand);
  });

  // Gridlines and y tick labels (minutes); an empty chart with no reference line has no scale to show.
  const decimals = tickDecimals(sc.ticks.step);
  const nothingToScale = runs.length === 0 && baselineSec === undefined && thresholdSec === undefined;
  for (const v of nothingToScale ? [] : sc.ticks.values) {
    const y = sc.y(v * 60);
    if (v > 0) r.hLine(plot.left, plot.right, y, C.grid, 1);
    r.text(plot.left - 4 * s, y - 3.5 * s, formatNumber(v, decimals), {
      color: C.muted,
      scale: s,
      align: 'right',
    });
  }
  r.text(6 * s + textHeight(s) / 2, (plot.top + plot.bottom) / 2, 'duration (min)', {
    color: C.muted,
    scale: s,
    vertical: true,
  });

  // Reference lines under the data, so a run sitting on the baseline stays visible.
  if (thresholdSec !== undefined) {
    r.dashedHLine(plot.left, plot.right, sc.y(thresholdSec), C.threshold, s, 6 * s, 4 * s);
  }
  if (baselineSec !== undefined) r.hLine(plot.left, plot.right, sc.y(baselineSec), C.baseline, s);

  // The line joins every run that has a comparable duration: all but the failed ones.
  const points: { x: number; y: number }[] = [];
  runs.forEach((run, i) => {
    const sec = plottedSec(run);
    if (sec === undefined || marks[i] === 'failed') return;
    points.push({ x: sc.x(i), y: sc.y(sec) });
  });
  r.polyline(points, C.runLine, { width: sc.allMarkers ? 1.5 * s : s });

  // Labels of the reference lines: a boxed label next to each line, on the side and end where it
  // hides the fewest runs (failed and degraded ones count most), never over the other label. They
  // are drawn before the markers, so a marker is never hidden by a label.
  const placed: Box[] = [];
  const pointsForScore = runs.flatMap((run, i) => {
    const sec = plottedSec(run);
    const weight = marks[i] === 'failed' || marks[i] === 'degraded' ? 5 : 1;
    return sec === undefined ? [] : [{ x: sc.x(i), y: sc.y(sec), weight }];
  });
  const placeLabel = (text: string, lineY: number, color: Rgb, preferAbove: boolean): void => {
    const padX = 3 * s;
    const padY = 2 * s;
    const w = textWidth(text, s) + 2 * padX;
    const h = 7 * s + 2 * padY;
    const gap = s + 1;
    const above = lineY - gap - h;
    const below = lineY + gap;
    const ys = preferAbove ? [above, below] : [below, above];
    const xs = [plot.left + 4 * s, plot.right - 4 * s - w, ...placed.map((b) => b.x + b.w + 4 * s)];
    let best: { box: Box; score: number } | undefined;
    for (const x of xs) {
      for (const y of ys) {
        const box = { x: Math.round(x), y: Math.round(y), w, h };
        if (box.x < plot.left || box.x + box.w > plot.right) continue;
        if (box.y < plot.top || box.y + box.h > plot.bottom) continue;
        if (placed.some((p) => overlaps(p, box))) continue;
        const m = sc.markerRadius + 1;
        let score = 0;
        for (const p of pointsForScore) {
          if (p.x >= box.x - m && p.x <= box.x + w + m && p.y >= box.y - m && p.y <= box.y + h + m)
            score += p.weight;
        }
        if (!best || score < best.score) best = { box, score };
      }
    }
    if (!best) return;
    const b = best.box;
    placed.push(b);
    r.fillRect(b.x, b.y, b.w, b.h, C.background, 0.88);
    r.text(b.x + padX, b.y + padY, text, { color, scale: s });
  };
  if (thresholdSec !== undefined) {
    placeLabel(thresholdLabel(thresholdSec, baselineSec), sc.y(thresholdSec), C.threshold, true);
  }
  if (baselineSec !== undefined) {
    placeLabel(`baseline ${shortDuration(baselineSec)}`, sc.y(baselineSec), C.baseline, false);
  }

  // Markers: succeeded/stopped first so degraded and failed ones are drawn on top.
  const order: RunMark[] = ['other', 'succeeded', 'degraded', 'failed'];
  const clipped = new Set(sc.clipped);
  const radius = sc.markerRadius;
  const colorOf: Record<RunMark, Rgb> = {
    succeeded: C.run,
    degraded: C.degraded,
    failed: C.failed,
    other: C.other,
  };
  for (const mark of order) {
    runs.forEach((run, i) => {
      if (marks[i] !== mark) return;
      const sec = plottedSec(run);
      if (sec === undefined) return;
      const x = sc.x(i);
      if (clipped.has(i)) {
        const t = plot.top + 1;
        const half = Math.max(radius, 2.5 * s);
        r.triangle(x, t, x - half, t + 2 * half, x + half, t + 2 * half, colorOf[mark]);
        return;
      }
      const y = sc.y(sec);
      if (mark === 'failed') r.cross(x, y, radius + 0.5, C.failed, Math.max(1.5, 0.75 * s + 0.5));
      else if (mark === 'degraded') r.circle(x, y, radius, C.degraded);
      else if (!sc.allMarkers) return;
      else if (mark === 'succeeded') r.circle(x, y, radius, C.run);
      else r.circle(x, y, radius - 0.5, C.other, 1.5);
    });
  }

  // x axis: the baseline of the plot, with a few start times under it.
  r.hLine(plot.left, plot.right, plot.bottom, C.axis, 1);
  const n = runs.length;
  const firstRun = runs[0];
  const lastRun = runs[n - 1];
  let axisTitle = 'runs, oldest to newest';
  if (firstRun && lastRun) {
    // Times within two days, dates beyond; a few days of several runs a day need both.
    const span = lastRun.startedOn.getTime() - firstRun.startedOn.getTime();
    const long = !(span < 2 * DAY_MS);
    const both = long && span < 10 * DAY_MS && n > (span / DAY_MS) * 1.5;
    const label = (d: Date): string =>
      both ? `${dayLabel(d)} ${timeLabel(d)}` : long ? dayLabel(d) : timeLabel(d);
    const sample = both ? 'Mmm 00 00:00' : long ? 'Mmm 00' : '00:00';
    const room = textWidth(sample, s) + 14 * s;
    const count = Math.max(1, Math.min(n, Math.floor(plotW / room)));
    const picks = new Set<number>();
    for (let j = 0; j < count; j++) picks.add(count === 1 ? 0 : Math.round((j * (n - 1)) / (count - 1)));
    let previous = '';
    let lastRight = -Infinity;
    for (const i of [...picks].sort((a, b) => a - b)) {
      const run = runs[i];
      if (!run) continue;
      const text = label(run.startedOn);
      const w = textWidth(text, s);
      const cx = Math.min(Math.max(sc.x(i), w / 2 + 6 * s), sc.width - 6 * s - w / 2);
      if (text === previous || cx - w / 2 < lastRight + 6 * s) continue;
      r.vLine(sc.x(i), plot.bottom, plot.bottom + 3 * s, C.axis, 1);
      r.text(cx, plot.bottom + 5 * s, text, { color: C.muted, scale: s, align: 'center' });
      previous = text;
      lastRight = cx + w / 2;
    }
    const range = long
      ? ''
      : dayLabel(firstRun.startedOn) === dayLabel(lastRun.startedOn)
        ? `, ${dayLabel(firstRun.startedOn)}`
        : `, ${dayLabel(firstRun.startedOn)} - ${dayLabel(lastRun.startedOn)}`;
    axisTitle = n === 1 ? `1 run (start, UTC${range})` : `${n} runs, oldest to newest (start, UTC${range})`;
  }
  const axisTitleTop = plot.bottom + 5 * s + textHeight(s) + 4 * s;
  r.text((plot.left + plot.right) / 2, axisTitleTop, fitText(axisTitle, sc.width - 12 * s, s), {
    color: C.muted,
    scale: s,
    align: 'center',
  });

  if (n === 0) {
    r.text((plot.left + plot.right) / 2, (plot.top + plot.bottom) / 2 - 3.5 * s, 'no runs', {
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
