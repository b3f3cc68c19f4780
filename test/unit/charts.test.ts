import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import type { TopLevelSpec } from 'vega-lite';
import {
  DURATIONS_LAYERS,
  durationsChartSpec,
  durationsLayout,
  renderDurationsChart,
  shortDuration,
  thresholdLabel,
  type DurationsChartInput,
  type DurationsChartRun,
} from '../../src/slack/charts/durations-chart.js';
import {
  HISTOGRAM_LAYERS,
  compactCount,
  histogramLayout,
  renderSizeHistogram,
  sizeHistogramSpec,
  type SizeHistogramInput,
} from '../../src/slack/charts/histogram-chart.js';
import * as charts from '../../src/slack/charts/index.js';
import { chartSvg, renderChart } from '../../src/slack/charts/render.js';
import { CHART_COLORS } from '../../src/slack/charts/theme.js';
import { niceStep, niceTicks } from '../../src/slack/charts/ticks.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1, 2, 0);
const MiB = 1024 ** 2;
const UNICODE = 'ñ á é ß 日本';

// ---------------------------------------------------------------------------------------------
// Helpers: decoded PNGs, colours, and the items Vega drew (its SVG names each layer's group).

function decode(buf: Buffer): PNG {
  assert.ok(buf.subarray(0, 8).equals(PNG_SIGNATURE), 'PNG signature');
  return PNG.sync.read(buf);
}

interface Rgb {
  r: number;
  g: number;
  b: number;
}
const rgb = (hex: string): Rgb => ({
  r: parseInt(hex.slice(1, 3), 16),
  g: parseInt(hex.slice(3, 5), 16),
  b: parseInt(hex.slice(5, 7), 16),
});
function colorAt(png: PNG, x: number, y: number): Rgb {
  const i = (y * png.width + x) * 4;
  return { r: png.data[i] ?? -1, g: png.data[i + 1] ?? -1, b: png.data[i + 2] ?? -1 };
}
/** Within a few levels of `c` (resvg anti-aliases edges; the inside of a shape is exact). */
const near = (a: Rgb, c: Rgb, tol = 6): boolean =>
  Math.abs(a.r - c.r) <= tol && Math.abs(a.g - c.g) <= tol && Math.abs(a.b - c.b) <= tol;

function countColor(png: PNG, hex: string, x0 = 0, y0 = 0, x1 = png.width, y1 = png.height): number {
  const c = rgb(hex);
  let n = 0;
  for (let y = Math.max(0, y0); y < Math.min(png.height, y1); y++)
    for (let x = Math.max(0, x0); x < Math.min(png.width, x1); x++) if (near(colorAt(png, x, y), c)) n++;
  return n;
}

/** Connected blobs (4-neighbour) of pixels near `hex`, as bounding boxes. */
function blobs(png: PNG, hex: string): { x0: number; y0: number; x1: number; y1: number; size: number }[] {
  const c = rgb(hex);
  const seen = new Uint8Array(png.width * png.height);
  const out: { x0: number; y0: number; x1: number; y1: number; size: number }[] = [];
  for (let y = 0; y < png.height; y++)
    for (let x = 0; x < png.width; x++) {
      const start = y * png.width + x;
      if (seen[start] || !near(colorAt(png, x, y), c)) continue;
      const box = { x0: x, y0: y, x1: x, y1: y, size: 0 };
      const stack = [start];
      seen[start] = 1;
      while (stack.length) {
        const p = stack.pop()!;
        const px = p % png.width;
        const py = Math.floor(p / png.width);
        box.size++;
        box.x0 = Math.min(box.x0, px);
        box.x1 = Math.max(box.x1, px);
        box.y0 = Math.min(box.y0, py);
        box.y1 = Math.max(box.y1, py);
        for (const [nx, ny] of [
          [px + 1, py],
          [px - 1, py],
          [px, py + 1],
          [px, py - 1],
        ] as const) {
          if (nx < 0 || ny < 0 || nx >= png.width || ny >= png.height) continue;
          const q = ny * png.width + nx;
          if (!seen[q] && near(colorAt(png, nx, ny), c)) {
            seen[q] = 1;
            stack.push(q);
          }
        }
      }
      out.push(box);
    }
  return out;
}

