// Per-stage task skew (runbook: "Data skew: identificar key con skew"). Spark logs every finished
// task on the driver, so skew can be measured from the error log stream even when no metrics are
// enabled. Heuristics from REFERENCE.md:
// - Dr. Elephant: skew = max ÷ median task time; severity at 2/4/8/16; only counted when the max
//   task is over 150 s (short stages cannot hurt a run however uneven they are).
// - Spark AQE: a partition is skewed past 5× the median.
// - A platform skewness metric such as Glue's glue.driver.skewness.job (Glue 4.0+): 0 while max ÷ median is under
//   the skewness factor (default 5) and 1 when it is twice the factor, i.e. ratio ≈ (value + 1) × 5.

export type SkewSeverity = 'none' | 'low' | 'moderate' | 'severe' | 'critical';

const SEVERITY_RANK: Record<SkewSeverity, number> = { none: 0, low: 1, moderate: 2, severe: 3, critical: 4 };

/** Dr. Elephant's thresholds on max ÷ median task time. */
export function skewSeverity(ratio: number): SkewSeverity {
  if (ratio >= 16) return 'critical';
  if (ratio >= 8) return 'severe';
  if (ratio >= 4) return 'moderate';
  if (ratio >= 2) return 'low';
  return 'none';
}

/** Task-time summary of one stage of one run. */
export interface StageTaskTimes {
  runId: string;
  /** Spark's "stage X.Y" id: stage X, attempt Y. */
  stageId: string;
  tasks: number;
  maxMs: number;
  medianMs: number;
  p75Ms: number;
  totalMs: number;
  /** The median and p75 come from a bounded sample, not from every task. */
  sampled: boolean;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

/** Summary of a stage from every task time (ms). */
export function summarizeTaskTimes(
  runId: string,
  stageId: string,
  taskMs: readonly number[],
): StageTaskTimes {
  const sorted = [...taskMs].sort((a, b) => a - b);
  return {
    runId,
    stageId,
    tasks: sorted.length,
    maxMs: sorted.length > 0 ? (sorted[sorted.length - 1] as number) : 0,
    medianMs: quantile(sorted, 0.5),
    p75Ms: quantile(sorted, 0.75),
    totalMs: sorted.reduce((s, x) => s + x, 0),
    sampled: false,
  };
}

interface StageAccumulator {
  runId: string;
  stageId: string;
  tasks: number;
  maxMs: number;
  totalMs: number;
  sample: number[];
  /** Deterministic PRNG state for reservoir sampling. */
  seed: number;
}

export interface TaskTimeCollectorOptions {
  /** Task times kept per stage for the median; beyond it a reservoir sample. Count, max and total stay exact. */
  maxSamplesPerStage?: number;
  /** Stages tracked; further stages are counted in `droppedStages` only. */
  maxStages?: number;
}

/**
 * Collects task times in bounded memory: at most maxStages × maxSamplesPerStage numbers, however many
 * log lines go through. The reservoir uses a fixed-seed generator so the same log gives the same result.
 */
export class TaskTimeCollector {
  private readonly stages = new Map<string, StageAccumulator>();
  private readonly maxSamples: number;
  private readonly maxStages: number;
  droppedStages = 0;

  constructor(opts: TaskTimeCollectorOptions = {}) {
    this.maxSamples = opts.maxSamplesPerStage ?? 4096;
    this.maxStages = opts.maxStages ?? 2000;
  }

  add(runId: string, stageId: string, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const key = `${runId}\u0000${stageId}`;
    let acc = this.stages.get(key);
    if (!acc) {
      if (this.stages.size >= this.maxStages) {
        this.droppedStages++;
        return;
      }
      acc = { runId, stageId, tasks: 0, maxMs: 0, totalMs: 0, sample: [], seed: 0x9e3779b9 };
      this.stages.set(key, acc);
    }
    acc.tasks++;
    acc.totalMs += ms;
    if (ms > acc.maxMs) acc.maxMs = ms;
    if (acc.sample.length < this.maxSamples) {
      acc.sample.push(ms);
    } else {
      // Algorithm R with xorshift32: replace a random slot with probability maxSamples / tasks.
      acc.seed ^= acc.seed << 13;
      acc.seed ^= acc.seed >>> 17;
      acc.seed ^= acc.seed << 5;
      const j = (acc.seed >>> 0) % acc.tasks;
      if (j < this.maxSamples) acc.sample[j] = ms;
    }
  }

