// Typed functions over the stable Synapse data plane (api-version 2020-12-01) of one workspace:
// pipeline runs (queryPipelineRuns paged by continuationToken, one run, cancel), activity runs,
// createRun (parameters; recovery reruns), pipelines, and the Spark application behind a notebook
// or Spark-job activity (monitoring API and Livy batches, 2019-11-01-preview). Every answer is
// parsed with zod here; failures are ProviderErrors. @azure/synapse-artifacts is not used: it is a
// beta pinned to preview api-versions.
import { z } from 'zod';
import { ProviderError } from '../ports.js';
import { AzureRestClient, joinUrl, type AzureClientOptions } from './azure-rest.js';
import { AZURE_SCOPES } from './azure-credential.js';
import type { AzureCall } from './azure-errors.js';

export const SYNAPSE_API_VERSION = '2020-12-01';
export const LIVY_API_VERSION = '2019-11-01-preview';

/** `https://{workspace}.dev.azuresynapse.net`, or the configured `workspaceEndpoint`. */
export function synapseWorkspaceEndpoint(ws: { workspace?: string; workspaceEndpoint?: string }): string {
  if (ws.workspaceEndpoint) return ws.workspaceEndpoint.replace(/\/+$/, '');
  if (!ws.workspace)
    throw new ProviderError('INVALID_INPUT', 'a Synapse job needs `workspace` or `workspaceEndpoint`', {
      retryable: false,
    });
  if (!/^[a-z0-9][a-z0-9-]{0,48}[a-z0-9]$/.test(ws.workspace))
    throw new ProviderError(
      'INVALID_INPUT',
      `"${ws.workspace}" is not a Synapse workspace name (lowercase letters, digits and hyphens)`,
      { retryable: false },
    );
  return `https://${ws.workspace}.dev.azuresynapse.net`;
}

const date = z.string().transform((s, ctx) => {
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: `not a date: ${s}` });
    return z.NEVER;
  }
  return new Date(ms);
});
const optDate = date.nullish().transform((d) => d ?? undefined);
const optNumber = z
  .number()
  .nullish()
  .transform((n) => n ?? undefined);
const record = z.record(z.string(), z.unknown());

export type PipelineRunStatus = 'Queued' | 'InProgress' | 'Succeeded' | 'Failed' | 'Canceling' | 'Cancelled';

const PipelineRunJson = z
  .object({
    runId: z.string(),
    runGroupId: z.string().nullish(),
    isLatest: z.boolean().nullish(),
    pipelineName: z.string(),
    parameters: z.record(z.string(), z.unknown()).nullish(),
    invokedBy: z
      .object({ name: z.string().nullish(), id: z.string().nullish(), invokedByType: z.string().nullish() })
      .loose()
      .nullish(),
    lastUpdated: optDate,
    runStart: optDate,
    runEnd: optDate,
    durationInMs: optNumber,
    status: z.string(),
    message: z.string().nullish(),
  })
  .loose();

/** A pipeline run as the bot uses it. */
export interface PipelineRun {
  runId: string;
  /** Runs of one recovery group share it (the first run's id). */
  runGroupId?: string;
  /** False once a recovery rerun of the group exists. */
  isLatest?: boolean;
  pipelineName: string;
  status: PipelineRunStatus | (string & {});
  runStart?: Date;
  runEnd?: Date;
  durationMs?: number;
  lastUpdated?: Date;
  /** The failure, on failed runs ('' otherwise). */
  message: string;
  /** Parameter values as strings, as the API returns them. */
  parameters: Record<string, string>;
  invokedBy?: { name?: string; id?: string; invokedByType?: string };
}

