// The runbook's step 3 ("CloudWatch: duración, DPUs, error-rate, shuffle spill"; "Azure Monitor:
// duration, failed runs, CPU/memory del pool") as figures of the problematic run against its
// baseline runs, from the per-run series a platform's metrics adapter gives. Pure; the series'
// names are the metrics port's neutral ones.
import { formatBytes, formatInt, formatPct, formatPctChange } from './format.js';
import { median } from './degradation.js';

export interface SeriesLike {
  name: string;
  unit: string;
  points: { at: Date; value: number }[];
}

export interface RunSeries {
  runId: string;
  series: readonly SeriesLike[];
}

/** How a series becomes one figure of its run: counts add up, gauges peak or average. */
const HOW: Record<string, 'sum' | 'max' | 'avg'> = {
  bytesRead: 'sum',
  recordsRead: 'sum',
  shuffleBytesWritten: 'sum',
  shuffleBytesRead: 'sum',
  completedTasks: 'sum',
  failedTasks: 'sum',
  killedTasks: 'sum',
  storageBytesRead: 'sum',
  storageBytesWritten: 'sum',
  errors: 'sum',
  executorsAllocated: 'max',
  executorsNeeded: 'max',
  driverHeapUsage: 'max',
  executorHeapUsage: 'max',
  cpuLoad: 'avg',
  skewnessStage: 'max',
  skewnessJob: 'max',
  workerUtilization: 'avg',
  allocatedCores: 'max',
  allocatedMemoryGb: 'max',
};

/** One figure per metric of a run. */
export function runFigures(r: RunSeries): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of r.series) {
    const values = s.points.map((p) => p.value).filter(Number.isFinite);
    if (!values.length) continue;
    const how = HOW[s.name] ?? 'max';
    out[s.name] =
      how === 'sum'
        ? values.reduce((a, b) => a + b, 0)
        : how === 'avg'
          ? values.reduce((a, b) => a + b, 0) / values.length
          : Math.max(...values);
  }
  return out;
}

export interface MetricsComparison {
  /** The problematic run had metrics at all. */
  hasMetrics: boolean;
  /** One sentence per figure, the run against the baseline median. */
  lines: string[];
  /** The run's figures (for the skew rule: skewnessJob). */
  run: Record<string, number>;
  baseline: Record<string, number>;
}

const pctOf = (a: number, b: number) => (b > 0 ? ((a - b) / b) * 100 : undefined);

/** The problematic run's figures against the median of the baseline runs that have them. */
export function compareRunMetrics(run: RunSeries, baselines: readonly RunSeries[]): MetricsComparison {
  const now = runFigures(run);
  const base: Record<string, number> = {};
  const figures = baselines.map(runFigures);
  for (const name of Object.keys(HOW)) {
    const xs = figures.map((f) => f[name]).filter((x): x is number => x !== undefined);
    if (xs.length) base[name] = median(xs);
  }
  const lines: string[] = [];
  const against = (name: string, show: (v: number) => string) => {
    const v = now[name];
    if (v === undefined) return undefined;
    const b = base[name];
    const pct = b !== undefined ? pctOf(v, b) : undefined;
    return `${show(v)}${b !== undefined ? ` against ${show(b)} at baseline${pct !== undefined ? ` (${formatPctChange(pct, 0)})` : ''}` : ''}`;
  };
  const bytes = (name: string, label: string) => {
    const s = against(name, (v) => formatBytes(v));
    if (s) lines.push(`${label}: ${s}`);
  };
  bytes('bytesRead', 'Input read');
  bytes('shuffleBytesWritten', 'Shuffle written');
  bytes('shuffleBytesRead', 'Shuffle read');
  const done = now.completedTasks;
  const failed = now.failedTasks;
  if (done !== undefined || failed !== undefined) {
    const total = (done ?? 0) + (failed ?? 0);
    const rate = total > 0 ? ((failed ?? 0) / total) * 100 : 0;
    const bTotal = (base.completedTasks ?? 0) + (base.failedTasks ?? 0);
    const bRate = bTotal > 0 ? ((base.failedTasks ?? 0) / bTotal) * 100 : undefined;
    lines.push(
      `Task error rate: ${formatPct(rate, 1)} (${formatInt(failed ?? 0)} of ${formatInt(total)} tasks failed)${bRate !== undefined ? ` against ${formatPct(bRate, 1)} at baseline` : ''}`,
    );
  }
  const ratio = (name: string, label: string) => {
    const s = against(name, (v) => formatPct(v * 100, 0));
    if (s) lines.push(`${label}: ${s}`);
  };
  ratio('executorHeapUsage', 'Executor heap, peak');
  ratio('driverHeapUsage', 'Driver heap, peak');
  ratio('workerUtilization', 'Worker utilisation');
  const count = (name: string, label: string) => {
    const s = against(name, (v) => formatInt(v));
    if (s) lines.push(`${label}: ${s}`);
  };
  count('executorsAllocated', 'Executors allocated');
  count('executorsNeeded', 'Executors needed (most at once)');
  count('allocatedCores', 'Pool cores allocated');
  count('allocatedMemoryGb', 'Pool memory allocated (GB)');
  if (now.skewnessJob !== undefined) lines.push(`Job skewness metric: ${formatInt(now.skewnessJob, 1)}`);
  return { hasMetrics: Object.keys(now).length > 0, lines, run: now, baseline: base };
}
