// The /cost chart (src/slack/charts/cost-chart.ts): one bar per day, failed runs stacked in red,
// labels that never collide, drawn to a PNG with our fonts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import { COST_LAYERS, costPerDaySpec, renderCostPerDay, usdTick } from '../../src/slack/charts/cost-chart.js';
import { chartSvg } from '../../src/slack/charts/render.js';
import { CHART_COLORS } from '../../src/slack/charts/theme.js';

const DAY = 86_400_000;
const days = (n: number, usd: (i: number) => number, failed: (i: number) => number = () => 0) =>
  Array.from({ length: n }, (_, i) => ({
    day: new Date(Date.UTC(2026, 9, 29) + i * DAY).toISOString().slice(0, 10),
    usd: usd(i),
    failedUsd: failed(i),
  }));

function count(png: PNG, hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4)
    if (
      Math.abs(png.data[i]! - r) <= 6 &&
      Math.abs(png.data[i + 1]! - g) <= 6 &&
      Math.abs(png.data[i + 2]! - b) <= 6
    )
      n++;
  return n;
}

/** Elements of one Vega mark group in the SVG. */
function items(svg: string, layer: string): string[] {
  const open = svg.indexOf(`role-mark ${layer}_marks"`);
  if (open < 0) return [];
  const start = svg.indexOf('>', open) + 1;
  if (svg[start - 2] === '/') return [];
  return svg.slice(start, svg.indexOf('</g>', start)).match(/<(path|text)\b[^>]*>/g) ?? [];
}

test('30 days: a bar per costed day and a red segment per day with a failed run; no spec warnings', async () => {
  const input = {
    title: 'MyJob: cost per day',
    days: days(
      30,
      (i) => (i % 10 === 3 ? 0 : 4.4 + (i % 3)),
      (i) => (i % 7 === 0 ? 1.1 : 0),
    ),
  };
  const { svg, warnings } = await chartSvg(costPerDaySpec(input));
  assert.deepEqual(warnings, []);
  const bars = items(svg, COST_LAYERS.bars);
  const costed = input.days.filter((d) => d.usd > 0).length;
  const failed = input.days.filter((d) => d.usd > 0 && d.failedUsd > 0).length;
  assert.equal(bars.length, costed + failed);
  assert.equal(bars.filter((b) => b.includes(`fill="${CHART_COLORS.failed}"`)).length, failed);
  const png = PNG.sync.read(await renderCostPerDay(input));
  assert.equal(png.width, 800);
  assert.ok(count(png, CHART_COLORS.bar) > 2000, 'blue bars are drawn');
  assert.ok(count(png, CHART_COLORS.failed) > 50, 'red failed segments are drawn');
});

test('a year of days: labels thin out, the last day is labelled', async () => {
  const input = { title: 'cost', days: days(366, (i) => 1 + (i % 5)) };
  const { svg, warnings } = await chartSvg(costPerDaySpec(input));
  assert.deepEqual(warnings, []);
  const labels = [...svg.matchAll(/<text[^>]*>(\d\d-\d\d)<\/text>/g)].map((m) => m[1]);
  assert.ok(labels.length >= 5 && labels.length <= 20, `${labels.length} day labels`);
  assert.ok(labels.includes(input.days[365]!.day.slice(5)), 'the last day is labelled');
});

test('nothing spent: no bars, the words instead', async () => {
  const { svg, warnings } = await chartSvg(costPerDaySpec({ title: 'idle', days: days(7, () => 0) }));
  assert.deepEqual(warnings, []);
  assert.equal(items(svg, COST_LAYERS.bars).length, 0);
  assert.match(svg, /no cost in this window/);
});

test('tick labels are dollars with the decimals their step needs', () => {
  assert.equal(usdTick(10, 5), '$10');
  assert.equal(usdTick(2.5, 0.5), '$2.5');
  assert.equal(usdTick(1500, 500), '$1,500');
});
