// Glue job metrics as CloudWatch holds them (namespace Glue): one series per metric name and
// dimension set {JobName, JobRunId, Type} (observability metrics add ObservabilityGroup), with a
// datapoint every 30 s over the run's execution. Count metrics are deltas (Glue reports the change
// since the previous report), gauges are levels. Only jobs whose arguments include
// --enable-metrics have any; observability metrics need --enable-observability-metrics true and
// Glue 4.0 or later.
//
// Figures come from a profile a scenario registers per run (e.g. the totals of its event log);
// a run without one gets figures derived from its workers and duration, so every metrics-enabled
// job answers.
import { hash01 } from './random.js';
import type { GlueJob, GlueRun } from './glue-store.js';

export const GLUE_COUNT_METRICS = [
  'glue.driver.aggregate.bytesRead',
  'glue.driver.aggregate.recordsRead',
  'glue.driver.aggregate.elapsedTime',
  'glue.driver.aggregate.numCompletedTasks',
  'glue.driver.aggregate.numFailedTasks',
  'glue.driver.aggregate.numKilledTasks',
  'glue.driver.aggregate.numCompletedStages',
  'glue.driver.aggregate.shuffleBytesWritten',
  'glue.driver.aggregate.shuffleLocalBytesRead',
  'glue.ALL.s3.filesystem.read_bytes',
  'glue.ALL.s3.filesystem.write_bytes',
] as const;
export type GlueCountMetric = (typeof GLUE_COUNT_METRICS)[number];

export const GLUE_GAUGE_METRICS = [
  'glue.driver.ExecutorAllocationManager.executors.numberAllExecutors',
  'glue.driver.ExecutorAllocationManager.executors.numberMaxNeededExecutors',
  'glue.driver.jvm.heap.usage',
  'glue.ALL.jvm.heap.usage',
  'glue.driver.jvm.heap.used',
  'glue.driver.system.cpuSystemLoad',
  'glue.ALL.system.cpuSystemLoad',
] as const;
export type GlueGaugeMetric = (typeof GLUE_GAUGE_METRICS)[number];

/** Observability metrics: name → its ObservabilityGroup dimension and Type. */
export const GLUE_OBSERVABILITY_METRICS = {
  'glue.driver.skewness.stage': { group: 'job_performance', type: 'gauge' },
  'glue.driver.skewness.job': { group: 'job_performance', type: 'gauge' },
  'glue.driver.workerUtilization': { group: 'resource_utilization', type: 'gauge' },
  'glue.error.ALL': { group: 'error', type: 'count' },
} as const;
export type GlueObservabilityMetric = keyof typeof GLUE_OBSERVABILITY_METRICS;

export interface RunMetricProfile {
  /** Totals over the run (spread evenly as 30 s deltas). */
  counts?: Partial<Record<GlueCountMetric, number>>;
  /** Levels held over the run (a small deterministic wobble is added to ratios). */
  gauges?: Partial<Record<GlueGaugeMetric, number>>;
  /** Observability metrics: gauges are levels, glue.error.ALL a total. */
  observability?: Partial<Record<GlueObservabilityMetric, number>>;
}

export interface Datapoint {
  /** Epoch ms. */
  at: number;
  value: number;
}

export interface MetricKey {
  metricName: string;
  dimensions: Record<string, string>;
}

export const REPORT_INTERVAL_MS = 30_000;

const MB = 1024 * 1024;

export function metricsEnabled(job: GlueJob, run?: GlueRun): boolean {
  const args = { ...job.DefaultArguments, ...(run?.Arguments ?? {}) };
  return args['--enable-metrics'] !== undefined && args['--enable-metrics'] !== 'false';
}

export function observabilityEnabled(job: GlueJob, run?: GlueRun): boolean {
  const args = { ...job.DefaultArguments, ...(run?.Arguments ?? {}) };
  const version = Number.parseFloat(run?.GlueVersion ?? job.GlueVersion);
  return args['--enable-observability-metrics'] === 'true' && version >= 4;
}

export class MetricsStore {
  private readonly profiles = new Map<string, RunMetricProfile>();

  /** The figures of a run (replaces an earlier profile). */
  setRunProfile(runId: string, profile: RunMetricProfile): void {
    this.profiles.set(runId, profile);
  }

  profileOf(runId: string): RunMetricProfile | undefined {
    return this.profiles.get(runId);
  }

  clear(): void {
    this.profiles.clear();
  }

