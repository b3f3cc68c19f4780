// The runbook's alert rule: "Duración del job aumenta > X% respecto al baseline en N runs
// consecutivos", plus "aumento de errores o fallos intermitentes".
//
// How runs are treated (see runStateClass):
// - The recent window is the newest `consecutiveRuns` COMPLETED runs (succeeded or failed).
//   In-progress runs (STARTING, RUNNING, WAITING, STOPPING) have no final duration, and stopped or
//   expired runs say nothing about the job's code or data, so both are left out of the rule and
//   reported apart (inProgressRuns, stoppedRuns) — a run still going never hides a finished one.
// - FAILING when failed runs (FAILED, TIMEOUT, ERROR) are more than half of the window. Checked first
//   and without a baseline: a new job that keeps failing is failing, not "insufficient history".
// - The baseline is the median duration of the newest `baselineRuns` successful runs older than the
//   window; the median so one outlier in history does not move it.
// - DEGRADED when every successful run of a full window is more than thresholdPct over the baseline.
//   A failed run inside the window does not break the streak (an intermittent failure is itself a
//   symptom of the runbook's alert) but is not counted as degraded either; its duration is not
//   comparable.
// - INSUFFICIENT_HISTORY when the window is not full or fewer than `minBaselineRuns` successful runs
//   precede it; the verdict says how many were found and needed.
import { degradationExtraCost, runCost, type DegradationExtraCost, type UsageBasis } from './cost.js';
import { formatDuration, formatPct, plural } from './format.js';
import { redactSecrets } from './redact.js';
import {
  runDurationSec,
  runStateClass,
  sortNewestFirst,
  stateLabel,
  type RunLinks,
  type RunRecord,
  type RunState,
  type RunStateClass,
} from './run-record.js';

export type Verdict = 'DEGRADED' | 'FAILING' | 'HEALTHY' | 'INSUFFICIENT_HISTORY';

export interface DegradationRule {
  /** X: a run is degraded when its duration is more than X% over the baseline. */
  thresholdPct: number;
  /** N: consecutive completed runs that must all be over. */
  consecutiveRuns: number;
  /** Successful runs before the window whose median is the baseline. */
  baselineRuns: number;
  /** Fewest successful baseline runs to trust a median; default ceil(baselineRuns / 2). */
  minBaselineRuns?: number;
}

/** DESIGN.md defaults. */
export const DEFAULT_DEGRADATION_RULE: Readonly<DegradationRule> = Object.freeze({
  thresholdPct: 30,
  consecutiveRuns: 3,
  baselineRuns: 10,
});

export type DegradationOptions = DegradationRule;

/** Where a run sits for the rule. */
export type RunRole = 'recent' | 'baseline' | 'older' | 'excluded';

export interface RunFigures {
  id: string;
  state: RunState;
  /** The platform's own state name, for display. */
  stateLabel: string;
  stateClass: RunStateClass;
  role: RunRole;
  startedOn: Date;
  durationSec: number;
  /** Unit-hours of the platform's capacity unit (DPU-hours, vCore-hours). */
  unitHours: number | undefined;
  costUsd: number | undefined;
  costBasis: UsageBasis;
  /** (duration − baseline) / baseline × 100; undefined without a baseline. */
  pctOverBaseline: number | undefined;
  /** Successful and more than thresholdPct over the baseline. */
  overThreshold: boolean;
  /** Redacted. */
  errorMessage?: string;
  links?: RunLinks;
}

