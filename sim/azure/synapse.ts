// The Synapse data plane of one workspace (`https://{workspace}.dev.azuresynapse.net`, served here
// under `/synapse/{workspace}`): pipeline runs (query, get, cancel, createRun with recovery),
// activity runs, pipelines, Livy batches and the Spark applications monitoring list.
import { z } from 'zod';
import {
  AzureSimError,
  iso,
  json,
  parseJsonBody,
  requireApiVersion,
  type AzureRequest,
  type AzureResponse,
} from './http.js';
import {
  activityView,
  appEnd,
  livyState,
  runView,
  type AzureState,
  type PipelineRunRec,
  type SparkApp,
  type SynapseWorkspace,
} from './state.js';

export const SYNAPSE_API_VERSION = '2020-12-01';
export const LIVY_VERSION = '2019-11-01-preview';

export interface SynapseRoute {
  operation: string;
  workspace: string;
  /** Resources named, for fault matching (workspace first). */
  resources: string[];
  handle(state: AzureState, req: AzureRequest, ctx: SynapseContext): AzureResponse;
}

export interface SynapseContext {
  /** Runs a page of queryPipelineRuns / queryActivityruns holds. */
  pageSize: number;
  /** The base URL the client used, for nextLink. */
  baseUrl: string;
}

const Operand = z.string();
const RunFilter = z.object({
  operand: Operand,
  operator: z.enum(['Equals', 'NotEquals', 'In', 'NotIn']),
  values: z.array(z.string()).min(1),
});
const OrderBy = z.object({ orderBy: z.string(), order: z.enum(['ASC', 'DESC']) });
const FilterParameters = z.object({
  continuationToken: z.string().nullish(),
  lastUpdatedAfter: z
    .string({ error: 'lastUpdatedAfter is required' })
    .refine((s) => !Number.isNaN(Date.parse(s)), 'must be a date-time'),
  lastUpdatedBefore: z
    .string({ error: 'lastUpdatedBefore is required' })
    .refine((s) => !Number.isNaN(Date.parse(s)), 'must be a date-time'),
  filters: z.array(RunFilter).optional(),
  orderBy: z.array(OrderBy).optional(),
});
type FilterParameters = z.infer<typeof FilterParameters>;

/** Matches `/synapse/{ws}/...` paths to an operation; undefined for an unknown route. */
export function synapseRoute(method: string, segments: string[]): SynapseRoute | undefined {
  const [ws, ...rest] = segments;
  if (!ws) return undefined;
  const route = (operation: string, resources: string[], handle: SynapseRoute['handle']): SynapseRoute => ({
    operation,
    workspace: ws,
    resources: [ws, ...resources],
    handle,
  });
  const [a, b, c, d, e, f, g] = rest;
  if (method === 'POST' && a === 'queryPipelineRuns' && rest.length === 1)
    return route('QueryPipelineRuns', [], (s, r, ctx) => queryPipelineRuns(s, ws, r, ctx));
  if (method === 'GET' && a === 'pipelineruns' && b && rest.length === 2)
    return route('GetPipelineRun', [b], (s, r) => getPipelineRun(s, ws, b, r));
  if (method === 'POST' && a === 'pipelineruns' && b && c === 'cancel' && rest.length === 3)
    return route('CancelPipelineRun', [b], (s, r) => cancelRun(s, ws, b, r));
  if (
    method === 'POST' &&
    a === 'pipelines' &&
    b &&
    c === 'pipelineruns' &&
    d &&
    e === 'queryActivityruns' &&
    rest.length === 5
  )
    return route('QueryActivityRuns', [b, d], (s, r, ctx) => queryActivityRuns(s, ws, b, d, r, ctx));
  if (method === 'POST' && a === 'pipelines' && b && c === 'createRun' && rest.length === 3)
    return route('CreateRun', [b], (s, r) => createRun(s, ws, b, r));
  if (method === 'GET' && a === 'pipelines' && rest.length === 1)
    return route('ListPipelines', [], (s, r, ctx) => listPipelines(s, ws, r, ctx));
  if (method === 'GET' && a === 'pipelines' && b && rest.length === 2)
    return route('GetPipeline', [b], (s, r) => getPipeline(s, ws, b, r));
  if (method === 'GET' && a === 'notebooks' && b && rest.length === 2)
    return route('GetNotebook', [b], (s, r) => getNotebook(s, ws, b, r));
  if (method === 'GET' && a === 'sparkJobDefinitions' && b && rest.length === 2)
    return route('GetSparkJobDefinition', [b], (s, r) => getSparkJobDefinition(s, ws, b, r));
  if (method === 'GET' && a === 'bigDataPools' && b && rest.length === 2)
    return route('GetBigDataPool', [b], (s, r) => getBigDataPool(s, ws, b, r));
  if (method === 'GET' && a === 'livyApi' && b === 'versions' && d === 'sparkPools' && e && f === 'batches') {
    if (c !== LIVY_VERSION) return undefined;
    if (rest.length === 6) return route('ListSparkBatchJobs', [e], (s, r) => listBatches(s, ws, e, r));
    if (g && rest.length === 7) return route('GetSparkBatchJob', [e, g], (s, r) => getBatch(s, ws, e, g, r));
  }
  if (
    method === 'GET' &&
    a === 'monitoring' &&
    b === 'workloadTypes' &&
    c === 'spark' &&
    d === 'Applications' &&
    rest.length === 4
  )
    return route('GetSparkJobList', [], (s, r) => sparkJobList(s, ws, r));
  return undefined;
}

