// Cost per run (runbook step 3 and "Cost controls": estimate cost per run). Glue bills DPU-hours per
// second with a minimum, at a standard or a Flex rate; the figures here follow REFERENCE.md.
import { runDurationSec, type RunRecord } from './run-record.js';

export interface Pricing {
  /** USD per DPU-hour, standard execution class. */
  glueDpuHourUsd: number;
  /** USD per DPU-hour, Flex execution class. */
  glueFlexDpuHourUsd: number;
}

/** DESIGN.md defaults (us-east-1 list prices). */
export const DEFAULT_PRICING: Readonly<Pricing> = Object.freeze({
  glueDpuHourUsd: 0.44,
  glueFlexDpuHourUsd: 0.29,
});

/**
 * DPUs per worker. R types are memory-optimised M-DPUs (same vCPU, twice the memory); they are
 * counted as DPUs here and priced at the configured DPU rate, which may understate them if AWS
 * prices M-DPUs differently in a region.
 */
export const DPU_PER_WORKER: Readonly<Record<string, number>> = Object.freeze({
  'G.025X': 0.25,
  'G.1X': 1,
  'G.2X': 2,
  'G.4X': 4,
  'G.8X': 8,
  'G.12X': 12,
  'G.16X': 16,
  'Z.2X': 2,
  'R.1X': 1,
  'R.2X': 2,
  'R.4X': 4,
  'R.8X': 8,
});

/** DPUs of one worker of this type, or 'unknown' rather than a guess. */
export function dpuPerWorker(workerType: string | undefined): number | 'unknown' {
  if (workerType === undefined) return 'unknown';
  return Object.hasOwn(DPU_PER_WORKER, workerType) ? (DPU_PER_WORKER[workerType] as number) : 'unknown';
}

/** Glue 2.0+ bills at least 1 minute; Glue 0.9 and 1.0 bill at least 10. */
export function minimumBilledSec(glueVersion: string | undefined): number {
  return glueVersion === '0.9' || glueVersion === '1.0' ? 600 : 60;
}

/** Where a run's DPU-hours came from. */
export type DpuHoursBasis = 'dpu-seconds' | 'workers' | 'max-capacity' | 'unknown';

export interface RunDpuHours {
  /** undefined when the basis is 'unknown'. */
  dpuHours: number | undefined;
  basis: DpuHoursBasis;
  /** DPUs the run held (workers × DPU per worker, or MaxCapacity); undefined with DPUSeconds or unknown. */
  dpus: number | undefined;
  /** Seconds billed after the minimum; undefined with DPUSeconds or unknown. */
  billedSec: number | undefined;
  /** Why the DPU-hours are unknown. */
  reason?: string;
}

/**
 * DPU-hours of a run: DPUSeconds/3600 when AWS reports it (Flex and auto-scaling runs, where the
 * worker count varies), else DPUs × max(duration, minimum)/3600. `durationSec` overrides the run's
 * own duration, which is how the cost "at baseline duration" is computed.
 */
export function runDpuHours(run: RunRecord, durationSec?: number): RunDpuHours {
  const actualSec = runDurationSec(run);
  const sec = durationSec ?? actualSec;
  if (run.dpuSeconds !== undefined && run.dpuSeconds >= 0) {
    // DPUSeconds is measured for the actual duration; scale it for a hypothetical one.
    const scale = durationSec === undefined || actualSec <= 0 ? 1 : sec / actualSec;
    return {
      dpuHours: (run.dpuSeconds * scale) / 3600,
      basis: 'dpu-seconds',
      dpus: undefined,
      billedSec: undefined,
    };
  }
  const billedSec = Math.max(sec, minimumBilledSec(run.glueVersion));
  const perWorker = dpuPerWorker(run.workerType);
  if (perWorker !== 'unknown' && run.numberOfWorkers !== undefined && run.numberOfWorkers > 0) {
    const dpus = run.numberOfWorkers * perWorker;
    return { dpuHours: (dpus * billedSec) / 3600, basis: 'workers', dpus, billedSec };
  }
  // MaxCapacity is what pre-worker-type jobs (and Python shell jobs) are sized by; Glue also reports
  // it for worker-type runs, so it rescues an unknown worker type.
  if (run.maxCapacity !== undefined && run.maxCapacity > 0) {
    return {
      dpuHours: (run.maxCapacity * billedSec) / 3600,
      basis: 'max-capacity',
      dpus: run.maxCapacity,
      billedSec,
    };
  }
  const reason =
    run.workerType !== undefined && perWorker === 'unknown'
      ? `unknown worker type "${run.workerType}"`
      : 'no worker type, worker count or MaxCapacity on the run';
  return { dpuHours: undefined, basis: 'unknown', dpus: undefined, billedSec: undefined, reason };
}

/** The configured rate for the run's execution class. */
export function dpuHourRate(run: Pick<RunRecord, 'executionClass'>, pricing: Pricing): number {
  return run.executionClass === 'FLEX' ? pricing.glueFlexDpuHourUsd : pricing.glueDpuHourUsd;
}

export interface RunCost extends RunDpuHours {
  /** undefined when DPU-hours are unknown. */
  costUsd: number | undefined;
  rateUsdPerDpuHour: number;
  executionClass: 'STANDARD' | 'FLEX';
}

export function runCost(run: RunRecord, pricing: Pricing = DEFAULT_PRICING, durationSec?: number): RunCost {
  const dpu = runDpuHours(run, durationSec);
  const rate = dpuHourRate(run, pricing);
  return {
    ...dpu,
    costUsd: dpu.dpuHours === undefined ? undefined : dpu.dpuHours * rate,
    rateUsdPerDpuHour: rate,
    executionClass: run.executionClass === 'FLEX' ? 'FLEX' : 'STANDARD',
  };
}

export interface DegradationExtraCost {
  /** What the degraded runs cost. */
  actualUsd: number;
  /** What they would have cost at the baseline duration. */
  atBaselineUsd: number;
  /** actualUsd − atBaselineUsd. */
  extraUsd: number;
  extraDpuHours: number;
  /** Runs included in the sums. */
  runsCounted: number;
  /** Run ids left out because their DPU-hours are unknown. */
  runsWithoutCost: string[];
}

/**
 * Extra cost of a degradation: the degraded runs' cost minus their cost at the baseline duration.
 * A run faster than the baseline adds nothing (never negative), so the figure is what the slowdown cost.
 */
export function degradationExtraCost(
  degradedRuns: readonly RunRecord[],
  baselineDurationSec: number,
  pricing: Pricing = DEFAULT_PRICING,
): DegradationExtraCost {
  let actualUsd = 0;
  let atBaselineUsd = 0;
  let extraDpuHours = 0;
  let runsCounted = 0;
  const runsWithoutCost: string[] = [];
  for (const run of degradedRuns) {
    const actual = runCost(run, pricing);
    const atBaseline = runCost(run, pricing, Math.min(baselineDurationSec, runDurationSec(run)));
    if (actual.costUsd === undefined || atBaseline.costUsd === undefined) {
      runsWithoutCost.push(run.id);
      continue;
    }
    runsCounted++;
    actualUsd += actual.costUsd;
    atBaselineUsd += atBaseline.costUsd;
    extraDpuHours += (actual.dpuHours ?? 0) - (atBaseline.dpuHours ?? 0);
  }
  return {
    actualUsd,
    atBaselineUsd,
    extraUsd: actualUsd - atBaselineUsd,
    extraDpuHours,
    runsCounted,
    runsWithoutCost,
  };
}