export interface DegradationVerdict {
  verdict: Verdict;
  /** One plain sentence with the numbers behind the verdict. */
  summary: string;
  rule: Required<DegradationRule>;
  baselineDurationSec: number | undefined;
  /** baseline × (1 + X/100): a run must take longer than this to count as degraded. */
  thresholdDurationSec: number | undefined;
  baselineRunIds: string[];
  /** The window: newest completed runs, newest first. */
  recentRunIds: string[];
  /** Successful window runs more than X% over the baseline (whatever the verdict). */
  degradedRuns: string[];
  /** Failed, timed-out or errored window runs. */
  failedRuns: string[];
  /** degradedRuns and failedRuns, in window order: the runbook's "run_id problemáticos". */
  problematicRunIds: string[];
  inProgressRuns: string[];
  stoppedRuns: string[];
  /** How far the window's successful runs are over the baseline, in %. */
  overBaseline: { minPct: number; medianPct: number; maxPct: number } | undefined;
  recentMedianDurationSec: number | undefined;
  /** recent median ÷ baseline. */
  durationRatio: number | undefined;
  /** Median unit-hours per run (DPU-hours, vCore-hours): the runbook's "incremento en DPUs". */
  usage: { unit: string; baselineMedian: number | undefined; recentMedian: number | undefined };
  failureShare: { failed: number; considered: number };
  history: {
    runsFound: number;
    completedRunsFound: number;
    successfulBaselineRunsFound: number;
    completedRunsNeeded: number;
    baselineRunsNeeded: number;
  };
  /** Start of the oldest window run: where a degradation began at the latest. */
  windowStartedOn: Date | undefined;
  /** Start of the newest baseline run: the last run that was still "normal". */
  lastBaselineRunStartedOn: Date | undefined;
  /** Extra cost of the degraded runs over their cost at baseline duration. */
  extraCost: DegradationExtraCost | undefined;
  /** Every run given, newest first. */
  runs: RunFigures[];
}

/** Median of a non-empty list; the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Fills defaults and rejects rules that cannot be evaluated. */
export function resolveRule(rule: DegradationRule): Required<DegradationRule> {
  const { thresholdPct, consecutiveRuns, baselineRuns } = rule;
  if (!Number.isFinite(thresholdPct) || thresholdPct < 0) {
    throw new RangeError(`thresholdPct must be a number ≥ 0, got ${thresholdPct}`);
  }
  if (!Number.isInteger(consecutiveRuns) || consecutiveRuns < 1) {
    throw new RangeError(`consecutiveRuns must be an integer ≥ 1, got ${consecutiveRuns}`);
  }
  if (!Number.isInteger(baselineRuns) || baselineRuns < 1) {
    throw new RangeError(`baselineRuns must be an integer ≥ 1, got ${baselineRuns}`);
  }
  const minBaselineRuns = rule.minBaselineRuns ?? Math.ceil(baselineRuns / 2);
  if (!Number.isInteger(minBaselineRuns) || minBaselineRuns < 1 || minBaselineRuns > baselineRuns) {
    throw new RangeError(`minBaselineRuns must be an integer in 1..baselineRuns, got ${minBaselineRuns}`);
  }
  return { thresholdPct, consecutiveRuns, baselineRuns, minBaselineRuns };
}

/**
 * `duration > baseline × (1 + X/100)`, written as a cross-multiplication so integer durations and
 * thresholds compare exactly (no rounding flips a run sitting on the threshold).
 */
export function isOverThreshold(durationSec: number, baselineSec: number, thresholdPct: number): boolean {
  return durationSec * 100 > baselineSec * (100 + thresholdPct);
}

