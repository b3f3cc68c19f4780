// AWS Glue over JSON 1.1 (`X-Amz-Target: AWSGlue.<Op>`). Dates go out as epoch seconds, errors as
// `{ "__type": "...", "Message": "..." }` with HTTP 400, as the service does.
import { lakeGlueHandlers } from './lake-glue.js';
import { onRunStarted } from './lake-store.js';
import { SimError } from './sim-error.js';
import { decodeToken, encodeToken } from './paging.js';
import type { SimState } from './state.js';
import {
  DPU_PER_WORKER,
  SIM_ACCOUNT,
  isActive,
  runSnapshot,
  type CatalogTable,
  type CatalogTableVersion,
  type GlueJob,
  type GlueRun,
} from './glue-store.js';

type Params = Record<string, unknown>;
type Handler = (state: SimState, p: Params) => unknown;

const secs = (ms: number): number => ms / 1000;

function str(p: Params, name: string, required = true): string | undefined {
  const v = p[name];
  if (v === undefined || v === null) {
    if (required) throw new SimError('InvalidInputException', `${name} is required`);
    return undefined;
  }
  if (typeof v !== 'string' || v.length === 0 || v.length > 255) {
    throw new SimError(
      'InvalidInputException',
      `1 validation error detected: Value at '${name}' failed to satisfy constraint`,
    );
  }
  return v;
}

function int(p: Params, name: string, min: number, max: number): number | undefined {
  const v = p[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new SimError(
      'InvalidInputException',
      `1 validation error detected: Value '${String(v)}' at '${name.charAt(0).toLowerCase() + name.slice(1)}' failed to satisfy constraint: Member must have value between ${min} and ${max}`,
    );
  }
  return v;
}

function stringMap(p: Params, name: string): Record<string, string> | undefined {
  const v = p[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    throw new SimError('InvalidInputException', `${name} must be a map of strings`);
  }
  return v as Record<string, string>;
}

function requireJob(state: SimState, name: string): GlueJob {
  const job = state.glue.jobs.get(name);
  if (!job) throw new SimError('EntityNotFoundException', `Job with name: ${name} not found.`);
  return job;
}

export function renderJob(job: GlueJob): Params {
  const out: Params = {
    Name: job.Name,
    Role: job.Role,
    CreatedOn: secs(job.CreatedOn),
    LastModifiedOn: secs(job.LastModifiedOn),
    ExecutionProperty: job.ExecutionProperty,
    Command: job.Command,
    DefaultArguments: job.DefaultArguments,
    MaxRetries: job.MaxRetries,
    Timeout: job.Timeout,
    GlueVersion: job.GlueVersion,
  };
  if (job.Description !== undefined) out.Description = job.Description;
  if (job.WorkerType !== undefined) out.WorkerType = job.WorkerType;
  if (job.NumberOfWorkers !== undefined) out.NumberOfWorkers = job.NumberOfWorkers;
  if (job.MaxCapacity !== undefined) {
    out.MaxCapacity = job.MaxCapacity;
    out.AllocatedCapacity = Math.floor(job.MaxCapacity);
  }
  if (job.ExecutionClass !== undefined) out.ExecutionClass = job.ExecutionClass;
  if (job.Connections !== undefined) out.Connections = job.Connections;
  return out;
}

export function renderRun(run: GlueRun, now: number): Params {
  const snap = runSnapshot(run, now);
  const out: Params = {
    Id: run.Id,
    Attempt: run.Attempt,
    JobName: run.JobName,
    StartedOn: secs(run.startedAt),
    LastModifiedOn: secs(snap.lastModifiedAt),
    JobRunState: snap.state,
    Arguments: run.Arguments,
    PredecessorRuns: [],
    ExecutionTime: snap.executionTimeSec,
    Timeout: run.Timeout,
    GlueVersion: run.GlueVersion,
    LogGroupName: '/aws-glue/jobs',
    ExecutionClass: run.ExecutionClass,
  };
  if (run.PreviousRunId !== undefined) out.PreviousRunId = run.PreviousRunId;
  if (run.TriggerName !== undefined) out.TriggerName = run.TriggerName;
  if (snap.completedAt !== undefined) out.CompletedOn = secs(snap.completedAt);
  if ((snap.state === 'FAILED' || snap.state === 'ERROR') && run.errorMessage)
    out.ErrorMessage = run.errorMessage;
  if (snap.state === 'TIMEOUT') out.ErrorMessage = `Job run timed out after ${run.Timeout} minutes`;
  if (run.WorkerType !== undefined) out.WorkerType = run.WorkerType;
  if (run.NumberOfWorkers !== undefined) out.NumberOfWorkers = run.NumberOfWorkers;
  if (run.MaxCapacity !== undefined) {
    out.MaxCapacity = run.MaxCapacity;
    out.AllocatedCapacity = Math.floor(run.MaxCapacity);
  }
  // DPUSeconds is reported only for Flex (and auto-scaling) runs.
  if (run.ExecutionClass === 'FLEX' && snap.completedAt !== undefined && run.MaxCapacity !== undefined) {
    out.DPUSeconds = Math.round(run.MaxCapacity * snap.executionTimeSec);
  }
  return out;
}

