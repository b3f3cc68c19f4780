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
  type Job,
  type JobUpdate,
  type WorkerType,
} from '@aws-sdk/client-glue';
import { z } from 'zod';
import { ProviderError, RUN_TAG_PARAMETER } from '../ports.js';
import type { CallStats, JobDefinition, JobPlatform, JobRun, PlannedAction, RunState } from '../ports.js';
import { awsErrorInfo, instrumentClient, mapAwsError, unreadable } from './errors.js';
import {
  DEFAULT_GLUE_PRICING,
  MAX_WORKERS,
  WORKER_TYPES,
  dpuPerWorker,
  glueBilling,
  glueCapacity,
  type GluePricing,
} from './glue-capacity.js';
import {
  GLUE_PER_RUN_PARAMETERS,
  INPUT_PARAMETERS,
  OUTPUT_PARAMETER,
  fromGlueArguments,
  toGlueArguments,
} from './glue-arguments.js';
import { planGlueMitigation, type GlueStartRequest } from './glue-mitigations.js';
import { glueCatalog } from './glue-catalog.js';
import { glueDataQuality } from './glue-data-quality.js';
import { glueTags } from './glue-tags.js';
import { glueRunUrl, logStreamUrl } from './console-links.js';

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
  /** DPU-hour rates runs are costed at (medic.yml defaults.pricing). */
  pricing?: GluePricing;
}

export interface GluePlatform extends JobPlatform {
  readonly client: GlueClient;
  /** Calls, retries and throttled attempts since creation (a snapshot). */
  stats(): CallStats;
}

/** GetJobRuns' largest page. */
export const RUNS_PAGE_SIZE = 200;
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
  Command: z
    .object({ Name: optionalString, ScriptLocation: optionalString, PythonVersion: optionalString })
    .optional()
    .nullable(),
  Connections: z
    .object({ Connections: z.array(z.string()).optional().nullable() })
    .optional()
    .nullable(),
});
export type GlueJobDefinition = z.infer<typeof GlueJobDefinition>;

function executionClass(v: string | null | undefined): 'STANDARD' | 'FLEX' | undefined {
  const r = ExecutionClassSchema.safeParse(v);
  return r.success ? r.data : undefined;
}

/** Glue's JobRunState in the runbook's words; the original stays as `platformState`. */
export function glueRunState(s: z.infer<typeof RunStateSchema>): RunState {
  switch (s) {
    case 'STARTING':
    case 'WAITING':
      return 'queued';
    case 'RUNNING':
    case 'STOPPING':
      return 'running';
    case 'SUCCEEDED':
      return 'succeeded';
    case 'FAILED':
    case 'ERROR':
      return 'failed';
    case 'TIMEOUT':
      return 'timed-out';
    case 'STOPPED':
    case 'EXPIRED':
      return 'cancelled';
  }
}

/** Where a run's links point: the region's consoles. */
export interface GlueLinkContext {
  region: string;
}

/** Maps a Glue JobRun (SDK shape) onto the port's JobRun. */
export function toJobRun(
  jobName: string,
  raw: unknown,
  pricing: GluePricing = DEFAULT_GLUE_PRICING,
  links?: GlueLinkContext,
): JobRun {
  const parsed = GlueJobRun.safeParse(raw);
  if (!parsed.success) throw unreadable(`a run of job ${jobName}`, parsed.error);
  const r = parsed.data;
  const name = r.JobName ?? jobName;
  const sizing = {
    ...(r.WorkerType ? { workerType: r.WorkerType } : {}),
    ...(r.NumberOfWorkers != null ? { numberOfWorkers: r.NumberOfWorkers } : {}),
    ...(r.MaxCapacity != null ? { maxCapacity: r.MaxCapacity } : {}),
    ...(r.GlueVersion ? { glueVersion: r.GlueVersion } : {}),
    ...(executionClass(r.ExecutionClass) ? { executionClass: executionClass(r.ExecutionClass)! } : {}),
  };
  const run: JobRun = {
    id: r.Id,
    jobName: name,
    attempt: r.Attempt ?? 0,
    state: glueRunState(r.JobRunState),
    platformState: r.JobRunState,
    startedOn: r.StartedOn,
    durationSec: r.ExecutionTime ?? 0,
    parameters: fromGlueArguments(r.Arguments ?? {}),
    capacity: glueCapacity(sizing),
    billing: glueBilling(
      { ...sizing, ...(r.DPUSeconds != null ? { dpuSeconds: r.DPUSeconds } : {}) },
      pricing,
    ),
  };
  if (r.PreviousRunId) run.previousRunId = r.PreviousRunId;
  if (r.TriggerName) run.triggerName = r.TriggerName;
  if (r.CompletedOn) run.completedOn = r.CompletedOn;
  if (r.LastModifiedOn) run.lastModifiedOn = r.LastModifiedOn;
  if (r.ErrorMessage) run.errorMessage = r.ErrorMessage;
  if (links) {
    // Spark's log4j output (the error group) holds what triage reads; the run's own group when
    // it runs with secure logging, else Glue's default.
    const group = `${(r.LogGroupName ?? '/aws-glue/jobs').replace(/\/+$/, '')}/error`;
    run.links = {
      consoleUrl: glueRunUrl(links.region, name, r.Id),
      logsUrl: logStreamUrl(links.region, group, r.Id),
    };
  }
  return run;
}