/** Applies the rule to runs (newest first; re-sorted defensively by start time). Pure. */
export function evaluateDegradation(
  runs: readonly RunRecord[],
  options: DegradationOptions,
): DegradationVerdict {
  const rule = resolveRule(options);
  const ordered = sortNewestFirst(runs);

  const inProgressRuns: string[] = [];
  const stoppedRuns: string[] = [];
  const completed: RunRecord[] = [];
  for (const run of ordered) {
    const cls = runStateClass(run.state);
    if (cls === 'in-progress') inProgressRuns.push(run.id);
    else if (cls === 'stopped') stoppedRuns.push(run.id);
    else completed.push(run);
  }

  const window = completed.slice(0, rule.consecutiveRuns);
  const baselineCandidates = completed.slice(window.length).filter((r) => r.state === 'succeeded');
  const baselineSet = baselineCandidates.slice(0, rule.baselineRuns);
  const baselineDurationSec = baselineSet.length > 0 ? median(baselineSet.map(runDurationSec)) : undefined;

  const windowSucceeded = window.filter((r) => r.state === 'succeeded');
  const windowFailed = window.filter((r) => runStateClass(r.state) === 'failed');
  const over = (r: RunRecord): boolean =>
    r.state === 'succeeded' &&
    baselineDurationSec !== undefined &&
    baselineDurationSec > 0 &&
    isOverThreshold(runDurationSec(r), baselineDurationSec, rule.thresholdPct);
  const degradedRecords = windowSucceeded.filter(over);

  const windowFull = window.length === rule.consecutiveRuns;
  const baselineEnough = baselineSet.length >= rule.minBaselineRuns && (baselineDurationSec ?? 0) > 0;
  // "Dominate" = strict majority of the window size asked for, so 2 failures out of 3 runs is failing
  // even when only 2 runs exist yet.
  const failing = windowFailed.length * 2 > rule.consecutiveRuns;

  let verdict: Verdict;
  if (failing) verdict = 'FAILING';
  else if (!windowFull || !baselineEnough) verdict = 'INSUFFICIENT_HISTORY';
  else if (windowSucceeded.length > 0 && degradedRecords.length === windowSucceeded.length)
    verdict = 'DEGRADED';
  else verdict = 'HEALTHY';

  const pctOf = (r: RunRecord): number | undefined =>
    baselineDurationSec !== undefined && baselineDurationSec > 0
      ? ((runDurationSec(r) - baselineDurationSec) / baselineDurationSec) * 100
      : undefined;
  const successPcts = windowSucceeded.map(pctOf).filter((p): p is number => p !== undefined);
  const overBaseline =
    successPcts.length > 0
      ? { minPct: Math.min(...successPcts), medianPct: median(successPcts), maxPct: Math.max(...successPcts) }
      : undefined;
  const recentMedianDurationSec =
    windowSucceeded.length > 0 ? median(windowSucceeded.map(runDurationSec)) : undefined;
  const durationRatio =
    recentMedianDurationSec !== undefined && baselineDurationSec !== undefined && baselineDurationSec > 0
      ? recentMedianDurationSec / baselineDurationSec
      : undefined;

  const roleOf = new Map<string, RunRole>();
  for (const r of window) roleOf.set(r.id, 'recent');
  for (const r of baselineSet) if (!roleOf.has(r.id)) roleOf.set(r.id, 'baseline');
  const figures: RunFigures[] = ordered.map((r) => {
    const cls = runStateClass(r.state);
    const cost = runCost(r);
    const role: RunRole =
      roleOf.get(r.id) ?? (cls === 'in-progress' || cls === 'stopped' ? 'excluded' : 'older');
    return {
      id: r.id,
      state: r.state,
      stateLabel: stateLabel(r),
      stateClass: cls,
      role,
      startedOn: r.startedOn,
      durationSec: runDurationSec(r),
      unitHours: cost.unitHours,
      costUsd: cost.costUsd,
      costBasis: cost.basis,
      pctOverBaseline: cls === 'in-progress' ? undefined : pctOf(r),
      overThreshold: role === 'recent' && over(r),
      // Platform error messages can quote connection strings and arguments.
      ...(r.errorMessage !== undefined ? { errorMessage: redactSecrets(r.errorMessage) } : {}),
      ...(r.links ? { links: r.links } : {}),
    };
  });
  const figureById = new Map(figures.map((f) => [f.id, f]));
  const medianUsage = (rs: RunRecord[]): number | undefined => {
    const xs = rs.map((r) => figureById.get(r.id)?.unitHours).filter((x): x is number => x !== undefined);
    return xs.length > 0 ? median(xs) : undefined;
  };

  const degradedRuns = degradedRecords.map((r) => r.id);
  const failedRuns = windowFailed.map((r) => r.id);
  const problematic = new Set([...degradedRuns, ...failedRuns]);
  const completedRunsNeeded = rule.consecutiveRuns + rule.minBaselineRuns;

  const result: DegradationVerdict = {
    verdict,
    summary: '',
    rule,
    baselineDurationSec,
    thresholdDurationSec:
      baselineDurationSec !== undefined ? (baselineDurationSec * (100 + rule.thresholdPct)) / 100 : undefined,
    baselineRunIds: baselineSet.map((r) => r.id),
    recentRunIds: window.map((r) => r.id),
    degradedRuns,
    failedRuns,
    problematicRunIds: window.filter((r) => problematic.has(r.id)).map((r) => r.id),
    inProgressRuns,
    stoppedRuns,
    overBaseline,
    recentMedianDurationSec,
    durationRatio,
    usage: {
      unit: ordered.find((r) => r.capacity)?.capacity?.unit ?? 'unit',
      baselineMedian: medianUsage(baselineSet),
      recentMedian: medianUsage(windowSucceeded),
    },
    failureShare: { failed: windowFailed.length, considered: window.length },
    history: {
      runsFound: ordered.length,
      completedRunsFound: completed.length,
      successfulBaselineRunsFound: baselineSet.length,
      completedRunsNeeded,
      baselineRunsNeeded: rule.minBaselineRuns,
    },
    windowStartedOn: window.length > 0 ? window[window.length - 1]?.startedOn : undefined,
    lastBaselineRunStartedOn: baselineSet[0]?.startedOn,
    extraCost:
      baselineDurationSec !== undefined && degradedRecords.length > 0
        ? degradationExtraCost(degradedRecords, baselineDurationSec)
        : undefined,
    runs: figures,
  };
  result.summary = summarize(result);
  return result;
}