/** Pixels that differ between two renders of the same size, with their bounding box. */
function diff(a: PNG, b: PNG): { count: number; x0: number; y0: number; x1: number; y1: number } {
  assert.deepEqual([a.width, a.height], [b.width, b.height]);
  const d = { count: 0, x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
  for (let y = 0; y < a.height; y++)
    for (let x = 0; x < a.width; x++) {
      const i = (y * a.width + x) * 4;
      if (a.data[i] === b.data[i] && a.data[i + 1] === b.data[i + 1] && a.data[i + 2] === b.data[i + 2])
        continue;
      d.count++;
      d.x0 = Math.min(d.x0, x);
      d.x1 = Math.max(d.x1, x);
      d.y0 = Math.min(d.y0, y);
      d.y1 = Math.max(d.y1, y);
    }
  return d;
}

/** The SVG elements of one Vega mark group (`<layer name>_marks`). */
function items(svg: string, layer: string): string[] {
  const open = svg.indexOf(`role-mark ${layer}_marks"`);
  if (open < 0) return [];
  const start = svg.indexOf('>', open) + 1;
  if (svg[start - 2] === '/') return []; // <g … /> : an empty group
  const end = svg.indexOf('</g>', start);
  return svg.slice(start, end).match(/<(path|text|line)\b[^>]*>/g) ?? [];
}
const ariaLabel = (el: string): string => /aria-label="([^"]*)"/.exec(el)?.[1] ?? '';
const fill = (el: string): string => /fill="([^"]*)"/.exec(el)?.[1] ?? '';
const translateX = (el: string): number => Number(/translate\(([-\d.]+),/.exec(el)?.[1] ?? NaN);

/** Every `<text>` content of an SVG, XML entities decoded. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g)].map((m) =>
    (m[1] ?? '')
      .replace(/<[^>]+>/g, '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&'),
  );
}

// ---------------------------------------------------------------------------------------------
// Samples

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
      state: failed ? 'FAILED' : i === 5 ? 'STOPPED' : 'SUCCEEDED',
      degraded,
    };
  });
}

const sampleInput = (title = 'nightly_orders_etl: run durations'): DurationsChartInput => ({
  title,
  runs: sampleRuns(),
  baselineSec: 1260,
  thresholdSec: 1638,
});

function sampleHistogram(): SizeHistogramInput {
  const buckets = Array.from({ length: 50 }, (_, i) => ({
    upperBytes: 2 ** i,
    count: i >= 8 && i <= 31 ? Math.round(5000 * Math.exp(-((i - 17) ** 2) / 12)) + (i === 28 ? 300 : 0) : 0,
  }));
  return { title: 's3://lake/raw/events/ – object sizes', buckets, thresholdBytes: 32 * MiB };
}

/** The parts of a spec the text-removal tests edit. */
interface EditableSpec {
  title: { text: string };
  layer: { encoding?: { x?: { axis?: { title: string } }; y?: { axis?: { title: string } } } }[];
}

/** The spec with one piece of text taken out (a deep copy edited by `edit`). */
function without(spec: TopLevelSpec, edit: (s: EditableSpec) => void): TopLevelSpec {
  const copy = structuredClone(spec);
  edit(copy as unknown as EditableSpec);
  return copy;
}
const yAxisOf = (s: EditableSpec) => s.layer.find((l) => l.encoding?.y?.axis)!.encoding!.y!.axis!;
const xAxisOf = (s: EditableSpec) => s.layer.find((l) => l.encoding?.x?.axis)!.encoding!.x!.axis!;

// ---------------------------------------------------------------------------------------------
// Text: real glyphs for any script, in the SVG and in the PNG

test('durations chart: a title, axis titles and a job name with ñ á é ß 日本 are text in the SVG', async () => {
  const job = `pedidos_${UNICODE}`;
  const spec = durationsChartSpec({ ...sampleInput(`${job}: Duración (s) <&>`), runs: sampleRuns() });
  const { svg, warnings } = await chartSvg(spec);
  assert.deepEqual(warnings, []);
  const all = texts(svg);
  assert.ok(all.includes(`${job}: Duración (s) <&>`), all.join(' | '));
  assert.ok(all.includes('duration (min)'));
  assert.ok(all.includes('24 runs, oldest to newest (start, UTC)'));
  // Markup in a title is escaped, not interpreted.
  assert.ok(svg.includes('Duración (s) &lt;&amp;&gt;'));
});

test('durations chart: the title and axis titles are glyph pixels in the PNG, where the text is', async () => {
  const spec = durationsChartSpec(sampleInput(`pedidos ${UNICODE}: Duración`));
  const full = decode((await renderChart(spec)).png);

  // The same chart with the title's text emptied: only the title's band changes.
  const noTitle = decode((await renderChart(without(spec, (s) => (s.title.text = ' ')))).png);
  const t = diff(full, noTitle);
  assert.ok(t.count > 400, `title pixels ${t.count}`);
  assert.ok(t.y1 < 40, `title pixels are at the top: rows ${t.y0}–${t.y1}`);

  // The axis titles: the y one along the left edge, the x one along the bottom.
  const noY = decode((await renderChart(without(spec, (s) => (yAxisOf(s).title = ' ')))).png);
  const y = diff(full, noY);
  assert.ok(y.count > 100, `y axis title pixels ${y.count}`);
  assert.ok(y.x0 < 30, `y axis title at the left: columns ${y.x0}–${y.x1}`);
  const noX = decode((await renderChart(without(spec, (s) => (xAxisOf(s).title = ' ')))).png);
  const x = diff(full, noX);
  assert.ok(x.count > 100, `x axis title pixels ${x.count}`);
  assert.ok(x.y0 > 360, `x axis title at the bottom: rows ${x.y0}–${x.y1}`);
});

test('each of ñ á é ß 日 本 is its own glyph: drawn, and unlike its neighbours (not a missing-glyph box)', async () => {
  const spec = durationsChartSpec(sampleInput());
  const titled = async (text: string) =>
    decode((await renderChart(without(spec, (s) => (s.title.text = text)))).png);
  const blank = await titled(' ');
  const images = new Map<string, PNG>();
  for (const ch of ['n', 'ñ', 'a', 'á', 'e', 'é', 's', 'ß', '日', '本']) {
    const img = await titled(ch);
    assert.ok(diff(img, blank).count > 15, `${ch} draws pixels`);
    images.set(ch, img);
  }
  for (const [a, b] of [
    ['n', 'ñ'],
    ['a', 'á'],
    ['e', 'é'],
    ['s', 'ß'],
    ['日', '本'],
    ['á', 'é'],
  ] as const)
    assert.ok(diff(images.get(a)!, images.get(b)!).count > 10, `${a} and ${b} are different glyphs`);
});

test('histogram: a location with ñ á é ß 日本 is text in the SVG and pixels in the PNG', async () => {
  const title = `abfss://lake@cuenta.dfs.core.windows.net/año/${UNICODE}/`;
  const spec = sizeHistogramSpec({ ...sampleHistogram(), title });
  const { svg, png, warnings } = await renderChart(spec);
  assert.deepEqual(warnings, []);
  const all = texts(svg);
  assert.ok(all.includes(title));
  assert.ok(all.includes('object size (log2 buckets)'));
  assert.ok(all.includes('objects'));
  const noTitle = decode((await renderChart(without(spec, (s) => (s.title.text = ' ')))).png);
  const t = diff(decode(png), noTitle);
  assert.ok(t.count > 400 && t.y1 < 30, `title pixels ${t.count}, rows ${t.y0}–${t.y1}`);
});

// ---------------------------------------------------------------------------------------------
// Durations chart

test('durations chart: a PNG of the requested size, 800×400 by default', async () => {
  const png = decode(await renderDurationsChart(sampleInput()));
  assert.deepEqual([png.width, png.height], [800, 400]);
  for (const [width, height] of [
    [640, 320],
    [300, 180],
    [1200, 600],
  ] as const) {
    const p = decode(await renderDurationsChart({ ...sampleInput(), width, height }));
    assert.deepEqual([p.width, p.height], [width, height]);
  }
});

test('durations chart: the spec is a pure function of the data (plain JSON, same input same spec)', () => {
  const a = durationsChartSpec(sampleInput());
  assert.deepEqual(a, durationsChartSpec(sampleInput()));
  assert.deepEqual(JSON.parse(JSON.stringify(a)), a);
});

test('durations chart: one marker per run, at its position oldest to newest, failed ones as X', async () => {
  const input = sampleInput();
  const { svg } = await renderChart(durationsChartSpec(input));
  const markers = items(svg, DURATIONS_LAYERS.markers);
  assert.equal(markers.length, input.runs.length);
  // Each marker carries its run's index; drawn left to right in run order.
  const byIndex = new Map(markers.map((m) => [Number(/\bi: (\d+)/.exec(ariaLabel(m))?.[1]), m]));
  assert.deepEqual(
    [...byIndex.keys()].sort((a, b) => a - b),
    input.runs.map((_, i) => i),
  );
  for (let i = 1; i < input.runs.length; i++)
    assert.ok(translateX(byIndex.get(i)!) > translateX(byIndex.get(i - 1)!), `run ${i} right of ${i - 1}`);
  // Colours by what the run was.
  const failed = markers.filter((m) => fill(m) === CHART_COLORS.failed);
  assert.equal(failed.length, input.runs.filter((r) => r.state === 'FAILED').length);
  const degraded = markers.filter((m) => fill(m) === CHART_COLORS.degraded);
  assert.equal(degraded.length, input.runs.filter((r) => r.degraded).length);
  assert.equal(markers.filter((m) => fill(m) === CHART_COLORS.other).length, 1);
  // The degraded window: one band per degraded run.
  assert.equal(items(svg, DURATIONS_LAYERS.degradedBand).length, degraded.length);
});

test('durations chart: failed runs are red X marks in the PNG, one per failed run plus the legend swatch', async () => {
  const png = decode(await renderDurationsChart(sampleInput()));
  const reds = blobs(png, CHART_COLORS.failed).filter((b) => b.size >= 12);
  assert.equal(reds.length, 2 + 1, JSON.stringify(reds));
  for (const b of reds) {
    // An X, not a blob: the middle is red, the middle of its left side is not.
    const cx = Math.round((b.x0 + b.x1) / 2);
    const cy = Math.round((b.y0 + b.y1) / 2);
    assert.ok(near(colorAt(png, cx, cy), rgb(CHART_COLORS.failed), 40), `centre of X at ${cx},${cy}`);
    assert.ok(!near(colorAt(png, b.x0, cy), rgb(CHART_COLORS.failed), 40), `side of X at ${b.x0},${cy}`);
    assert.ok(b.x1 - b.x0 >= 6 && b.y1 - b.y0 >= 6);
  }
});

test('durations chart: baseline is a solid line, threshold a dashed one, at their values', async () => {
  const input = sampleInput();
  const { svg, png: bytes } = await renderChart(durationsChartSpec(input));
  const png = decode(bytes);
  assert.equal(items(svg, DURATIONS_LAYERS.baseline).length, 1);
  assert.equal(items(svg, DURATIONS_LAYERS.threshold).length, 1);
  const rowWith = (hex: string) => {
    let best = { y: -1, n: 0 };
    for (let y = 0; y < png.height; y++) {
      const n = countColor(png, hex, 0, y, png.width, y + 1);
      if (n > best.n) best = { y, n };
    }
    return best;
  };
  const base = rowWith(CHART_COLORS.baseline);
  const thr = rowWith(CHART_COLORS.threshold);
  // The x axis line is the plot's bottom (y = 0).
  const axis = rowWith(CHART_COLORS.axis);
  assert.ok(base.n > png.width * 0.7, `baseline pixels in row ${base.y}: ${base.n}`);
  assert.ok(thr.n > png.width * 0.35 && thr.n < png.width * 0.8, `threshold dashes: ${thr.n}`);
  // Rows are proportional to the values: 1638 / 1260 = 1.3.
  const ratio = (axis.y - thr.y) / (axis.y - base.y);
  assert.ok(Math.abs(ratio - 1638 / 1260) < 0.03, `threshold/baseline height ratio ${ratio}`);
  // Labelled.
  assert.ok(texts(svg).includes('baseline 21m'));
  assert.ok(texts(svg).includes('+30% (27m)'));
});

test('durations chart: runs in any order give the same image; the same input the same bytes', async () => {
  const input = sampleInput();
  const reversed = { ...input, runs: [...input.runs].reverse() };
  assert.deepEqual(
    durationsLayout(reversed).runs.map((r) => r.id),
    input.runs.map((r) => r.id),
  );
  const a = await renderDurationsChart(input);
  assert.ok(a.equals(await renderDurationsChart(reversed)));
  assert.ok(a.equals(await renderDurationsChart(sampleInput())));
  const h = await renderSizeHistogram(sampleHistogram());
  assert.ok(h.equals(await renderSizeHistogram(sampleHistogram())));
});

test('durations chart: no runs says "no runs" and draws no run, line or reference', async () => {
  const { svg, png } = await renderChart(durationsChartSpec({ title: 'empty_job', runs: [] }));
  assert.ok(texts(svg).includes('no runs'));
  const p = decode(png);
  assert.deepEqual([p.width, p.height], [800, 400]);
  for (const c of [CHART_COLORS.run, CHART_COLORS.failed, CHART_COLORS.baseline, CHART_COLORS.threshold])
    assert.equal(countColor(p, c), 0, c);
});

test('durations chart: one run, equal, zero and invalid durations draw a sane axis', async () => {
  const one = { title: 'one', runs: [sampleRuns()[0]!], baselineSec: 1260 };
  assert.equal(items((await chartSvg(durationsChartSpec(one))).svg, DURATIONS_LAYERS.markers).length, 1);

  const equal = sampleRuns().map((r) => ({ ...r, state: 'SUCCEEDED', degraded: false, durationSec: 600 }));
  const eq = durationsLayout({ title: 'flat', runs: equal });
  assert.ok(eq.yMaxSec > 600 && eq.yMaxSec <= 900, `axis top ${eq.yMaxSec}`);
  decode(await renderDurationsChart({ title: 'flat', runs: equal }));

  const zero = equal.map((r) => ({ ...r, durationSec: 0 }));
  assert.ok(durationsLayout({ title: 'zero', runs: zero }).yMaxSec > 0);
  decode(await renderDurationsChart({ title: 'zero', runs: zero }));

  const odd = equal.map((r, i) => ({ ...r, durationSec: i % 2 ? NaN : -5, startedOn: new Date(NaN) }));
  const spec = durationsChartSpec({ title: 'odd', runs: odd, baselineSec: NaN, thresholdSec: -1 });
  const { warnings, png } = await renderChart(spec);
  assert.deepEqual(warnings, []);
  decode(png);
});

test('durations chart: a huge outlier is clipped to the top edge, not allowed to flatten the rest', async () => {
  const runs = sampleRuns();
  runs[12] = { ...runs[12]!, durationSec: 40 * 3600 };
  const input = { ...sampleInput(), runs };
  const layout = durationsLayout(input);
  assert.deepEqual(layout.clipped, [12]);
  assert.ok(layout.yMaxSec <= 60 * 60, `axis top ${layout.yMaxSec}s should stay near the normal runs`);
  assert.ok(layout.legend.some((l) => l.label === 'off scale (max 40h 00m)'));
  const { svg } = await chartSvg(durationsChartSpec(input));
  const clipped = items(svg, DURATIONS_LAYERS.clipped);
  assert.equal(clipped.length, 1);
  assert.match(ariaLabel(clipped[0]!), /\bi: 12\b/);
  assert.equal(items(svg, DURATIONS_LAYERS.markers).length, runs.length - 1);
  assert.ok(texts(svg).includes('off scale (max 40h 00m)'));
});

test('durations chart: 500 runs keep every failed and degraded mark but drop the dots of ordinary runs', async () => {
  const runs: DurationsChartRun[] = Array.from({ length: 500 }, (_, i) => ({
    id: `jr_${i}`,
    startedOn: new Date(T0 + i * 4 * 3_600_000),
    durationSec: 1200 + Math.sin(i / 7) * 200 + (i % 13) * 20 + (i > 480 ? 600 : 0),
    state: i % 37 === 0 ? 'FAILED' : i % 53 === 0 ? 'STOPPED' : 'SUCCEEDED',
    degraded: i > 480 && i % 37 !== 0,
  }));
  const input = { title: 'clickstream_sessionize', runs, baselineSec: 1300, thresholdSec: 1690 };
  assert.equal(durationsLayout(input).allMarkers, false);
  const { svg, png } = await renderChart(durationsChartSpec(input));
  const markers = items(svg, DURATIONS_LAYERS.markers);
  const failed = runs.filter((r) => r.state === 'FAILED').length;
  const degraded = runs.filter((r) => r.degraded).length;
  assert.equal(markers.filter((m) => fill(m) === CHART_COLORS.failed).length, failed);
  assert.equal(markers.filter((m) => fill(m) === CHART_COLORS.degraded).length, degraded);
  assert.equal(markers.length, failed + degraded);
  // Ordinary runs are a line, not 500 dots: the dot colour is nowhere, the legend shows a line.
  assert.equal(countColor(decode(png), CHART_COLORS.run), 0);
  assert.equal(items(svg, DURATIONS_LAYERS.line).length, 1);
});

test('durations chart: without a baseline there is no baseline line or label', async () => {
  const { svg, png } = await renderChart(
    durationsChartSpec({ ...sampleInput(), baselineSec: undefined, thresholdSec: undefined }),
  );
  assert.equal(items(svg, DURATIONS_LAYERS.baseline).length, 0);
  assert.equal(countColor(decode(png), CHART_COLORS.baseline), 0);
  assert.ok(!texts(svg).some((t) => t.startsWith('baseline')));
});

test('durations chart labels', () => {
  assert.equal(shortDuration(45), '45s');
  assert.equal(shortDuration(1260), '21m');
  assert.equal(shortDuration(270), '4.5m');
  assert.equal(shortDuration(7500), '2h 05m');
  assert.equal(thresholdLabel(1638, 1260), '+30% (27m)');
  assert.equal(thresholdLabel(1638, undefined), 'threshold 27m');
});

// ---------------------------------------------------------------------------------------------
// Histogram

test('histogram: one bar per non-empty bucket, small ones in the alert colour, the threshold between', async () => {
  const input = sampleHistogram();
  const layout = histogramLayout(input);
  const { svg, png } = await renderChart(sizeHistogramSpec(input));
  const bars = items(svg, HISTOGRAM_LAYERS.bars);
  const nonEmpty = layout.buckets.filter((b) => b.count > 0);
  assert.equal(bars.length, nonEmpty.length);
  const small = nonEmpty.filter((b) => b.upperBytes <= 32 * MiB).length;
  assert.equal(bars.filter((b) => fill(b) === CHART_COLORS.smallBar).length, small);
  assert.equal(bars.filter((b) => fill(b) === CHART_COLORS.bar).length, nonEmpty.length - small);
  // Empty buckets at both ends are trimmed; the threshold's neighbour stays.
  assert.equal(layout.buckets[0]?.upperBytes, 2 ** 8);
  assert.equal(layout.buckets[layout.buckets.length - 1]?.upperBytes, 2 ** 28);

  // The threshold line: right of every small bar, left of every other one, the plot's full height.
  const left = (el: string) => Number(/d="M([-\d.]+),/.exec(el)?.[1]);
  const width = (el: string) => Number(/h([-\d.]+)/.exec(el)?.[1]);
  const rule = items(svg, HISTOGRAM_LAYERS.threshold);
  assert.equal(rule.length, 1);
  const ruleX = Number(/translate\(([-\d.]+),/.exec(rule[0]!)?.[1]);
  for (const b of bars) {
    if (fill(b) === CHART_COLORS.smallBar) assert.ok(left(b) + width(b) <= ruleX + 0.01);
    else assert.ok(left(b) >= ruleX - 0.01);
  }
  const p = decode(png);
  const columns = blobs(p, CHART_COLORS.thresholdMarker).filter((b) => b.y1 - b.y0 > 200);
  assert.equal(columns.length, 1, 'one tall line in the threshold colour');
  assert.ok(texts(svg).includes('small-file threshold 32 MB'));
  assert.ok(texts(svg).includes('small files (< 32 MB)'));
  assert.ok(texts(svg).includes('30,692 of 30,999 small (99%)'));
});

test('histogram: counts on a nice axis; odd input still draws', async () => {
  const layout = histogramLayout(sampleHistogram());
  assert.equal(layout.ticks.max, 6000);
  assert.deepEqual(layout.ticks.values, [0, 2000, 4000, 6000]);
  const { svg } = await chartSvg(sizeHistogramSpec(sampleHistogram()));
  for (const label of ['0', '2,000', '4,000', '6,000', '1 KB', '1 MB', '32 MB'])
    assert.ok(texts(svg).includes(label), label);
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
    const { png, warnings } = await renderChart(sizeHistogramSpec({ ...input, width: 500, height: 260 }));
    assert.deepEqual(warnings, [], input.title);
    const p = decode(png);
    assert.deepEqual([p.width, p.height], [500, 260]);
  }
  assert.equal(compactCount(4812), '4,812');
  assert.equal(compactCount(48_120), '48.1k');
  assert.equal(compactCount(1_250_000), '1.3M');
});

test('histogram: no objects says so and draws no bars', async () => {
  const { svg, png } = await renderChart(
    sizeHistogramSpec({ title: 'empty prefix', buckets: [], thresholdBytes: 32 * MiB }),
  );
  assert.ok(texts(svg).includes('no objects'));
  assert.equal(items(svg, HISTOGRAM_LAYERS.bars).length, 0);
  const p = decode(png);
  // Only the legend's two swatches are in the bar colours.
  assert.equal(blobs(p, CHART_COLORS.smallBar).length, 1);
  assert.equal(blobs(p, CHART_COLORS.bar).length, 1);
});

// ---------------------------------------------------------------------------------------------

test('index re-exports the two renderers and their specs', () => {
  assert.equal(charts.renderDurationsChart, renderDurationsChart);
  assert.equal(charts.renderSizeHistogram, renderSizeHistogram);
  assert.equal(charts.durationsChartSpec, durationsChartSpec);
  assert.equal(charts.sizeHistogramSpec, sizeHistogramSpec);
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
