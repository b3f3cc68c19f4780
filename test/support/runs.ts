// Runs for unit tests, written the way a Glue run reads (state, ExecutionTime, workers), turned
// into the neutral run the domain takes by the Glue adapter's own mapping (toJobRun): the same
// capacity, pricing and links a real GetJobRuns answer would get.
import type { JobRun } from '../../src/providers/ports.js';
import { toJobRun } from '../../src/providers/aws/glue-platform.js';
import { DEFAULT_GLUE_PRICING, type GluePricing } from '../../src/providers/aws/glue-capacity.js';

export type GlueState =
  | 'STARTING'
  | 'RUNNING'
  | 'STOPPING'
  | 'STOPPED'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'TIMEOUT'
  | 'ERROR'
  | 'WAITING'
  | 'EXPIRED';

export interface GlueLikeRun {
  id: string;
  state: GlueState;
  startedOn: Date;
  completedOn?: Date;
  executionTimeSec: number;
  errorMessage?: string;
  workerType?: string;
  numberOfWorkers?: number;
  maxCapacity?: number;
  dpuSeconds?: number;
  executionClass?: 'STANDARD' | 'FLEX';
  glueVersion?: string;
  arguments?: Record<string, string>;
  jobName?: string;
}

export interface GlueRunOptions {
  pricing?: GluePricing;
  /** Give the run console and log links in this region, as the adapter does. */
  region?: string;
}

/** The JobRun the Glue adapter makes of this run (parameters named without `--`). */
export function glueRun(r: GlueLikeRun, opts: GlueRunOptions = {}): JobRun {
  const raw = {
    Id: r.id,
    JobName: r.jobName,
    JobRunState: r.state,
    StartedOn: r.startedOn,
    CompletedOn: r.completedOn,
    ExecutionTime: r.executionTimeSec,
    ErrorMessage: r.errorMessage,
    WorkerType: r.workerType,
    NumberOfWorkers: r.numberOfWorkers,
    MaxCapacity: r.maxCapacity,
    DPUSeconds: r.dpuSeconds,
    ExecutionClass: r.executionClass,
    GlueVersion: r.glueVersion,
    Arguments: r.arguments,
  };
  return toJobRun(
    r.jobName ?? 'MyJob',
    raw,
    opts.pricing ?? DEFAULT_GLUE_PRICING,
    opts.region ? { region: opts.region } : undefined,
  );
}