  /** The profile a run without a registered one gets: from its workers and duration. */
  defaultProfile(run: GlueRun): RunMetricProfile {
    const workers = run.NumberOfWorkers ?? 2;
    // A run that reports a chosen ExecutionTime reads as much as a run of that length would.
    const sec = run.executionSec ?? run.durationMs / 1000;
    const bytes = Math.round(workers * sec * 8 * MB);
    const tasks = Math.max(1, Math.round((sec / 20) * Math.max(1, workers - 1) * 4));
    return {
      counts: {
        'glue.driver.aggregate.bytesRead': bytes,
        'glue.driver.aggregate.recordsRead': Math.round(bytes / 200),
        'glue.driver.aggregate.elapsedTime': run.durationMs,
        'glue.driver.aggregate.numCompletedTasks': tasks,
        'glue.driver.aggregate.numFailedTasks':
          run.outcome === 'FAILED' ? Math.max(4, Math.round(tasks / 50)) : 0,
        'glue.driver.aggregate.numKilledTasks': 0,
        'glue.driver.aggregate.numCompletedStages': 4,
        'glue.driver.aggregate.shuffleBytesWritten': Math.round(bytes * 0.6),
        'glue.driver.aggregate.shuffleLocalBytesRead': Math.round(bytes * 0.6),
        'glue.ALL.s3.filesystem.read_bytes': bytes,
        'glue.ALL.s3.filesystem.write_bytes': Math.round(bytes * 0.4),
      },
      gauges: {
        'glue.driver.ExecutorAllocationManager.executors.numberAllExecutors': Math.max(1, workers - 1),
        'glue.driver.ExecutorAllocationManager.executors.numberMaxNeededExecutors': Math.max(1, workers - 1),
        'glue.driver.jvm.heap.usage': 0.3,
        'glue.ALL.jvm.heap.usage': 0.45,
        'glue.driver.jvm.heap.used': 1.5 * 1024 * MB,
        'glue.driver.system.cpuSystemLoad': 0.2,
        'glue.ALL.system.cpuSystemLoad': 0.6,
      },
      observability: {
        'glue.driver.skewness.stage': 0,
        'glue.driver.skewness.job': 0,
        'glue.driver.workerUtilization': 0.6,
        'glue.error.ALL': run.outcome === 'FAILED' ? 1 : 0,
      },
    };
  }

  /**
   * Datapoints of one series of one run at simulated time `now`: a point every 30 s from the run's
   * start of execution to its end (or now, while it runs). Empty when the series does not exist
   * (metrics not enabled, unknown name, dimensions that do not match the metric's set).
   */
  runSeries(job: GlueJob, run: GlueRun, key: MetricKey, now: number): Datapoint[] {
    if (!metricsEnabled(job, run)) return [];
    const dims = key.dimensions;
    const obs = GLUE_OBSERVABILITY_METRICS[key.metricName as GlueObservabilityMetric];
    const isCount = (GLUE_COUNT_METRICS as readonly string[]).includes(key.metricName);
    const isGauge = (GLUE_GAUGE_METRICS as readonly string[]).includes(key.metricName);
    if (!obs && !isCount && !isGauge) return [];
    const wantType = obs ? obs.type : isCount ? 'count' : 'gauge';
    const expected: Record<string, string> = {
      JobName: job.Name,
      JobRunId: dims.JobRunId === 'ALL' ? 'ALL' : run.Id,
      Type: wantType,
      ...(obs ? { ObservabilityGroup: obs.group } : {}),
    };
    if (!sameDimensions(dims, expected)) return [];
    if (obs && !observabilityEnabled(job, run)) return [];

    const begin = run.startedAt + run.startingMs;
    const end = Math.min(begin + run.durationMs, now);
    if (end <= begin) return [];
    const profile = this.profiles.get(run.Id) ?? this.defaultProfile(run);
    const n = Math.max(1, Math.ceil(run.durationMs / REPORT_INTERVAL_MS));
    const out: Datapoint[] = [];
    for (let k = 1; k <= n; k++) {
      const at = begin + Math.min(k * REPORT_INTERVAL_MS, run.durationMs);
      if (at > end) break;
      const share =
        (Math.min(k * REPORT_INTERVAL_MS, run.durationMs) - (k - 1) * REPORT_INTERVAL_MS) / run.durationMs;
      let value: number | undefined;
      if (isCount) {
        const total = profile.counts?.[key.metricName as GlueCountMetric];
        if (total !== undefined) value = total * share;
      } else if (isGauge) {
        const level = profile.gauges?.[key.metricName as GlueGaugeMetric];
        if (level !== undefined) value = wobble(level, key.metricName, run.Id, k);
      } else if (obs) {
        const level = profile.observability?.[key.metricName as GlueObservabilityMetric];
        if (level !== undefined)
          value = obs.type === 'count' ? level * share : wobble(level, key.metricName, run.Id, k);
      }
      if (value !== undefined) out.push({ at, value });
    }
    return out;
  }
}

/** Ratios (0–1) vary a little from point to point; counts of executors and zero values do not. */
function wobble(level: number, name: string, runId: string, k: number): number {
  if (level === 0 || level > 1 || name.includes('executors') || name.includes('skewness')) return level;
  const v = level * (0.9 + 0.2 * hash01(`${name}:${runId}`, k));
  return Math.min(1, Math.round(v * 10_000) / 10_000);
}

function sameDimensions(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && kb.every((k) => a[k] === b[k]);
}