function workspaceOf(state: AzureState, ws: string): SynapseWorkspace {
  const w = state.workspaces.get(ws);
  if (!w) throw new AzureSimError(404, 'WorkspaceNotFound', `Workspace '${ws}' was not found.`);
  return w;
}

function runOf(w: SynapseWorkspace, runId: string): PipelineRunRec {
  const run = w.runs.get(runId);
  if (!run)
    throw new AzureSimError(
      404,
      'PipelineRunNotFound',
      `Pipeline run '${runId}' was not found in workspace '${w.name}'.`,
    );
  return run;
}

export function pipelineRunJson(run: PipelineRunRec, now: number): Record<string, unknown> {
  const v = runView(run, now);
  return {
    runId: run.runId,
    runGroupId: run.runGroupId,
    isLatest: run.supersededBy === undefined,
    pipelineName: run.pipelineName,
    parameters: Object.fromEntries(
      Object.entries(run.parameters).map(([k, x]) => [k, typeof x === 'string' ? x : JSON.stringify(x)]),
    ),
    runDimensions: {},
    invokedBy: run.invokedBy,
    lastUpdated: iso(v.lastUpdated),
    runStart: iso(run.runStart),
    runEnd: v.runEnd === null ? null : iso(v.runEnd),
    durationInMs: v.durationInMs,
    status: v.status,
    message: v.status === 'Failed' ? run.message : '',
    annotations: [],
  };
}

const RUN_FIELDS: Record<string, (r: PipelineRunRec, now: number) => string | undefined> = {
  PipelineName: (r) => r.pipelineName,
  Status: (r, now) => runView(r, now).status,
  RunStart: (r) => iso(r.runStart),
  RunEnd: (r, now) => {
    const e = runView(r, now).runEnd;
    return e === null ? undefined : iso(e);
  },
  RunGroupId: (r) => r.runGroupId,
  LatestOnly: (r) => String(r.supersededBy === undefined),
  TriggerName: (r) => r.invokedBy.name,
  RunId: (r) => r.runId,
};

function matchesFilter(value: string | undefined, f: z.infer<typeof RunFilter>, dates: boolean): boolean {
  const eq = (v: string) =>
    dates && value !== undefined ? Date.parse(v) === Date.parse(value) : v === value;
  switch (f.operator) {
    case 'Equals':
      return eq(f.values[0]!);
    case 'NotEquals':
      return !eq(f.values[0]!);
    case 'In':
      return f.values.some(eq);
    case 'NotIn':
      return !f.values.some(eq);
  }
}

