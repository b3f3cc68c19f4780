// The `/cost` chart: cost per UTC day over the window, failed runs' share of each day stacked in
// red on top. `costPerDaySpec` is pure (data → Vega-Lite spec); `renderCostPerDay` draws it.
//
// Decisions worth knowing:
// - One bar per day of the window, days without a run included (a gap is information).
// - Day labels thin out to every 1, 2, 7, 14 or 30 days so they never collide; the last day is
//   always labelled.
// - y ticks are round dollar amounts (1/2/5 × 10^n).
import type { TopLevelSpec } from 'vega-lite';
import type { LayerSpec, UnitSpec } from 'vega-lite/types_unstable/spec/index.js';
import type { Field } from 'vega-lite/types_unstable/channeldef.js';
import { formatInt, formatUsd } from '../../domain/format.js';
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
import { niceTicks, tickDecimals } from './ticks.js';

export interface CostDayBar {
  /** YYYY-MM-DD */
  day: string;
  usd: number;
  /** Of which failed runs. */
  failedUsd: number;
}

export interface CostChartInput {
  title: string;
  days: readonly CostDayBar[];
  width?: number;
  height?: number;
}

export const COST_LAYERS = { bars: 'cost_bars', empty: 'no_cost' } as const;
export const COST_KINDS = { ok: 'cost', failed: 'failed runs' } as const;

const clean = (n: number) => (Number.isFinite(n) && n > 0 ? n : 0);

/** "$0", "$5", "$2.50": a tick label with the decimals its step needs. */
export function usdTick(value: number, step: number): string {
  return `$${formatInt(value, tickDecimals(step))}`;
}

export function costPerDaySpec(input: CostChartInput): TopLevelSpec {
  const width = chartSide(input.width, DEFAULT_WIDTH);
  const height = chartSide(input.height, DEFAULT_HEIGHT);
  const fs = fontSizesFor(width, height);
  const days = input.days.length ? [...input.days] : [{ day: 'no data', usd: 0, failedUsd: 0 }];
  const rows = days.flatMap((d) => {
    const failed = Math.min(clean(d.failedUsd), clean(d.usd));
    return [
      { day: d.day, kind: COST_KINDS.ok, usd: clean(d.usd) - failed, order: 0 },
      { day: d.day, kind: COST_KINDS.failed, usd: failed, order: 1 },
    ];
  });
  const total = days.reduce((s, d) => s + clean(d.usd), 0);
  const failedTotal = days.reduce((s, d) => s + Math.min(clean(d.failedUsd), clean(d.usd)), 0);
  const max = Math.max(0, ...days.map((d) => clean(d.usd)));
  const plotWidth = Math.max(40, width - 7 * fs.label);
  const plotHeight = Math.max(30, height - fs.title - 10 * fs.label);
  const target = Math.max(2, Math.min(6, Math.floor(plotHeight / (3.4 * fs.label))));
  const ticks = niceTicks(max > 0 ? max * 1.05 : 1, target);
  const band = plotWidth / days.length;
  const labelWidth = approxTextWidth('00-00', fs.label) + fs.label;
  const every = [1, 2, 7, 14, 30, 60, 90].find((k) => k * band >= labelWidth) ?? 120;
  const last = days.length - 1;
  const shown = days
    .map((d, i) => ({ d, i }))
    .filter(({ i }) => (last - i) % every === 0)
    .map(({ d }) => d.day);
  const empty = total === 0;

  const x = {
    field: 'day',
    type: 'ordinal' as const,
    // Every day of the window has its slot, spent or not.
    scale: { domain: days.map((d) => d.day), paddingInner: band >= 6 ? 0.15 : 0 },
    axis: {
      title: null,
      values: shown,
      labelExpr: `slice(datum.value, 5) || datum.value`,
      labelAngle: 0,
      labelColor: CHART_COLORS.muted,
      ticks: false,
      labelOverlap: true,
    },
  };
  const yLabels = ticks.values.map((v) => usdTick(v, ticks.step));
  const layers: (LayerSpec<Field> | UnitSpec<Field>)[] = [
    {
      name: COST_LAYERS.bars,
      data: { values: rows.filter((r) => r.usd > 0) },
      mark: { type: 'bar' },
      encoding: {
        x,
        y: {
          field: 'usd',
          type: 'quantitative',
          stack: 'zero',
          scale: { domain: [0, ticks.max], nice: false, zero: true },
          axis: {
            title: 'USD per day',
            values: empty ? [] : ticks.values,
            labelExpr: `${JSON.stringify(yLabels)}[round(datum.value / ${ticks.step})]`,
            domain: false,
            ticks: false,
            grid: !empty,
          },
        },
        color: {
          field: 'kind',
          type: 'nominal',
          scale: {
            domain: [COST_KINDS.ok, COST_KINDS.failed],
            range: [CHART_COLORS.bar, CHART_COLORS.failed],
          },
          legend: { symbolType: 'square' },
        },
        order: { field: 'order', type: 'quantitative' },
      },
    },
  ];
  if (empty)
    layers.push({
      name: COST_LAYERS.empty,
      data: {
        values: [
          { day: days[Math.floor(last / 2)]!.day, usd: ticks.max / 2, text: 'no cost in this window' },
        ],
      },
      mark: { type: 'text', color: CHART_COLORS.text, fontSize: fs.label * 1.2 },
      encoding: {
        x,
        y: { field: 'usd', type: 'quantitative', scale: { domain: [0, ticks.max], nice: false } },
        text: { field: 'text' },
      },
    });
  const subtitle = `${formatUsd(total)} over ${days.length} days${failedTotal > 0 ? `, ${formatUsd(failedTotal)} of it on failed runs` : ''}`;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width,
    height,
    autosize: { type: 'fit', contains: 'padding' },
    title: { text: input.title, subtitle, limit: width - 2 * fs.label },
    config: baseConfig(width, height),
    layer: layers,
  };
}

export async function renderCostPerDay(input: CostChartInput): Promise<Buffer> {
  return (await renderChart(costPerDaySpec(input))).png;
}
