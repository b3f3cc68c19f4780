import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import {
  durationsScaleFor,
  renderDurationsChart,
  shortDuration,
  thresholdLabel,
  type DurationsChartInput,
  type DurationsChartRun,
} from '../../src/slack/charts/durations-chart.js';
import {
  compactCount,
  histogramScaleFor,
  renderSizeHistogram,
  type SizeHistogramInput,
} from '../../src/slack/charts/histogram-chart.js';
import * as charts from '../../src/slack/charts/index.js';
import { GLYPH_HEIGHT, fontCharacters, glyphFor, toFontText } from '../../src/slack/charts/font.js';
import { Raster, hex, textWidth, type Rgb } from '../../src/slack/charts/raster.js';
import { CHART_COLORS } from '../../src/slack/charts/theme.js';
import { niceStep, niceTicks } from '../../src/slack/charts/ticks.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1, 2, 0);
const MiB = 1024 ** 2;

function decode(buf: Buffer): PNG {
  assert.ok(buf.subarray(0, 8).equals(PNG_SIGNATURE), 'PNG signature');
  return PNG.sync.read(buf);
}

function colorAt(png: PNG, x: number, y: number): Rgb {
  const i = (y * png.width + x) * 4;
  return { r: png.data[i] ?? -1, g: png.data[i + 1] ?? -1, b: png.data[i + 2] ?? -1 };
}

const same = (a: Rgb, b: Rgb): boolean => a.r === b.r && a.g === b.g && a.b === b.b;

/** Pixels of exactly `color` in the rectangle [x0, x1) × [y0, y1). */
function countColor(png: PNG, color: Rgb, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = Math.max(0, y0); y < Math.min(png.height, y1); y++) {
    for (let x = Math.max(0, x0); x < Math.min(png.width, x1); x++) if (same(colorAt(png, x, y), color)) n++;
  }
  return n;
}

/** 24 daily runs around 21 minutes; run 9 failed early, runs 20–23 degraded, run 22 failed. */
function sampleRuns(): DurationsChartRun[] {
  return Array.from({ length: 24 }, (_, i) => {
    const failed = i === 9 || i === 22;
    const degraded = i >= 20 && !failed;
    const base = 21 * 60 + (((i * 37) % 11) - 5) * 30;
    return {
      id: `jr_${String(i).padStart(3, '0')}`,
      startedOn: new Date(T0 + i * DAY),
      durationSec: failed ? 6 * 60 + i * 10 : degraded ? base * 1.55 : base,
      state: failed ? 'FAILED' : 'SUCCEEDED',
      degraded,
    };
  });
}

const sampleInput = (): DurationsChartInput => ({
  title: 'nightly_orders_etl - run durations',
  runs: sampleRuns(),
  baselineSec: 1260,
  thresholdSec: 1638,
});

function sampleHistogram(): SizeHistogramInput {
  const buckets = Array.from({ length: 50 }, (_, i) => ({
    upperBytes: 2 ** i,
    count: i >= 8 && i <= 31 ? Math.round(5000 * Math.exp(-((i - 17) ** 2) / 12)) + (i === 28 ? 300 : 0) : 0,
  }));
  return { title: 's3://lake/raw/events/ - object sizes', buckets, thresholdBytes: 32 * MiB };
}

test('durations chart: a PNG of the requested size, 800×400 by default', () => {
  const png = decode(renderDurationsChart(sampleInput()));
  assert.equal(png.width, 800);
  assert.equal(png.height, 400);
  const small = decode(renderDurationsChart({ ...sampleInput(), width: 640, height: 320 }));
  assert.deepEqual([small.width, small.height], [640, 320]);
  const tiny = decode(renderDurationsChart({ ...sampleInput(), width: 300, height: 180 }));
  assert.deepEqual([tiny.width, tiny.height], [300, 180]);
});

test('durations chart: the baseline is drawn on the row its value maps to', () => {
  const input = sampleInput();
  const scale = durationsScaleFor(input);
  const png = decode(renderDurationsChart(input));
  const row = Math.round(scale.y(1260));
  const { left, right } = scale.plot;
  const onRow = countColor(png, CHART_COLORS.baseline, left, row, right, row + 1);
  // Most of the row: only markers and the label box may cover it.
  assert.ok(onRow > (right - left) * 0.6, `baseline pixels on row ${row}: ${onRow}`);
  // …and nowhere far from it, apart from its label's text.
  const elsewhere = countColor(png, CHART_COLORS.baseline, left, scale.plot.top, right, row - 30);
  assert.equal(elsewhere, 0);
});