interface PageToken {
  offset: number;
}

function readToken(token: string | null | undefined): number {
  if (!token) return 0;
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as PageToken;
    if (typeof t.offset === 'number' && t.offset >= 0) return t.offset;
  } catch {
    // fall through
  }
  throw new AzureSimError(400, 'InvalidContinuationToken', 'The continuation token is not valid.');
}

function page<T>(
  items: T[],
  body: FilterParameters,
  size: number,
): { value: T[]; continuationToken?: string } {
  const offset = readToken(body.continuationToken);
  const value = items.slice(offset, offset + size);
  const next = offset + size;
  return next < items.length
    ? { value, continuationToken: Buffer.from(JSON.stringify({ offset: next })).toString('base64url') }
    : { value };
}

function window(body: FilterParameters): { after: number; before: number } {
  const after = Date.parse(body.lastUpdatedAfter);
  const before = Date.parse(body.lastUpdatedBefore);
  if (after > before)
    throw new AzureSimError(400, 'BadRequest', 'lastUpdatedAfter must be before lastUpdatedBefore.');
  return { after, before };
}

function queryPipelineRuns(
  state: AzureState,
  ws: string,
  req: AzureRequest,
  ctx: SynapseContext,
): AzureResponse {
  requireApiVersion(req, [SYNAPSE_API_VERSION]);
  const w = workspaceOf(state, ws);
  const body = parseJsonBody(req, FilterParameters);
  const now = state.now();
  const { after, before } = window(body);
  for (const f of body.filters ?? [])
    if (!(f.operand in RUN_FIELDS))
      throw new AzureSimError(
        400,
        'BadRequest',
        `The filter operand '${f.operand}' is not supported for pipeline runs.`,
      );
  let runs = [...w.runs.values()].filter((r) => r.runStart <= now);
  runs = runs.filter((r) => {
    const v = runView(r, now);
    return v.lastUpdated >= after && v.lastUpdated <= before;
  });
  for (const f of body.filters ?? []) {
    const get = RUN_FIELDS[f.operand]!;
    const dates = f.operand === 'RunStart' || f.operand === 'RunEnd';
    runs = runs.filter((r) => matchesFilter(get(r, now), f, dates));
  }
  runs.sort(runComparator(body.orderBy ?? [{ orderBy: 'RunStart', order: 'DESC' }], now));
  const out = page(runs, body, ctx.pageSize);
  return json(200, {
    value: out.value.map((r) => pipelineRunJson(r, now)),
    ...(out.continuationToken ? { continuationToken: out.continuationToken } : {}),
  });
}

function runComparator(
  order: z.infer<typeof OrderBy>[],
  now: number,
): (a: PipelineRunRec, b: PipelineRunRec) => number {
  const key = (r: PipelineRunRec, field: string): string | number => {
    const v = runView(r, now);
    switch (field) {
      case 'RunStart':
        return r.runStart;
      case 'RunEnd':
        return v.runEnd ?? Number.MAX_SAFE_INTEGER;
      case 'LastUpdated':
        return v.lastUpdated;
      case 'PipelineName':
        return r.pipelineName;
      case 'Status':
        return v.status;
      case 'RunId':
        return r.runId;
      default:
        throw new AzureSimError(
          400,
          'BadRequest',
          `The orderBy field '${field}' is not supported for pipeline runs.`,
        );
    }
  };
  return (a, b) => {
    for (const o of order) {
      const x = key(a, o.orderBy);
      const y = key(b, o.orderBy);
      if (x === y) continue;
      const c = x < y ? -1 : 1;
      return o.order === 'ASC' ? c : -c;
    }
    return a.runId < b.runId ? -1 : 1;
  };
}

