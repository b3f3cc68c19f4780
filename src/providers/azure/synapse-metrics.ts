// MetricsSource over Azure Monitor: the Spark pool's allocated vCores and memory (its
// BigDataPoolAllocatedCores / BigDataPoolAllocatedMemory, the maximum of each minute) over each
// run's window, as `allocatedCores` and `allocatedMemoryGb`. The pool is the job's `sparkPool`, else
// the one its pipeline's Spark activity names. The pool's figures are every application's on it:
// pipelines sharing a pool at the same time share the series.
import { ProviderError } from '../ports.js';
import type { CallStats, MetricSeries, MetricsSource, RunMetrics } from '../ports.js';
import type { MonitorMetricsClient, MetricResult } from './monitor-metrics-client.js';
import type { PipelineDefinition } from './synapse-client.js';
import type { SynapseTarget } from './synapse-jobs.js';
import { runSizing } from './synapse-capacity.js';

const RUN_CONCURRENCY = 4;

export interface SynapseMetricsOptions {
  resolve(job: string): SynapseTarget;
  definition(job: string): Promise<PipelineDefinition>;
  metrics: MonitorMetricsClient;
  now?: () => number;
}

export interface SynapseMetricsSource extends MetricsSource {
  stats(): CallStats;
}

function series(result: MetricResult | undefined, name: MetricSeries['name'], unit: string): MetricSeries {
  const points = (result?.timeseries ?? [])
    .flatMap((ts) => ts.points)
    .filter((p) => p.maximum !== undefined || p.average !== undefined)
    .map((p) => ({ at: p.at, value: (p.maximum ?? p.average)! }))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  return { name, unit, points };
}

export function createSynapseMetricsSource(opts: SynapseMetricsOptions): SynapseMetricsSource {
  const now = opts.now ?? Date.now;
  return {
    stats: () => opts.metrics.rest.stats(),
    async runMetrics(job, runs, o = {}) {
      const t = opts.resolve(job);
      const pool = t.sparkPool ?? runSizing(await opts.definition(job), {})?.sparkPool;
      if (!pool)
        throw new ProviderError(
          'INVALID_INPUT',
          `the Spark pool of ${job} is unknown: set jobs.${job}.sparkPool in medic.yml`,
          { retryable: false },
        );
      const out: RunMetrics[] = new Array<RunMetrics>(runs.length);
      let next = 0;
      const lane = async () => {
        while (next < runs.length) {
          const i = next++;
          const run = runs[i]!;
          const start = run.startedOn;
          const end = run.completedOn ?? new Date(now());
          if (end.getTime() <= start.getTime()) {
            out[i] = { runId: run.id, series: [] };
            continue;
          }
          const results = await opts.metrics.poolMetrics(t.workspace, pool, {
            names: ['BigDataPoolAllocatedCores', 'BigDataPoolAllocatedMemory'],
            start,
            end,
            interval: 'PT1M',
            aggregations: ['Maximum'],
            ...(o.signal ? { signal: o.signal } : {}),
          });
          const cores = series(
            results.find((r) => r.name === 'BigDataPoolAllocatedCores'),
            'allocatedCores',
            'cores',
          );
          const memory = series(
            results.find((r) => r.name === 'BigDataPoolAllocatedMemory'),
            'allocatedMemoryGb',
            'GB',
          );
          out[i] = { runId: run.id, series: [cores, memory].filter((s) => s.points.length > 0) };
        }
      };
      await Promise.all(Array.from({ length: Math.min(RUN_CONCURRENCY, runs.length) }, lane));
      return out;
    },
  };
}
