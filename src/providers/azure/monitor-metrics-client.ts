// Azure Monitor metrics through ARM (`{resourceUri}/providers/Microsoft.Insights/metrics`,
// api-version 2018-01-01) for a Spark pool (BigDataPoolAllocatedCores, BigDataPoolAllocatedMemory,
// BigDataPoolApplicationsEnded) and a workspace (IntegrationPipelineRunsEnded). A thin client:
// @azure/monitor-query-metrics 1.0 only speaks the regional metrics:getBatch data plane, not this
// per-resource ARM API, and @azure/arm-monitor is a large generated client for one GET.
import { z } from 'zod';
import { AzureRestClient, joinUrl, type AzureClientOptions } from './azure-rest.js';
import { AZURE_SCOPES } from './azure-credential.js';

export const METRICS_API_VERSION = '2018-01-01';
export const DEFAULT_ARM_URL = 'https://management.azure.com';

export type PoolMetricName =
  | 'BigDataPoolAllocatedCores'
  | 'BigDataPoolAllocatedMemory'
  | 'BigDataPoolApplicationsEnded'
  | 'BigDataPoolApplicationsActive';
export type WorkspaceMetricName = 'IntegrationPipelineRunsEnded' | 'IntegrationActivityRunsEnded';
export type Aggregation = 'Average' | 'Minimum' | 'Maximum' | 'Total' | 'Count';

const num = z
  .number()
  .nullish()
  .transform((n) => n ?? undefined);
const MetricsResponse = z
  .object({
    timespan: z.string().nullish(),
    interval: z.string().nullish(),
    value: z.array(
      z
        .object({
          name: z.object({ value: z.string() }).loose(),
          unit: z.string().nullish(),
          timeseries: z
            .array(
              z
                .object({
                  metadatavalues: z
                    .array(
                      z
                        .object({
                          name: z.object({ value: z.string() }).loose(),
                          value: z.string().nullish(),
                        })
                        .loose(),
                    )
                    .nullish(),
                  data: z.array(
                    z
                      .object({
                        timeStamp: z.string(),
                        average: num,
                        minimum: num,
                        maximum: num,
                        total: num,
                        count: num,
                      })
                      .loose(),
                  ),
                })
                .loose(),
            )
            .nullish(),
        })
        .loose(),
    ),
  })
  .loose();

export interface MetricPointValues {
  at: Date;
  average?: number;
  minimum?: number;
  maximum?: number;
  total?: number;
  count?: number;
}

export interface MetricTimeseries {
  /** Dimension values when the query split by dimensions (`Result eq '*'`), lower-cased names as Azure returns them. */
  dimensions: Record<string, string>;
  /** Oldest first; a point without values is a minute with no data. */
  points: MetricPointValues[];
}

export interface MetricResult {
  name: string;
  unit?: string;
  timeseries: MetricTimeseries[];
}

export interface MetricsQuery<N extends string> {
  names: N[];
  start: Date;
  end: Date;
  /** ISO 8601 grain, default PT1M. */
  interval?: string;
  aggregations?: Aggregation[];
  /** Azure Monitor's $filter over dimensions, e.g. `Pipeline eq 'SalesPipeline' and Result eq '*'`. */
  filter?: string;
  signal?: AbortSignal;
}

export interface MonitorMetricsClientOptions extends AzureClientOptions {
  /** MEDIC_AZURE_ARM_URL (default https://management.azure.com). */
  armUrl?: string;
  subscriptionId: string;
  resourceGroup: string;
}

export interface MonitorMetricsClient {
  readonly rest: AzureRestClient;
  resourceMetrics<N extends string>(resourceId: string, q: MetricsQuery<N>): Promise<MetricResult[]>;
  poolMetrics(workspace: string, pool: string, q: MetricsQuery<PoolMetricName>): Promise<MetricResult[]>;
  workspaceMetrics(workspace: string, q: MetricsQuery<WorkspaceMetricName>): Promise<MetricResult[]>;
}

/** The ARM id of a Synapse workspace or one of its Spark pools. */
export function synapseResourceId(
  subscriptionId: string,
  resourceGroup: string,
  workspace: string,
  pool?: string,
): string {
  const base = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Synapse/workspaces/${workspace}`;
  return pool ? `${base}/bigDataPools/${pool}` : base;
}

export function createMonitorMetricsClient(opts: MonitorMetricsClientOptions): MonitorMetricsClient {
  const arm = (opts.armUrl ?? DEFAULT_ARM_URL).replace(/\/+$/, '');
  const rest = new AzureRestClient({ ...opts, scope: AZURE_SCOPES.arm });
  async function resourceMetrics<N extends string>(
    resourceId: string,
    q: MetricsQuery<N>,
  ): Promise<MetricResult[]> {
    const res = await rest.send({
      method: 'GET',
      url: joinUrl(arm, `${resourceId}/providers/Microsoft.Insights/metrics`, {
        'api-version': METRICS_API_VERSION,
        metricnames: q.names.join(','),
        timespan: `${q.start.toISOString()}/${q.end.toISOString()}`,
        interval: q.interval ?? 'PT1M',
        aggregation: (q.aggregations ?? ['Average', 'Maximum']).join(','),
        $filter: q.filter,
      }),
      schema: MetricsResponse,
      call: {
        service: 'Azure Monitor',
        operation: 'metrics',
        subject: `metrics ${q.names.join(', ')} of ${resourceId}`,
        action: 'Microsoft.Insights/metrics/read',
        role: 'Monitoring Reader',
      },
      ...(q.signal ? { signal: q.signal } : {}),
    });
    return res.data.value.map((m) => {
      const out: MetricResult = {
        name: m.name.value,
        timeseries: (m.timeseries ?? []).map((ts) => ({
          dimensions: Object.fromEntries((ts.metadatavalues ?? []).map((d) => [d.name.value, d.value ?? ''])),
          points: ts.data.map((p) => {
            const point: MetricPointValues = { at: new Date(p.timeStamp) };
            if (p.average !== undefined) point.average = p.average;
            if (p.minimum !== undefined) point.minimum = p.minimum;
            if (p.maximum !== undefined) point.maximum = p.maximum;
            if (p.total !== undefined) point.total = p.total;
            if (p.count !== undefined) point.count = p.count;
            return point;
          }),
        })),
      };
      if (m.unit) out.unit = m.unit;
      return out;
    });
  }
  return {
    rest,
    resourceMetrics,
    poolMetrics: (workspace, pool, q) =>
      resourceMetrics(synapseResourceId(opts.subscriptionId, opts.resourceGroup, workspace, pool), q),
    workspaceMetrics: (workspace, q) =>
      resourceMetrics(synapseResourceId(opts.subscriptionId, opts.resourceGroup, workspace), q),
  };
}