function getPipelineRun(state: AzureState, ws: string, runId: string, req: AzureRequest): AzureResponse {
  requireApiVersion(req, [SYNAPSE_API_VERSION]);
  const run = runOf(workspaceOf(state, ws), runId);
  if (run.runStart > state.now())
    throw new AzureSimError(404, 'PipelineRunNotFound', `Pipeline run '${runId}' was not found.`);
  return json(200, pipelineRunJson(run, state.now()));
}

function cancelRun(state: AzureState, ws: string, runId: string, req: AzureRequest): AzureResponse {
  requireApiVersion(req, [SYNAPSE_API_VERSION]);
  const run = runOf(workspaceOf(state, ws), runId);
  const now = state.now();
  const v = runView(run, now);
  if (v.status === 'Succeeded' || v.status === 'Failed' || v.status === 'Cancelled')
    throw new AzureSimError(
      400,
      'BadRequest',
      `Pipeline run '${runId}' is already in a terminal state (${v.status}) and cannot be cancelled.`,
    );
  if (run.cancelRequestedAt === undefined) run.cancelRequestedAt = now;
  return { status: 200, headers: {}, body: '' };
}

const ActivityFilterParameters = FilterParameters;
const ACTIVITY_FIELDS = new Set([
  'ActivityName',
  'ActivityType',
  'Status',
  'ActivityRunStart',
  'ActivityRunEnd',
]);

function queryActivityRuns(
  state: AzureState,
  ws: string,
  pipeline: string,
  runId: string,
  req: AzureRequest,
  ctx: SynapseContext,
): AzureResponse {
  requireApiVersion(req, [SYNAPSE_API_VERSION]);
  const w = workspaceOf(state, ws);
  if (!w.pipelines.has(pipeline))
    throw new AzureSimError(
      404,
      'PipelineNotFound',
      `Pipeline '${pipeline}' was not found in workspace '${ws}'.`,
    );
  const run = runOf(w, runId);
  if (run.pipelineName !== pipeline)
    throw new AzureSimError(
      404,
      'PipelineRunNotFound',
      `Pipeline run '${runId}' is not a run of pipeline '${pipeline}'.`,
    );
  const body = parseJsonBody(req, ActivityFilterParameters);
  const { after, before } = window(body);
  const now = state.now();
  for (const f of body.filters ?? [])
    if (!ACTIVITY_FIELDS.has(f.operand))
      throw new AzureSimError(
        400,
        'BadRequest',
        `The filter operand '${f.operand}' is not supported for activity runs.`,
      );
  const rows = run.activities
    .map((a) => ({ a, v: activityView(run, a, now) }))
    .filter((x): x is { a: typeof x.a; v: NonNullable<typeof x.v> } => x.v !== undefined)
    .filter(({ a, v }) => {
      const updated = v.end ?? a.startAt;
      return updated >= after && updated <= before;
    })
    .filter(({ a, v }) =>
      (body.filters ?? []).every((f) => {
        const value =
          f.operand === 'ActivityName'
            ? a.activityName
            : f.operand === 'ActivityType'
              ? a.activityType
              : f.operand === 'Status'
                ? v.status
                : f.operand === 'ActivityRunStart'
                  ? iso(a.startAt)
                  : v.end === null
                    ? undefined
                    : iso(v.end);
        return matchesFilter(value, f, f.operand.startsWith('ActivityRun'));
      }),
    );
  const out = page(rows, body, ctx.pageSize);
  return json(200, {
    value: out.value.map(({ a, v }) => ({
      activityName: a.activityName,
      activityRunId: a.activityRunId,
      activityType: a.activityType,
      pipelineName: run.pipelineName,
      pipelineRunId: run.runId,
      linkedServiceName: '',
      status: v.status,
      activityRunStart: iso(a.startAt),
      activityRunEnd: v.end === null ? null : iso(v.end),
      durationInMs: v.durationInMs,
      input: a.input,
      output: v.status === 'InProgress' ? {} : a.output,
      error: {
        errorCode: v.status === 'Failed' ? (a.error?.errorCode ?? '') : '',
        message:
          v.status === 'Failed'
            ? (a.error?.message ?? '')
            : v.status === 'Cancelled'
              ? 'Operation cancelled'
              : '',
        failureType: v.status === 'Failed' ? (a.error?.failureType ?? '') : '',
        target: a.activityName,
      },
      retryAttempt: null,
      userProperties: {},
    })),
    ...(out.continuationToken ? { continuationToken: out.continuationToken } : {}),
  });
}