test('durations chart: the threshold is a dashed line at its value', () => {
  const input = sampleInput();
  const scale = durationsScaleFor(input);
  const png = decode(renderDurationsChart(input));
  const row = Math.round(scale.y(1638));
  const { left, right } = scale.plot;
  let dashes = 0;
  let gaps = 0;
  for (let x = left; x < right; x++) {
    const c = colorAt(png, x, row);
    if (same(c, CHART_COLORS.threshold)) dashes++;
    else if (same(c, CHART_COLORS.background) || same(c, CHART_COLORS.degradedBand)) gaps++;
  }
  assert.ok(dashes > (right - left) * 0.35, `dash pixels ${dashes}`);
  assert.ok(gaps > (right - left) * 0.15, `gap pixels ${gaps}`);
});

test('durations chart: failed runs are red X marks at their position, degraded runs in the alert colour', () => {
  const input = sampleInput();
  const scale = durationsScaleFor(input);
  const png = decode(renderDurationsChart(input));
  for (const id of ['jr_009', 'jr_022']) {
    const i = scale.runs.findIndex((r) => r.id === id);
    const run = scale.runs[i];
    assert.ok(run);
    const x = Math.round(scale.x(i));
    const y = Math.round(scale.y(run.durationSec));
    assert.ok(countColor(png, CHART_COLORS.failed, x - 1, y - 1, x + 2, y + 2) > 0, `${id} at ${x},${y}`);
    // An X, not a blob: its arms reach the corners, the middle of its sides stays clear.
    const arm = Math.floor(scale.markerRadius);
    assert.ok(countColor(png, CHART_COLORS.failed, x - arm - 1, y - arm - 1, x - arm + 2, y - arm + 2) > 0);
    assert.equal(countColor(png, CHART_COLORS.failed, x - arm, y, x - arm + 1, y + 1), 0);
  }
  const i = scale.runs.findIndex((r) => r.id === 'jr_021');
  const x = Math.round(scale.x(i));
  const y = Math.round(scale.y(scale.runs[i]?.durationSec ?? 0));
  assert.ok(countColor(png, CHART_COLORS.degraded, x - 1, y - 1, x + 2, y + 2) > 0);
  // No red anywhere the failed runs are not.
  const failedColumns = ['jr_009', 'jr_022'].map((id) => scale.x(scale.runs.findIndex((r) => r.id === id)));
  for (let x2 = scale.plot.left; x2 < scale.plot.right; x2++) {
    if (failedColumns.some((fx) => Math.abs(fx - x2) < 8)) continue;
    assert.equal(
      countColor(png, CHART_COLORS.failed, x2, scale.plot.top, x2 + 1, scale.plot.bottom),
      0,
      `x=${x2}`,
    );
  }
});

test('durations chart: runs are drawn oldest to newest whatever order they come in', () => {
  const input = sampleInput();
  const shuffled = { ...input, runs: [...input.runs].reverse() };
  assert.deepEqual(
    durationsScaleFor(shuffled).runs.map((r) => r.id),
    input.runs.map((r) => r.id),
  );
  assert.ok(renderDurationsChart(shuffled).equals(renderDurationsChart(input)));
});

test('durations chart: deterministic bytes for the same input', () => {
  const a = renderDurationsChart(sampleInput());
  const b = renderDurationsChart(sampleInput());
  assert.ok(a.equals(b));
  const h1 = renderSizeHistogram(sampleHistogram());
  const h2 = renderSizeHistogram(sampleHistogram());
  assert.ok(h1.equals(h2));
});

test('durations chart: no runs gives a valid PNG saying "no runs" in the middle', () => {
  const input: DurationsChartInput = { title: 'empty_job', runs: [] };
  const scale = durationsScaleFor(input);
  const png = decode(renderDurationsChart(input));
  assert.deepEqual([png.width, png.height], [800, 400]);
  const cx = (scale.plot.left + scale.plot.right) / 2;
  const cy = (scale.plot.top + scale.plot.bottom) / 2;
  const half = textWidth('no runs', scale.textScale) / 2;
  const ink = countColor(
    png,
    CHART_COLORS.text,
    Math.floor(cx - half),
    cy - 10,
    Math.ceil(cx + half),
    cy + 10,
  );
  assert.ok(ink > 40, `text pixels in the middle: ${ink}`);
  // Nothing else in the plot: no runs, no lines.
  for (const c of [CHART_COLORS.run, CHART_COLORS.failed, CHART_COLORS.baseline, CHART_COLORS.threshold]) {
    assert.equal(countColor(png, c, 0, 0, png.width, png.height), 0);
  }
});

