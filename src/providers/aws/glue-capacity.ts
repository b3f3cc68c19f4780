// What a Glue run held and how Glue bills it (REFERENCE.md): DPUs per worker type, the minimum
// billed time per Glue version, the standard and Flex DPU-hour rates. The core's cost maths is the
// same for every platform (domain/cost.ts); this is where Glue's own tables live.
import type { Billing, Capacity } from '../ports.js';

export interface GluePricing {
  /** USD per DPU-hour, standard execution class. */
  glueDpuHourUsd: number;
  /** USD per DPU-hour, Flex execution class. */
  glueFlexDpuHourUsd: number;
}

/** DESIGN.md defaults (us-east-1 list prices). */
export const DEFAULT_GLUE_PRICING: Readonly<GluePricing> = Object.freeze({
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

/** Worker types the scale mitigation offers, smallest first within each family. */
export const WORKER_TYPES: readonly string[] = [
  'G.025X',
  'G.1X',
  'G.2X',
  'G.4X',
  'G.8X',
  'G.12X',
  'G.16X',
  'R.1X',
  'R.2X',
  'R.4X',
  'R.8X',
  'Z.2X',
];

/** Glue's largest NumberOfWorkers for a run. */
export const MAX_WORKERS = 299;

/** DPUs of one worker of this type, or 'unknown' rather than a guess. */
export function dpuPerWorker(workerType: string | undefined): number | 'unknown' {
  if (workerType === undefined) return 'unknown';
  return Object.hasOwn(DPU_PER_WORKER, workerType) ? (DPU_PER_WORKER[workerType] as number) : 'unknown';
}

/** Glue 2.0+ bills at least 1 minute; Glue 0.9 and 1.0 bill at least 10. */
export function minimumBilledSec(glueVersion: string | undefined): number {
  return glueVersion === '0.9' || glueVersion === '1.0' ? 600 : 60;
}

export interface GlueSizing {
  workerType?: string;
  numberOfWorkers?: number;
  maxCapacity?: number;
  glueVersion?: string;
  executionClass?: 'STANDARD' | 'FLEX';
}

/** vCPUs of one worker: 4 per DPU, but G.025X has 2. */
export function coresPerWorker(workerType: string | undefined): number | undefined {
  if (workerType === 'G.025X') return 2;
  const dpu = dpuPerWorker(workerType);
  return dpu === 'unknown' ? undefined : dpu * 4;
}

/** "10 × G.1X", or the MaxCapacity of pre-worker-type jobs. */
export function workerShape(s: GlueSizing): string | undefined {
  if (s.workerType && s.numberOfWorkers) return `${s.numberOfWorkers} × ${s.workerType}`;
  if (s.workerType) return s.workerType;
  if (s.maxCapacity !== undefined) return `MaxCapacity ${s.maxCapacity}`;
  return undefined;
}

/**
 * DPUs held: workers × DPU per worker; else MaxCapacity, which pre-worker-type jobs (and Python
 * shell jobs) are sized by — Glue also reports it for worker-type runs, so it rescues an unknown
 * worker type.
 */
export function glueCapacity(s: GlueSizing): Capacity {
  const perWorker = dpuPerWorker(s.workerType);
  const units =
    perWorker !== 'unknown' && s.numberOfWorkers !== undefined && s.numberOfWorkers > 0
      ? s.numberOfWorkers * perWorker
      : s.maxCapacity !== undefined && s.maxCapacity > 0
        ? s.maxCapacity
        : undefined;
  const shape = workerShape(s);
  return {
    unit: 'DPU',
    ...(units !== undefined ? { units } : {}),
    ...(shape ? { shape } : {}),
    ...(s.workerType ? { size: s.workerType } : {}),
    ...(s.numberOfWorkers !== undefined ? { count: s.numberOfWorkers } : {}),
    // Glue runs one executor per worker but the one that holds the driver.
    ...(s.numberOfWorkers !== undefined && s.numberOfWorkers > 1 ? { executors: s.numberOfWorkers - 1 } : {}),
    ...(coresPerWorker(s.workerType) !== undefined
      ? { coresPerExecutor: coresPerWorker(s.workerType)! }
      : {}),

    ...(s.glueVersion ? { runtime: `Glue ${s.glueVersion}` } : {}),
    ...(s.executionClass ? { tier: s.executionClass } : {}),
  };
}

/** The run's rate (standard or Flex), minimum and, for Flex and auto-scaling runs, measured DPU-seconds. */
export function glueBilling(s: GlueSizing & { dpuSeconds?: number }, pricing: GluePricing): Billing {
  const flex = s.executionClass === 'FLEX';
  const perWorker = dpuPerWorker(s.workerType);
  const unknownReason =
    s.workerType !== undefined && perWorker === 'unknown'
      ? `unknown worker type "${s.workerType}"`
      : 'no worker type, worker count or MaxCapacity on the run';
  return {
    unitHourUsd: flex ? pricing.glueFlexDpuHourUsd : pricing.glueDpuHourUsd,
    rateName: flex ? 'Flex' : 'standard',
    minimumSec: minimumBilledSec(s.glueVersion),
    ...(s.dpuSeconds !== undefined && s.dpuSeconds >= 0 ? { measuredUnitSeconds: s.dpuSeconds } : {}),
    unknownReason,
  };
}