function toRun(r: z.infer<typeof PipelineRunJson>): PipelineRun {
  const run: PipelineRun = {
    runId: r.runId,
    pipelineName: r.pipelineName,
    status: r.status,
    message: r.message ?? '',
    parameters: Object.fromEntries(
      Object.entries(r.parameters ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    ),
  };
  if (r.runGroupId) run.runGroupId = r.runGroupId;
  if (typeof r.isLatest === 'boolean') run.isLatest = r.isLatest;
  if (r.runStart) run.runStart = r.runStart;
  if (r.runEnd) run.runEnd = r.runEnd;
  if (r.durationInMs !== undefined) run.durationMs = r.durationInMs;
  if (r.lastUpdated) run.lastUpdated = r.lastUpdated;
  if (r.invokedBy) {
    run.invokedBy = {};
    if (r.invokedBy.name) run.invokedBy.name = r.invokedBy.name;
    if (r.invokedBy.id) run.invokedBy.id = r.invokedBy.id;
    if (r.invokedBy.invokedByType) run.invokedBy.invokedByType = r.invokedBy.invokedByType;
  }
  return run;
}

const RunsPage = z
  .object({ value: z.array(PipelineRunJson), continuationToken: z.string().nullish() })
  .loose();

const ActivityRunJson = z
  .object({
    activityName: z.string(),
    activityRunId: z.string(),
    activityType: z.string(),
    pipelineName: z.string().nullish(),
    pipelineRunId: z.string().nullish(),
    status: z.string(),
    activityRunStart: optDate,
    activityRunEnd: optDate,
    durationInMs: optNumber,
    input: z.unknown().optional(),
    output: z.unknown().optional(),
    error: z
      .object({
        errorCode: z.string().nullish(),
        message: z.string().nullish(),
        failureType: z.string().nullish(),
        target: z.string().nullish(),
      })
      .loose()
      .nullish(),
  })
  .loose();
const ActivityPage = z
  .object({ value: z.array(ActivityRunJson), continuationToken: z.string().nullish() })
  .loose();

/** Where an activity's Spark application is, read from the activity's output. */
export interface SparkRef {
  sparkPool?: string;
  /** Livy batch id (Spark job definitions) or session id (notebooks). */
  livyId?: string;
  appId?: string;
}

export interface ActivityRun {
  activityRunId: string;
  activityName: string;
  /** SynapseNotebook, SparkJob, Copy, … */
  activityType: string;
  pipelineName?: string;
  pipelineRunId?: string;
  status: string;
  start?: Date;
  end?: Date;
  durationMs?: number;
  input: Record<string, unknown>;
  output: Record<string, unknown>;
  /** Only when the activity failed (the API sends empty strings otherwise). */
  error?: { errorCode: string; message: string; failureType: string; target?: string };
  /** For notebook and Spark-job activities. */
  spark?: SparkRef;
}

const asRecord = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Finds the pool, Livy id and application id in a notebook / Spark-job activity's output or input. */
export function sparkRefOf(
  output: Record<string, unknown>,
  input: Record<string, unknown>,
): SparkRef | undefined {
  const result = asRecord(asRecord(asRecord(output.status).Output).result);
  const str = (v: unknown) =>
    typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : undefined;
  const ref: SparkRef = {};
  const pool = str(output.sparkPool) ?? str(result.sparkPool) ?? str(asRecord(input.sparkPool).referenceName);
  const livyId = str(output.jobId) ?? str(output.livyId) ?? str(result.sessionId) ?? str(result.livyId);
  const appId = str(output.appId) ?? str(result.appId) ?? str(output.sparkApplicationId);
  const url = str(output.SparkApplicationStudioUrl) ?? str(output.sparkApplicationStudioUrl);
  if (pool) ref.sparkPool = pool;
  if (livyId) ref.livyId = livyId;
  if (appId) ref.appId = appId;
  if (url) {
    try {
      const u = new URL(url);
      if (!ref.livyId && u.searchParams.get('livyId')) ref.livyId = u.searchParams.get('livyId')!;
      if (!ref.sparkPool && u.searchParams.get('sparkPoolName'))
        ref.sparkPool = u.searchParams.get('sparkPoolName')!;
    } catch {
      // not a URL: ignore
    }
  }
  return Object.keys(ref).length ? ref : undefined;
}

function toActivity(a: z.infer<typeof ActivityRunJson>): ActivityRun {
  const input = asRecord(a.input);
  const output = asRecord(a.output);
  const run: ActivityRun = {
    activityRunId: a.activityRunId,
    activityName: a.activityName,
    activityType: a.activityType,
    status: a.status,
    input,
    output,
  };
  if (a.pipelineName) run.pipelineName = a.pipelineName;
  if (a.pipelineRunId) run.pipelineRunId = a.pipelineRunId;
  if (a.activityRunStart) run.start = a.activityRunStart;
  if (a.activityRunEnd) run.end = a.activityRunEnd;
  if (a.durationInMs !== undefined) run.durationMs = a.durationInMs;
  if (a.error && (a.error.message || a.error.errorCode)) {
    run.error = {
      errorCode: a.error.errorCode ?? '',
      message: a.error.message ?? '',
      failureType: a.error.failureType ?? '',
    };
    if (a.error.target) run.error.target = a.error.target;
  }
  if (a.activityType === 'SynapseNotebook' || a.activityType === 'SparkJob') {
    const ref = sparkRefOf(output, input);
    if (ref) run.spark = ref;
  }
  return run;
}

const PipelineJson = z
  .object({
    name: z.string(),
    properties: z
      .object({
        description: z.string().nullish(),
        activities: z
          .array(z.object({ name: z.string(), type: z.string(), typeProperties: record.nullish() }).loose())
          .nullish(),
        parameters: z
          .record(z.string(), z.object({ type: z.string(), defaultValue: z.unknown().optional() }).loose())
          .nullish(),
        folder: z.object({ name: z.string() }).loose().nullish(),
      })
      .loose(),
  })
  .loose();
const PipelineList = z.object({ value: z.array(PipelineJson), nextLink: z.string().nullish() }).loose();

export interface PipelineActivity {
  name: string;
  type: string;
  /** The raw typeProperties (notebook / sparkJob reference, sparkPool, numExecutors, executorSize, conf). */
  typeProperties: Record<string, unknown>;
  sparkPool?: string;
}

export interface PipelineDefinition {
  name: string;
  description?: string;
  folder?: string;
  parameters: Record<string, { type: string; defaultValue?: unknown }>;
  activities: PipelineActivity[];
}

function toPipeline(p: z.infer<typeof PipelineJson>): PipelineDefinition {
  const out: PipelineDefinition = {
    name: p.name,
    parameters: Object.fromEntries(
      Object.entries(p.properties.parameters ?? {}).map(([k, v]) => [
        k,
        v.defaultValue !== undefined ? { type: v.type, defaultValue: v.defaultValue } : { type: v.type },
      ]),
    ),
    activities: (p.properties.activities ?? []).map((a) => {
      const tp = a.typeProperties ?? {};
      const act: PipelineActivity = { name: a.name, type: a.type, typeProperties: tp };
      const pool = asRecord(tp.sparkPool).referenceName;
      if (typeof pool === 'string') act.sparkPool = pool;
      return act;
    }),
  };
  if (p.properties.description) out.description = p.properties.description;
  if (p.properties.folder?.name) out.folder = p.properties.folder.name;
  return out;
}

const LivyBatchJson = z
  .object({
    id: z.number(),
    appId: z.string().nullish(),
    name: z.string().nullish(),
    sparkPoolName: z.string().nullish(),
    state: z.string().nullish(),
    result: z.string().nullish(),
    livyInfo: z
      .object({
        startingAt: optDate,
        runningAt: optDate,
        successAt: optDate,
        deadAt: optDate,
        killedAt: optDate,
        currentState: z.string().nullish(),
        jobCreationRequest: z
          .object({
            numExecutors: optNumber,
            executorCores: optNumber,
            executorMemory: z.string().nullish(),
            driverCores: optNumber,
            driverMemory: z.string().nullish(),
            conf: z.record(z.string(), z.unknown()).nullish(),
          })
          .loose()
          .nullish(),
      })
      .loose()
      .nullish(),
    schedulerInfo: z.object({ submittedAt: optDate, endedAt: optDate }).loose().nullish(),
    errorInfo: z
      .array(
        z
          .object({
            message: z.string().nullish(),
            errorCode: z.string().nullish(),
            source: z.string().nullish(),
          })
          .loose(),
      )
      .nullish(),
  })
  .loose();
const LivyBatchList = z
  .object({
    from: z.number().nullish(),
    total: z.number().nullish(),
    sessions: z.array(LivyBatchJson).nullish(),
  })
  .loose();

/** A Livy batch: how the Spark job was sized and how it went. */
export interface SparkBatch {
  id: number;
  appId?: string;
  name?: string;
  sparkPool?: string;
  /** Livy state: not_started, starting, running, success, dead, killed … */
  state: string;
  /** Succeeded, Failed, Cancelled, Uncertain. */
  result?: string;
  submittedAt?: Date;
  runningAt?: Date;
  endedAt?: Date;
  numExecutors?: number;
  executorCores?: number;
  executorMemory?: string;
  driverCores?: number;
  driverMemory?: string;
  conf: Record<string, string>;
  errors: { message: string; errorCode?: string; source?: string }[];
}

function toBatch(b: z.infer<typeof LivyBatchJson>): SparkBatch {
  const req = b.livyInfo?.jobCreationRequest;
  const out: SparkBatch = {
    id: b.id,
    state: b.state ?? b.livyInfo?.currentState ?? 'unknown',
    conf: Object.fromEntries(Object.entries(req?.conf ?? {}).map(([k, v]) => [k, String(v)])),
    errors: (b.errorInfo ?? []).map((e) => {
      const x: SparkBatch['errors'][number] = { message: e.message ?? '' };
      if (e.errorCode) x.errorCode = e.errorCode;
      if (e.source) x.source = e.source;
      return x;
    }),
  };
  if (b.appId) out.appId = b.appId;
  if (b.name) out.name = b.name;
  if (b.sparkPoolName) out.sparkPool = b.sparkPoolName;
  if (b.result) out.result = b.result;
  const submitted = b.schedulerInfo?.submittedAt ?? b.livyInfo?.startingAt;
  if (submitted) out.submittedAt = submitted;
  if (b.livyInfo?.runningAt) out.runningAt = b.livyInfo.runningAt;
  const ended =
    b.schedulerInfo?.endedAt ?? b.livyInfo?.successAt ?? b.livyInfo?.deadAt ?? b.livyInfo?.killedAt;
  if (ended) out.endedAt = ended;
  if (req?.numExecutors !== undefined) out.numExecutors = req.numExecutors;
  if (req?.executorCores !== undefined) out.executorCores = req.executorCores;
  if (req?.executorMemory) out.executorMemory = req.executorMemory;
  if (req?.driverCores !== undefined) out.driverCores = req.driverCores;
  if (req?.driverMemory) out.driverMemory = req.driverMemory;
  return out;
}

const SparkJobJson = z
  .object({
    state: z.string().nullish(),
    name: z.string().nullish(),
    submitter: z.string().nullish(),
    compute: z.string().nullish(),
    sparkApplicationId: z.string().nullish(),
    livyId: z.union([z.string(), z.number()]).nullish(),
    jobType: z.string().nullish(),
    submitTime: optDate,
    endTime: optDate,
    queuedDuration: z.string().nullish(),
    runningDuration: z.string().nullish(),
    totalDuration: z.string().nullish(),
  })
  .loose();
const SparkJobList = z
  .object({ nJobs: z.number().nullish(), sparkJobs: z.array(SparkJobJson).nullish() })
  .loose();

/** A Spark application of the workspace, from the monitoring API. */
export interface SparkApplication {
  name?: string;
  state?: string;
  sparkApplicationId?: string;
  livyId?: string;
  /** The Spark pool. */
  pool?: string;
  /** 'Spark batch' or 'Spark session'. */
  jobType?: string;
  submitTime?: Date;
  endTime?: Date;
  queuedSec?: number;
  runningSec?: number;
  totalSec?: number;
}

/** "1h 2m 3s", "20m 5s", "45s", "350ms" → seconds; undefined when unreadable. */
export function parseMonitoringDuration(s: string | null | undefined): number | undefined {
  if (!s) return undefined;
  const re = /(\d+(?:\.\d+)?)\s*(ms|h|m|s|d)\b/g;
  let total = 0;
  let any = false;
  for (const m of s.matchAll(re)) {
    any = true;
    const n = Number(m[1]);
    total +=
      m[2] === 'd'
        ? n * 86400
        : m[2] === 'h'
          ? n * 3600
          : m[2] === 'm'
            ? n * 60
            : m[2] === 's'
              ? n
              : n / 1000;
  }
  return any ? total : undefined;
}

function toApplication(j: z.infer<typeof SparkJobJson>): SparkApplication {
  const a: SparkApplication = {};
  if (j.name) a.name = j.name;
  if (j.state) a.state = j.state;
  if (j.sparkApplicationId) a.sparkApplicationId = j.sparkApplicationId;
  if (j.livyId !== null && j.livyId !== undefined) a.livyId = String(j.livyId);
  if (j.compute) a.pool = j.compute;
  if (j.jobType) a.jobType = j.jobType;
  if (j.submitTime) a.submitTime = j.submitTime;
  if (j.endTime) a.endTime = j.endTime;
  const q = parseMonitoringDuration(j.queuedDuration);
  const r = parseMonitoringDuration(j.runningDuration);
  const t = parseMonitoringDuration(j.totalDuration);
  if (q !== undefined) a.queuedSec = q;
  if (r !== undefined) a.runningSec = r;
  if (t !== undefined) a.totalSec = t;
  return a;
}

export interface RunFilter {
  operand:
    | 'PipelineName'
    | 'Status'
    | 'RunStart'
    | 'RunEnd'
    | 'RunGroupId'
    | 'LatestOnly'
    | 'TriggerName'
    | (string & {});
  operator: 'Equals' | 'NotEquals' | 'In' | 'NotIn';
  values: string[];
}

export interface QueryPipelineRunsOptions {
  /** lastUpdatedAfter / lastUpdatedBefore: the API's required window (runs updated within it). */
  after: Date;
  before: Date;
  pipelineName?: string | string[];
  status?: string[];
  /** More filters, as the API takes them. */
  filters?: RunFilter[];
  /** Newest first by default (RunStart DESC). */
  order?: 'ASC' | 'DESC';
  /** Stop paging once this many runs are in (default: page to the end). */
  maxRuns?: number;
  signal?: AbortSignal;
}

export interface RecoveryOptions {
  /** The run to recover (its group gets the new run). */
  referencePipelineRunId: string;
  /** Rerun from this activity (the activities before it are not run again). */
  startActivityName?: string;
  /** Default true: a recovery run in the reference run's group; false = a plain rerun referencing it. */
  isRecovery?: boolean;
}

const PoolRefJson = z.object({ referenceName: z.string() }).loose();

/** `GET /notebooks/{name}` (2020-12-01): only what the bot reads — the pool it is attached to. */
const NotebookJson = z
  .object({
    name: z.string(),
    properties: z
      .object({
        bigDataPool: PoolRefJson.nullish(),
        folder: z.object({ name: z.string() }).loose().nullish(),
      })
      .loose(),
  })
  .loose();

/** `GET /sparkJobDefinitions/{name}` (2020-12-01): the pool, the Spark version asked for, the main file. */
const SparkJobDefinitionJson = z
  .object({
    name: z.string(),
    properties: z
      .object({
        targetBigDataPool: PoolRefJson.nullish(),
        requiredSparkVersion: z.string().nullish(),
        language: z.string().nullish(),
        jobProperties: z
          .object({ file: z.string().nullish(), className: z.string().nullish() })
          .loose()
          .nullish(),
      })
      .loose(),
  })
  .loose();

/** `GET /bigDataPools/{name}` (2020-12-01, the data plane's read-only view of a Spark pool). */
const BigDataPoolJson = z
  .object({ name: z.string(), properties: z.object({ sparkVersion: z.string().nullish() }).loose() })
  .loose();

/** What a notebook or Spark job definition says about where and what it runs. */
export interface SparkArtifact {
  kind: 'notebook' | 'sparkJobDefinition';
  name: string;
  /** The pool the artifact is attached to (an activity's own pool wins over it). */
  pool?: string;
  /** Spark job definitions: requiredSparkVersion. */
  requiredSparkVersion?: string;
  /** Spark job definitions: jobProperties.file. */
  file?: string;
}

export interface SynapseClientOptions extends AzureClientOptions {
  /** The workspace endpoint (synapseWorkspaceEndpoint). */
  endpoint: string;
  /** For messages (default: the endpoint's host). */
  workspace?: string;
}

const ROLE_READ = 'Synapse Artifact User';
const ROLE_MONITOR = 'Synapse Monitoring Operator';
const ROLE_RUN = 'Synapse Compute Operator (and Synapse Credential User on the workspace identity)';

export interface SynapseClient {
  readonly endpoint: string;
  readonly rest: AzureRestClient;
  /** Every run matching, following continuation tokens (100 a page), until maxRuns. */
  queryPipelineRuns(opts: QueryPipelineRunsOptions): Promise<PipelineRun[]>;
  /** The same, a page at a time. */
  pipelineRunPages(opts: QueryPipelineRunsOptions): AsyncIterable<PipelineRun[]>;
  getPipelineRun(runId: string, opts?: { signal?: AbortSignal }): Promise<PipelineRun>;
  /** Activity runs of a pipeline run (window default: a day either side of the run). */
  queryActivityRuns(
    pipelineName: string,
    runId: string,
    opts?: { after?: Date; before?: Date; signal?: AbortSignal },
  ): Promise<ActivityRun[]>;
  /** Starts a run; returns its run id. */
  createRun(
    pipelineName: string,
    opts?: { parameters?: Record<string, unknown>; recovery?: RecoveryOptions; signal?: AbortSignal },
  ): Promise<string>;
  cancelRun(runId: string, opts?: { recursive?: boolean; signal?: AbortSignal }): Promise<void>;
  listPipelines(opts?: { signal?: AbortSignal }): Promise<PipelineDefinition[]>;
  listPipelineNames(opts?: { signal?: AbortSignal }): Promise<string[]>;
  getPipeline(name: string, opts?: { signal?: AbortSignal }): Promise<PipelineDefinition>;
  getNotebook(name: string, opts?: { signal?: AbortSignal }): Promise<SparkArtifact>;
  getSparkJobDefinition(name: string, opts?: { signal?: AbortSignal }): Promise<SparkArtifact>;
  /** The Spark version of a pool (data plane `GET /bigDataPools/{name}`), when it says. */
  getSparkPoolVersion(pool: string, opts?: { signal?: AbortSignal }): Promise<string | undefined>;
  getSparkBatch(pool: string, livyId: number | string, opts?: { signal?: AbortSignal }): Promise<SparkBatch>;
  listSparkBatches(
    pool: string,
    opts?: { from?: number; size?: number; signal?: AbortSignal },
  ): Promise<{ total: number; batches: SparkBatch[] }>;
  listSparkApplications(opts?: { signal?: AbortSignal }): Promise<SparkApplication[]>;
  /**
   * The Spark application behind a notebook or Spark-job activity: its monitoring entry (found by
   * application id, else Livy id and pool) and, for Spark job definitions, its Livy batch (executors
   * requested, cores, memory, conf, timings). Undefined parts when the activity has no Spark app.
   */
  sparkApplicationOf(
    activity: ActivityRun,
    opts?: { signal?: AbortSignal },
  ): Promise<{ application?: SparkApplication; batch?: SparkBatch }>;
}

export function createSynapseClient(opts: SynapseClientOptions): SynapseClient {
  const endpoint = opts.endpoint.replace(/\/+$/, '');
  const workspace = opts.workspace ?? new URL(endpoint).host.split('.')[0] ?? endpoint;
  const rest = new AzureRestClient({ ...opts, scope: AZURE_SCOPES.synapse });
  const url = (
    path: string,
    query: Record<string, string | undefined> = { 'api-version': SYNAPSE_API_VERSION },
  ) => joinUrl(endpoint, path, query);
  const call = (operation: string, subject: string, action: string, role: string): AzureCall => ({
    service: 'Synapse',
    operation,
    subject: `${subject} in workspace ${workspace}`,
    action,
    role,
  });
  const ws = `workspace ${workspace}`;
  const enc = encodeURIComponent;

  async function* pages(o: QueryPipelineRunsOptions): AsyncIterable<PipelineRun[]> {
    const filters: RunFilter[] = [...(o.filters ?? [])];
    if (o.pipelineName !== undefined) {
      const names = Array.isArray(o.pipelineName) ? o.pipelineName : [o.pipelineName];
      filters.push({
        operand: 'PipelineName',
        operator: names.length === 1 ? 'Equals' : 'In',
        values: names,
      });
    }
    if (o.status?.length) filters.push({ operand: 'Status', operator: 'In', values: o.status });
    const subject =
      typeof o.pipelineName === 'string' ? `runs of pipeline ${o.pipelineName}` : 'pipeline runs';
    let token: string | undefined;
    let seen = 0;
    do {
      const res = await rest.send({
        method: 'POST',
        url: url('/queryPipelineRuns'),
        body: {
          lastUpdatedAfter: o.after.toISOString(),
          lastUpdatedBefore: o.before.toISOString(),
          filters,
          orderBy: [{ orderBy: 'RunStart', order: o.order ?? 'DESC' }],
          ...(token ? { continuationToken: token } : {}),
        },
        schema: RunsPage,
        call: call('queryPipelineRuns', subject, 'Microsoft.Synapse/workspaces/artifacts/read', ROLE_READ),
        ...(o.signal ? { signal: o.signal } : {}),
      });
      const runs = res.data.value.map(toRun);
      seen += runs.length;
      yield o.maxRuns !== undefined && seen > o.maxRuns
        ? runs.slice(0, runs.length - (seen - o.maxRuns))
        : runs;
      token = res.data.continuationToken ?? undefined;
    } while (token && (o.maxRuns === undefined || seen < o.maxRuns));
  }

  const pipelineNames = async (signal?: AbortSignal) =>
    (await client.listPipelines(signal ? { signal } : {})).map((p) => p.name);

  const client: SynapseClient = {
    endpoint,
    rest,
    pipelineRunPages: pages,
    async queryPipelineRuns(o) {
      const out: PipelineRun[] = [];
      for await (const page of pages(o)) out.push(...page);
      return out;
    },
    async getPipelineRun(runId, o = {}) {
      const res = await rest.send({
        method: 'GET',
        url: url(`/pipelineruns/${enc(runId)}`),
        schema: PipelineRunJson,
        call: call(
          'getPipelineRun',
          `pipeline run ${runId}`,
          'Microsoft.Synapse/workspaces/artifacts/read',
          ROLE_READ,
        ),
        ...(o.signal ? { signal: o.signal } : {}),
      });
      return toRun(res.data);
    },
    async queryActivityRuns(pipelineName, runId, o = {}) {
      let after = o.after;
      let before = o.before;
      if (!after || !before) {
        const run = await client.getPipelineRun(runId, o.signal ? { signal: o.signal } : {});
        const start = run.runStart?.getTime() ?? Date.now();
        after ??= new Date(start - 86_400_000);
        before ??= new Date(Math.max(Date.now(), run.runEnd?.getTime() ?? start) + 86_400_000);
      }
      const out: ActivityRun[] = [];
      let token: string | undefined;
      do {
        const res = await rest.send({
          method: 'POST',
          url: url(`/pipelines/${enc(pipelineName)}/pipelineruns/${enc(runId)}/queryActivityruns`),
          body: {
            lastUpdatedAfter: after.toISOString(),
            lastUpdatedBefore: before.toISOString(),
            ...(token ? { continuationToken: token } : {}),
          },
          schema: ActivityPage,
          call: call(
            'queryActivityRuns',
            `activity runs of pipeline run ${runId} (${pipelineName})`,
            'Microsoft.Synapse/workspaces/pipelines/viewOutputs/action',
            ROLE_MONITOR,
          ),
          ...(o.signal ? { signal: o.signal } : {}),
        });
        out.push(...res.data.value.map(toActivity));
        token = res.data.continuationToken ?? undefined;
      } while (token);
      return out;
    },
    async createRun(pipelineName, o = {}) {
      const rec = o.recovery;
      const query: Record<string, string | undefined> = { 'api-version': SYNAPSE_API_VERSION };
      if (rec) {
        query.referencePipelineRunId = rec.referencePipelineRunId;
        query.isRecovery = String(rec.isRecovery ?? true);
        if (rec.startActivityName) query.startActivityName = rec.startActivityName;
      }
      const res = await rest.send({
        method: 'POST',
        url: url(`/pipelines/${enc(pipelineName)}/createRun`, query),
        body: o.parameters ?? {},
        schema: z.object({ runId: z.string() }).loose(),
        call: call(
          'createRun',
          `pipeline ${pipelineName}`,
          'Microsoft.Synapse/workspaces/integrationRuntimes/useCompute/action',
          ROLE_RUN,
        ),
        ...(o.signal ? { signal: o.signal } : {}),
      });
      return res.data.runId;
    },
    async cancelRun(runId, o = {}) {
      await rest.send({
        method: 'POST',
        url: url(`/pipelineruns/${enc(runId)}/cancel`, {
          'api-version': SYNAPSE_API_VERSION,
          ...(o.recursive ? { isRecursive: 'true' } : {}),
        }),
        schema: z.unknown(),
        call: call(
          'cancelPipelineRun',
          `pipeline run ${runId}`,
          'Microsoft.Synapse/workspaces/integrationRuntimes/useCompute/action',
          ROLE_RUN,
        ),
        ...(o.signal ? { signal: o.signal } : {}),
      });
    },
    async listPipelines(o = {}) {
      const out: PipelineDefinition[] = [];
      let next: string | undefined = url('/pipelines');
      while (next) {
        const res: { data: z.infer<typeof PipelineList> } = await rest.send({
          method: 'GET',
          url: next,
          schema: PipelineList,
          call: call('listPipelines', 'pipelines', 'Microsoft.Synapse/workspaces/artifacts/read', ROLE_READ),
          ...(o.signal ? { signal: o.signal } : {}),
        });
        out.push(...res.data.value.map(toPipeline));
        next = res.data.nextLink ?? undefined;
        // Follow only links to the same workspace endpoint (never send the token elsewhere).
        if (next && new URL(next).origin !== new URL(endpoint).origin) next = undefined;
      }
      return out;
    },
    listPipelineNames: (o = {}) => pipelineNames(o.signal),
    async getPipeline(name, o = {}) {
      const res = await rest.send({
        method: 'GET',
        url: url(`/pipelines/${enc(name)}`),
        schema: PipelineJson,
        call: call(
          'getPipeline',
          `pipeline ${name}`,
          'Microsoft.Synapse/workspaces/artifacts/read',
          ROLE_READ,
        ),
        ...(o.signal ? { signal: o.signal } : {}),
      });
      return toPipeline(res.data);
    },
    async getNotebook(name, o = {}) {
      const res = await rest.send({
        method: 'GET',
        url: url(`/notebooks/${enc(name)}`),
        schema: NotebookJson,
        call: call(
          'getNotebook',
          `notebook ${name}`,
          'Microsoft.Synapse/workspaces/artifacts/read',
          ROLE_READ,
        ),
        ...(o.signal ? { signal: o.signal } : {}),
      });
      const pool = res.data.properties.bigDataPool?.referenceName;
      return { kind: 'notebook', name: res.data.name, ...(pool ? { pool } : {}) };
    },
    async getSparkJobDefinition(name, o = {}) {
      const res = await rest.send({
        method: 'GET',
        url: url(`/sparkJobDefinitions/${enc(name)}`),
        schema: SparkJobDefinitionJson,
        call: call(
          'getSparkJobDefinition',
          `Spark job definition ${name}`,
          'Microsoft.Synapse/workspaces/artifacts/read',
          ROLE_READ,
        ),
        ...(o.signal ? { signal: o.signal } : {}),
      });
      const p = res.data.properties;
      const pool = p.targetBigDataPool?.referenceName;
      const file = p.jobProperties?.file;
      return {
        kind: 'sparkJobDefinition',
        name: res.data.name,
        ...(pool ? { pool } : {}),
        ...(p.requiredSparkVersion ? { requiredSparkVersion: p.requiredSparkVersion } : {}),
        ...(file ? { file } : {}),
      };
    },
    async getSparkPoolVersion(pool, o = {}) {
      const res = await rest.send({
        method: 'GET',
        url: url(`/bigDataPools/${enc(pool)}`),
        schema: BigDataPoolJson,
        call: call(
          'getBigDataPool',
          `Spark pool ${pool}`,
          'Microsoft.Synapse/workspaces/artifacts/read',
          ROLE_READ,
        ),
        ...(o.signal ? { signal: o.signal } : {}),
      });
      return res.data.properties.sparkVersion ?? undefined;
    },
    async getSparkBatch(pool, livyId, o = {}) {
      const res = await rest.send({
        method: 'GET',
        url: url(
          `/livyApi/versions/${LIVY_API_VERSION}/sparkPools/${enc(pool)}/batches/${enc(String(livyId))}`,
          { detailed: 'true' },
        ),
        schema: LivyBatchJson,
        call: call(
          'getSparkBatchJob',
          `Spark batch ${livyId} of pool ${pool}`,
          'Microsoft.Synapse/workspaces/bigDataPools/viewLogs/action',
          ROLE_MONITOR,
        ),
        ...(o.signal ? { signal: o.signal } : {}),
      });
      return toBatch(res.data);
    },
    async listSparkBatches(pool, o = {}) {
      const res = await rest.send({
        method: 'GET',
        url: url(`/livyApi/versions/${LIVY_API_VERSION}/sparkPools/${enc(pool)}/batches`, {
          from: String(o.from ?? 0),
          size: String(o.size ?? 20),
          detailed: 'true',
        }),
        schema: LivyBatchList,
        call: call(
          'listSparkBatchJobs',
          `Spark batches of pool ${pool}`,
          'Microsoft.Synapse/workspaces/bigDataPools/viewLogs/action',
          ROLE_MONITOR,
        ),
        ...(o.signal ? { signal: o.signal } : {}),
      });
      const batches = (res.data.sessions ?? []).map(toBatch);
      return { total: res.data.total ?? batches.length, batches };
    },
    async listSparkApplications(o = {}) {
      const res = await rest.send({
        method: 'GET',
        url: url('/monitoring/workloadTypes/spark/Applications'),
        schema: SparkJobList,
        call: call(
          'getSparkJobList',
          `Spark applications of ${ws}`,
          'Microsoft.Synapse/workspaces/bigDataPools/viewLogs/action',
          ROLE_MONITOR,
        ),
        ...(o.signal ? { signal: o.signal } : {}),
      });
      return (res.data.sparkJobs ?? []).map(toApplication);
    },
    async sparkApplicationOf(activity, o = {}) {
      const ref = activity.spark;
      if (!ref) return {};
      const signal = o.signal ? { signal: o.signal } : {};
      const apps = await client.listSparkApplications(signal);
      const application =
        (ref.appId ? apps.find((a) => a.sparkApplicationId === ref.appId) : undefined) ??
        (ref.livyId
          ? apps.find(
              (a) => a.livyId === ref.livyId && (!ref.sparkPool || !a.pool || a.pool === ref.sparkPool),
            )
          : undefined);
      const out: { application?: SparkApplication; batch?: SparkBatch } = {};
      if (application) out.application = application;
      const batchJob = activity.activityType === 'SparkJob' || /batch/i.test(application?.jobType ?? '');
      const pool = ref.sparkPool ?? application?.pool;
      const livyId = ref.livyId ?? application?.livyId;
      if (batchJob && pool && livyId) out.batch = await client.getSparkBatch(pool, livyId, signal);
      return out;
    },
  };
  return client;
}