test('durations chart: one run sits in the middle; equal and zero durations draw a sane axis', () => {
  const one = { title: 'one', runs: [sampleRuns()[0] as DurationsChartRun], baselineSec: 1260 };
  const scale = durationsScaleFor(one);
  assert.equal(Math.round(scale.x(0)), Math.round((scale.plot.left + scale.plot.right) / 2));
  decode(renderDurationsChart(one));

  const equal = sampleRuns().map((r) => ({ ...r, state: 'SUCCEEDED', degraded: false, durationSec: 600 }));
  const eq = durationsScaleFor({ title: 'flat', runs: equal });
  assert.ok(eq.yMaxSec > 600 && eq.yMaxSec <= 900, `axis top ${eq.yMaxSec}`);
  assert.ok(eq.y(600) > eq.plot.top && eq.y(600) < eq.plot.bottom);
  decode(renderDurationsChart({ title: 'flat', runs: equal }));

  const zero = equal.map((r) => ({ ...r, durationSec: 0 }));
  const z = durationsScaleFor({ title: 'zero', runs: zero });
  assert.ok(z.yMaxSec > 0);
  decode(renderDurationsChart({ title: 'zero', runs: zero }));

  const odd = equal.map((r, i) => ({ ...r, durationSec: i % 2 ? NaN : -5, startedOn: new Date(NaN) }));
  decode(renderDurationsChart({ title: 'odd', runs: odd, baselineSec: NaN, thresholdSec: -1 }));
});

test('durations chart: a huge outlier is clipped to the top edge, not allowed to flatten the rest', () => {
  const runs = sampleRuns();
  const outlierIndex = 12;
  runs[outlierIndex] = { ...(runs[outlierIndex] as DurationsChartRun), durationSec: 40 * 3600 };
  const input = { ...sampleInput(), runs };
  const scale = durationsScaleFor(input);
  assert.deepEqual(scale.clipped, [outlierIndex]);
  assert.ok(scale.yMaxSec <= 60 * 60, `axis top ${scale.yMaxSec}s should stay near the normal runs`);
  assert.ok(scale.legend.items.some((i) => i.label === 'off scale (max 40h 00m)'));
  const png = decode(renderDurationsChart(input));
  // The triangle sits just under the plot's top edge at the run's x.
  const x = Math.round(scale.x(outlierIndex));
  assert.ok(countColor(png, CHART_COLORS.run, x - 1, scale.plot.top, x + 2, scale.plot.top + 8) > 0);
});

test('durations chart: 500 runs keep every failed mark but drop the dots of ordinary runs', () => {
  const runs: DurationsChartRun[] = Array.from({ length: 500 }, (_, i) => ({
    id: `jr_${i}`,
    startedOn: new Date(T0 + i * 4 * 3_600_000),
    durationSec: 1200 + Math.sin(i / 7) * 200 + (i % 13) * 20 + (i > 480 ? 600 : 0),
    state: i % 37 === 0 ? 'FAILED' : i % 53 === 0 ? 'STOPPED' : 'SUCCEEDED',
    degraded: i > 480 && i % 37 !== 0,
  }));
  const input = { title: 'clickstream_sessionize', runs, baselineSec: 1300, thresholdSec: 1690 };
  const scale = durationsScaleFor(input);
  assert.equal(scale.allMarkers, false);
  const png = decode(renderDurationsChart(input));
  runs.forEach((run, i) => {
    if (run.state !== 'FAILED') return;
    const x = Math.round(scale.x(i));
    const y = Math.round(scale.y(run.durationSec));
    assert.ok(countColor(png, CHART_COLORS.failed, x - 1, y - 1, x + 2, y + 2) > 0, run.id);
  });
  // Ordinary runs are a line, not 500 dots: the dot colour is absent from the plot.
  assert.equal(
    countColor(png, CHART_COLORS.run, scale.plot.left, scale.plot.top, scale.plot.right, scale.plot.bottom),
    0,
  );
});

test('durations chart: without a baseline there is no baseline line or label', () => {
  const input = { ...sampleInput(), baselineSec: undefined, thresholdSec: undefined };
  const png = decode(renderDurationsChart(input));
  assert.equal(countColor(png, CHART_COLORS.baseline, 0, 0, png.width, png.height), 0);
});

