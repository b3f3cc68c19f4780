// The Spark pool resource through ARM (Microsoft.Synapse/workspaces/bigDataPools, api-version
// 2021-06-01). Scaling is a persistent change: PATCH accepts only tags, so it is a read-modify-write
// of the whole resource — GET, change nodeCount / autoScale, PUT everything back — and the PUT is a
// long-running operation (202 + Azure-AsyncOperation) followed to its end with @azure/core-lro.
import { createHttpPoller, type LroResponse, type OperationState } from '@azure/core-lro';
import { z } from 'zod';
import { ProviderError } from '../ports.js';
import { AzureRestClient, joinUrl, type AzureClientOptions } from './azure-rest.js';
import { AZURE_SCOPES } from './azure-credential.js';
import { synapseResourceId, DEFAULT_ARM_URL } from './monitor-metrics-client.js';
import type { AzureCall } from './azure-errors.js';

export const POOL_API_VERSION = '2021-06-01';

const AutoScale = z
  .object({
    enabled: z.boolean().nullish(),
    minNodeCount: z.number().nullish(),
    maxNodeCount: z.number().nullish(),
  })
  .loose();
const PoolJson = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.string().nullish(),
    location: z.string(),
    tags: z.record(z.string(), z.string()).nullish(),
    properties: z
      .object({
        provisioningState: z.string().nullish(),
        nodeCount: z.number().nullish(),
        nodeSize: z.string().nullish(),
        nodeSizeFamily: z.string().nullish(),
        autoScale: AutoScale.nullish(),
        dynamicExecutorAllocation: z
          .object({
            enabled: z.boolean().nullish(),
            minExecutors: z.number().nullish(),
            maxExecutors: z.number().nullish(),
          })
          .loose()
          .nullish(),
        sparkVersion: z.string().nullish(),
      })
      .loose(),
  })
  .loose();
type PoolJson = z.infer<typeof PoolJson>;

export interface SparkPoolResource {
  id: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  provisioningState?: string;
  nodeSize?: string;
  nodeSizeFamily?: string;
  nodeCount?: number;
  autoScale?: { enabled: boolean; minNodeCount?: number; maxNodeCount?: number };
  dynamicExecutorAllocation?: { enabled: boolean; minExecutors?: number; maxExecutors?: number };
  sparkVersion?: string;
  /** The resource as ARM returned it (what a PUT sends back). */
  raw: Record<string, unknown>;
}

function toPool(p: PoolJson): SparkPoolResource {
  const pr = p.properties;
  const out: SparkPoolResource = {
    id: p.id,
    name: p.name,
    location: p.location,
    tags: p.tags ?? {},
    raw: p as Record<string, unknown>,
  };
  if (pr.provisioningState) out.provisioningState = pr.provisioningState;
  if (pr.nodeSize) out.nodeSize = pr.nodeSize;
  if (pr.nodeSizeFamily) out.nodeSizeFamily = pr.nodeSizeFamily;
  if (typeof pr.nodeCount === 'number') out.nodeCount = pr.nodeCount;
  if (pr.autoScale) {
    out.autoScale = { enabled: pr.autoScale.enabled ?? false };
    if (typeof pr.autoScale.minNodeCount === 'number') out.autoScale.minNodeCount = pr.autoScale.minNodeCount;
    if (typeof pr.autoScale.maxNodeCount === 'number') out.autoScale.maxNodeCount = pr.autoScale.maxNodeCount;
  }
  if (pr.dynamicExecutorAllocation) {
    out.dynamicExecutorAllocation = { enabled: pr.dynamicExecutorAllocation.enabled ?? false };
    if (typeof pr.dynamicExecutorAllocation.minExecutors === 'number')
      out.dynamicExecutorAllocation.minExecutors = pr.dynamicExecutorAllocation.minExecutors;
    if (typeof pr.dynamicExecutorAllocation.maxExecutors === 'number')
      out.dynamicExecutorAllocation.maxExecutors = pr.dynamicExecutorAllocation.maxExecutors;
  }
  if (pr.sparkVersion) out.sparkVersion = pr.sparkVersion;
  return out;
}

export interface PoolScaleChange {
  /** Small, Medium, Large, XLarge, XXLarge (XXXLarge: isolated compute). */
  nodeSize?: string;
  nodeCount?: number;
  autoScale?: { enabled?: boolean; minNodeCount?: number; maxNodeCount?: number };
}

/** Properties ARM sets itself and a PUT must not send back. */
const READ_ONLY = new Set(['provisioningState', 'creationDate', 'lastSucceededTimestamp']);

