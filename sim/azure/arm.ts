// Azure Resource Manager: the Spark pool resource (`…/Microsoft.Synapse/workspaces/{ws}/bigDataPools/{pool}`,
// api-version 2021-06-01: GET; PUT of the whole resource as a long-running operation, 202 +
// Azure-AsyncOperation; PATCH of tags only) and Azure Monitor metrics
// (`{resourceUri}/providers/Microsoft.Insights/metrics`, api-version 2018-01-01) of Spark pools and
// workspaces, computed from the simulated runs and Spark applications.
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
import { appEnd, poolProperties, runView, type AzureState, type SparkPool } from './state.js';

export const POOL_API_VERSION = '2021-06-01';
export const METRICS_API_VERSION = '2018-01-01';

export interface ArmRoute {
  service: 'arm' | 'monitor';
  operation: string;
  resources: string[];
  /** The RBAC action the call needs (named in an injected 403). */
  action: string;
  scope: string;
  handle(state: AzureState, req: AzureRequest, baseUrl: string): AzureResponse;
}

const NODE_SIZES = ['None', 'Small', 'Medium', 'Large', 'XLarge', 'XXLarge', 'XXXLarge'] as const;

const AutoScale = z.object({
  enabled: z.boolean().optional(),
  minNodeCount: z.number().int().optional(),
  maxNodeCount: z.number().int().optional(),
});
const PoolPut = z.object({
  location: z.string({ error: "The 'location' property is required" }),
  tags: z.record(z.string(), z.string()).optional(),
  properties: z
    .object({
      nodeCount: z.number().int().optional(),
      nodeSize: z.enum(NODE_SIZES).optional(),
      nodeSizeFamily: z
        .enum(['None', 'MemoryOptimized', 'HardwareAcceleratedFPGA', 'HardwareAcceleratedGPU'])
        .optional(),
      autoScale: AutoScale.optional(),
      autoPause: z
        .object({ enabled: z.boolean().optional(), delayInMinutes: z.number().int().optional() })
        .optional(),
      dynamicExecutorAllocation: z
        .object({
          enabled: z.boolean().optional(),
          minExecutors: z.number().int().optional(),
          maxExecutors: z.number().int().optional(),
        })
        .optional(),
      sparkConfigProperties: z.record(z.string(), z.unknown()).optional(),
    })
    .loose(),
});

const PoolPatch = z.object({ tags: z.record(z.string(), z.string()) }).strict();

