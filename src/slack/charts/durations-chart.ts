// The triage report's chart: recent run durations against the baseline and the degradation threshold,
// with the degraded window shaded and failed runs marked. `durationsChartSpec` is pure (data →
// Vega-Lite spec); `renderDurationsChart` draws it (render.ts).
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
import type { TopLevelSpec } from 'vega-lite';
import type { LayerSpec, UnitSpec } from 'vega-lite/types_unstable/spec/index.js';
import type { Field } from 'vega-lite/types_unstable/channeldef.js';
import { formatNumber } from '../../domain/format.js';
import { renderChart } from './render.js';
import {
  CHART_COLORS,
  DEFAULT_HEIGHT,
  DEFAULT_WIDTH,
  SHAPES,
  approxTextWidth,
  baseConfig,
  chartSide,
  fontSizesFor,
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

export interface LegendEntry {
  label: string;
  color: string;
  shape: string;
}

export interface RuleLabel {
  text: string;
  color: string;
  /** Minutes: the line it labels. */
  valueMin: number;
  side: 'left' | 'right';
  position: 'above' | 'below';
}

/** Everything the spec is built from: which runs, in which order, drawn how, on which axis. */
export interface DurationsLayout {
  width: number;
  height: number;
  /** The runs oldest → newest: run `i` is drawn at x = i. */
  runs: DurationsChartRun[];
  marks: RunMark[];
  /** y ticks, in minutes. */
  ticks: Ticks;
  /** Top of the y axis in seconds. */
  yMaxSec: number;
  /** Indexes into `runs` of the runs above the axis, drawn as triangles at the top edge. */
  clipped: number[];
  /** Whether succeeded and stopped runs get their own marker (false when the runs are too dense). */
  allMarkers: boolean;
  /** Marker size (Vega's symbol area, px²). */
  markerSize: number;
  baselineSec?: number;
  thresholdSec?: number;
  legend: LegendEntry[];
  ruleLabels: RuleLabel[];
  /** x axis: the runs whose start time is written under them. */
  xLabels: { index: number; text: string }[];
  axisTitle: string;
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

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_MS = 86_400_000;
const pad2 = (v: number): string => String(v).padStart(2, '0');
const dayLabel = (d: Date): string => `${MONTHS[d.getUTCMonth()] ?? '?'} ${d.getUTCDate()}`;
const timeLabel = (d: Date): string => `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;

const LEGEND_LABEL: Record<RunMark, string> = {
  succeeded: 'succeeded',
  degraded: 'degraded',
  failed: 'failed',
  other: 'stopped/running',
};

function legendEntries(marks: readonly RunMark[], clippedMaxSec: number | undefined, allMarkers: boolean) {
  const has = (m: RunMark): boolean => marks.includes(m);
  const items: LegendEntry[] = [];
  if (has('succeeded'))
    items.push(
      allMarkers
        ? { label: LEGEND_LABEL.succeeded, color: CHART_COLORS.run, shape: SHAPES.dot }
        : { label: LEGEND_LABEL.succeeded, color: CHART_COLORS.runLine, shape: SHAPES.bar },
    );
  if (has('degraded'))
    items.push({ label: LEGEND_LABEL.degraded, color: CHART_COLORS.degraded, shape: SHAPES.dot });
  if (has('failed'))
    items.push({ label: LEGEND_LABEL.failed, color: CHART_COLORS.failed, shape: SHAPES.cross });
  // Dense charts draw stopped and running runs only as part of the line.
  if (has('other') && allMarkers)
    items.push({ label: LEGEND_LABEL.other, color: CHART_COLORS.other, shape: SHAPES.ring });
  if (clippedMaxSec !== undefined)
    items.push({
      label: `off scale (max ${shortDuration(clippedMaxSec)})`,
      color: CHART_COLORS.muted,
      shape: SHAPES.triangle,
    });
  return items;
}

/** Where everything goes for this input; `durationsChartSpec` builds the spec from exactly this. */
export function durationsLayout(input: DurationsChartInput): DurationsLayout {
  const width = chartSide(input.width, DEFAULT_WIDTH);
  const height = chartSide(input.height, DEFAULT_HEIGHT);
  const fs = fontSizesFor(width, height);
  const baselineSec = positive(input.baselineSec);
  const thresholdSec = positive(input.thresholdSec);

  const time = (r: DurationsChartRun): number => {
    const t = r.startedOn instanceof Date ? r.startedOn.getTime() : NaN;
    return Number.isFinite(t) ? t : 0;
  };
  // Array.prototype.sort is stable: runs started at the same instant keep the caller's order.
  const runs = [...input.runs].sort((a, b) => time(a) - time(b));
  const marks = runs.map(runMark);
  const n = runs.length;

  // y domain, clipping outliers (see the header comment)
  const values = runs.map(plottedSec).filter((v): v is number => v !== undefined);
  const sorted = [...values].sort((a, b) => a - b);
  const focus = Math.max(baselineSec ?? 0, thresholdSec ?? 0, quantile(sorted, 0.75));
  const limit = focus > 0 ? focus * 3 : Infinity;
  const visibleMax = values.reduce((m, v) => (v <= limit && v > m ? v : m), 0);
  const dataTop = Math.max(visibleMax, baselineSec ?? 0, thresholdSec ?? 0);
  // 5 % headroom keeps the highest marker off the top edge.
  const rawTopMin = dataTop > 0 ? (dataTop * 1.05) / 60 : 1;

  // Estimated plot area (Vega lays it out exactly; these only decide ticks, markers and labels).
  const plotWidth = Math.max(40, width - 4.5 * fs.label - 2 * fs.label);
  const plotHeight = Math.max(30, height - fs.title - 7.5 * fs.label);
  const target = Math.max(2, Math.min(6, Math.floor(plotHeight / (3.4 * fs.label))));
  const ticks = niceTicks(rawTopMin, target);
  const yMaxSec = ticks.max * 60;
  const clipped: number[] = [];
  let clippedMaxSec: number | undefined;
  runs.forEach((r, i) => {
    const v = plottedSec(r);
    if (v === undefined || v <= yMaxSec) return;
    clipped.push(i);
    clippedMaxSec = Math.max(clippedMaxSec ?? 0, v);
  });

  const slot = n > 0 ? plotWidth / n : plotWidth;
  const fullMarker = 0.8 * fs.label;
  const allMarkers = n === 0 || slot >= fullMarker;
  const diameter = Math.max(3, Math.min(fullMarker, slot * 0.8));
  const markerSize = Math.round(diameter * diameter);

  // Labels of the reference lines: at the end and side of their line where they hide the fewest
  // runs (failed and degraded ones count most), never over the other label.
  const pxPerMin = plotHeight / ticks.max;
  const ruleLabels: RuleLabel[] = [];
  const placeLabel = (text: string, sec: number, color: string, preferAbove: boolean): void => {
    const w = approxTextWidth(text, fs.label) + 8;
    const h = fs.label * 1.3;
    const lineY = (sec / 60) * pxPerMin;
    let best: { label: RuleLabel; score: number } | undefined;
    for (const side of ['left', 'right'] as const) {
      for (const position of preferAbove ? (['above', 'below'] as const) : (['below', 'above'] as const)) {
        const x0 = side === 'left' ? 0 : plotWidth - w;
        const y0 = position === 'above' ? lineY : lineY - h;
        const y1 = y0 + h;
        if (y1 > plotHeight || y0 < 0) continue;
        const clash = ruleLabels.some((o) => {
          const oy = o.valueMin * pxPerMin + (o.position === 'above' ? 0 : -h);
          return o.side === side && oy < y1 && y0 < oy + h;
        });
        if (clash) continue;
        let score = 0;
        runs.forEach((run, i) => {
          const v = plottedSec(run);
          if (v === undefined) return;
          const px = (i + 0.5) * slot;
          const py = (Math.min(v, yMaxSec) / 60) * pxPerMin;
          const m = diameter / 2 + 1;
          if (px >= x0 - m && px <= x0 + w + m && py >= y0 - m && py <= y1 + m)
            score += marks[i] === 'failed' || marks[i] === 'degraded' ? 5 : 1;
        });
        if (!best || score < best.score)
          best = { label: { text, color, valueMin: sec / 60, side, position }, score };
      }
    }
    if (best) ruleLabels.push(best.label);
  };
  if (thresholdSec !== undefined)
    placeLabel(thresholdLabel(thresholdSec, baselineSec), thresholdSec, CHART_COLORS.threshold, true);
  if (baselineSec !== undefined)
    placeLabel(`baseline ${shortDuration(baselineSec)}`, baselineSec, CHART_COLORS.baseline, false);

  // x axis: a few start times, times within two days, dates beyond; a few days of several runs a day
  // need both.
  const xLabels: { index: number; text: string }[] = [];
  let axisTitle = 'runs, oldest to newest';
  const firstRun = runs[0];
  const lastRun = runs[n - 1];
  if (firstRun && lastRun) {
    const span = time(lastRun) - time(firstRun);
    const long = !(span < 2 * DAY_MS);
    const both = long && span < 10 * DAY_MS && n > (span / DAY_MS) * 1.5;
    const label = (d: Date): string => {
      if (!Number.isFinite(d.getTime())) return '?';
      return both ? `${dayLabel(d)} ${timeLabel(d)}` : long ? dayLabel(d) : timeLabel(d);
    };
    const room = approxTextWidth(both ? 'Mmm 00 00:00' : long ? 'Mmm 00' : '00:00', fs.label) + 2 * fs.label;
    const count = Math.max(1, Math.min(n, Math.floor(plotWidth / room)));
    const picks = new Set<number>();
    for (let j = 0; j < count; j++) picks.add(count === 1 ? 0 : Math.round((j * (n - 1)) / (count - 1)));
    let previous = '';
    for (const i of [...picks].sort((a, b) => a - b)) {
      const run = runs[i];
      if (!run) continue;
      const text = label(run.startedOn);
      if (text === previous) continue;
      xLabels.push({ index: i, text });
      previous = text;
    }
    const range = long
      ? ''
      : dayLabel(firstRun.startedOn) === dayLabel(lastRun.startedOn)
        ? `, ${dayLabel(firstRun.startedOn)}`
        : `, ${dayLabel(firstRun.startedOn)} – ${dayLabel(lastRun.startedOn)}`;
    axisTitle = n === 1 ? `1 run (start, UTC${range})` : `${n} runs, oldest to newest (start, UTC${range})`;
  }

  return {
    width,
    height,
    runs,
    marks,
    ticks,
    yMaxSec,
    clipped,
    allMarkers,
    markerSize,
    ...(baselineSec !== undefined ? { baselineSec } : {}),
    ...(thresholdSec !== undefined ? { thresholdSec } : {}),
    legend: legendEntries(marks, clippedMaxSec, allMarkers),
    ruleLabels,
    xLabels,
    axisTitle,
  };
}

/** Names of the layers (Vega marks `<name>_marks`), so tests can find what each drew. */
export const DURATIONS_LAYERS = {
  degradedBand: 'degraded_band',
  threshold: 'threshold_line',
  baseline: 'baseline_line',
  line: 'run_line',
  markers: 'run_markers',
  clipped: 'clipped_runs',
  /** One layer per label: `rule_labels_<n>`. */
  labels: 'rule_labels',
  empty: 'no_runs',
} as const;

/** The Vega-Lite spec of the chart. Pure: the same input always gives the same spec. */
export function durationsChartSpec(input: DurationsChartInput): TopLevelSpec {
  const lay = durationsLayout(input);
  const fs = fontSizesFor(lay.width, lay.height);
  const n = lay.runs.length;
  const clipped = new Set(lay.clipped);
  const rows = lay.runs.flatMap((run, i) => {
    const sec = plottedSec(run);
    if (sec === undefined) return [];
    const mark = lay.marks[i]!;
    return [
      {
        i,
        id: run.id,
        state: run.state,
        mark,
        category: LEGEND_LABEL[mark],
        min: Math.min(sec, lay.yMaxSec) / 60,
        clipped: clipped.has(i),
        // Markers of ordinary runs are left out when the runs are too dense to tell apart.
        marker: lay.allMarkers || mark === 'failed' || mark === 'degraded',
      },
    ];
  });
  const bands = lay.marks.flatMap((m, i) => (m === 'degraded' ? [{ x0: i - 0.5, x1: i + 0.5 }] : []));
  const nothingToScale = n === 0 && lay.baselineSec === undefined && lay.thresholdSec === undefined;
  const decimals = tickDecimals(lay.ticks.step);
  const xDomain = n > 0 ? [-0.5, n - 0.5] : [-0.5, 0.5];
  const labelsByIndex = Array.from({ length: n }, () => '');
  for (const l of lay.xLabels) labelsByIndex[l.index] = l.text;

  const x = {
    field: 'i',
    type: 'quantitative' as const,
    scale: { domain: xDomain, nice: false, zero: false },
    axis: {
      title: lay.axisTitle,
      values: lay.xLabels.map((l) => l.index),
      labelExpr: `${JSON.stringify(labelsByIndex)}[datum.value] || ''`,
      grid: false,
      labelOverlap: true,
      labelFlush: true,
    },
  };
  const y = {
    field: 'min',
    type: 'quantitative' as const,
    scale: { domain: [0, lay.ticks.max], nice: false, zero: true },
    axis: {
      title: 'duration (min)',
      values: nothingToScale ? [] : lay.ticks.values,
      format: `,.${decimals}f`,
      domain: false,
      ticks: false,
      grid: !nothingToScale,
    },
  };
  const categories = {
    field: 'category',
    type: 'nominal' as const,
    scale: { domain: lay.legend.map((l) => l.label), range: lay.legend.map((l) => l.color) },
    legend: lay.legend.length ? {} : null,
  };
  const shapes = {
    field: 'category',
    type: 'nominal' as const,
    scale: { domain: lay.legend.map((l) => l.label), range: lay.legend.map((l) => l.shape) },
  };
  const L = DURATIONS_LAYERS;
  const layers: (LayerSpec<Field> | UnitSpec<Field>)[] = [];
  if (bands.length)
    layers.push({
      name: L.degradedBand,
      data: { values: bands },
      mark: { type: 'rect', color: CHART_COLORS.degradedBand },
      encoding: { x: { ...x, field: 'x0' }, x2: { field: 'x1' } },
    });
  // Reference lines under the data, so a run sitting on the baseline stays visible.
  if (lay.thresholdSec !== undefined)
    layers.push({
      name: L.threshold,
      data: { values: [{ min: lay.thresholdSec / 60 }] },
      mark: { type: 'rule', color: CHART_COLORS.threshold, strokeWidth: 2, strokeDash: [6, 4] },
      encoding: { y },
    });
  if (lay.baselineSec !== undefined)
    layers.push({
      name: L.baseline,
      data: { values: [{ min: lay.baselineSec / 60 }] },
      mark: { type: 'rule', color: CHART_COLORS.baseline, strokeWidth: 2 },
      encoding: { y },
    });
  // One layer per label: alignment and offsets are mark properties, not encodings.
  for (const l of lay.ruleLabels)
    layers.push({
      name: `${L.labels}_${layers.length}`,
      data: { values: [{ text: l.text, min: l.valueMin, i: l.side === 'left' ? xDomain[0] : xDomain[1] }] },
      mark: {
        type: 'text',
        fontSize: fs.label,
        color: l.color,
        align: l.side,
        baseline: l.position === 'above' ? 'bottom' : 'top',
        dx: l.side === 'left' ? 4 : -4,
        dy: l.position === 'above' ? -3 : 3,
      },
      encoding: { x, y, text: { field: 'text' } },
    });
  // The line joins every run that has a comparable duration: all but the failed ones.
  layers.push({
    name: L.line,
    data: { values: rows.filter((r) => r.mark !== 'failed') },
    mark: {
      type: 'line',
      color: CHART_COLORS.runLine,
      strokeWidth: lay.allMarkers ? 2 : 1.5,
      interpolate: 'linear',
    },
    encoding: { x, y, order: { field: 'i', type: 'quantitative' } },
  });
  // Markers: one per run drawn, failed and degraded last so they stay on top.
  const rank: Record<RunMark, number> = { other: 0, succeeded: 1, degraded: 2, failed: 3 };
  const markerRows = rows.filter((r) => r.marker).sort((a, b) => rank[a.mark] - rank[b.mark] || a.i - b.i);
  layers.push({
    name: L.markers,
    data: { values: markerRows.filter((r) => !r.clipped) },
    mark: { type: 'point', filled: true, opacity: 1, size: lay.markerSize },
    encoding: { x, y, color: categories, shape: shapes },
  });
  if (lay.clipped.length)
    layers.push({
      name: L.clipped,
      data: { values: markerRows.filter((r) => r.clipped) },
      mark: {
        type: 'point',
        filled: true,
        opacity: 1,
        shape: SHAPES.triangle,
        size: Math.max(lay.markerSize, 60),
        yOffset: Math.sqrt(Math.max(lay.markerSize, 60)) / 2 + 1,
      },
      encoding: { x, y, color: categories },
    });
  if (n === 0)
    layers.push({
      name: L.empty,
      data: { values: [{ i: 0, min: lay.ticks.max / 2, text: 'no runs' }] },
      mark: { type: 'text', color: CHART_COLORS.text, fontSize: fs.label * 1.2 },
      encoding: { x, y, text: { field: 'text' } },
    });

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: lay.width,
    height: lay.height,
    autosize: { type: 'fit', contains: 'padding' },
    title: { text: input.title, limit: lay.width - 2 * fs.label },
    config: baseConfig(lay.width, lay.height),
    layer: layers,
    resolve: { scale: { color: 'shared', shape: 'shared' } },
  };
}

/** Draw the chart. Returns PNG bytes. */
export async function renderDurationsChart(input: DurationsChartInput): Promise<Buffer> {
  return (await renderChart(durationsChartSpec(input))).png;
}
