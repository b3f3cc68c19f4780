// `/cost <job | tag=value> [--days N]`, pure: where the money went over a window — cost and
// unit-hours, cost per run and its trend, what degraded runs cost beyond their baseline, the share
// spent on failed runs (money that produced nothing), cost per day, and the jobs of a tag by cost.
// Every figure is runCost's, so the report, the triage and the budgets agree to the cent.
//
// Decisions worth knowing:
// - The window is the last N UTC calendar days, today included (so a chart has N bars; today is
//   partial). A run belongs to the day it started.
// - Completed runs are costed whatever their outcome: a failed or stopped run was billed. Runs in
//   progress are counted apart (no final cost yet).
// - The degradation's extra cost is judged run by run as the triage would have at the time: each
//   successful run against the median duration of the `baselineRuns` successful runs before it
//   (runs before the window count as history), over the threshold → its cost minus its cost at
//   the baseline duration (degradationExtraCost). A lasting slowdown slowly becomes the baseline,
//   as it does for the triage.
// - The trend compares the median cost per run of the window's older half of runs with its newer
//   half (at least two runs in each).
import { degradationExtraCost, runCost } from './cost.js';
import { isOverThreshold, median, resolveRule, type DegradationRule } from './degradation.js';
import { isoDay } from './format.js';
import { runDurationSec, runStateClass, type RunRecord } from './run-record.js';

export const DAY_MS = 86_400_000;

export interface CostReportJob {
  job: string;
  /** Its runs, any order; runs before the window serve as the degradation's history. */
  runs: readonly RunRecord[];
  rule: DegradationRule;
}

export interface CostDay {
  /** YYYY-MM-DD (UTC) */
  day: string;
  usd: number;
  /** Of which failed (failed or timed out) runs. */
  failedUsd: number;
  runs: number;
}

export interface JobCostLine {
  job: string;
  usd: number;
  runs: number;
  unitHours: number;
  /** usd ÷ the report's total (0–1). */
  share: number;
  failedUsd: number;
  extraUsd: number;
}

export interface CostReport {
  /** First instant of the window (UTC midnight) and its end (now). */
  from: number;
  to: number;
  days: number;
  /** The capacity unit ('DPU'); 'unit' when runs say nothing, 'units' when jobs differ. */
  unit: string;
  /** Completed runs in the window. */
  runs: number;
  runsInProgress: number;
  /** Completed runs whose cost is unknown (no capacity or rate): left out of every sum. */
  runsWithoutCost: number;
  totalUsd: number;
  unitHours: number;
  costPerRun: {
    medianUsd: number | undefined;
    /** Newer half's median against the older half's, in %; undefined with under 4 costed runs. */
    trendPct: number | undefined;
    earlierMedianUsd: number | undefined;
    laterMedianUsd: number | undefined;
  };
  degradation: { extraUsd: number; extraUnitHours: number; runs: number };
  failed: { usd: number; runs: number; share: number };
  perDay: CostDay[];
  /** Every job with runs in the window, the costliest first. */
  jobs: JobCostLine[];
  /** Start of the oldest run in the window, when any. */
  oldestRunAt: number | undefined;
}

/** Midnight UTC of the day holding `at`. */
export function utcMidnight(at: number): number {
  return Math.floor(at / DAY_MS) * DAY_MS;
}

/** The window's first instant: midnight UTC, `days − 1` days before today's. */
export function windowStart(now: number, days: number): number {
  return utcMidnight(now) - (Math.max(1, Math.floor(days)) - 1) * DAY_MS;
}

/** Extra cost of each degraded run, judged against the successful runs before it. */
export function degradedRunsExtraCost(
  runs: readonly RunRecord[],
  rule: DegradationRule,
  from: number,
): Map<string, { extraUsd: number; extraUnitHours: number }> {
  const r = resolveRule(rule);
  const out = new Map<string, { extraUsd: number; extraUnitHours: number }>();
  const oldestFirst = [...runs].sort((a, b) => a.startedOn.getTime() - b.startedOn.getTime());
  const history: number[] = [];
  for (const run of oldestFirst) {
    if (run.state !== 'succeeded') continue;
    const dur = runDurationSec(run);
    if (run.startedOn.getTime() >= from && history.length >= r.minBaselineRuns) {
      const baseline = median(history.slice(-r.baselineRuns));
      if (baseline > 0 && isOverThreshold(dur, baseline, r.thresholdPct)) {
        const extra = degradationExtraCost([run], baseline);
        if (extra.runsCounted === 1)
          out.set(run.id, { extraUsd: extra.extraUsd, extraUnitHours: extra.extraUnitHours });
      }
    }
    history.push(dur);
  }
  return out;
}

