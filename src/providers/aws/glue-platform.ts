// JobPlatform over AWS Glue: thin functions over SDK v3 commands, paging with the SDK paginators,
// runs parsed with zod at the boundary, vendor errors mapped onto ProviderError.
import {
  BatchStopJobRunCommand,
  GetJobBookmarkCommand,
  GetJobCommand,
  GetJobRunCommand,
  GlueClient,
  ResetJobBookmarkCommand,
  StartJobRunCommand,
  UpdateJobCommand,
  paginateGetJobRuns,
  paginateGetJobs,
  paginateGetTableVersions,
  type Job,
  type JobBookmarkEntry,
  type JobUpdate,
  type WorkerType,
} from '@aws-sdk/client-glue';
import { z } from 'zod';
import { ProviderError } from '../ports.js';
import type {
  JobBookmark,
  JobDefinition,
  JobPlatform,
  JobRun,
  StartRunOptions,
  TableVersion,
} from '../ports.js';
import { awsErrorInfo, instrumentClient, mapAwsError, type CallStats } from './errors.js';

export interface AwsAdapterOptions {
  region?: string;
  /** e.g. the simulator; when unset the SDK honours AWS_ENDPOINT_URL_GLUE / AWS_ENDPOINT_URL itself. */
  endpoint?: string;
  /** SDK attempts per call in its standard retry mode (throttling backs off); default 5. */
  maxAttempts?: number;
  /** Static credentials (tests); otherwise the SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export interface GluePlatformOptions extends AwsAdapterOptions {
  /** A ready client (its middleware stack gets the call counters); the other options are then ignored. */
  client?: GlueClient;
}

export interface GluePlatform extends JobPlatform {
  readonly client: GlueClient;
  /** Calls, retries and throttled attempts since creation (a snapshot). */
  stats(): CallStats;
}

/** GetJobRuns' largest page. */
export const RUNS_PAGE_SIZE = 200;
/** GetTableVersions' largest page. */
const TABLE_VERSIONS_PAGE_SIZE = 100;
const JOBS_PAGE_SIZE = 1000;

export function createGlueClient(opts: AwsAdapterOptions = {}): GlueClient {
  return new GlueClient({
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    retryMode: 'standard',
    maxAttempts: opts.maxAttempts ?? 5,
  });
}

// ---------------------------------------------------------------------------------------------
// Parsing at the boundary: the SDK's types make every field optional; these say what we rely on.

const RunStateSchema = z.enum([
  'STARTING',
  'RUNNING',
  'STOPPING',
  'STOPPED',
  'SUCCEEDED',
  'FAILED',
  'TIMEOUT',
  'ERROR',
  'WAITING',
  'EXPIRED',
]);
const StringMap = z.record(z.string(), z.string());
const ExecutionClassSchema = z.enum(['STANDARD', 'FLEX']);
const optionalNumber = z.number().finite().optional().nullable();
const optionalString = z.string().optional().nullable();
const optionalDate = z.date().optional().nullable();

export const GlueJobRun = z.object({
  Id: z.string().min(1),
  JobName: optionalString,
  Attempt: optionalNumber,
  PreviousRunId: optionalString,
  TriggerName: optionalString,
  JobRunState: RunStateSchema,
  StartedOn: z.date(),
  CompletedOn: optionalDate,
  LastModifiedOn: optionalDate,
  ExecutionTime: optionalNumber,
  ErrorMessage: optionalString,
  WorkerType: optionalString,
  NumberOfWorkers: optionalNumber,
  MaxCapacity: optionalNumber,
  DPUSeconds: optionalNumber,
  // Unknown classes are dropped rather than failing the run.
  ExecutionClass: z.string().optional().nullable(),
  GlueVersion: optionalString,
  LogGroupName: optionalString,
  Arguments: StringMap.optional().nullable(),
});
export type GlueJobRun = z.infer<typeof GlueJobRun>;

