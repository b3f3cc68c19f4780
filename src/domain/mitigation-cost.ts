// What a mitigation will cost, shown on its approval request before anyone approves it (runbook
// 5.4, "estimate cost per run"). Pure: the job's recent runs in, a sentence and the figures out.
//
// - A rerun (shuffle/skew tuning) costs about what the job's runs cost: their median.
// - A compaction is a run of the compaction job: its median cost per run.
// - Scaling costs, per run, the new size's units × the baseline duration × the rate of the job's
//   newest run (its billing: standard or Flex, the minimum billed time), through runCost, the same
//   formula as every report; the duration is the baseline's, since that is what a healthy run takes.
//   A persistent change is also said per month at the job's cadence.
// - A bookmark reset and a code fix start nothing: no cost now.
import type { MitigationParams } from './approval-policy.js';
import { runCadenceSec } from './budget.js';
import { runCost } from './cost.js';
import { evaluateDegradation, median, type DegradationRule } from './degradation.js';
import { formatDuration, formatNumber, formatUsd, plural } from './format.js';
import { runDurationSec, runStateClass, type RunRecord } from './run-record.js';

export interface CostImpact {
  /** One or two plain-text sentences (escaped where rendered). */
  summary: string;
  /** The expected cost of what will run (one run), when known. */
  expectedUsd?: number;
  /** For a scale: the job's median cost per run now, to compare. */
  currentPerRunUsd?: number;
}

export interface CostImpactInput {
  job: string;
  params: MitigationParams;
  /**
   * Recent runs of what will run: the job's own, or the compaction job's for a compaction. Empty
   * when they could not be read (`unreadable` says why).
   */
  runs: readonly RunRecord[];
  rule: DegradationRule;
  /** For a scale: the units the new size holds (the platform's own table); undefined when unknown. */
  newUnits?: number;
  /** Why the runs could not be read, when they could not. */
  unreadable?: string;
}

function completedCosts(runs: readonly RunRecord[]): number[] {
  return runs
    .filter((r) => runStateClass(r.state) !== 'in-progress')
    .map((r) => runCost(r).costUsd)
    .filter((c): c is number => c !== undefined);
}

/** Median cost per run of the completed, costed runs; undefined when there is none. */
export function medianRunCostUsd(runs: readonly RunRecord[]): number | undefined {
  const costs = completedCosts(runs);
  return costs.length ? median(costs) : undefined;
}

function workers(size: string | undefined, count: number | undefined): string {
  return count !== undefined ? `${count} × ${size ?? '?'}` : (size ?? 'the current size');
}

export function mitigationCostImpact(input: CostImpactInput): CostImpact {
  const { params: p, runs } = input;
  const unknown = (what: string): CostImpact => ({
    summary: `${what}: unknown — ${input.unreadable ?? 'no completed run with a known cost to go by'}.`,
  });
  const med = medianRunCostUsd(runs);
  const n = completedCosts(runs).length;
  switch (p.kind) {
    case 'code-fix':
      return { summary: 'No cost: nothing runs in the cloud; a follow-up is recorded.' };
    case 'bookmark-reset':
      return {
        summary: `No cost now: no run is started. The next run reprocesses from the bookmark, so it may take longer than usual${med !== undefined ? ` (runs cost ${formatUsd(med)} median)` : ''}.`,
      };
    case 'shuffle-tuning':
      if (med === undefined) return unknown('One rerun');
      return {
        summary: `One rerun: about ${formatUsd(med)} (median cost of the last ${plural(n, 'run')} of ${input.job}).`,
        expectedUsd: med,
      };
    case 'compaction':
      if (med === undefined) return unknown(`One run of ${p.compactionJob}`);
      return {
        summary: `One run of ${p.compactionJob}: about ${formatUsd(med)} (its median cost over the last ${plural(n, 'run')}).`,
        expectedUsd: med,
      };
    case 'scale':
      return scaleImpact(input, p, med);
    case 'recovery-rerun': {
      const from = p.step ? `from ${p.step}` : 'from the failed step';
      if (med === undefined) return unknown(`One rerun ${from}`);
      // The steps before the restart point do not run again: a full run's median is the ceiling.
      return {
        summary: `One rerun ${from}: at most about ${formatUsd(med)} (median cost of the last ${plural(n, 'run')} of ${input.job}; the steps before it are not run again).`,
        expectedUsd: med,
      };
    }
  }
}

function scaleImpact(
  input: CostImpactInput,
  p: Extract<MitigationParams, { kind: 'scale' }>,
  currentMedian: number | undefined,
): CostImpact {
  const target = workers(p.size, p.count);
  const what = p.persistent ? `Every later run at ${target}` : `One rerun at ${target}`;
  if (input.newUnits === undefined || !(input.newUnits > 0))
    return { summary: `${what}: unknown — the platform does not say how much capacity ${target} holds.` };
  const newest = [...input.runs]
    .sort((a, b) => b.startedOn.getTime() - a.startedOn.getTime())
    .find((r) => r.billing !== undefined);
  if (!newest?.billing)
    return {
      summary: `${what}: unknown — ${input.unreadable ?? 'no recent run says how the job is billed'}.`,
    };
  const verdict = evaluateDegradation(input.runs, input.rule);
  const succeeded = input.runs.filter((r) => r.state === 'succeeded').map(runDurationSec);
  const baselineSec = verdict.baselineDurationSec ?? (succeeded.length ? median(succeeded) : undefined);
  if (baselineSec === undefined || !(baselineSec > 0))
    return { summary: `${what}: unknown — no successful run to take a duration from.` };
  const unit = newest.capacity?.unit ?? 'unit';
  // The new size at the baseline duration, billed like the newest run (rate, minimum, fixed part).
  const atNewSize = runCost({
    id: 'planned',
    state: 'succeeded',
    startedOn: newest.startedOn,
    durationSec: baselineSec,
    capacity: { unit, units: input.newUnits },
    billing: {
      unitHourUsd: newest.billing.unitHourUsd,
      rateName: newest.billing.rateName,
      minimumSec: newest.billing.minimumSec,
      ...(newest.billing.fixedUsd !== undefined ? { fixedUsd: newest.billing.fixedUsd } : {}),
    },
  });
  const perRun = atNewSize.costUsd!;
  const basis = `${formatNumber(input.newUnits, 2)} ${unit} × ${formatDuration(baselineSec)} baseline × ${formatUsd(newest.billing.unitHourUsd)}/${unit}-h ${newest.billing.rateName}`;
  const now =
    currentMedian !== undefined
      ? `; runs now cost ${formatUsd(currentMedian)} median${p.fromCount !== undefined || p.fromSize ? ` at ${workers(p.fromSize, p.fromCount)}` : ''}`
      : '';
  let monthly = '';
  if (p.persistent && currentMedian !== undefined) {
    const cadence = runCadenceSec(input.runs);
    if (cadence !== undefined && cadence > 0) {
      const perMonth = ((perRun - currentMedian) * (30 * 86_400)) / cadence;
      monthly = ` About ${perMonth >= 0 ? '+' : '−'}${formatUsd(Math.abs(perMonth))} a month at the job's pace (a run every ${formatDuration(cadence)}).`;
    }
  }
  return {
    summary: `${what}: about ${formatUsd(perRun)} a run (${basis})${now}.${monthly}`,
    expectedUsd: perRun,
    ...(currentMedian !== undefined ? { currentPerRunUsd: currentMedian } : {}),
  };
}