/** The body of a PUT: the whole resource as read, with the change applied. */
export function poolPutBody(current: SparkPoolResource, change: PoolScaleChange): Record<string, unknown> {
  const raw = current.raw as { properties?: Record<string, unknown>; tags?: unknown };
  const properties = Object.fromEntries(
    Object.entries(raw.properties ?? {}).filter(([k]) => !READ_ONLY.has(k)),
  );
  if (change.nodeSize !== undefined) properties.nodeSize = change.nodeSize;
  if (change.nodeCount !== undefined) properties.nodeCount = change.nodeCount;
  if (change.autoScale)
    properties.autoScale = {
      ...(properties.autoScale as Record<string, unknown> | undefined),
      ...change.autoScale,
    };
  return { location: current.location, tags: current.tags, properties };
}

export interface SparkPoolClientOptions extends AzureClientOptions {
  armUrl?: string;
  subscriptionId: string;
  resourceGroup: string;
  /** Poll interval when ARM sends no Retry-After (default 5 s). */
  pollIntervalMs?: number;
}

export interface SparkPoolClient {
  readonly rest: AzureRestClient;
  getSparkPool(workspace: string, pool: string, opts?: { signal?: AbortSignal }): Promise<SparkPoolResource>;
  /**
   * A persistent change of the pool's size: GET, apply, PUT the whole resource, follow the
   * long-running operation to its end; returns the resource as ARM has it afterwards.
   */
  scaleSparkPool(
    workspace: string,
    pool: string,
    change: PoolScaleChange,
    opts?: { signal?: AbortSignal; onOperation?: (url: string) => void },
  ): Promise<SparkPoolResource>;
}

export function createSparkPoolClient(opts: SparkPoolClientOptions): SparkPoolClient {
  const arm = (opts.armUrl ?? DEFAULT_ARM_URL).replace(/\/+$/, '');
  const rest = new AzureRestClient({ ...opts, scope: AZURE_SCOPES.arm });
  const poolUrl = (ws: string, pool: string) =>
    joinUrl(arm, synapseResourceId(opts.subscriptionId, opts.resourceGroup, ws, pool), {
      'api-version': POOL_API_VERSION,
    });
  const call = (operation: string, ws: string, pool: string, write: boolean): AzureCall => ({
    service: 'Azure Resource Manager',
    operation,
    subject: `Spark pool ${pool} of workspace ${ws}`,
    action: write
      ? 'Microsoft.Synapse/workspaces/bigDataPools/write'
      : 'Microsoft.Synapse/workspaces/bigDataPools/read',
    role: write ? 'Contributor' : 'Reader',
  });
  const getSparkPool = async (ws: string, pool: string, o: { signal?: AbortSignal } = {}) => {
    const res = await rest.send({
      method: 'GET',
      url: poolUrl(ws, pool),
      schema: PoolJson,
      call: call('get Spark pool', ws, pool, false),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    return toPool(res.data);
  };
  return {
    rest,
    getSparkPool,
    async scaleSparkPool(ws, pool, change, o = {}) {
      const current = await getSparkPool(ws, pool, o);
      const body = poolPutBody(current, change);
      const url = poolUrl(ws, pool);
      const signal = o.signal ? { signal: o.signal } : {};
      const raw = (r: { status: number; headers: Record<string, string>; data: unknown }): LroResponse => ({
        flatResponse: r.data,
        rawResponse: { statusCode: r.status, headers: r.headers, body: r.data },
      });
      const lroCall = call('update Spark pool', ws, pool, true);
      const poller = await createHttpPoller<unknown, OperationState<unknown>>(
        {
          requestMethod: 'PUT',
          requestPath: url,
          sendInitialRequest: async () =>
            raw(await rest.send({ method: 'PUT', url, body, schema: z.unknown(), call: lroCall, ...signal })),
          sendPollRequest: async (path) => {
            // Only poll ARM itself: the operation URL comes from a response header.
            const target = new URL(path, arm);
            if (target.origin !== new URL(arm).origin)
              throw new ProviderError(
                'UNAVAILABLE',
                `ARM sent an operation URL outside ${arm}: ${target.origin}`,
                { retryable: false },
              );
            return raw(
              await rest.send({
                method: 'GET',
                url: target.toString(),
                schema: z.unknown(),
                call: { ...lroCall, operation: 'poll Spark pool update' },
                ...signal,
              }),
            );
          },
        },
        {
          intervalInMs: opts.pollIntervalMs ?? 5000,
          resourceLocationConfig: 'original-uri',
          ...(o.onOperation ? { withOperationLocation: o.onOperation } : {}),
        },
      );
      try {
        await poller.pollUntilDone(o.signal ? { abortSignal: o.signal } : {});
      } catch (err) {
        if (err instanceof ProviderError) throw err;
        throw new ProviderError(
          'UNAVAILABLE',
          `the update of Spark pool ${pool} did not succeed: ${(err as Error).message}`,
          { cause: err, retryable: false },
        );
      }
      return getSparkPool(ws, pool, o);
    },
  };
}