interface RunsToken {
  s: number;
  id: string;
}
const isRunsToken = (v: unknown): v is RunsToken =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as RunsToken).s === 'number' &&
  typeof (v as RunsToken).id === 'string';

interface OffsetToken {
  o: number;
}
const isOffsetToken = (v: unknown): v is OffsetToken =>
  typeof v === 'object' && v !== null && typeof (v as OffsetToken).o === 'number';

function requireTable(state: SimState, p: Params, nameField: string): CatalogTable {
  const db = str(p, 'DatabaseName')!;
  const name = str(p, nameField)!;
  if (![...state.glue.tables.values()].some((t) => t.DatabaseName === db)) {
    throw new SimError('EntityNotFoundException', `Database ${db} not found.`);
  }
  const table = state.glue.table(db, name);
  if (!table) throw new SimError('EntityNotFoundException', `Table ${name} not found.`);
  return table;
}

function renderTable(table: CatalogTable, v: CatalogTableVersion): Params {
  return {
    Name: table.Name,
    DatabaseName: table.DatabaseName,
    CatalogId: '123456789012',
    CreateTime: secs(table.CreateTime),
    UpdateTime: secs(v.updateTime),
    Retention: 0,
    StorageDescriptor: {
      Columns: v.columns,
      Location: v.location,
      InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
      Compressed: false,
      NumberOfBuckets: -1,
      SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
      StoredAsSubDirectories: false,
    },
    PartitionKeys: v.partitionKeys,
    TableType: 'EXTERNAL_TABLE',
    Parameters: v.parameters,
    CreatedBy: 'arn:aws:sts::123456789012:assumed-role/GlueJobRole/crawler',
    IsRegisteredWithLakeFormation: false,
    VersionId: v.VersionId,
  };
}

function bookmarkEntry(state: SimState, job: GlueJob): Params {
  const bm = state.glue.bookmarks.get(job.Name) ?? { version: 0 };
  const now = state.now();
  const counted = [...state.glue.runsOf(job.Name)].reverse().filter((r) => {
    const snap = runSnapshot(r, now);
    if (snap.state !== 'SUCCEEDED' || snap.completedAt === undefined) return false;
    if (bm.resetAt === undefined) return true;
    return (
      snap.completedAt > bm.resetAt ||
      (bm.resetToStartedAt !== undefined && r.startedAt < bm.resetToStartedAt)
    );
  });
  const last = counted[counted.length - 1];
  const prev = counted[counted.length - 2];
  const entry: Params = {
    JobName: job.Name,
    Version: bm.version + counted.length,
    Run: counted.length,
    Attempt: 0,
    JobBookmark: JSON.stringify({
      jsonClass: 'BookmarkState',
      timestamp: last ? runSnapshot(last, now).completedAt : 0,
      input: job.DefaultArguments['--input_path'] ?? null,
    }),
  };
  if (last) entry.RunId = last.Id;
  if (prev) entry.PreviousRunId = prev.Id;
  return entry;
}

const JOB_ARN = /^arn:aws:glue:[a-z0-9-]+:(\d{12}):job\/(.+)$/;

/** The job a tag call's ResourceArn names (only jobs are taggable here). */
function taggedJob(state: SimState, p: Params): GlueJob {
  const arn = p.ResourceArn;
  if (typeof arn !== 'string' || arn.length === 0)
    throw new SimError('InvalidInputException', 'ResourceArn is required');
  const m = JOB_ARN.exec(arn);
  if (!m) throw new SimError('InvalidInputException', `Invalid ResourceArn: ${arn}`);
  if (m[1] !== SIM_ACCOUNT)
    throw new SimError('AccessDeniedException', `User is not authorized to act on ${arn}`);
  return requireJob(state, m[2]!);
}