const Query = {
  bool: (v: string | null) => (v === null ? undefined : v.toLowerCase() === 'true'),
};

function createRun(state: AzureState, ws: string, pipeline: string, req: AzureRequest): AzureResponse {
  requireApiVersion(req, [SYNAPSE_API_VERSION]);
  const w = workspaceOf(state, ws);
  const p = w.pipelines.get(pipeline);
  if (!p)
    throw new AzureSimError(
      404,
      'PipelineNotFound',
      `Pipeline '${pipeline}' was not found in workspace '${ws}'.`,
    );
  const params = parseJsonBody(req, z.record(z.string(), z.unknown()));
  for (const name of Object.keys(params))
    if (!(name in p.parameters))
      throw new AzureSimError(
        400,
        'InvalidPipelineParameter',
        `The parameter '${name}' is not defined in pipeline '${pipeline}'.`,
      );
  for (const [name, spec] of Object.entries(p.parameters))
    if (spec.defaultValue === undefined && !(name in params))
      throw new AzureSimError(
        400,
        'MissingPipelineParameter',
        `The required parameter '${name}' of pipeline '${pipeline}' was not given.`,
      );
  const q = req.url.searchParams;
  const reference = q.get('referencePipelineRunId');
  const isRecovery = Query.bool(q.get('isRecovery')) ?? false;
  const startActivityName = q.get('startActivityName') ?? undefined;
  if ((isRecovery || startActivityName) && !reference)
    throw new AzureSimError(400, 'BadRequest', 'A recovery run needs referencePipelineRunId.');
  let recovery: PipelineRunRec['recovery'];
  let runParams = params;
  if (reference) {
    const ref = runOf(w, reference);
    if (ref.pipelineName !== pipeline)
      throw new AzureSimError(
        400,
        'BadRequest',
        `Run '${reference}' is a run of '${ref.pipelineName}', not of '${pipeline}'.`,
      );
    if (startActivityName && !p.activities.some((a) => a.name === startActivityName))
      throw new AzureSimError(
        400,
        'BadRequest',
        `Activity '${startActivityName}' is not an activity of pipeline '${pipeline}'.`,
      );
    if (isRecovery) {
      recovery = { referencePipelineRunId: reference, ...(startActivityName ? { startActivityName } : {}) };
      // A recovery run keeps the reference run's parameters unless new ones are given.
      runParams = { ...ref.parameters, ...params };
    }
  }
  const run = state.addRun(ws, {
    pipelineName: pipeline,
    runStart: state.now(),
    parameters: runParams,
    ...(recovery ? { recovery } : {}),
  });
  return json(202, { runId: run.runId });
}

function pipelineJson(state: AzureState, ws: string, name: string): Record<string, unknown> {
  const p = state.workspace(ws).pipelines.get(name)!;
  return {
    id: `${state.resourceId(ws)}/pipelines/${p.name}`,
    name: p.name,
    type: 'Microsoft.Synapse/workspaces/pipelines',
    etag: `"${Buffer.from(p.name).toString('hex').slice(0, 16)}"`,
    properties: {
      ...(p.description ? { description: p.description } : {}),
      activities: p.activities.map((a, i) => ({
        name: a.name,
        type: a.type,
        dependsOn:
          i === 0 ? [] : [{ activity: p.activities[i - 1]!.name, dependencyConditions: ['Succeeded'] }],
        policy: {
          timeout: '0.12:00:00',
          retry: 0,
          retryIntervalInSeconds: 30,
          secureOutput: false,
          secureInput: false,
        },
        userProperties: [],
        typeProperties: a.typeProperties,
      })),
      parameters: p.parameters,
      annotations: p.annotations,
      ...(p.folder ? { folder: { name: p.folder } } : {}),
    },
  };
}

