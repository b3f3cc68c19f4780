// In-memory Glue: job definitions, job runs whose state is derived from the simulated clock,
// bookmarks, and Data Catalog tables with their version history.
import { createHash } from 'node:crypto';

export const DPU_PER_WORKER: Record<string, number> = {
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
};

export type FinalState = 'SUCCEEDED' | 'FAILED' | 'TIMEOUT' | 'ERROR';

/** How runs started through StartJobRun behave for a job. */
export interface RunBehaviour {
  /** Simulated seconds in STARTING. */
  startingSec: number;
  /** Simulated seconds of execution (RUNNING) before the outcome. */
  durationSec: number;
  outcome: FinalState;
  errorMessage?: string;
}

export interface GlueJob {
  Name: string;
  Description?: string;
  Role: string;
  CreatedOn: number;
  LastModifiedOn: number;
  ExecutionProperty: { MaxConcurrentRuns: number };
  Command: { Name: string; ScriptLocation: string; PythonVersion?: string };
  /** Glue connections (VPC, JDBC) the job uses. */
  Connections?: { Connections: string[] };
  DefaultArguments: Record<string, string>;
  MaxRetries: number;
  Timeout: number;
  WorkerType?: string;
  NumberOfWorkers?: number;
  MaxCapacity?: number;
  GlueVersion: string;
  ExecutionClass?: 'STANDARD' | 'FLEX';
  /** Resource tags (GetTags / TagResource on the job's ARN; not part of GetJob, as on AWS). */
  Tags?: Record<string, string>;
  /** Simulator-only: behaviour of new runs. */
  behaviour: RunBehaviour;
}

export interface GlueRun {
  Id: string;
  JobName: string;
  Attempt: number;
  PreviousRunId?: string;
  TriggerName?: string;
  /** Simulated epoch ms. */
  startedAt: number;
  startingMs: number;
  durationMs: number;
  outcome: FinalState;
  errorMessage?: string;
  /** When BatchStopJobRun asked it to stop (simulated epoch ms). */
  stopRequestedAt?: number;
  Arguments: Record<string, string>;
  WorkerType?: string;
  NumberOfWorkers?: number;
  MaxCapacity?: number;
  ExecutionClass: 'STANDARD' | 'FLEX';
  GlueVersion: string;
  Timeout: number;
}

export interface CatalogColumn {
  Name: string;
  Type: string;
  Comment?: string;
}

export interface CatalogTableVersion {
  VersionId: string;
  /** Simulated epoch ms this version was written (Table.UpdateTime). */
  updateTime: number;
  columns: CatalogColumn[];
  location: string;
  partitionKeys: CatalogColumn[];
  parameters: Record<string, string>;
}

export interface CatalogTable {
  DatabaseName: string;
  Name: string;
  CreateTime: number;
  versions: CatalogTableVersion[];
}

/**
 * Bookmark state is derived from successful runs; resets move the baseline: runs completed after
 * `resetAt` count, plus (after a reset to a run id) runs started before that run.
 */
export interface BookmarkState {
  version: number;
  resetAt?: number;
  resetToStartedAt?: number;
}

/** Seconds spent in STOPPING after BatchStopJobRun. */
export const STOPPING_MS = 5_000;

/** The account every simulated resource lives in (job roles, catalog ids, tag ARNs). */
export const SIM_ACCOUNT = '123456789012';

export const DEFAULT_BEHAVIOUR: RunBehaviour = { startingSec: 10, durationSec: 600, outcome: 'SUCCEEDED' };

export type JobInput = Partial<Omit<GlueJob, 'Name' | 'behaviour'>> & {
  Name: string;
  behaviour?: Partial<RunBehaviour>;
};

export type RunInput = {
  JobName: string;
  startedAt: number;
  durationSec: number;
  outcome?: FinalState;
  errorMessage?: string;
  startingSec?: number;
  Id?: string;
  Arguments?: Record<string, string>;
  WorkerType?: string;
  NumberOfWorkers?: number;
  ExecutionClass?: 'STANDARD' | 'FLEX';
  TriggerName?: string;
};

export class GlueStore {
  readonly jobs = new Map<string, GlueJob>();
  readonly runs = new Map<string, GlueRun[]>();
  readonly bookmarks = new Map<string, BookmarkState>();
  readonly tables = new Map<string, CatalogTable>();
  private counter = 0;

  addJob(input: JobInput, now = Date.now()): GlueJob {
    const job: GlueJob = {
      Role: 'arn:aws:iam::123456789012:role/GlueJobRole',
      CreatedOn: now - 180 * 86_400_000,
      LastModifiedOn: now - 30 * 86_400_000,
      ExecutionProperty: { MaxConcurrentRuns: 1 },
      Command: {
        Name: 'glueetl',
        ScriptLocation: `s3://aws-glue-scripts/${input.Name}.py`,
        PythonVersion: '3',
      },
      DefaultArguments: {},
      MaxRetries: 0,
      Timeout: 2880,
      GlueVersion: '4.0',
      ExecutionClass: 'STANDARD',
      ...input,
      behaviour: { ...DEFAULT_BEHAVIOUR, ...input.behaviour },
    };
    if (job.WorkerType && job.NumberOfWorkers && job.MaxCapacity === undefined) {
      job.MaxCapacity = (DPU_PER_WORKER[job.WorkerType] ?? 1) * job.NumberOfWorkers;
    }
    this.jobs.set(job.Name, job);
    if (!this.runs.has(job.Name)) this.runs.set(job.Name, []);
    return job;
  }