test('durations chart labels', () => {
  assert.equal(shortDuration(45), '45s');
  assert.equal(shortDuration(1260), '21m');
  assert.equal(shortDuration(270), '4.5m');
  assert.equal(shortDuration(7500), '2h 05m');
  assert.equal(thresholdLabel(1638, 1260), '+30% (27m)');
  assert.equal(thresholdLabel(1638, undefined), 'threshold 27m');
});

test('histogram: a PNG of the requested size with the threshold line at its x', () => {
  const input = sampleHistogram();
  const scale = histogramScaleFor(input);
  const png = decode(renderSizeHistogram(input));
  assert.deepEqual([png.width, png.height], [800, 400]);
  // 32 MiB is the edge between the [16 MiB, 32 MiB) and [32 MiB, 64 MiB) buckets.
  const next = scale.buckets.findIndex((b) => b.upperBytes === 64 * MiB);
  assert.ok(next > 0);
  assert.equal(scale.x(32 * MiB), scale.bandLeft(next));
  const col = Math.round(scale.x(32 * MiB));
  const { top, bottom } = scale.plot;
  const onColumn = Math.max(
    countColor(png, CHART_COLORS.thresholdMarker, col - 1, top, col, bottom),
    countColor(png, CHART_COLORS.thresholdMarker, col, top, col + 1, bottom),
  );
  assert.equal(onColumn, bottom - top, 'the line spans the plot');
});

test('histogram: buckets below the threshold are in the alert colour, the others are not', () => {
  const input = sampleHistogram();
  const scale = histogramScaleFor(input);
  const png = decode(renderSizeHistogram(input));
  const y = scale.plot.bottom - 1;
  scale.buckets.forEach((b, i) => {
    if (b.count === 0) return;
    const x = Math.round((scale.bandLeft(i) + scale.bandRight(i)) / 2);
    const expected = b.upperBytes <= 32 * MiB ? CHART_COLORS.smallBar : CHART_COLORS.bar;
    assert.deepEqual(colorAt(png, x, y), expected, `bucket ${b.upperBytes}`);
  });
  // Empty buckets at both ends are trimmed; the threshold's neighbour stays.
  assert.equal(scale.buckets[0]?.upperBytes, 2 ** 8);
  assert.equal(scale.buckets[scale.buckets.length - 1]?.upperBytes, 2 ** 28);
});

test('histogram: counts on a nice axis; odd input still draws', () => {
  const scale = histogramScaleFor(sampleHistogram());
  assert.equal(scale.ticks.max, 6000);
  assert.deepEqual(scale.ticks.values, [0, 2000, 4000, 6000]);
  for (const input of [
    { title: 'empty', buckets: [], thresholdBytes: 32 * MiB },
    { title: 'zeros', buckets: [{ upperBytes: 1024, count: 0 }], thresholdBytes: 32 * MiB },
    {
      title: 'odd',
      buckets: [
        { upperBytes: 0, count: 3 },
        { upperBytes: NaN, count: 3 },
        { upperBytes: 2048, count: -1 },
        { upperBytes: 2 ** 40, count: 1 },
      ],
      thresholdBytes: 0,
    },
  ]) {
    const png = decode(renderSizeHistogram({ ...input, width: 500, height: 260 }));
    assert.deepEqual([png.width, png.height], [500, 260]);
  }
  assert.equal(compactCount(4812), '4,812');
  assert.equal(compactCount(48_120), '48.1k');
  assert.equal(compactCount(1_250_000), '1.3M');
});

test('histogram: no objects says so in the middle of the plot', () => {
  const input = { title: 'empty prefix', buckets: [], thresholdBytes: 32 * MiB };
  const scale = histogramScaleFor(input);
  const png = decode(renderSizeHistogram(input));
  const cx = Math.round((scale.plot.left + scale.plot.right) / 2);
  const cy = Math.round((scale.plot.top + scale.plot.bottom) / 2);
  const half = Math.ceil(textWidth('no objects', scale.textScale) / 2);
  assert.ok(countColor(png, CHART_COLORS.text, cx - half, cy - 10, cx + half, cy + 10) > 40);
  for (const c of [CHART_COLORS.smallBar, CHART_COLORS.bar]) {
    assert.equal(countColor(png, c, scale.plot.left, scale.plot.top, scale.plot.right, scale.plot.bottom), 0);
  }
});

test('index re-exports the two renderers', () => {
  assert.equal(charts.renderDurationsChart, renderDurationsChart);
  assert.equal(charts.renderSizeHistogram, renderSizeHistogram);
});