function listPipelines(state: AzureState, ws: string, req: AzureRequest, ctx: SynapseContext): AzureResponse {
  requireApiVersion(req, [SYNAPSE_API_VERSION]);
  const w = workspaceOf(state, ws);
  const names = [...w.pipelines.keys()].sort();
  const size = ctx.pageSize;
  const skip = Number(req.url.searchParams.get('$skipToken') ?? '0') || 0;
  const value = names.slice(skip, skip + size).map((n) => pipelineJson(state, ws, n));
  const next =
    skip + size < names.length
      ? `${ctx.baseUrl}/pipelines?api-version=${SYNAPSE_API_VERSION}&$skipToken=${skip + size}`
      : undefined;
  return json(200, { value, ...(next ? { nextLink: next } : {}) });
}

function getPipeline(state: AzureState, ws: string, name: string, req: AzureRequest): AzureResponse {
  requireApiVersion(req, [SYNAPSE_API_VERSION]);
  const w = workspaceOf(state, ws);
  if (!w.pipelines.has(name))
    throw new AzureSimError(
      404,
      'PipelineNotFound',
      `Pipeline '${name}' was not found in workspace '${ws}'.`,
    );
  return json(200, pipelineJson(state, ws, name));
}

function getNotebook(state: AzureState, ws: string, name: string, req: AzureRequest): AzureResponse {
  requireApiVersion(req, [SYNAPSE_API_VERSION]);
  const nb = workspaceOf(state, ws).notebooks.get(name);
  if (!nb)
    throw new AzureSimError(
      404,
      'NotebookNotFound',
      `Notebook '${name}' was not found in workspace '${ws}'.`,
    );
  return json(200, {
    id: `${state.resourceId(ws)}/notebooks/${nb.name}`,
    name: nb.name,
    type: 'Microsoft.Synapse/workspaces/notebooks',
    etag: `"${Buffer.from(nb.name).toString('hex').slice(0, 16)}"`,
    properties: {
      ...(nb.bigDataPool
        ? { bigDataPool: { referenceName: nb.bigDataPool, type: 'BigDataPoolReference' } }
        : {}),
      sessionProperties: {
        driverMemory: '28g',
        driverCores: 4,
        executorMemory: '28g',
        executorCores: 4,
        numExecutors: 2,
      },
      metadata: { language_info: { name: nb.language } },
      nbformat: 4,
      nbformat_minor: 2,
      cells: [{ cell_type: 'code', metadata: {}, source: [`# ${nb.name}`], outputs: [] }],
      ...(nb.folder ? { folder: { name: nb.folder } } : {}),
    },
  });
}

function getSparkJobDefinition(
  state: AzureState,
  ws: string,
  name: string,
  req: AzureRequest,
): AzureResponse {
  requireApiVersion(req, [SYNAPSE_API_VERSION]);
  const d = workspaceOf(state, ws).sparkJobDefinitions.get(name);
  if (!d)
    throw new AzureSimError(
      404,
      'SparkJobDefinitionNotFound',
      `Spark job definition '${name}' was not found in workspace '${ws}'.`,
    );
  return json(200, {
    id: `${state.resourceId(ws)}/sparkJobDefinitions/${d.name}`,
    name: d.name,
    type: 'Microsoft.Synapse/workspaces/sparkJobDefinitions',
    etag: `"${Buffer.from(d.name).toString('hex').slice(0, 16)}"`,
    properties: {
      targetBigDataPool: { referenceName: d.targetBigDataPool, type: 'BigDataPoolReference' },
      ...(d.requiredSparkVersion ? { requiredSparkVersion: d.requiredSparkVersion } : {}),
      language: d.language,
      jobProperties: {
        name: d.name,
        file: d.file,
        ...(d.className ? { className: d.className } : {}),
        conf: {},
        args: [],
        jars: [],
        files: [],
        archives: [],
        driverMemory: '56g',
        driverCores: 8,
        executorMemory: '56g',
        executorCores: 8,
        numExecutors: 2,
      },
      ...(d.folder ? { folder: { name: d.folder } } : {}),
    },
  });
}