/** Routes ARM paths (`/subscriptions/…`); undefined when none matches. */
export function armRoute(method: string, path: string, state: AzureState): ArmRoute | undefined {
  const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
  // /subscriptions/{sub}/providers/Microsoft.Synapse/locations/{loc}/operationStatuses/{id}
  if (
    method === 'GET' &&
    segs.length === 8 &&
    segs[0] === 'subscriptions' &&
    segs[2] === 'providers' &&
    segs[3] === 'Microsoft.Synapse' &&
    segs[4] === 'locations' &&
    segs[6] === 'operationStatuses'
  ) {
    const id = segs[7]!;
    return {
      service: 'arm',
      operation: 'GetOperationStatus',
      resources: [id],
      action: 'Microsoft.Synapse/locations/operationStatuses/read',
      scope: `/subscriptions/${segs[1]}`,
      handle: (s, r) => operationStatus(s, id, r),
    };
  }
  const i = segs.indexOf('Microsoft.Synapse');
  if (
    segs[0] !== 'subscriptions' ||
    segs[2] !== 'resourceGroups' ||
    segs[4] !== 'providers' ||
    i !== 5 ||
    segs[6] !== 'workspaces'
  )
    return undefined;
  const [sub, rg, ws] = [segs[1]!, segs[3]!, segs[7]];
  if (!ws) return undefined;
  const tail = segs.slice(8);
  const scopeOf = (n: number) => '/' + segs.slice(0, n).join('/');
  const metricsAt = (n: number) =>
    tail.length === n + 3 &&
    tail[n] === 'providers' &&
    tail[n + 1]?.toLowerCase() === 'microsoft.insights' &&
    tail[n + 2] === 'metrics';
  if (method === 'GET' && metricsAt(0))
    return {
      service: 'monitor',
      operation: 'ListMetrics',
      resources: [ws],
      action: 'Microsoft.Insights/metrics/read',
      scope: scopeOf(8),
      handle: (s, r) => metrics(s, sub, rg, ws, undefined, r),
    };
  if (tail[0] === 'bigDataPools' && tail[1]) {
    const pool = tail[1];
    if (method === 'GET' && metricsAt(2))
      return {
        service: 'monitor',
        operation: 'ListMetrics',
        resources: [ws, pool],
        action: 'Microsoft.Insights/metrics/read',
        scope: scopeOf(10),
        handle: (s, r) => metrics(s, sub, rg, ws, pool, r),
      };
    if (tail.length === 2) {
      const scope = scopeOf(10);
      if (method === 'GET')
        return {
          service: 'arm',
          operation: 'GetBigDataPool',
          resources: [ws, pool],
          action: 'Microsoft.Synapse/workspaces/bigDataPools/read',
          scope,
          handle: (s, r) => getPool(s, sub, rg, ws, pool, r),
        };
      if (method === 'PUT')
        return {
          service: 'arm',
          operation: 'CreateOrUpdateBigDataPool',
          resources: [ws, pool],
          action: 'Microsoft.Synapse/workspaces/bigDataPools/write',
          scope,
          handle: (s, r, base) => putPool(s, sub, rg, ws, pool, r, base),
        };
      if (method === 'PATCH')
        return {
          service: 'arm',
          operation: 'UpdateBigDataPool',
          resources: [ws, pool],
          action: 'Microsoft.Synapse/workspaces/bigDataPools/write',
          scope,
          handle: (s, r) => patchPool(s, sub, rg, ws, pool, r),
        };
    }
  }
  void state;
  return undefined;
}