function summarize(v: DegradationVerdict): string {
  const { rule } = v;
  const baselineText =
    v.baselineDurationSec !== undefined
      ? `the baseline of ${formatDuration(v.baselineDurationSec)} (median of ${plural(v.baselineRunIds.length, 'successful run')})`
      : 'no baseline';
  const inProgress =
    v.inProgressRuns.length > 0
      ? ` ${plural(v.inProgressRuns.length, 'run')} still in progress, not counted.`
      : '';
  switch (v.verdict) {
    case 'FAILING':
      return `FAILING: ${v.failureShare.failed} of the last ${plural(v.failureShare.considered, 'completed run')} failed, timed out or errored.${inProgress}`;
    case 'INSUFFICIENT_HISTORY':
      return (
        `INSUFFICIENT HISTORY: found ${plural(v.history.completedRunsFound, 'completed run')} ` +
        `(${plural(v.history.successfulBaselineRunsFound, 'successful run')} before the last ${rule.consecutiveRuns}); ` +
        `the rule needs at least ${v.history.completedRunsNeeded}: ${rule.consecutiveRuns} recent and ` +
        `${v.history.baselineRunsNeeded} successful before them.${inProgress}`
      );
    case 'DEGRADED': {
      const o = v.overBaseline;
      const range = o
        ? `${formatPct(o.minPct)}–${formatPct(o.maxPct)} (median ${formatPct(o.medianPct)})`
        : '';
      return `DEGRADED: each of the last ${plural(v.recentRunIds.length, 'completed run')} took more than ${rule.thresholdPct}% over ${baselineText}: ${range} over.${inProgress}`;
    }
    case 'HEALTHY': {
      const over = v.degradedRuns.length;
      return `HEALTHY: ${over} of the last ${plural(v.recentRunIds.length, 'completed run')} ${over === 1 ? 'was' : 'were'} more than ${rule.thresholdPct}% over ${baselineText}; all ${v.recentRunIds.length} must be to count as degraded.${inProgress}`;
    }
  }
}

/** Median cost of the runs in one role (the window or the baseline); undefined when none is known. */
export function medianCostUsd(verdict: Pick<DegradationVerdict, 'runs'>, role: RunRole): number | undefined {
  const costs = verdict.runs
    .filter((r) => r.role === role && r.costUsd !== undefined)
    .map((r) => r.costUsd as number);
  return costs.length ? median(costs) : undefined;
}