export function costReport(input: { days: number; now: number; jobs: readonly CostReportJob[] }): CostReport {
  const { now } = input;
  const days = Math.max(1, Math.floor(input.days));
  const from = windowStart(now, days);
  const perDay = new Map<string, CostDay>();
  for (let d = 0; d < days; d++) {
    const day = isoDay(from + d * DAY_MS);
    perDay.set(day, { day, usd: 0, failedUsd: 0, runs: 0 });
  }
  const units = new Set<string>();
  const costed: { at: number; usd: number }[] = [];
  const jobs: JobCostLine[] = [];
  let runs = 0;
  let runsInProgress = 0;
  let runsWithoutCost = 0;
  let totalUsd = 0;
  let unitHours = 0;
  let failedUsd = 0;
  let failedRuns = 0;
  let extraUsd = 0;
  let extraUnitHours = 0;
  let degradedRuns = 0;
  let oldestRunAt: number | undefined;

  for (const j of input.jobs) {
    const extra = degradedRunsExtraCost(j.runs, j.rule, from);
    const line: JobCostLine = {
      job: j.job,
      usd: 0,
      runs: 0,
      unitHours: 0,
      share: 0,
      failedUsd: 0,
      extraUsd: 0,
    };
    for (const run of j.runs) {
      const at = run.startedOn.getTime();
      if (at < from || at > now) continue;
      if (run.capacity?.unit) units.add(run.capacity.unit);
      oldestRunAt = oldestRunAt === undefined ? at : Math.min(oldestRunAt, at);
      const cls = runStateClass(run.state);
      if (cls === 'in-progress') {
        runsInProgress++;
        continue;
      }
      runs++;
      line.runs++;
      const c = runCost(run);
      if (c.costUsd === undefined) {
        runsWithoutCost++;
        continue;
      }
      totalUsd += c.costUsd;
      unitHours += c.unitHours ?? 0;
      line.usd += c.costUsd;
      line.unitHours += c.unitHours ?? 0;
      costed.push({ at, usd: c.costUsd });
      const day = perDay.get(isoDay(at));
      if (day) {
        day.usd += c.costUsd;
        day.runs++;
      }
      if (cls === 'failed') {
        failedUsd += c.costUsd;
        failedRuns++;
        line.failedUsd += c.costUsd;
        if (day) day.failedUsd += c.costUsd;
      }
      const x = extra.get(run.id);
      if (x) {
        extraUsd += x.extraUsd;
        extraUnitHours += x.extraUnitHours;
        line.extraUsd += x.extraUsd;
        degradedRuns++;
      }
    }
    if (line.runs > 0) jobs.push(line);
  }
  for (const l of jobs) l.share = totalUsd > 0 ? l.usd / totalUsd : 0;
  jobs.sort((a, b) => b.usd - a.usd || (a.job < b.job ? -1 : a.job > b.job ? 1 : 0));

  costed.sort((a, b) => a.at - b.at);
  const all = costed.map((c) => c.usd);
  const half = Math.floor(all.length / 2);
  const earlier = all.length >= 4 ? median(all.slice(0, half)) : undefined;
  const later = all.length >= 4 ? median(all.slice(all.length - half)) : undefined;
  const trendPct =
    earlier !== undefined && later !== undefined && earlier > 0
      ? ((later - earlier) / earlier) * 100
      : undefined;

  return {
    from,
    to: now,
    days,
    unit: units.size === 0 ? 'unit' : units.size === 1 ? [...units][0]! : 'units',
    runs,
    runsInProgress,
    runsWithoutCost,
    totalUsd,
    unitHours,
    costPerRun: {
      medianUsd: all.length ? median(all) : undefined,
      trendPct,
      earlierMedianUsd: earlier,
      laterMedianUsd: later,
    },
    degradation: { extraUsd, extraUnitHours, runs: degradedRuns },
    failed: { usd: failedUsd, runs: failedRuns, share: totalUsd > 0 ? failedUsd / totalUsd : 0 },
    perDay: [...perDay.values()],
    jobs,
    oldestRunAt,
  };
}