function checkScope(state: AzureState, sub: string, rg: string): void {
  if (sub !== state.subscriptionId)
    throw new AzureSimError(404, 'SubscriptionNotFound', `The subscription '${sub}' could not be found.`);
  if (rg.toLowerCase() !== state.resourceGroup.toLowerCase())
    throw new AzureSimError(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`);
}

function poolOf(state: AzureState, sub: string, rg: string, ws: string, pool: string): SparkPool {
  checkScope(state, sub, rg);
  const w = state.workspaces.get(ws);
  if (!w)
    throw new AzureSimError(
      404,
      'ResourceNotFound',
      `The Resource 'Microsoft.Synapse/workspaces/${ws}' under resource group '${rg}' was not found.`,
    );
  const p = w.pools.get(pool);
  if (!p)
    throw new AzureSimError(
      404,
      'ResourceNotFound',
      `The Resource 'Microsoft.Synapse/workspaces/${ws}/bigDataPools/${pool}' under resource group '${rg}' was not found.`,
    );
  return p;
}

export function poolJson(state: AzureState, p: SparkPool): Record<string, unknown> {
  const updating = p.updatingUntil !== undefined && state.now() < p.updatingUntil;
  return {
    id: state.resourceId(p.workspace, p.name),
    name: p.name,
    type: 'Microsoft.Synapse/workspaces/bigDataPools',
    location: p.location,
    tags: p.tags,
    properties: {
      ...p.properties,
      creationDate: iso(p.creationDate),
      lastSucceededTimestamp: iso(p.creationDate),
      provisioningState: updating ? 'Updating' : 'Succeeded',
    },
  };
}

function getPool(
  state: AzureState,
  sub: string,
  rg: string,
  ws: string,
  pool: string,
  req: AzureRequest,
): AzureResponse {
  requireApiVersion(req, [POOL_API_VERSION]);
  state.settleOperations();
  return json(200, poolJson(state, poolOf(state, sub, rg, ws, pool)));
}

function validatePool(props: Record<string, unknown>): void {
  const auto = props.autoScale as z.infer<typeof AutoScale>;
  if (auto.enabled) {
    const min = auto.minNodeCount ?? 3;
    const max = auto.maxNodeCount ?? 10;
    if (min < 3 || max > 200 || min > max)
      throw new AzureSimError(
        400,
        'InvalidAutoScaleSettings',
        `Auto-scale needs 3 <= minNodeCount (${min}) <= maxNodeCount (${max}) <= 200.`,
      );
  } else {
    const n = props.nodeCount as number;
    if (n < 3 || n > 200)
      throw new AzureSimError(
        400,
        'InvalidNodeCount',
        `nodeCount must be between 3 and 200 when auto-scale is off (got ${n}).`,
      );
  }
}

function putPool(
  state: AzureState,
  sub: string,
  rg: string,
  ws: string,
  pool: string,
  req: AzureRequest,
  baseUrl: string,
): AzureResponse {
  requireApiVersion(req, [POOL_API_VERSION]);
  state.settleOperations();
  const p = poolOf(state, sub, rg, ws, pool);
  const body = parseJsonBody(req, PoolPut, 'InvalidRequestContent');
  if (body.location.replace(/\s/g, '').toLowerCase() !== p.location.toLowerCase())
    throw new AzureSimError(
      400,
      'LocationNotAvailableForResourceType',
      `The pool is in '${p.location}'; its location cannot change to '${body.location}'.`,
    );
  const now = state.now();
  if (p.updatingUntil !== undefined && now < p.updatingUntil)
    throw new AzureSimError(
      409,
      'OperationInProgress',
      `An operation is already in progress on Spark pool '${pool}'.`,
    );
  // A PUT replaces the resource: what it leaves out falls back to the defaults.
  const {
    creationDate: _c,
    provisioningState: _p,
    lastSucceededTimestamp: _l,
    ...given
  } = body.properties as Record<string, unknown>;
  const next = poolProperties(given);
  validatePool(next);
  const id = state.newId();
  const op = {
    id,
    location: p.location,
    startAt: now,
    doneAt: now + state.poolUpdateMs,
    applied: false,
    apply: () => {
      p.properties = next;
      p.tags = body.tags ?? {};
    },
  };
  state.operations.set(id, op);
  p.updatingUntil = op.doneAt;
  const statusUrl = `${baseUrl}/subscriptions/${sub}/providers/Microsoft.Synapse/locations/${p.location}/operationStatuses/${id}?api-version=${POOL_API_VERSION}`;
  return json(
    202,
    { ...poolJson(state, p), properties: { ...next, provisioningState: 'Updating' } },
    {
      'azure-asyncoperation': statusUrl,
      location: statusUrl,
      'retry-after': '1',
    },
  );
}

function patchPool(
  state: AzureState,
  sub: string,
  rg: string,
  ws: string,
  pool: string,
  req: AzureRequest,
): AzureResponse {
  requireApiVersion(req, [POOL_API_VERSION]);
  state.settleOperations();
  const p = poolOf(state, sub, rg, ws, pool);
  let body: z.infer<typeof PoolPatch>;
  try {
    body = parseJsonBody(req, PoolPatch, 'InvalidRequestContent');
  } catch (e) {
    if (e instanceof AzureSimError)
      throw new AzureSimError(
        400,
        'InvalidRequestContent',
        'Only tags can be updated with PATCH; send the whole resource with PUT to change a Spark pool.',
      );
    throw e;
  }
  p.tags = body.tags;
  return json(200, poolJson(state, p));
}

function operationStatus(state: AzureState, id: string, req: AzureRequest): AzureResponse {
  requireApiVersion(req, [POOL_API_VERSION]);
  state.settleOperations();
  const op = state.operations.get(id);
  if (!op) throw new AzureSimError(404, 'OperationNotFound', `Operation '${id}' was not found.`);
  const done = state.now() >= op.doneAt;
  return json(
    200,
    {
      id: `/subscriptions/${state.subscriptionId}/providers/Microsoft.Synapse/locations/${op.location}/operationStatuses/${id}`,
      name: id,
      status: done ? 'Succeeded' : 'InProgress',
      startTime: iso(op.startAt),
      ...(done ? { endTime: iso(op.doneAt) } : {}),
    },
    done ? {} : { 'retry-after': '1' },
  );
}

// ---------------------------------------------------------------------------------------------
// Azure Monitor metrics

const POOL_METRICS = {
  BigDataPoolAllocatedCores: {
    localized: 'vCores allocated',
    unit: 'Count',
    aggregations: ['Maximum', 'Minimum', 'Average', 'Total'],
    dims: ['SubmitterId'],
  },
  BigDataPoolAllocatedMemory: {
    localized: 'Memory allocated (GB)',
    unit: 'Count',
    aggregations: ['Maximum', 'Minimum', 'Average', 'Total'],
    dims: ['SubmitterId'],
  },
  BigDataPoolApplicationsEnded: {
    localized: 'Ended Apache Spark applications',
    unit: 'Count',
    aggregations: ['Total'],
    dims: ['JobType', 'JobResult'],
  },
  BigDataPoolApplicationsActive: {
    localized: 'Active Apache Spark applications',
    unit: 'Count',
    aggregations: ['Maximum', 'Minimum', 'Average'],
    dims: ['JobState'],
  },
} as const;
const WORKSPACE_METRICS = {
  IntegrationPipelineRunsEnded: {
    localized: 'Pipeline runs ended',
    unit: 'Count',
    aggregations: ['Total'],
    dims: ['Result', 'FailureType', 'Pipeline'],
  },
  IntegrationActivityRunsEnded: {
    localized: 'Activity runs ended',
    unit: 'Count',
    aggregations: ['Total'],
    dims: ['Result', 'FailureType', 'Activity', 'ActivityType', 'Pipeline'],
  },
} as const;
type MetricSpec = {
  localized: string;
  unit: string;
  aggregations: readonly string[];
  dims: readonly string[];
};

const MINUTE = 60_000;
const MAX_POINTS = 50_000;

/** `Dim eq 'v' and Dim eq '*'`: fixed values and dimensions to split by. */
function parseFilter(
  filter: string | null,
  allowed: readonly string[],
): { fixed: Map<string, string>; split: string[] } {
  const fixed = new Map<string, string>();
  const split: string[] = [];
  if (!filter) return { fixed, split };
  for (const part of filter.split(/\s+and\s+/i)) {
    const m = /^\s*(\w+)\s+eq\s+'([^']*)'\s*$/i.exec(part);
    if (!m || !allowed.includes(m[1]!))
      throw new AzureSimError(
        400,
        'BadRequest',
        `Invalid $filter '${filter}': use "Dimension eq 'value'" joined by "and"; dimensions: ${allowed.join(', ')}`,
        { flat: true },
      );
    if (m[2] === '*') split.push(m[1]!);
    else fixed.set(m[1]!, m[2]!);
  }
  return { fixed, split };
}

interface Sample {
  /** epoch ms of the minute */
  at: number;
  dims: Record<string, string>;
  /** One value per observation in that minute (gauges: one; counters: one per event, value 1). */
  value: number;
}

function metrics(
  state: AzureState,
  sub: string,
  rg: string,
  ws: string,
  pool: string | undefined,
  req: AzureRequest,
): AzureResponse {
  requireApiVersion(req, [METRICS_API_VERSION], true);
  checkScope(state, sub, rg);
  const w = state.workspaces.get(ws);
  if (!w || (pool !== undefined && !w.pools.has(pool)))
    throw new AzureSimError(
      404,
      'ResourceNotFound',
      `The Resource '${pool ? `Microsoft.Synapse/workspaces/${ws}/bigDataPools/${pool}` : `Microsoft.Synapse/workspaces/${ws}`}' under resource group '${rg}' was not found.`,
    );
  const q = req.url.searchParams;
  const specs: Record<string, MetricSpec> = pool ? POOL_METRICS : WORKSPACE_METRICS;
  const names = (q.get('metricnames') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!names.length) throw new AzureSimError(400, 'BadRequest', 'metricnames is required', { flat: true });
  for (const n of names)
    if (!(n in specs))
      throw new AzureSimError(
        400,
        'BadRequest',
        `Failed to find metric configuration for provider: Microsoft.Synapse, resource Type: ${pool ? 'workspaces/bigDataPools' : 'workspaces'}, metric: ${n}, Valid metrics: ${Object.keys(specs).join(',')}`,
        { flat: true },
      );
  const interval = q.get('interval') ?? 'PT1M';
  const step = { PT1M: 1, PT5M: 5, PT15M: 15, PT30M: 30, PT1H: 60, PT6H: 360, PT12H: 720, P1D: 1440 }[
    interval
  ];
  if (!step) throw new AzureSimError(400, 'BadRequest', `Invalid interval '${interval}'`, { flat: true });
  const now = state.now();
  const ts = q.get('timespan');
  const [a, b] = (ts ?? '').split('/');
  const start = ts ? Date.parse(a ?? '') : now - 60 * MINUTE;
  const end = ts ? Date.parse(b ?? '') : now;
  if (Number.isNaN(start) || Number.isNaN(end) || start >= end)
    throw new AzureSimError(400, 'BadRequest', `Invalid timespan '${ts}': use start/end in ISO 8601`, {
      flat: true,
    });
  const stepMs = step * MINUTE;
  const first = Math.floor(start / stepMs) * stepMs;
  const points = Math.ceil((end - first) / stepMs);
  if (points * names.length > MAX_POINTS)
    throw new AzureSimError(
      400,
      'BadRequest',
      `The requested timespan and interval give ${points} points per metric; at most ${Math.floor(MAX_POINTS / names.length)} are allowed.`,
      { flat: true },
    );
  const aggregations = (q.get('aggregation') ?? 'Average').split(',').map((s) => s.trim());
  const value = names.map((name) => {
    const spec = specs[name]!;
    for (const agg of aggregations)
      if (!spec.aggregations.includes(agg))
        throw new AzureSimError(
          400,
          'BadRequest',
          `Aggregation '${agg}' is not supported for metric ${name}; supported: ${spec.aggregations.join(', ')}`,
          { flat: true },
        );
    const { fixed, split } = parseFilter(q.get('$filter'), spec.dims);
    const samples = sampleMetric(state, ws, pool, name, first, end, stepMs, Math.min(end, now));
    const keep = samples.filter((s) => [...fixed].every(([k, v]) => s.dims[k] === v));
    const groups = new Map<string, { dims: Record<string, string>; byBucket: Map<number, number[]> }>();
    for (const s of keep) {
      const key = split.map((d) => s.dims[d] ?? '').join('\u0000');
      let g = groups.get(key);
      if (!g) {
        g = { dims: Object.fromEntries(split.map((d) => [d, s.dims[d] ?? ''])), byBucket: new Map() };
        groups.set(key, g);
      }
      const bucket = Math.floor(s.at / stepMs) * stepMs;
      const list = g.byBucket.get(bucket) ?? [];
      list.push(s.value);
      g.byBucket.set(bucket, list);
    }
    if (!split.length && !groups.size) groups.set('', { dims: {}, byBucket: new Map() });
    const counter = name.endsWith('Ended');
    return {
      id: `${pool ? state.resourceId(ws, pool) : state.resourceId(ws)}/providers/Microsoft.Insights/metrics/${name}`,
      type: 'Microsoft.Insights/metrics',
      name: { value: name, localizedValue: spec.localized },
      displayDescription: spec.localized,
      unit: spec.unit,
      timeseries: [...groups.values()].map((g) => ({
        metadatavalues: Object.entries(g.dims).map(([k, v]) => ({
          name: { value: k.toLowerCase(), localizedValue: k },
          value: v,
        })),
        data: Array.from({ length: points }, (_, k) => {
          const at = first + k * stepMs;
          const vals = g.byBucket.get(at) ?? [];
          const point: Record<string, unknown> = { timeStamp: iso(at) };
          if (at > now) return point;
          const base = vals.length ? vals : counter ? [] : [0];
          for (const agg of aggregations) {
            const key = agg.toLowerCase();
            if (agg === 'Total') point.total = base.reduce((x, y) => x + y, 0);
            else if (agg === 'Count') point.count = base.length;
            else if (agg === 'Maximum') point.maximum = base.length ? Math.max(...base) : 0;
            else if (agg === 'Minimum') point.minimum = base.length ? Math.min(...base) : 0;
            else if (agg === 'Average')
              point.average = base.length ? base.reduce((x, y) => x + y, 0) / base.length : 0;
            else point[key] = null;
          }
          return point;
        }),
      })),
      errorCode: 'Success',
    };
  });
  return json(200, {
    cost: 0,
    timespan: `${iso(start)}/${iso(end)}`,
    interval,
    value,
    namespace: pool ? 'Microsoft.Synapse/workspaces/bigDataPools' : 'Microsoft.Synapse/workspaces',
    resourceregion: w.location,
  });
}

const GB = (mem: string) => {
  const m = /^(\d+(?:\.\d+)?)([gmt])$/i.exec(mem);
  if (!m) return 0;
  const n = Number(m[1]);
  return m[2]!.toLowerCase() === 'g' ? n : m[2]!.toLowerCase() === 't' ? n * 1024 : n / 1024;
};

/** One sample per minute for gauges (the pool's allocation), one per event for counters. */
function sampleMetric(
  state: AzureState,
  ws: string,
  pool: string | undefined,
  name: string,
  from: number,
  to: number,
  _stepMs: number,
  until: number,
): Sample[] {
  const w = state.workspace(ws);
  const out: Sample[] = [];
  if (pool) {
    const apps = w.apps
      .filter((a) => a.pool === pool)
      .map((a) => ({ a, ...appEnd(a, w.runs.get(a.pipelineRunId)) }));
    if (name === 'BigDataPoolApplicationsEnded') {
      for (const { a, endAt, result } of apps)
        if (endAt >= from && endAt <= Math.min(to, until))
          out.push({ at: endAt, dims: { JobType: a.jobType, JobResult: result }, value: 1 });
      return out;
    }
    for (let t = Math.floor(from / MINUTE) * MINUTE; t < Math.min(to, until); t += MINUTE) {
      const active = apps.filter(({ a, endAt }) => a.startAt <= t && endAt > t);
      if (name === 'BigDataPoolApplicationsActive') {
        out.push({ at: t, dims: { JobState: 'running' }, value: active.length });
        continue;
      }
      const bySubmitter = new Map<string, number>();
      for (const { a } of active) {
        const v =
          name === 'BigDataPoolAllocatedCores'
            ? a.numExecutors * a.executorCores + a.driverCores
            : a.numExecutors * GB(a.executorMemory) + GB(a.driverMemory);
        bySubmitter.set(a.submitterId, (bySubmitter.get(a.submitterId) ?? 0) + v);
      }
      if (!bySubmitter.size) out.push({ at: t, dims: {}, value: 0 });
      for (const [s, v] of bySubmitter) out.push({ at: t, dims: { SubmitterId: s }, value: v });
    }
    return out;
  }
  const now = state.now();
  for (const run of w.runs.values()) {
    const v = runView(run, now);
    if (v.runEnd === null || v.runEnd < from || v.runEnd > Math.min(to, until)) continue;
    if (name === 'IntegrationPipelineRunsEnded') {
      out.push({
        at: v.runEnd,
        dims: {
          Result: v.status,
          FailureType:
            v.status === 'Failed'
              ? (run.activities.find((a) => a.error)?.error?.failureType ?? 'UserError')
              : 'None',
          Pipeline: run.pipelineName,
        },
        value: 1,
      });
    } else {
      for (const a of run.activities) {
        if (a.endAt > now || a.endAt < from || a.endAt > to) continue;
        out.push({
          at: a.endAt,
          dims: {
            Result: a.outcome,
            FailureType: a.error?.failureType ?? 'None',
            Activity: a.activityName,
            ActivityType: a.activityType,
            Pipeline: run.pipelineName,
          },
          value: 1,
        });
      }
    }
  }
  return out;
}
