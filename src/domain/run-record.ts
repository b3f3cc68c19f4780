// The domain's own view of a job run. It is a structural subset of providers' JobRun, so a JobRun[]
// from any adapter can be passed straight in, without domain/ importing the ports.

export type RunState =
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

export type ExecutionClass = 'STANDARD' | 'FLEX';

export interface RunRecord {
  id: string;
  jobName?: string;
  attempt?: number;
  state: RunState;
  startedOn: Date;
  completedOn?: Date;
  /** Seconds the run was executing (Glue ExecutionTime). */
  executionTimeSec: number;
  errorMessage?: string;
  workerType?: string;
  numberOfWorkers?: number;
  maxCapacity?: number;
  /** Only for Flex or auto-scaling runs. */
  dpuSeconds?: number;
  executionClass?: ExecutionClass;
  glueVersion?: string;
  arguments?: Record<string, string>;
}

/**
 * How the degradation rule treats a state:
 * - succeeded: the only runs whose duration says something about performance;
 * - failed: FAILED, TIMEOUT, ERROR — the runbook's "errores o fallos";
 * - in-progress: STARTING, RUNNING, WAITING, STOPPING — no final duration yet, reported only;
 * - stopped: STOPPED (someone stopped it) and EXPIRED (a queued run that never started) — neither a
 *   duration nor a failure of the job's code, reported only.
 */
export type RunStateClass = 'succeeded' | 'failed' | 'in-progress' | 'stopped';

export function runStateClass(state: RunState): RunStateClass {
  switch (state) {
    case 'SUCCEEDED':
      return 'succeeded';
    case 'FAILED':
    case 'TIMEOUT':
    case 'ERROR':
      return 'failed';
    case 'STARTING':
    case 'RUNNING':
    case 'WAITING':
    case 'STOPPING':
      return 'in-progress';
    case 'STOPPED':
    case 'EXPIRED':
      return 'stopped';
  }
}

/**
 * Duration in seconds: Glue's ExecutionTime, which is what Glue bills. When an adapter could not
 * fill it (0) but both timestamps exist, the wall-clock time is the best remaining estimate.
 */
export function runDurationSec(run: RunRecord): number {
  if (run.executionTimeSec > 0) return run.executionTimeSec;
  if (run.completedOn) {
    const sec = (run.completedOn.getTime() - run.startedOn.getTime()) / 1000;
    if (sec > 0) return sec;
  }
  return Math.max(0, run.executionTimeSec);
}

/** Newest first by start time. The sort is stable, so runs started at the same instant keep the caller's order. */
export function sortNewestFirst<T extends RunRecord>(runs: readonly T[]): T[] {
  return [...runs].sort((a, b) => b.startedOn.getTime() - a.startedOn.getTime());
}