  /** Summaries in first-seen order. */
  summaries(): StageTaskTimes[] {
    return [...this.stages.values()].map((acc) => {
      const s = summarizeTaskTimes(acc.runId, acc.stageId, acc.sample);
      return {
        ...s,
        tasks: acc.tasks,
        maxMs: acc.maxMs,
        totalMs: acc.totalMs,
        sampled: acc.tasks > acc.sample.length,
      };
    });
  }
}

export interface StageSkew extends StageTaskTimes {
  /** max ÷ median task time (Infinity when the median is 0 and the max is not). */
  ratio: number;
  severity: SkewSeverity;
  /** The max task is long enough to matter (Dr. Elephant's 150 s). */
  counted: boolean;
  /** Over Spark AQE's 5× median. */
  aqeSkewed: boolean;
  /** counted and at least 'moderate' (≥ 4×): what the diagnosis reports. */
  flagged: boolean;
}

/** A job-level skewness metric the platform reports (Glue: glue.driver.skewness.job). */
export interface SkewnessMetric {
  /** The platform's metric name, quoted in the evidence. */
  name: string;
  value: number;
  /** Estimated max ÷ median ratio: (value + 1) × skewness factor when value > 0. */
  estimatedRatio: number | undefined;
  flagged: boolean;
}

export interface SkewResult {
  /** Every stage with at least 2 tasks, flagged first, then by ratio, highest first. */
  stages: StageSkew[];
  flaggedStages: StageSkew[];
  worst: StageSkew | undefined;
  /** Worst severity over the counted stages, or from the platform's metric when higher. */
  severity: SkewSeverity;
  skewnessMetric: SkewnessMetric | undefined;
  /** Some stage is flagged or the platform's metric says the job is skewed. */
  skewed: boolean;
}

export interface SkewOptions {
  /** Max task time below which a stage is not counted; default 150,000 ms (Dr. Elephant). */
  minMaxTaskMs?: number;
  /**
   * The platform's job skewness metric (maximum over the run) when it reports one: Glue's
   * glue.driver.skewness.job with observability metrics on. `factor` is the platform's skewness
   * factor (Glue: spark.metrics.conf.driver.source.glue.jobPerformance.skewnessFactor); default 5.
   */
  skewnessMetric?: { name: string; value: number; factor?: number };
}

export const DR_ELEPHANT_MIN_MAX_TASK_MS = 150_000;
export const AQE_SKEW_FACTOR = 5;

export function analyzeSkew(stageTaskTimes: readonly StageTaskTimes[], opts: SkewOptions = {}): SkewResult {
  const minMax = opts.minMaxTaskMs ?? DR_ELEPHANT_MIN_MAX_TASK_MS;
  const stages: StageSkew[] = stageTaskTimes
    .filter((s) => s.tasks >= 2)
    .map((s) => {
      const ratio = s.medianMs > 0 ? s.maxMs / s.medianMs : s.maxMs > 0 ? Infinity : 1;
      const severity = skewSeverity(ratio);
      const counted = s.maxMs > minMax;
      return {
        ...s,
        ratio,
        severity,
        counted,
        aqeSkewed: ratio >= AQE_SKEW_FACTOR,
        flagged: counted && SEVERITY_RANK[severity] >= SEVERITY_RANK.moderate,
      };
    })
    .sort(
      (a, b) =>
        Number(b.flagged) - Number(a.flagged) ||
        b.ratio - a.ratio ||
        b.maxMs - a.maxMs ||
        (a.runId + a.stageId).localeCompare(b.runId + b.stageId),
    );
  const flaggedStages = stages.filter((s) => s.flagged);

  let skewnessMetric: SkewnessMetric | undefined;
  const m = opts.skewnessMetric;
  if (m !== undefined && Number.isFinite(m.value)) {
    const factor = m.factor ?? AQE_SKEW_FACTOR;
    const value = m.value;
    skewnessMetric = {
      name: m.name,
      value,
      estimatedRatio: value > 0 ? (value + 1) * factor : undefined,
      flagged: value > 0,
    };
  }

  let severity: SkewSeverity = 'none';
  for (const s of stages)
    if (s.counted && SEVERITY_RANK[s.severity] > SEVERITY_RANK[severity]) severity = s.severity;
  if (skewnessMetric?.estimatedRatio !== undefined) {
    const g = skewSeverity(skewnessMetric.estimatedRatio);
    if (SEVERITY_RANK[g] > SEVERITY_RANK[severity]) severity = g;
  }

  return {
    stages,
    flaggedStages,
    worst: flaggedStages[0] ?? stages.find((s) => s.counted) ?? stages[0],
    severity,
    skewnessMetric,
    skewed: flaggedStages.length > 0 || (skewnessMetric?.flagged ?? false),
  };
}