/** The data plane's view of a Spark pool (`GET /bigDataPools/{name}`, the sparkComputes shape). */
function getBigDataPool(state: AzureState, ws: string, name: string, req: AzureRequest): AzureResponse {
  requireApiVersion(req, [SYNAPSE_API_VERSION]);
  const pool = workspaceOf(state, ws).pools.get(name);
  if (!pool)
    throw new AzureSimError(
      404,
      'BigDataPoolNotFound',
      `Spark pool '${name}' was not found in workspace '${ws}'.`,
    );
  const p = pool.properties;
  return json(200, {
    id: `${state.resourceId(ws)}/sparkComputes/${pool.name}`,
    name: pool.name,
    type: 'Microsoft.Synapse/workspaces/sparkComputes',
    location: pool.location,
    tags: pool.tags,
    properties: {
      creationDate: new Date(pool.creationDate).toISOString(),
      sparkVersion: p.sparkVersion,
      nodeCount: p.nodeCount,
      nodeSize: p.nodeSize,
      nodeSizeFamily: p.nodeSizeFamily,
      autoScale: p.autoScale,
      autoPause: p.autoPause,
      provisioningState: 'Succeeded',
    },
  });
}

function runOfApp(state: AzureState, app: SparkApp): PipelineRunRec | undefined {
  return state.workspaces.get(app.workspace)?.runs.get(app.pipelineRunId);
}

function batchJson(state: AzureState, app: SparkApp, now: number): Record<string, unknown> {
  const run = runOfApp(state, app);
  const st = livyState(app, run, now);
  const { endAt, result } = appEnd(app, run);
  const done = now >= endAt;
  return {
    livyInfo: {
      notStartedAt: iso(app.submitAt),
      startingAt: iso(app.submitAt),
      runningAt: now >= app.startAt ? iso(app.startAt) : null,
      deadAt: done && result === 'Failed' ? iso(endAt) : null,
      successAt: done && result === 'Succeeded' ? iso(endAt) : null,
      killedAt: done && result === 'Cancelled' ? iso(endAt) : null,
      recoveringAt: null,
      currentState: st,
      jobCreationRequest: {
        name: app.name,
        file: `abfss://synapse@contosolake.dfs.core.windows.net/jobs/${app.artifactName}.py`,
        numExecutors: app.numExecutors,
        executorCores: app.executorCores,
        executorMemory: app.executorMemory,
        driverCores: app.driverCores,
        driverMemory: app.driverMemory,
        conf: app.conf,
      },
    },
    name: app.name,
    workspaceName: app.workspace,
    sparkPoolName: app.pool,
    submitterName: app.submitterId,
    submitterId: app.submitterId,
    artifactId: app.artifactName,
    jobType: 'SparkBatch',
    result: done ? result : 'Uncertain',
    schedulerInfo: {
      submittedAt: iso(app.submitAt),
      scheduledAt: iso(app.submitAt),
      endedAt: done ? iso(endAt) : null,
      cancellationRequestedAt: run?.cancelRequestedAt !== undefined ? iso(run.cancelRequestedAt) : null,
      currentState: done ? 'Ended' : now >= app.startAt ? 'Scheduled' : 'Queued',
    },
    pluginInfo: { currentState: done ? 'Cleanup' : 'Monitoring' },
    errorInfo: done && result === 'Failed' ? app.errorInfo : [],
    tags: {
      pipelineName: app.pipelineName,
      pipelineRunId: app.pipelineRunId,
      activityName: app.activityName,
    },
    id: app.livyId,
    appId: app.appId,
    appInfo: {
      driverLogUrl: `https://web.azuresynapse.net/logs/${app.appId}/driver`,
      sparkUiUrl: `https://web.azuresynapse.net/sparkui/${app.appId}`,
    },
    state: st,
    log: [],
  };
}