export const GlueJobDefinition = z.object({
  Name: z.string().min(1),
  Description: optionalString,
  CreatedOn: optionalDate,
  LastModifiedOn: optionalDate,
  DefaultArguments: StringMap.optional().nullable(),
  WorkerType: optionalString,
  NumberOfWorkers: optionalNumber,
  MaxCapacity: optionalNumber,
  GlueVersion: optionalString,
  ExecutionClass: z.string().optional().nullable(),
  Timeout: optionalNumber,
});
export type GlueJobDefinition = z.infer<typeof GlueJobDefinition>;

const CatalogColumn = z.object({ Name: z.string(), Type: z.string().optional().nullable() });
export const GlueTableVersion = z.object({
  VersionId: z.string().min(1),
  Table: z
    .object({
      UpdateTime: optionalDate,
      PartitionKeys: z.array(CatalogColumn).optional().nullable(),
      StorageDescriptor: z
        .object({
          Columns: z.array(CatalogColumn).optional().nullable(),
          Location: optionalString,
        })
        .optional()
        .nullable(),
    })
    .optional()
    .nullable(),
});
export type GlueTableVersion = z.infer<typeof GlueTableVersion>;

function executionClass(v: string | null | undefined): 'STANDARD' | 'FLEX' | undefined {
  const r = ExecutionClassSchema.safeParse(v);
  return r.success ? r.data : undefined;
}

function unreadable(what: string, error: z.ZodError): ProviderError {
  const issue = error.issues[0];
  const where = issue ? `${issue.path.join('.') || 'value'}: ${issue.message}` : 'unknown shape';
  return new ProviderError('UNAVAILABLE', `Glue returned ${what} that could not be read (${where})`, {
    cause: error,
    retryable: false,
  });
}

/** Maps a Glue JobRun (SDK shape) onto the port's JobRun. */
export function toJobRun(jobName: string, raw: unknown): JobRun {
  const parsed = GlueJobRun.safeParse(raw);
  if (!parsed.success) throw unreadable(`a run of job ${jobName}`, parsed.error);
  const r = parsed.data;
  const run: JobRun = {
    id: r.Id,
    jobName: r.JobName ?? jobName,
    attempt: r.Attempt ?? 0,
    state: r.JobRunState,
    startedOn: r.StartedOn,
    executionTimeSec: r.ExecutionTime ?? 0,
    arguments: r.Arguments ?? {},
  };
  if (r.PreviousRunId) run.previousRunId = r.PreviousRunId;
  if (r.TriggerName) run.triggerName = r.TriggerName;
  if (r.CompletedOn) run.completedOn = r.CompletedOn;
  if (r.LastModifiedOn) run.lastModifiedOn = r.LastModifiedOn;
  if (r.ErrorMessage) run.errorMessage = r.ErrorMessage;
  if (r.WorkerType) run.workerType = r.WorkerType;
  if (r.NumberOfWorkers != null) run.numberOfWorkers = r.NumberOfWorkers;
  if (r.MaxCapacity != null) run.maxCapacity = r.MaxCapacity;
  if (r.DPUSeconds != null) run.dpuSeconds = r.DPUSeconds;
  const ec = executionClass(r.ExecutionClass);
  if (ec) run.executionClass = ec;
  if (r.GlueVersion) run.glueVersion = r.GlueVersion;
  if (r.LogGroupName) run.logGroupName = r.LogGroupName;
  return run;
}

/** Maps a Glue Job (SDK shape) onto the port's JobDefinition. */
export function toJobDefinition(raw: unknown): JobDefinition {
  const parsed = GlueJobDefinition.safeParse(raw);
  if (!parsed.success) throw unreadable('a job definition', parsed.error);
  const j = parsed.data;
  const args = j.DefaultArguments ?? {};
  const def: JobDefinition = { name: j.Name, defaultArguments: args };
  if (j.Description) def.description = j.Description;
  if (j.CreatedOn) def.createdOn = j.CreatedOn;
  if (j.LastModifiedOn) def.lastModifiedOn = j.LastModifiedOn;
  if (j.WorkerType) def.workerType = j.WorkerType;
  if (j.NumberOfWorkers != null) def.numberOfWorkers = j.NumberOfWorkers;
  if (j.MaxCapacity != null) def.maxCapacity = j.MaxCapacity;
  if (j.GlueVersion) def.glueVersion = j.GlueVersion;
  const ec = executionClass(j.ExecutionClass);
  if (ec) def.executionClass = ec;
  if (j.Timeout != null) def.timeoutMinutes = j.Timeout;
  // Jobs have no log group field; continuous logging names a custom one in an argument.
  const group = args['--continuous-log-logGroup'];
  if (group) def.logGroupName = group;
  return def;
}