/** Maps a Glue Job (SDK shape) onto the port's JobDefinition. */
export function toJobDefinition(raw: unknown): JobDefinition {
  const parsed = GlueJobDefinition.safeParse(raw);
  if (!parsed.success) throw unreadable('a job definition', parsed.error);
  const j = parsed.data;
  const params = fromGlueArguments(j.DefaultArguments ?? {});
  const def: JobDefinition = {
    name: j.Name,
    parameters: params,
    capacity: glueCapacity({
      ...(j.WorkerType ? { workerType: j.WorkerType } : {}),
      ...(j.NumberOfWorkers != null ? { numberOfWorkers: j.NumberOfWorkers } : {}),
      ...(j.MaxCapacity != null ? { maxCapacity: j.MaxCapacity } : {}),
      ...(j.GlueVersion ? { glueVersion: j.GlueVersion } : {}),
      ...(executionClass(j.ExecutionClass) ? { executionClass: executionClass(j.ExecutionClass)! } : {}),
    }),
  };
  if (j.Description) def.description = j.Description;
  if (j.CreatedOn) def.createdOn = j.CreatedOn;
  if (j.LastModifiedOn) def.lastModifiedOn = j.LastModifiedOn;
  if (j.Timeout != null) def.timeoutMinutes = j.Timeout;
  if (j.GlueVersion) def.runtime = `Glue ${j.GlueVersion}`;
  if (j.Command?.ScriptLocation) def.scriptLocation = j.Command.ScriptLocation;
  const connections = j.Connections?.Connections ?? [];
  if (connections.length) def.connections = [...connections].sort();
  const input = INPUT_PARAMETERS.map((a) => params[a]).find(Boolean);
  if (input) def.inputLocation = input;
  if (params[OUTPUT_PARAMETER]) def.outputLocation = params[OUTPUT_PARAMETER];
  // Jobs have no log group field; continuous logging names a custom one in an argument.
  const group = params['continuous-log-logGroup'];
  if (group) def.logLocations = [group];
  // The Spark UI's event logs, written every 30 s where the job asks for them.
  const sparkLogs = params['spark-event-logs-path'];
  if (params['enable-spark-ui'] === 'true' && sparkLogs) def.sparkEventLogLocation = sparkLogs;

  return def;
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
  const pricing = opts.pricing ?? DEFAULT_GLUE_PRICING;
  // Links need the region the client resolved; a client built elsewhere may only know it lazily.
  let region = opts.region;
  const linkContext = async (): Promise<GlueLinkContext> => {
    region ??= await client.config.region();
    return { region };
  };

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

  async function startJobRun(req: GlueStartRequest): Promise<string> {
    try {
      const out = await client.send(
        new StartJobRunCommand({
          JobName: req.JobName,
          ...(req.Arguments ? { Arguments: req.Arguments } : {}),
          ...(req.WorkerType ? { WorkerType: req.WorkerType as WorkerType } : {}),
          ...(req.NumberOfWorkers !== undefined ? { NumberOfWorkers: req.NumberOfWorkers } : {}),
        }),
      );
      if (!out.JobRunId)
        throw new ProviderError('UNAVAILABLE', `Glue started job ${req.JobName} but returned no run id`);
      return out.JobRunId;
    } catch (err) {
      throw jobError(err, 'glue:StartJobRun', req.JobName);
    }
  }

  async function updateJob(
    name: string,
    changes: { workerType?: string; numberOfWorkers?: number },
  ): Promise<void> {
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

    try {
      await client.send(new UpdateJobCommand({ JobName: name, JobUpdate: update }));
    } catch (err) {
      throw jobError(err, 'glue:UpdateJob', name);
    }
  }

  async function getBookmark(name: string): Promise<{ runId?: string } | undefined> {
    try {
      const out = await client.send(new GetJobBookmarkCommand({ JobName: name }));
      return out.JobBookmarkEntry?.RunId ? { runId: out.JobBookmarkEntry.RunId } : {};
    } catch (err) {
      if (awsErrorInfo(err).code === 'EntityNotFoundException')
        return bookmarkNotFound(err, 'glue:GetJobBookmark', name);
      throw jobError(err, 'glue:GetJobBookmark', name);
    }
  }

  async function resetBookmark(name: string, runId?: string): Promise<void> {
    try {
      await client.send(new ResetJobBookmarkCommand({ JobName: name, ...(runId ? { RunId: runId } : {}) }));
    } catch (err) {
      const info = awsErrorInfo(err);
      if (info.code !== 'EntityNotFoundException') throw jobError(err, 'glue:ResetJobBookmark', name);
      if (runId && /\brun\b/i.test(info.message) && !/continuation|bookmark/i.test(info.message))
        throw runError(err, 'glue:ResetJobBookmark', name, runId);
      await bookmarkNotFound(err, 'glue:ResetJobBookmark', name);
    }
  }

  const platform: GluePlatform = {
    provider: 'glue',
    client,
    terms: {
      platform: 'AWS Glue',
      cloud: 'AWS',

      short: 'Glue',
      job: 'Glue job',
      runIdExample: 'jr_…',
      parameterPrefix: '--',

      permissions: 'IAM policy',
    },
    perRunParameters: GLUE_PER_RUN_PARAMETERS,
    scaling: {
      sizeLabel: 'Worker type',
      countLabel: 'Number of workers',
      sizes: WORKER_TYPES,
      defaultSize: 'G.1X',
      maxCount: MAX_WORKERS,
      rerunLabel: 'Rerun once with these workers (StartJobRun overrides)',
      persistentLabel: 'PERSISTENT CHANGE (UpdateJob): every later run',
      unitsOf(size, count) {
        const dpu = dpuPerWorker(size);
        return dpu === 'unknown' || !(count > 0) ? undefined : dpu * count;
      },
    },
    bookmarks: {
      setting(def) {
        const option = def.parameters['job-bookmark-option'];
        return option ? { option, enabled: option === 'job-bookmark-enable' } : undefined;
      },
      position: getBookmark,
    },
    catalog: glueCatalog(client),
    dataQuality: glueDataQuality(client),
    tags: glueTags(client, async () => (await linkContext()).region),

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

    async listRuns(name, { maxRuns, since, pageSize: wanted }) {
      const runs: JobRun[] = [];
      if (maxRuns <= 0) return runs;
      const pageSize = Math.max(1, Math.min(RUNS_PAGE_SIZE, maxRuns, wanted ?? RUNS_PAGE_SIZE));
      try {
        const links = await linkContext();
        // Newest first, no time filter on the service side: page until enough runs or past `since`.
        pages: for await (const page of paginateGetJobRuns({ client, pageSize }, { JobName: name })) {
          for (const raw of page.JobRuns ?? []) {
            const run = toJobRun(name, raw, pricing, links);
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
        return toJobRun(name, out.JobRun, pricing, await linkContext());
      } catch (err) {
        throw runError(err, 'glue:GetJobRun', name, runId);
      }
    },

    startRun(name, o = {}) {
      const args = {
        ...(o.parameters ? toGlueArguments(o.parameters) : {}),
        ...(o.isolated ? { '--job-bookmark-option': 'job-bookmark-disable' } : {}),
      };
      return startJobRun({ JobName: name, ...(Object.keys(args).length ? { Arguments: args } : {}) });
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

    planMitigation: planGlueMitigation,

    tagsRuns: true,

    async execute(action: PlannedAction, opts?: { tag?: string }) {
      const req = GlueRequest.parse(action.request);
      switch (action.operation) {
        case 'glue:StartJobRun':
          // The tag goes with the run's other arguments (per key over the job's defaults; a
          // script reading its options with getResolvedOptions ignores the ones it does not ask for).
          return {
            runId: await startJobRun(
              opts?.tag
                ? { ...req, Arguments: { ...req.Arguments, [`--${RUN_TAG_PARAMETER}`]: opts.tag } }
                : req,
            ),
          };
        case 'glue:UpdateJob':
          await updateJob(req.JobName, {
            ...(req.WorkerType ? { workerType: req.WorkerType } : {}),
            ...(req.NumberOfWorkers !== undefined ? { numberOfWorkers: req.NumberOfWorkers } : {}),
          });
          return {};
        case 'glue:ResetJobBookmark':
          await resetBookmark(req.JobName, req.RunId);
          return {};
        default:
          throw new ProviderError('INVALID_INPUT', `Glue cannot execute ${action.operation}`, {
            retryable: false,
          });
      }
    },
  };
  return platform;
}

/** A planned action's request as this adapter wrote it (it comes back from Redis). */
const GlueRequest = z.object({
  JobName: z.string().min(1),
  Arguments: z.record(z.string(), z.string()).optional(),
  WorkerType: z.string().optional(),
  NumberOfWorkers: z.number().int().positive().optional(),
  RunId: z.string().optional(),
});