test('nice ticks are 1, 2 or 5 × 10^n', () => {
  const cases: [number, number][] = [
    [0.7, 1],
    [1, 1],
    [1.2, 2],
    [3, 5],
    [7, 10],
    [0.03, 0.05],
    [450, 500],
  ];
  for (const [rough, step] of cases) assert.equal(niceStep(rough), step, String(rough));
  assert.deepEqual(niceTicks(36.4, 5), { max: 40, step: 10, values: [0, 10, 20, 30, 40] });
  assert.deepEqual(niceTicks(0.9, 4).values, [0, 0.5, 1]);
  assert.deepEqual(niceTicks(0, 5).values, [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(3, 5, 1).values, [0, 1, 2, 3]);
  for (let max = 0.013; max < 1e6; max *= 1.37) {
    const t = niceTicks(max, 5);
    assert.ok(t.max >= max && t.values.length - 1 <= 5, `max ${max}`);
  }
});

test('font: every printable ASCII character, nine rows each; fallbacks for the rest', () => {
  for (let c = 32; c <= 126; c++) {
    const ch = String.fromCharCode(c);
    assert.ok(fontCharacters().includes(ch), `missing ${JSON.stringify(ch)}`);
    assert.equal(glyphFor(ch).length, GLYPH_HEIGHT);
  }
  assert.equal(toFontText('4 × 3 – ok'), '4 x 3 - ok');
  assert.equal(toFontText('日本'), '??');
  // Distinct glyphs for the characters a chart cannot afford to confuse.
  const shapes = new Set(
    ['0', 'O', '1', 'l', 'I', '5', 'S', '8', 'B'].map((ch) => JSON.stringify(glyphFor(ch))),
  );
  assert.equal(shapes.size, 9);
});

test('raster: plain and anti-aliased lines, dashes, circles and text', () => {
  const ink = hex('#000000');
  const white = hex('#ffffff');
  const r = new Raster(40, 20, white);
  r.line(0, 0, 39, 19, ink, { antialias: false, width: 1 });
  assert.deepEqual(r.pixel(0, 0), ink);
  assert.deepEqual(r.pixel(39, 19), ink);
  const aa = new Raster(40, 20, white);
  aa.line(2, 10.5, 38, 10.5, ink, { width: 1 });
  assert.deepEqual(aa.pixel(20, 10), ink);
  assert.deepEqual(aa.pixel(20, 5), white);
  const dashed = new Raster(40, 3, white);
  dashed.dashedHLine(0, 40, 1.5, ink, 1, 4, 4);
  assert.deepEqual(dashed.pixel(1, 1), ink);
  assert.deepEqual(dashed.pixel(5, 1), white);
  const dot = new Raster(20, 20, white);
  dot.circle(10, 10, 4, ink);
  assert.deepEqual(dot.pixel(10, 10), ink);
  assert.deepEqual(dot.pixel(10, 2), white);
  const text = new Raster(40, 20, white);
  assert.equal(text.text(1, 1, 'Hi', { color: ink, scale: 2 }), textWidth('Hi', 2));
  assert.deepEqual(text.pixel(1, 1), ink); // the H's top-left stroke
});

test('samples for a person to look at (test-artifacts/)', () => {
  mkdirSync('test-artifacts', { recursive: true });
  writeFileSync('test-artifacts/durations-chart.png', renderDurationsChart(sampleInput()));
  const runs = sampleRuns();
  runs[12] = { ...(runs[12] as DurationsChartRun), durationSec: 40 * 3600 };
  writeFileSync(
    'test-artifacts/durations-chart-outlier.png',
    renderDurationsChart({ ...sampleInput(), runs }),
  );
  writeFileSync(
    'test-artifacts/durations-chart-empty.png',
    renderDurationsChart({ title: 'empty_job', runs: [] }),
  );
  writeFileSync('test-artifacts/size-histogram.png', renderSizeHistogram(sampleHistogram()));
  const dense: DurationsChartRun[] = Array.from({ length: 500 }, (_, i) => ({
    id: `jr_${i}`,
    startedOn: new Date(T0 + i * 4 * 3_600_000),
    durationSec: 1200 + Math.sin(i / 7) * 200 + (i % 13) * 20 + (i > 480 ? 600 : 0),
    state: i % 37 === 0 ? 'FAILED' : 'SUCCEEDED',
    degraded: i > 480 && i % 37 !== 0,
  }));
  writeFileSync(
    'test-artifacts/durations-chart-500-runs.png',
    renderDurationsChart({
      title: 'clickstream_sessionize',
      runs: dense,
      baselineSec: 1300,
      thresholdSec: 1690,
    }),
  );
});