function toTableVersion(raw: unknown): TableVersion {
  const parsed = GlueTableVersion.safeParse(raw);
  if (!parsed.success) throw unreadable('a table version', parsed.error);
  const v = parsed.data;
  const cols = (list: z.infer<typeof CatalogColumn>[] | null | undefined) =>
    (list ?? []).map((c) => ({ name: c.Name, type: c.Type ?? '' }));
  const out: TableVersion = {
    versionId: v.VersionId,
    columns: cols(v.Table?.StorageDescriptor?.Columns),
    partitionKeys: cols(v.Table?.PartitionKeys),
  };
  if (v.Table?.UpdateTime) out.updateTime = v.Table.UpdateTime;
  if (v.Table?.StorageDescriptor?.Location) out.location = v.Table.StorageDescriptor.Location;
  return out;
}

function toBookmark(jobName: string, e: JobBookmarkEntry | undefined): JobBookmark {
  const b: JobBookmark = { jobName: e?.JobName ?? jobName };
  if (e?.RunId) b.runId = e.RunId;
  if (e?.Attempt != null) b.attempt = e.Attempt;
  if (e?.PreviousRunId) b.previousRunId = e.PreviousRunId;
  if (e?.JobBookmark) b.bookmark = e.JobBookmark;
  return b;
}

/**
 * The JobUpdate that keeps a job as it is: UpdateJob replaces the whole definition (what JobUpdate
 * leaves out is removed or reset to defaults), so everything the job has is carried over — Role and
 * Command above all. AllocatedCapacity is deprecated, and MaxCapacity may not be sent together with
 * a worker type, so both are dropped for jobs sized by workers.
 */
export function jobUpdateFrom(job: Job): JobUpdate {
  const u: JobUpdate = {
    JobMode: job.JobMode,
    JobRunQueuingEnabled: job.JobRunQueuingEnabled,
    Description: job.Description,
    LogUri: job.LogUri,
    Role: job.Role,
    ExecutionProperty: job.ExecutionProperty,
    Command: job.Command,
    DefaultArguments: job.DefaultArguments,
    NonOverridableArguments: job.NonOverridableArguments,
    Connections: job.Connections,
    MaxRetries: job.MaxRetries,
    Timeout: job.Timeout,
    WorkerType: job.WorkerType,
    NumberOfWorkers: job.NumberOfWorkers,
    SecurityConfiguration: job.SecurityConfiguration,
    NotificationProperty: job.NotificationProperty,
    GlueVersion: job.GlueVersion,
    CodeGenConfigurationNodes: job.CodeGenConfigurationNodes,
    ExecutionClass: job.ExecutionClass,
    SourceControlDetails: job.SourceControlDetails,
    MaintenanceWindow: job.MaintenanceWindow,
  };
  if (!job.WorkerType) u.MaxCapacity = job.MaxCapacity;
  // Leave absent fields out of the request entirely rather than sending explicit nulls.
  for (const k of Object.keys(u) as (keyof JobUpdate)[]) if (u[k] === undefined) delete u[k];
  return u;
}

// ---------------------------------------------------------------------------------------------