  /** Change how runs started later behave (duration, outcome). */
  configureRuns(jobName: string, behaviour: Partial<RunBehaviour>): void {
    const job = this.jobs.get(jobName);
    if (!job) throw new Error(`no job ${jobName}`);
    job.behaviour = { ...job.behaviour, ...behaviour };
  }

  newRunId(seed?: string): string {
    const basis = seed ?? `${Date.now()}-${++this.counter}-${Math.random()}`;
    return `jr_${createHash('sha256').update(basis).digest('hex')}`;
  }

  addRun(input: RunInput): GlueRun {
    const job = this.jobs.get(input.JobName);
    if (!job) throw new Error(`no job ${input.JobName}`);
    const run: GlueRun = {
      Id: input.Id ?? this.newRunId(),
      JobName: job.Name,
      Attempt: 0,
      startedAt: input.startedAt,
      startingMs: (input.startingSec ?? job.behaviour.startingSec) * 1000,
      durationMs: input.durationSec * 1000,
      outcome: input.outcome ?? 'SUCCEEDED',
      Arguments: input.Arguments ?? {},
      ExecutionClass: input.ExecutionClass ?? job.ExecutionClass ?? 'STANDARD',
      GlueVersion: job.GlueVersion,
      Timeout: job.Timeout,
    };
    if (input.errorMessage !== undefined) run.errorMessage = input.errorMessage;
    if (input.TriggerName !== undefined) run.TriggerName = input.TriggerName;
    const workerType = input.WorkerType ?? job.WorkerType;
    const workers = input.NumberOfWorkers ?? job.NumberOfWorkers;
    if (workerType) run.WorkerType = workerType;
    if (workers !== undefined) run.NumberOfWorkers = workers;
    run.MaxCapacity = workerType && workers ? (DPU_PER_WORKER[workerType] ?? 1) * workers : job.MaxCapacity;
    const list = this.runs.get(job.Name)!;
    list.push(run);
    list.sort((a, b) => b.startedAt - a.startedAt || (a.Id < b.Id ? 1 : -1));
    return run;
  }

  /** Runs of a job, newest first. */
  runsOf(jobName: string): GlueRun[] {
    return this.runs.get(jobName) ?? [];
  }

  findRun(jobName: string, runId: string): GlueRun | undefined {
    return this.runsOf(jobName).find((r) => r.Id === runId);
  }

  addTable(input: {
    DatabaseName: string;
    Name: string;
    CreateTime: number;
    versions: Array<Omit<CatalogTableVersion, 'VersionId'> & { VersionId?: string }>;
  }): CatalogTable {
    const table: CatalogTable = {
      DatabaseName: input.DatabaseName,
      Name: input.Name,
      CreateTime: input.CreateTime,
      versions: input.versions.map((v, i) => ({ ...v, VersionId: v.VersionId ?? String(i) })),
    };
    this.tables.set(`${table.DatabaseName}.${table.Name}`, table);
    return table;
  }

  table(database: string, name: string): CatalogTable | undefined {
    return this.tables.get(`${database}.${name}`);
  }

  clear(): void {
    this.jobs.clear();
    this.runs.clear();
    this.bookmarks.clear();
    this.tables.clear();
  }
}

export type RunState = 'STARTING' | 'RUNNING' | 'STOPPING' | 'STOPPED' | FinalState;

export interface RunSnapshot {
  state: RunState;
  /** Seconds of execution so far (or in total when finished). */
  executionTimeSec: number;
  completedAt?: number;
  lastModifiedAt: number;
}

/** The state of a run at simulated time `now`. */
export function runSnapshot(run: GlueRun, now: number): RunSnapshot {
  const runStart = run.startedAt + run.startingMs;
  const end = runStart + run.durationMs;
  const timeoutEnd = runStart + run.Timeout * 60_000;
  if (run.stopRequestedAt !== undefined && run.stopRequestedAt < Math.min(end, timeoutEnd)) {
    const stoppedAt = run.stopRequestedAt + STOPPING_MS;
    const exec = Math.max(0, Math.min(now, stoppedAt) - runStart) / 1000;
    if (now < stoppedAt)
      return { state: 'STOPPING', executionTimeSec: Math.floor(exec), lastModifiedAt: run.stopRequestedAt };
    return {
      state: 'STOPPED',
      executionTimeSec: Math.floor(exec),
      completedAt: stoppedAt,
      lastModifiedAt: stoppedAt,
    };
  }
  if (now < runStart) return { state: 'STARTING', executionTimeSec: 0, lastModifiedAt: run.startedAt };
  if (timeoutEnd < end && now >= timeoutEnd) {
    return {
      state: 'TIMEOUT',
      executionTimeSec: Math.round(run.Timeout * 60),
      completedAt: timeoutEnd,
      lastModifiedAt: timeoutEnd,
    };
  }
  if (now < end)
    return {
      state: 'RUNNING',
      executionTimeSec: Math.floor((now - runStart) / 1000),
      lastModifiedAt: runStart,
    };
  return {
    state: run.outcome,
    executionTimeSec: Math.round(run.durationMs / 1000),
    completedAt: end,
    lastModifiedAt: end,
  };
}

export function isActive(state: RunState): boolean {
  return state === 'STARTING' || state === 'RUNNING' || state === 'STOPPING';
}
