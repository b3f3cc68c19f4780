// The post-mortem's preventive action "añadir tests/perf-smoke en CI que validen la performance
// sobre muestras representativas": a staging run of the job on a fixed sample, judged against the
// previous smoke runs of the same sample with the degradation rule's threshold. Pure.
import { median } from './degradation.js';

export interface SmokeRun {
  runId: string;
  /** 'succeeded' or not: only succeeded runs make a baseline. */
  succeeded: boolean;
  durationSec: number;
  unitHours?: number;
  costUsd?: number;
  at: number;
}

export type SmokeVerdict = 'baseline' | 'passed' | 'degraded' | 'failed';

export interface SmokeResult {
  verdict: SmokeVerdict;
  durationSec: number;
  baselineSec?: number;
  /** (duration − baseline) / baseline × 100. */
  pctOver?: number;
  maxOverPct: number;
  baselineRuns: number;
  unitHours?: number;
  baselineUnitHours?: number;
  costUsd?: number;
  baselineCostUsd?: number;
  /** One sentence with the numbers. */
  summary: string;
}

/** How many earlier smoke runs of a sample make its baseline (the newest ones). */
export const SMOKE_BASELINE_RUNS = 10;

function med(xs: (number | undefined)[]): number | undefined {
  const v = xs.filter((x): x is number => x !== undefined && Number.isFinite(x));
  return v.length ? median(v) : undefined;
}

/**
 * The newest smoke run against the median of the earlier successful ones. A first run sets the
 * baseline; a failed run fails the gate whatever its time.
 */
export function judgeSmoke(earlier: readonly SmokeRun[], run: SmokeRun, maxOverPct: number): SmokeResult {
  const base = earlier
    .filter((r) => r.succeeded && r.runId !== run.runId)
    .sort((a, b) => b.at - a.at)
    .slice(0, SMOKE_BASELINE_RUNS);
  const baselineSec = med(base.map((r) => r.durationSec));
  const common = {
    durationSec: run.durationSec,
    maxOverPct,
    baselineRuns: base.length,
    ...(run.unitHours !== undefined ? { unitHours: run.unitHours } : {}),
    ...(run.costUsd !== undefined ? { costUsd: run.costUsd } : {}),
    ...(med(base.map((r) => r.unitHours)) !== undefined
      ? { baselineUnitHours: med(base.map((r) => r.unitHours))! }
      : {}),
    ...(med(base.map((r) => r.costUsd)) !== undefined
      ? { baselineCostUsd: med(base.map((r) => r.costUsd))! }
      : {}),
  };
  if (!run.succeeded)
    return { ...common, verdict: 'failed', summary: `the smoke run ${run.runId} did not succeed` };
  if (baselineSec === undefined || baselineSec <= 0)
    return {
      ...common,
      verdict: 'baseline',
      summary: `first smoke run of this sample: ${Math.round(run.durationSec)} s sets the baseline`,
    };
  const pctOver = ((run.durationSec - baselineSec) / baselineSec) * 100;
  const degraded = pctOver > maxOverPct;
  return {
    ...common,
    verdict: degraded ? 'degraded' : 'passed',
    baselineSec,
    pctOver,
    summary: `${Math.round(run.durationSec)} s against a baseline of ${Math.round(baselineSec)} s (median of ${base.length} earlier smoke run${base.length === 1 ? '' : 's'}): ${pctOver >= 0 ? '+' : ''}${pctOver.toFixed(1)}%, ${degraded ? 'over' : 'within'} the ${maxOverPct}% allowed`,
  };
}