export function createGluePlatform(opts: GluePlatformOptions = {}): GluePlatform {
  const client = opts.client ?? createGlueClient(opts);
  const counters = instrumentClient(client);

  const jobError = (err: unknown, action: string, job: string) =>
    mapAwsError(err, {
      service: 'Glue',
      action,
      subject: `Glue job ${job}`,
      concurrentRuns: `Glue job ${job} already has as many concurrent runs as it allows`,
    });
  /** EntityNotFound on a run call may be about the run or about the job: the message tells. */
  const runError = (err: unknown, action: string, job: string, runId: string) => {
    const { message } = awsErrorInfo(err);
    const aboutRun = /\brun\b/i.test(message) && !/job with name/i.test(message);
    return mapAwsError(err, {
      service: 'Glue',
      action,
      subject: aboutRun ? `Glue job run ${runId} of ${job}` : `Glue job ${job}`,
    });
  };

  async function jobExists(name: string): Promise<boolean> {
    try {
      await client.send(new GetJobCommand({ JobName: name }));
      return true;
    } catch (err) {
      const mapped = jobError(err, 'glue:GetJob', name);
      if (mapped.code === 'NOT_FOUND') return false;
      // Cannot tell: assume the job is there and only its bookmark is missing.
      return true;
    }
  }

  /** EntityNotFound from a bookmark call: no bookmark (undefined) unless the job itself is missing. */
  async function bookmarkNotFound(err: unknown, action: string, name: string): Promise<undefined> {
    if (await jobExists(name)) return undefined;
    throw jobError(err, action, name);
  }

  const platform: GluePlatform = {
    provider: 'glue',
    client,

    stats: () => ({ ...counters }),

    async getJob(name) {
      try {
        const out = await client.send(new GetJobCommand({ JobName: name }));
        if (!out.Job) throw new ProviderError('NOT_FOUND', `Glue job ${name} was not found`);
        return toJobDefinition(out.Job);
      } catch (err) {
        throw jobError(err, 'glue:GetJob', name);
      }
    },

    async listJobNames() {
      const names: string[] = [];
      try {
        for await (const page of paginateGetJobs({ client, pageSize: JOBS_PAGE_SIZE }, {})) {
          for (const j of page.Jobs ?? []) if (j.Name) names.push(j.Name);
        }
      } catch (err) {
        throw mapAwsError(err, { service: 'Glue', action: 'glue:GetJobs', subject: 'Glue jobs' });
      }
      return names.sort();
    },

    async listRuns(name, { maxRuns, since }) {
      const runs: JobRun[] = [];
      if (maxRuns <= 0) return runs;
      const pageSize = Math.min(RUNS_PAGE_SIZE, maxRuns);
      try {
        // Newest first, no time filter on the service side: page until enough runs or past `since`.
        pages: for await (const page of paginateGetJobRuns({ client, pageSize }, { JobName: name })) {
          for (const raw of page.JobRuns ?? []) {
            const run = toJobRun(name, raw);
            if (since && run.startedOn.getTime() < since.getTime()) break pages;
            runs.push(run);
            if (runs.length >= maxRuns) break pages;
          }
        }
      } catch (err) {
        throw jobError(err, 'glue:GetJobRuns', name);
      }
      return runs;
    },

    async getRun(name, runId) {
      try {
        const out = await client.send(new GetJobRunCommand({ JobName: name, RunId: runId }));
        if (!out.JobRun)
          throw new ProviderError('NOT_FOUND', `Glue job run ${runId} of ${name} was not found`);
        return toJobRun(name, out.JobRun);
      } catch (err) {
        throw runError(err, 'glue:GetJobRun', name, runId);
      }
    },

    async startRun(name, o: StartRunOptions = {}) {
      try {
        const out = await client.send(
          new StartJobRunCommand({
            JobName: name,
            ...(o.arguments ? { Arguments: o.arguments } : {}),
            ...(o.workerType ? { WorkerType: o.workerType as WorkerType } : {}),
            ...(o.numberOfWorkers !== undefined ? { NumberOfWorkers: o.numberOfWorkers } : {}),
            ...(o.timeoutMinutes !== undefined ? { Timeout: o.timeoutMinutes } : {}),
            ...(o.executionClass ? { ExecutionClass: o.executionClass } : {}),
          }),
        );
        if (!out.JobRunId)
          throw new ProviderError('UNAVAILABLE', `Glue started job ${name} but returned no run id`);
        return out.JobRunId;
      } catch (err) {
        throw jobError(err, 'glue:StartJobRun', name);
      }
    },

    async stopRun(name, runId) {
      let errors;
      try {
        const out = await client.send(new BatchStopJobRunCommand({ JobName: name, JobRunIds: [runId] }));
        errors = out.Errors ?? [];
      } catch (err) {
        throw jobError(err, 'glue:BatchStopJobRun', name);
      }
      // BatchStopJobRun answers 200 and reports per-run failures in Errors.
      const failure = errors.find((e) => !e.JobRunId || e.JobRunId === runId);
      if (failure) {
        const detail = failure.ErrorDetail ?? {};
        const code = detail.ErrorCode ?? 'Error';
        const vendor = Object.assign(new Error(detail.ErrorMessage ?? code), {
          name: code,
          $metadata: { httpStatusCode: 400 },
        });
        if (code === 'EntityNotFoundException') throw runError(vendor, 'glue:BatchStopJobRun', name, runId);
        if (code === 'InvalidInputException')
          throw new ProviderError(
            'INVALID_INPUT',
            `Glue could not stop run ${runId} of ${name}: ${detail.ErrorMessage ?? code}`,
            { cause: vendor },
          );
        throw jobError(vendor, 'glue:BatchStopJobRun', name);
      }
    },

    async updateJob(name, changes) {
      let job: Job | undefined;
      try {
        job = (await client.send(new GetJobCommand({ JobName: name }))).Job;
      } catch (err) {
        throw jobError(err, 'glue:GetJob', name);
      }
      if (!job) throw new ProviderError('NOT_FOUND', `Glue job ${name} was not found`);
      const update = jobUpdateFrom(job);
      if (changes.workerType !== undefined) update.WorkerType = changes.workerType as WorkerType;
      if (changes.numberOfWorkers !== undefined) update.NumberOfWorkers = changes.numberOfWorkers;
      if (update.WorkerType) delete update.MaxCapacity;
      // Arguments are merged: the ones named change, every other argument stays.
      if (changes.defaultArguments !== undefined)
        update.DefaultArguments = { ...(job.DefaultArguments ?? {}), ...changes.defaultArguments };
      try {
        await client.send(new UpdateJobCommand({ JobName: name, JobUpdate: update }));
      } catch (err) {
        throw jobError(err, 'glue:UpdateJob', name);
      }
    },

    async getBookmark(name) {
      try {
        const out = await client.send(new GetJobBookmarkCommand({ JobName: name }));
        return toBookmark(name, out.JobBookmarkEntry);
      } catch (err) {
        if (awsErrorInfo(err).code === 'EntityNotFoundException')
          return bookmarkNotFound(err, 'glue:GetJobBookmark', name);
        throw jobError(err, 'glue:GetJobBookmark', name);
      }
    },

    async resetBookmark(name, runId) {
      try {
        const out = await client.send(
          new ResetJobBookmarkCommand({ JobName: name, ...(runId ? { RunId: runId } : {}) }),
        );
        return toBookmark(name, out.JobBookmarkEntry);
      } catch (err) {
        const info = awsErrorInfo(err);
        if (info.code !== 'EntityNotFoundException') throw jobError(err, 'glue:ResetJobBookmark', name);
        if (runId && /\brun\b/i.test(info.message) && !/continuation|bookmark/i.test(info.message))
          throw runError(err, 'glue:ResetJobBookmark', name, runId);
        return bookmarkNotFound(err, 'glue:ResetJobBookmark', name);
      }
    },

    async getTableVersions(database, table, maxVersions = 100) {
      const versions: TableVersion[] = [];
      if (maxVersions <= 0) return versions;
      try {
        const pageSize = Math.min(TABLE_VERSIONS_PAGE_SIZE, maxVersions);
        pages: for await (const page of paginateGetTableVersions(
          { client, pageSize },
          { DatabaseName: database, TableName: table },
        )) {
          for (const raw of page.TableVersions ?? []) {
            versions.push(toTableVersion(raw));
            if (versions.length >= maxVersions) break pages;
          }
        }
      } catch (err) {
        const { message } = awsErrorInfo(err);
        throw mapAwsError(err, {
          service: 'Glue',
          action: 'glue:GetTableVersions',
          subject: /database/i.test(message)
            ? `Glue database ${database}`
            : `Glue table ${database}.${table}`,
        });
      }
      // Newest first whatever order the pages came in; version ids are numbers in Glue.
      return versions.sort((a, b) => versionOrder(b.versionId) - versionOrder(a.versionId));
    },
  };
  return platform;
}

function versionOrder(id: string): number {
  const n = Number(id);
  return Number.isFinite(n) ? n : -1;
}