function bookmarksEnabled(job: GlueJob): boolean {
  return job.DefaultArguments['--job-bookmark-option'] === 'job-bookmark-enable';
}

const handlers: Record<string, Handler> = {
  GetJob(state, p) {
    return { Job: renderJob(requireJob(state, str(p, 'JobName')!)) };
  },

  GetJobs(state, p) {
    const max = int(p, 'MaxResults', 1, 1000) ?? 100;
    const token =
      p.NextToken === undefined
        ? undefined
        : decodeToken(String(p.NextToken), 'InvalidInputException', isOffsetToken);
    const all = [...state.glue.jobs.values()].sort((a, b) =>
      a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0,
    );
    const from = token?.o ?? 0;
    const page = all.slice(from, from + max);
    const out: Params = { Jobs: page.map(renderJob) };
    if (from + max < all.length) out.NextToken = encodeToken({ o: from + max });
    return out;
  },

  GetJobRuns(state, p) {
    const job = requireJob(state, str(p, 'JobName')!);
    const max = int(p, 'MaxResults', 1, 200) ?? 100;
    const runs = state.glue.runsOf(job.Name);
    let from = 0;
    if (p.NextToken !== undefined && p.NextToken !== null) {
      // Resume after the last run handed out, so runs started meanwhile do not shift the pages.
      const t = decodeToken(String(p.NextToken), 'InvalidInputException', isRunsToken);
      from = runs.findIndex((r) => r.startedAt < t.s || (r.startedAt === t.s && r.Id < t.id));
      if (from < 0) from = runs.length;
    }
    const page = runs.slice(from, from + max);
    const now = state.now();
    const out: Params = { JobRuns: page.map((r) => renderRun(r, now)) };
    const last = page[page.length - 1];
    if (last && from + max < runs.length) out.NextToken = encodeToken({ s: last.startedAt, id: last.Id });
    return out;
  },

  GetJobRun(state, p) {
    const job = requireJob(state, str(p, 'JobName')!);
    const runId = str(p, 'RunId')!;
    const run = state.glue.findRun(job.Name, runId);
    if (!run) throw new SimError('EntityNotFoundException', `Job Run with id: ${runId} not found.`);
    return { JobRun: renderRun(run, state.now()) };
  },

  StartJobRun(state, p) {
    const job = requireJob(state, str(p, 'JobName')!);
    const now = state.now();
    const workerType = str(p, 'WorkerType', false) ?? job.WorkerType;
    if (workerType !== undefined && !(workerType in DPU_PER_WORKER)) {
      throw new SimError('InvalidInputException', `Invalid WorkerType: ${workerType}`);
    }
    const workers = int(p, 'NumberOfWorkers', 1, 299) ?? job.NumberOfWorkers;
    const timeout = int(p, 'Timeout', 1, 10080);
    const execClass = p.ExecutionClass ?? job.ExecutionClass ?? 'STANDARD';
    if (execClass !== 'STANDARD' && execClass !== 'FLEX') {
      throw new SimError('InvalidInputException', `Invalid ExecutionClass: ${String(execClass)}`);
    }
    if (
      execClass === 'FLEX' &&
      (Number(job.GlueVersion) < 3 || (workerType !== 'G.1X' && workerType !== 'G.2X'))
    ) {
      throw new SimError(
        'InvalidInputException',
        'Flex execution requires Glue version 3.0 or later and G.1X or G.2X workers',
      );
    }
    const active = state.glue.runsOf(job.Name).filter((r) => isActive(runSnapshot(r, now).state)).length;
    if (active >= job.ExecutionProperty.MaxConcurrentRuns && p.JobRunQueuingEnabled !== true) {
      throw new SimError('ConcurrentRunsExceededException', `Concurrent runs exceeded for ${job.Name}`);
    }
    const args = stringMap(p, 'Arguments') ?? {};
    const b = job.behaviour;
    const input: Parameters<typeof state.glue.addRun>[0] = {
      JobName: job.Name,
      startedAt: now,
      startingSec: b.startingSec,
      durationSec: b.durationSec,
      outcome: b.outcome,
      Arguments: args,
      ExecutionClass: execClass,
    };
    if (b.errorMessage !== undefined) input.errorMessage = b.errorMessage;
    if (workerType !== undefined) input.WorkerType = workerType;
    if (workers !== undefined) input.NumberOfWorkers = workers;
    const run = state.glue.addRun(input);
    if (timeout !== undefined) run.Timeout = timeout;
    onRunStarted(state, job, run);
    state.logs.putEvents('/aws-glue/jobs/output', run.Id, [
      { timestamp: now, message: `Starting job run ${run.Id} of ${job.Name}` },
    ]);
    return { JobRunId: run.Id };
  },

  BatchStopJobRun(state, p) {
    const job = requireJob(state, str(p, 'JobName')!);
    const ids = p.JobRunIds;
    if (!Array.isArray(ids) || ids.length < 1 || ids.length > 25 || ids.some((x) => typeof x !== 'string')) {
      throw new SimError('InvalidInputException', 'JobRunIds must hold 1 to 25 run ids');
    }
    const now = state.now();
    const ok: Params[] = [];
    const errors: Params[] = [];
    for (const id of ids as string[]) {
      const run = state.glue.findRun(job.Name, id);
      if (!run) {
        errors.push({
          JobName: job.Name,
          JobRunId: id,
          ErrorDetail: {
            ErrorCode: 'EntityNotFoundException',
            ErrorMessage: `Job Run with id: ${id} not found.`,
          },
        });
        continue;
      }
      const st = runSnapshot(run, now).state;
      if (st !== 'STARTING' && st !== 'RUNNING') {
        errors.push({
          JobName: job.Name,
          JobRunId: id,
          ErrorDetail: {
            ErrorCode: 'InvalidInputException',
            ErrorMessage: `Job run ${id} is in state ${st} and cannot be stopped`,
          },
        });
        continue;
      }
      run.stopRequestedAt = now;
      ok.push({ JobName: job.Name, JobRunId: id });
    }
    return { SuccessfulSubmissions: ok, Errors: errors };
  },

  UpdateJob(state, p) {
    const job = requireJob(state, str(p, 'JobName')!);
    const u = p.JobUpdate;
    if (typeof u !== 'object' || u === null || Array.isArray(u)) {
      throw new SimError('InvalidInputException', 'JobUpdate is required');
    }
    const upd = u as Params;
    const workerType = str(upd, 'WorkerType', false);
    if (workerType !== undefined && !(workerType in DPU_PER_WORKER)) {
      throw new SimError('InvalidInputException', `Invalid WorkerType: ${workerType}`);
    }
    const workers = int(upd, 'NumberOfWorkers', 1, 299);
    // As on AWS, UpdateJob replaces the definition: what JobUpdate leaves out is reset to defaults
    // (only Role and Command are kept here when omitted, where AWS would reject the call).
    const next: GlueJob = {
      Name: job.Name,
      Role: typeof upd.Role === 'string' ? upd.Role : job.Role,
      CreatedOn: job.CreatedOn,
      LastModifiedOn: state.now(),
      ExecutionProperty: {
        MaxConcurrentRuns: Number((upd.ExecutionProperty as Params | undefined)?.MaxConcurrentRuns ?? 1),
      },
      Command: (upd.Command as GlueJob['Command'] | undefined) ?? job.Command,
      DefaultArguments: stringMap(upd, 'DefaultArguments') ?? {},
      MaxRetries: int(upd, 'MaxRetries', 0, 10) ?? 0,
      Timeout: int(upd, 'Timeout', 1, 10080) ?? 2880,
      GlueVersion: str(upd, 'GlueVersion', false) ?? '0.9',
      behaviour: job.behaviour,
    };
    if (typeof upd.Description === 'string') next.Description = upd.Description;
    if (workerType !== undefined) next.WorkerType = workerType;
    if (workers !== undefined) next.NumberOfWorkers = workers;
    if (workerType && workers) next.MaxCapacity = (DPU_PER_WORKER[workerType] ?? 1) * workers;
    else if (typeof upd.MaxCapacity === 'number') next.MaxCapacity = upd.MaxCapacity;
    if (upd.ExecutionClass === 'FLEX' || upd.ExecutionClass === 'STANDARD')
      next.ExecutionClass = upd.ExecutionClass;
    if (job.Tags) next.Tags = job.Tags; // tags are not part of the definition UpdateJob replaces
    state.glue.jobs.set(job.Name, next);
    return { JobName: job.Name };
  },

  GetJobBookmark(state, p) {
    const job = requireJob(state, str(p, 'JobName')!);
    if (!bookmarksEnabled(job) && !state.glue.bookmarks.has(job.Name)) {
      throw new SimError('EntityNotFoundException', `Continuation for job ${job.Name} not found`);
    }
    return { JobBookmarkEntry: bookmarkEntry(state, job) };
  },

  ResetJobBookmark(state, p) {
    const job = requireJob(state, str(p, 'JobName')!);
    const runId = str(p, 'RunId', false);
    const now = state.now();
    const prev = state.glue.bookmarks.get(job.Name) ?? { version: 0 };
    const next: { version: number; resetAt: number; resetToStartedAt?: number } = {
      version: prev.version + 1,
      resetAt: now,
    };
    if (runId !== undefined) {
      const run = state.glue.findRun(job.Name, runId);
      if (!run) throw new SimError('EntityNotFoundException', `Job Run with id: ${runId} not found.`);
      next.resetToStartedAt = run.startedAt;
    }
    state.glue.bookmarks.set(job.Name, next);
    return { JobBookmarkEntry: bookmarkEntry(state, job) };
  },

  // Tags (cost allocation): on the job's ARN, which Glue never returns and callers build.
  GetTags(state, p) {
    return { Tags: { ...(taggedJob(state, p).Tags ?? {}) } };
  },

  TagResource(state, p) {
    const job = taggedJob(state, p);
    const add = stringMap(p, 'TagsToAdd');
    if (!add || Object.keys(add).length === 0)
      throw new SimError('InvalidInputException', 'TagsToAdd is required');
    job.Tags = { ...(job.Tags ?? {}), ...add };
    if (Object.keys(job.Tags).length > 50)
      throw new SimError('InvalidInputException', 'A resource can have at most 50 tags');
    return {};
  },

  UntagResource(state, p) {
    const job = taggedJob(state, p);
    const keys = p.TagsToRemove;
    if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string'))
      throw new SimError('InvalidInputException', 'TagsToRemove must be a list of tag keys');
    const tags = { ...(job.Tags ?? {}) };
    for (const k of keys as string[]) delete tags[k];
    job.Tags = tags;
    return {};
  },

  /** Job names, optionally only those carrying every tag of `Tags` with its value. */
  ListJobs(state, p) {
    const max = int(p, 'MaxResults', 1, 1000) ?? 100;
    const filter = stringMap(p, 'Tags') ?? {};
    const token =
      p.NextToken === undefined || p.NextToken === null
        ? undefined
        : decodeToken(String(p.NextToken), 'InvalidInputException', isOffsetToken);
    const names = [...state.glue.jobs.values()]
      .filter((j) => Object.entries(filter).every(([k, v]) => j.Tags?.[k] === v))
      .map((j) => j.Name)
      .sort();
    const from = token?.o ?? 0;
    const out: Params = { JobNames: names.slice(from, from + max) };
    if (from + max < names.length) out.NextToken = encodeToken({ o: from + max });
    return out;
  },

  GetTable(state, p) {
    const table = requireTable(state, p, 'Name');
    return { Table: renderTable(table, table.versions[table.versions.length - 1]!) };
  },

  GetTableVersions(state, p) {
    const table = requireTable(state, p, 'TableName');
    const max = int(p, 'MaxResults', 1, 100) ?? 100;
    const token =
      p.NextToken === undefined || p.NextToken === null
        ? undefined
        : decodeToken(String(p.NextToken), 'InvalidInputException', isOffsetToken);
    const newestFirst = [...table.versions].reverse();
    const from = token?.o ?? 0;
    const page = newestFirst.slice(from, from + max);
    const out: Params = {
      TableVersions: page.map((v) => ({ Table: renderTable(table, v), VersionId: v.VersionId })),
    };
    if (from + max < newestFirst.length) out.NextToken = encodeToken({ o: from + max });
    return out;
  },
};

export const GLUE_OPERATIONS = [...Object.keys(handlers), ...Object.keys(lakeGlueHandlers)];

/** Answer one Glue operation; throws SimError for AWS errors. */
export function handleGlue(state: SimState, operation: string, params: Params): unknown {
  const h = handlers[operation] ?? lakeGlueHandlers[operation];
  if (!h)
    throw new SimError('UnknownOperationException', `The simulator does not implement AWSGlue.${operation}`);
  return h(state, params);
}

/** The resource fault rules can match on: the job (or table) named by the request. */
export function glueResource(params: Params): string | undefined {
  const arnJob = typeof params.ResourceArn === 'string' ? JOB_ARN.exec(params.ResourceArn)?.[2] : undefined;
  const v = params.JobName ?? params.Name ?? params.TableName ?? arnJob;
  return typeof v === 'string' ? v : undefined;
}