function poolOf(state: AzureState, ws: string, pool: string): void {
  const w = workspaceOf(state, ws);
  if (!w.pools.has(pool))
    throw new AzureSimError(
      404,
      'BigDataPoolNotFound',
      `Spark pool '${pool}' was not found in workspace '${ws}'.`,
      { flat: true },
    );
}

function listBatches(state: AzureState, ws: string, pool: string, req: AzureRequest): AzureResponse {
  poolOf(state, ws, pool);
  const now = state.now();
  const from = Math.max(0, Number(req.url.searchParams.get('from') ?? '0') || 0);
  const size = Math.min(1000, Math.max(1, Number(req.url.searchParams.get('size') ?? '20') || 20));
  const apps = state
    .workspace(ws)
    .apps.filter((a) => a.pool === pool && a.jobType === 'SparkBatch' && a.submitAt <= now);
  return json(200, {
    from,
    total: apps.length,
    sessions: apps.slice(from, from + size).map((a) => batchJson(state, a, now)),
  });
}

function getBatch(
  state: AzureState,
  ws: string,
  pool: string,
  id: string,
  _req: AzureRequest,
): AzureResponse {
  poolOf(state, ws, pool);
  const now = state.now();
  const app = state
    .workspace(ws)
    .apps.find(
      (a) => a.pool === pool && a.jobType === 'SparkBatch' && String(a.livyId) === id && a.submitAt <= now,
    );
  if (!app)
    throw new AzureSimError(
      404,
      'LivyBatchNotFound',
      `Batch job ${id} was not found in Spark pool '${pool}'.`,
      { flat: true },
    );
  return json(200, batchJson(state, app, now));
}

/** "1h 2m 3s", "20m 5s", "45s": how the monitoring API writes durations. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const parts = [h ? `${h}h` : '', h || m ? `${m}m` : '', `${sec}s`].filter(Boolean);
  return parts.join(' ');
}

function sparkJobList(state: AzureState, ws: string, req: AzureRequest): AzureResponse {
  requireApiVersion(req, [SYNAPSE_API_VERSION]);
  const w = workspaceOf(state, ws);
  const now = state.now();
  const apps = w.apps.filter((a) => a.submitAt <= now).sort((a, b) => b.submitAt - a.submitAt);
  const jobs = apps.map((app) => {
    const run = runOfApp(state, app);
    const { endAt, result } = appEnd(app, run);
    const done = now >= endAt;
    const running = now >= app.startAt;
    const queued = (running ? app.startAt : now) - app.submitAt;
    const runningMs = running ? (done ? endAt : now) - app.startAt : 0;
    const state2 = done ? result : running ? 'Running' : 'Queued';
    return {
      state: state2,
      name: app.name,
      submitter: app.submitterId,
      compute: app.pool,
      sparkApplicationId: app.appId,
      livyId: String(app.livyId),
      timing: [done ? 'Ended' : running ? 'In Progress' : 'Submitting', formatDuration(queued + runningMs)],
      sparkJobDefinition: app.jobType === 'SparkBatch' ? app.artifactName : null,
      pipeline: [],
      jobType: app.jobType === 'SparkBatch' ? 'Spark batch' : 'Spark session',
      submitTime: iso(app.submitAt),
      endTime: done ? iso(endAt) : null,
      queuedDuration: formatDuration(queued),
      runningDuration: formatDuration(runningMs),
      totalDuration: formatDuration(queued + runningMs),
    };
  });
  return json(200, { nJobs: jobs.length, sparkJobs: jobs });
}
