// MetricsSource over CloudWatch GetMetricData for Glue job metrics (namespace Glue, dimensions
// JobName, JobRunId, Type; observability metrics add ObservabilityGroup). Glue publishes them only
// for jobs run with --enable-metrics (observability ones with --enable-observability-metrics, Glue
// ≥ 4.0): a run without them simply gets no series.
//
// One GetMetricData call carries at most 500 queries, so runs are batched (every metric of a run
// in the same call); pages (NextToken) are read through the SDK paginator and merged per query.
// The period follows CloudWatch's retention of standard-resolution data: 1 minute for runs of the
// last 15 days, 5 minutes up to 63 days, 1 hour beyond.
import { CloudWatchClient, paginateGetMetricData, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { z } from 'zod';
import { ProviderError } from '../ports.js';
import type { MetricSeries, MetricsSource, RunMetricName, RunMetrics, RunWindow } from '../ports.js';
import { instrumentClient, mapAwsError, type CallStats } from './errors.js';
import type { AwsAdapterOptions } from './glue-platform.js';

/** GetMetricData's limit of queries a call. */
export const MAX_QUERIES_PER_CALL = 500;

type Stat = 'Sum' | 'Maximum' | 'Average';

export interface GlueMetricMapping {
  name: RunMetricName;
  glueName: string;
  type: 'count' | 'gauge';
  stat: Stat;
  unit: string;
  /** Observability metrics carry this dimension too. */
  observabilityGroup?: string;
}

/** Glue's metric names (REFERENCE.md "Glue job metrics") onto the port's neutral names. */
export const GLUE_METRICS: readonly GlueMetricMapping[] = [
  {
    name: 'bytesRead',
    glueName: 'glue.driver.aggregate.bytesRead',
    type: 'count',
    stat: 'Sum',
    unit: 'bytes',
  },
  {
    name: 'recordsRead',
    glueName: 'glue.driver.aggregate.recordsRead',
    type: 'count',
    stat: 'Sum',
    unit: 'count',
  },
  {
    name: 'shuffleBytesWritten',
    glueName: 'glue.driver.aggregate.shuffleBytesWritten',
    type: 'count',
    stat: 'Sum',
    unit: 'bytes',
  },
  {
    name: 'shuffleBytesRead',
    glueName: 'glue.driver.aggregate.shuffleLocalBytesRead',
    type: 'count',
    stat: 'Sum',
    unit: 'bytes',
  },
  {
    name: 'completedTasks',
    glueName: 'glue.driver.aggregate.numCompletedTasks',
    type: 'count',
    stat: 'Sum',
    unit: 'count',
  },
  {
    name: 'failedTasks',
    glueName: 'glue.driver.aggregate.numFailedTasks',
    type: 'count',
    stat: 'Sum',
    unit: 'count',
  },
  {
    name: 'killedTasks',
    glueName: 'glue.driver.aggregate.numKilledTasks',
    type: 'count',
    stat: 'Sum',
    unit: 'count',
  },
  {
    name: 'executorsAllocated',
    glueName: 'glue.driver.ExecutorAllocationManager.executors.numberAllExecutors',
    type: 'gauge',
    stat: 'Maximum',
    unit: 'count',
  },
  {
    name: 'executorsNeeded',
    glueName: 'glue.driver.ExecutorAllocationManager.executors.numberMaxNeededExecutors',
    type: 'gauge',
    stat: 'Maximum',
    unit: 'count',
  },
  {
    name: 'driverHeapUsage',
    glueName: 'glue.driver.jvm.heap.usage',
    type: 'gauge',
    stat: 'Maximum',
    unit: 'ratio',
  },
  {
    name: 'executorHeapUsage',
    glueName: 'glue.ALL.jvm.heap.usage',
    type: 'gauge',
    stat: 'Maximum',
    unit: 'ratio',
  },
  {
    name: 'storageBytesRead',
    glueName: 'glue.ALL.s3.filesystem.read_bytes',
    type: 'count',
    stat: 'Sum',
    unit: 'bytes',
  },
  {
    name: 'storageBytesWritten',
    glueName: 'glue.ALL.s3.filesystem.write_bytes',
    type: 'count',
    stat: 'Sum',
    unit: 'bytes',
  },
  {
    name: 'cpuLoad',
    glueName: 'glue.ALL.system.cpuSystemLoad',
    type: 'gauge',
    stat: 'Average',
    unit: 'ratio',
  },
  {
    name: 'skewnessStage',
    glueName: 'glue.driver.skewness.stage',
    type: 'gauge',
    stat: 'Maximum',
    unit: 'count',
    observabilityGroup: 'job_performance',
  },
  {
    name: 'skewnessJob',
    glueName: 'glue.driver.skewness.job',
    type: 'gauge',
    stat: 'Maximum',
    unit: 'count',
    observabilityGroup: 'job_performance',
  },
  {
    name: 'workerUtilization',
    glueName: 'glue.driver.workerUtilization',
    type: 'gauge',
    stat: 'Average',
    unit: 'ratio',
    observabilityGroup: 'resource_utilization',
  },
  {
    name: 'errors',
    glueName: 'glue.error.ALL',
    type: 'count',
    stat: 'Sum',
    unit: 'count',
    observabilityGroup: 'error',
  },
];

export interface CloudWatchMetricsSourceOptions extends AwsAdapterOptions {
  /** A ready client (its middleware stack gets the call counters); the other options are then ignored. */
  client?: CloudWatchClient;
  /** The clock, for choosing periods by age and for runs still going; default Date.now. */
  now?: () => number;
  /** Metrics asked for; default all of GLUE_METRICS. */
  metrics?: readonly GlueMetricMapping[];
  /** Datapoints a page holds at most (GetMetricData MaxDatapoints); default the service's 100,800. */
  pageDatapoints?: number;
}

export interface CloudWatchMetricsSource extends MetricsSource {
  readonly client: CloudWatchClient;
  /** Calls, retries and throttled attempts since creation (a snapshot). */
  stats(): CallStats;
}

export function createCloudWatchClient(opts: AwsAdapterOptions = {}): CloudWatchClient {
  return new CloudWatchClient({
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    retryMode: 'standard',
    maxAttempts: opts.maxAttempts ?? 5,
  });
}

export const MetricDataResult = z.object({
  Id: z.string(),
  Timestamps: z.array(z.date()).optional().default([]),
  Values: z.array(z.number()).optional().default([]),
  StatusCode: z.string().optional(),
});
export type MetricDataResult = z.infer<typeof MetricDataResult>;

const DAY = 86_400_000;

/** The finest period CloudWatch still holds for data this old (standard resolution). */
export function periodFor(startedOn: Date, now: number): number {
  const age = now - startedOn.getTime();
  if (age <= 15 * DAY) return 60;
  if (age <= 63 * DAY) return 300;
  return 3600;
}

function queryId(run: number, metric: number): string {
  return `r${run}m${metric}`;
}

export function createCloudWatchMetricsSource(
  opts: CloudWatchMetricsSourceOptions = {},
): CloudWatchMetricsSource {
  const client = opts.client ?? createCloudWatchClient(opts);
  const counters = instrumentClient(client);
  const now = opts.now ?? Date.now;
  const metrics = opts.metrics ?? GLUE_METRICS;
  const runsPerCall = Math.max(1, Math.floor(MAX_QUERIES_PER_CALL / metrics.length));

  async function batch(job: string, runs: { index: number; run: RunWindow }[], signal?: AbortSignal) {
    const t = now();
    const queries: MetricDataQuery[] = [];
    let start = Infinity;
    let end = -Infinity;
    for (const { index, run } of runs) {
      const period = periodFor(run.startedOn, t);
      start = Math.min(start, run.startedOn.getTime() - period * 1000);
      end = Math.max(end, (run.completedOn?.getTime() ?? t) + 2 * period * 1000);
      metrics.forEach((m, k) => {
        queries.push({
          Id: queryId(index, k),
          MetricStat: {
            Metric: {
              Namespace: 'Glue',
              MetricName: m.glueName,
              Dimensions: [
                { Name: 'JobName', Value: job },
                { Name: 'JobRunId', Value: run.id },
                { Name: 'Type', Value: m.type },
                ...(m.observabilityGroup
                  ? [{ Name: 'ObservabilityGroup', Value: m.observabilityGroup }]
                  : []),
              ],
            },
            Period: period,
            Stat: m.stat,
          },
          ReturnData: true,
        });
      });
    }
    const merged = new Map<string, { at: number; value: number }[]>();
    try {
      for await (const page of paginateGetMetricData(
        { client },
        {
          MetricDataQueries: queries,
          StartTime: new Date(start),
          EndTime: new Date(Math.min(end, t + 60_000)),
          ScanBy: 'TimestampAscending',
          ...(opts.pageDatapoints ? { MaxDatapoints: opts.pageDatapoints } : {}),
        },
        signal ? { abortSignal: signal } : {},
      )) {
        for (const raw of page.MetricDataResults ?? []) {
          const r = MetricDataResult.safeParse(raw);
          if (!r.success) continue;
          const list = merged.get(r.data.Id) ?? [];
          r.data.Timestamps.forEach((ts, i) => {
            const value = r.data.Values[i];
            if (value !== undefined && Number.isFinite(value)) list.push({ at: ts.getTime(), value });
          });
          merged.set(r.data.Id, list);
        }
      }
    } catch (err) {
      if (signal?.aborted)
        throw new ProviderError('CANCELLED', `reading metrics of ${job} was cancelled`, { cause: err });
      throw mapAwsError(err, {
        service: 'CloudWatch',
        action: 'cloudwatch:GetMetricData',
        subject: `metrics of Glue job ${job}`,
      });
    }
    return merged;
  }

  return {
    nativeName: (name) => GLUE_METRICS.find((m) => m.name === name)?.glueName,
    howToEnable:
      'Glue keeps job metrics only for jobs run with `--enable-metrics true` (and `--enable-observability-metrics true` for skew and worker utilisation).',
    client,
    stats: () => ({ ...counters }),

    async runMetrics(job, runs, o = {}) {
      const out: RunMetrics[] = runs.map((r) => ({ runId: r.id, series: [] }));
      const indexed = runs.map((run, index) => ({ index, run }));
      for (let i = 0; i < indexed.length; i += runsPerCall) {
        const chunk = indexed.slice(i, i + runsPerCall);
        const merged = await batch(job, chunk, o.signal);
        for (const { index } of chunk) {
          const series: MetricSeries[] = [];
          metrics.forEach((m, k) => {
            const points = merged.get(queryId(index, k));
            if (!points || points.length === 0) return;
            // Pages may overlap at their edges; keep one point per timestamp, oldest first.
            const byTime = new Map(points.map((p) => [p.at, p.value]));
            series.push({
              name: m.name,
              unit: m.unit,
              points: [...byTime.entries()]
                .sort((a, b) => a[0] - b[0])
                .map(([at, value]) => ({ at: new Date(at), value })),
            });
          });
          (out[index] as RunMetrics).series = series;
        }
      }
      return out;
    },
  };
}
