// Cost per run (runbook step 3 and "Cost controls": estimate cost per run), the same maths for every
// platform: a run held `capacity.units` of the platform's unit (DPU, vCore) for its billed time, at
// the rate its adapter put in `billing` (a Glue Flex run carries the Flex rate, a Synapse run the
// vCore-hour rate plus its activity runs). The platforms' own tables (DPUs per Glue worker type,
// minimum billed time per Glue version) live in their adapters.
import { runDurationSec, type RunRecord } from './run-record.js';

/** Where a run's usage came from: measured by the platform, capacity × billed time, or unknown. */
export type UsageBasis = 'measured' | 'capacity' | 'unknown';

export interface RunUsage {
  /** Unit-hours (DPU-hours, vCore-hours); undefined when the basis is 'unknown'. */
  unitHours: number | undefined;
  /** The unit's name ('DPU', 'vCore'); 'unit' when the run says nothing. */
  unit: string;
  basis: UsageBasis;
  /** Units the run held; undefined when measured or unknown. */
  units: number | undefined;
  /** Seconds billed after the minimum; undefined when measured or unknown. */
  billedSec: number | undefined;
  /** Why usage is unknown. */
  reason?: string;
}

/**
 * Usage of a run: the platform's measured unit-seconds when it reports them (Glue DPUSeconds for
 * Flex and auto-scaling runs, where the worker count varies), else units × max(duration,
 * minimum)/3600. `durationSec` overrides the run's own duration, which is how the cost "at baseline
 * duration" is computed.
 */
export function runUsage(run: RunRecord, durationSec?: number): RunUsage {
  const unit = run.capacity?.unit ?? 'unit';
  const actualSec = runDurationSec(run);
  const sec = durationSec ?? actualSec;
  const measured = run.billing?.measuredUnitSeconds;
  if (measured !== undefined && measured >= 0) {
    // Measured for the actual duration; scaled for a hypothetical one.
    const scale = durationSec === undefined || actualSec <= 0 ? 1 : sec / actualSec;
    return {
      unitHours: (measured * scale) / 3600,
      unit,
      basis: 'measured',
      units: undefined,
      billedSec: undefined,
    };
  }
  const units = run.capacity?.units;
  if (units !== undefined && units > 0) {
    const billedSec = Math.max(sec, run.billing?.minimumSec ?? 0);
    return { unitHours: (units * billedSec) / 3600, unit, basis: 'capacity', units, billedSec };
  }
  return {
    unitHours: undefined,
    unit,
    basis: 'unknown',
    units: undefined,
    billedSec: undefined,
    reason: run.billing?.unknownReason ?? 'the run reports no capacity',
  };
}

export interface RunCost extends RunUsage {
  /** undefined when usage is unknown or the run carries no rate. */
  costUsd: number | undefined;
  /** USD per unit-hour; undefined when the adapter gave no rate. */
  unitHourUsd: number | undefined;
  rateName: string | undefined;
}

export function runCost(run: RunRecord, durationSec?: number): RunCost {
  const usage = runUsage(run, durationSec);
  const b = run.billing;
  const costUsd =
    usage.unitHours === undefined || !b ? undefined : usage.unitHours * b.unitHourUsd + (b.fixedUsd ?? 0);
  return { ...usage, costUsd, unitHourUsd: b?.unitHourUsd, rateName: b?.rateName };
}

export interface DegradationExtraCost {
  /** What the degraded runs cost. */
  actualUsd: number;
  /** What they would have cost at the baseline duration. */
  atBaselineUsd: number;
  /** actualUsd − atBaselineUsd. */
  extraUsd: number;
  /** Extra unit-hours (DPU-hours, vCore-hours). */
  extraUnitHours: number;
  /** Runs included in the sums. */
  runsCounted: number;
  /** Run ids left out because their usage is unknown. */
  runsWithoutCost: string[];
}

/**
 * Extra cost of a degradation: the degraded runs' cost minus their cost at the baseline duration.
 * A run faster than the baseline adds nothing (never negative), so the figure is what the slowdown cost.
 */
export function degradationExtraCost(
  degradedRuns: readonly RunRecord[],
  baselineDurationSec: number,
): DegradationExtraCost {
  let actualUsd = 0;
  let atBaselineUsd = 0;
  let extraUnitHours = 0;
  let runsCounted = 0;
  const runsWithoutCost: string[] = [];
  for (const run of degradedRuns) {
    const actual = runCost(run);
    const atBaseline = runCost(run, Math.min(baselineDurationSec, runDurationSec(run)));
    if (actual.costUsd === undefined || atBaseline.costUsd === undefined) {
      runsWithoutCost.push(run.id);
      continue;
    }
    runsCounted++;
    actualUsd += actual.costUsd;
    atBaselineUsd += atBaseline.costUsd;
    extraUnitHours += (actual.unitHours ?? 0) - (atBaseline.unitHours ?? 0);
  }
  return {
    actualUsd,
    atBaselineUsd,
    extraUsd: actualUsd - atBaselineUsd,
    extraUnitHours,
    runsCounted,
    runsWithoutCost,
  };
}
