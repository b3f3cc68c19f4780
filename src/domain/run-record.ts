// The domain's own view of a job run, in the runbook's words rather than one platform's. It is a
// structural subset of providers' JobRun, so a JobRun[] from any adapter can be passed straight in,
// without domain/ importing the ports.

/**
 * Where a run is, whatever the platform: adapters map their own states onto these and keep the
 * original in `platformState` for display (Glue `TIMEOUT`, Synapse `InProgress`).
 */
export type RunState = 'queued' | 'running' | 'succeeded' | 'failed' | 'timed-out' | 'cancelled';

export const RUN_STATES: readonly RunState[] = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'timed-out',
  'cancelled',
];

/** What a run held while it ran: units of the platform's capacity and the shape they came in. */
export interface Capacity {
  /** How many units the run held (DPUs for Glue, vCores for Synapse Spark); undefined when unknown. */
  units?: number;
  /** The unit's name: 'DPU', 'vCore'. */
  unit: string;
  /** The worker shape as people say it: "10 × G.1X", "8 × Medium executors". */
  shape?: string;
  /** The size of one worker as the platform names it ("G.1X", "Medium"), when workers are sized. */
  size?: string;
  /** How many workers (executors), when known. */
  count?: number;
  /** Spark executors the run had (Glue: workers − 1, the driver takes one) and cores of each. */
  executors?: number;
  coresPerExecutor?: number;

  /** Runtime the run used ("Glue 4.0", "Spark 3.4"): a change of runtime is a change to the job. */
  runtime?: string;
  /** Execution tier when the platform has several ("FLEX"). */
  tier?: string;
}

/** How the platform bills a run; the adapter fills it from its pricing configuration. */
export interface Billing {
  /** USD per unit-hour for this run (e.g. the standard or the Flex DPU-hour rate). */
  unitHourUsd: number;
  /** The rate's name for the report ("standard", "Flex", "Spark vCore-hour"). */
  rateName: string;
  /** Fewest seconds billed for a run. */
  minimumSec: number;
  /** Unit-seconds the platform measured (Glue DPUSeconds): usage comes from it when present. */
  measuredUnitSeconds?: number;
  /** A fixed amount per run on top of the capacity (Synapse: pipeline activity runs). */
  fixedUsd?: number;
  /** Why usage cannot be computed (no capacity known), for the report. */
  unknownReason?: string;
}

export interface RunLinks {
  /** The run's page in the platform's console. */
  consoleUrl?: string;
  /** The run's logs. */
  logsUrl?: string;
}

export interface RunRecord {
  id: string;
  jobName?: string;
  attempt?: number;
  state: RunState;
  /** The platform's own state name, shown to people. */
  platformState?: string;
  startedOn: Date;
  completedOn?: Date;
  /** Seconds the run was executing: what the platform bills (Glue ExecutionTime, Synapse durationInMs). */
  durationSec: number;
  errorMessage?: string;
  /** The step (Synapse activity) a failed run failed at, when the platform names one. */
  failedStep?: string;
  capacity?: Capacity;
  billing?: Billing;
  /** The run's parameters, named without any platform prefix (Glue `--input_path` → `input_path`). */
  parameters?: Record<string, string>;
  links?: RunLinks;
}

/**
 * How the degradation rule treats a state:
 * - succeeded: the only runs whose duration says something about performance;
 * - failed: failed and timed out — the runbook's "errores o fallos";
 * - in-progress: queued or running — no final duration yet, reported only;
 * - stopped: cancelled (someone stopped it, or a queued run expired) — neither a duration nor a
 *   failure of the job's code, reported only.
 */
export type RunStateClass = 'succeeded' | 'failed' | 'in-progress' | 'stopped';

export function runStateClass(state: RunState): RunStateClass {
  switch (state) {
    case 'succeeded':
      return 'succeeded';
    case 'failed':
    case 'timed-out':
      return 'failed';
    case 'queued':
    case 'running':
      return 'in-progress';
    case 'cancelled':
      return 'stopped';
  }
}

/** Still going: a follower polls it again. */
export function isActive(state: RunState): boolean {
  return runStateClass(state) === 'in-progress';
}

/** The state as people read it: the platform's own name when the adapter gave it. */
export function stateLabel(run: Pick<RunRecord, 'state' | 'platformState'>): string {
  return run.platformState ?? run.state.toUpperCase();
}

/**
 * Duration in seconds: what the platform reports as executing time, which is what it bills. When
 * an adapter could not fill it (0) but both timestamps exist, the wall-clock time is the best
 * remaining estimate.
 */
export function runDurationSec(run: RunRecord): number {
  if (run.durationSec > 0) return run.durationSec;
  if (run.completedOn) {
    const sec = (run.completedOn.getTime() - run.startedOn.getTime()) / 1000;
    if (sec > 0) return sec;
  }
  return Math.max(0, run.durationSec);
}

/** Newest first by start time. The sort is stable, so runs started at the same instant keep the caller's order. */
export function sortNewestFirst<T extends RunRecord>(runs: readonly T[]): T[] {
  return [...runs].sort((a, b) => b.startedOn.getTime() - a.startedOn.getTime());
}
