// The field's published thresholds for Spark runs, in one table with where each comes from
// (REFERENCE.md "Diagnosis heuristics of the field", checked against the sources named here).
// Values marked `source: 'ours'` are not published anywhere: they are this project's choices and
// say so in the report.

export type Severity = 'none' | 'low' | 'moderate' | 'severe' | 'critical';

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = Object.freeze({
  none: 0,
  low: 1,
  moderate: 2,
  severe: 3,
  critical: 4,
});

/** Ascending severity thresholds: a value at or over a step has that severity (Dr. Elephant's SeverityThresholds). */
export interface SeverityLadder {
  low: number;
  moderate: number;
  severe: number;
  critical: number;
}

export function severityOf(value: number, ladder: SeverityLadder): Severity {
  if (!Number.isFinite(value) && value !== Infinity) return 'none';
  if (value >= ladder.critical) return 'critical';
  if (value >= ladder.severe) return 'severe';
  if (value >= ladder.moderate) return 'moderate';
  if (value >= ladder.low) return 'low';
  return 'none';
}

export function atLeast(s: Severity, min: Severity): boolean {
  return SEVERITY_RANK[s] >= SEVERITY_RANK[min];
}

export function worstOf(list: readonly Severity[]): Severity {
  let worst: Severity = 'none';
  for (const s of list) if (SEVERITY_RANK[s] > SEVERITY_RANK[worst]) worst = s;
  return worst;
}

interface Entry<T> {
  value: T;
  /** What the number means, in the report's words. */
  meaning: string;
  source: string;
}

const DR_ELEPHANT_STAGES =
  'LinkedIn Dr. Elephant, spark/heuristics/StagesAnalyzer.scala + ConfigurationUtils.scala (linkedin/dr-elephant)';
const DR_ELEPHANT_GC =
  'LinkedIn Dr. Elephant, spark/heuristics/ExecutorGcHeuristic.scala (linkedin/dr-elephant)';

const GB = 1024 ** 3;
const MB = 1024 ** 2;

/**
 * Every threshold the Spark analysis uses. Changing one here changes the heuristics, the findings
 * and the report text together.
 */
export const SPARK_THRESHOLDS = Object.freeze({
  taskSkew: {
    value: { low: 2, moderate: 4, severe: 8, critical: 16 } satisfies SeverityLadder,
    meaning: 'max ÷ median task time of a stage',
    source: `${DR_ELEPHANT_STAGES}: DEFAULT_TASK_SKEW_THRESHOLDS`,
  } as Entry<SeverityLadder>,
  taskSkewMinMaxTaskMs: {
    value: 150_000,
    meaning: 'skew counts only when the longest task is over 150 s (2.5 min)',
    source: `${DR_ELEPHANT_STAGES}: DEFAULT_TASK_SKEW_TASK_DURATION_MIN_THRESHOLD`,
  } as Entry<number>,
  taskSkewTaskToStageRatio: {
    value: 0.75,
    meaning: 'skew counts only when the longest task is over 0.75 of the stage duration',
    source: `${DR_ELEPHANT_STAGES}: DEFAULT_LONG_TASK_TO_STAGE_DURATION_RATIO`,
  } as Entry<number>,
  gcRatio: {
    value: { low: 0.08, moderate: 0.09, severe: 0.1, critical: 0.15 } satisfies SeverityLadder,
    meaning: 'JVM GC time ÷ executor run time',
    source: `${DR_ELEPHANT_GC}: DEFAULT_GC_SEVERITY_A_THRESHOLDS`,
  } as Entry<SeverityLadder>,
  gcMinExecutorRunMs: {
    value: 5 * 60_000,
    meaning: 'GC is judged only past 5 minutes of executor run time',
    source: `${DR_ELEPHANT_GC}: EXECUTOR_RUNTIME_THRESHOLD_IN_MINUTES`,
  } as Entry<number>,
  spillRatio: {
    value: { low: 0.01, moderate: 0.1, severe: 0.25, critical: 0.5 } satisfies SeverityLadder,
    meaning:
      'memory bytes spilled ÷ bytes processed (the largest of input, output, shuffle read, shuffle write)',
    source: `${DR_ELEPHANT_STAGES}: DEFAULT_EXECUTION_MEMORY_SPILL_THRESHOLDS`,
  } as Entry<SeverityLadder>,
  spillMaxProcessedBytes: {
    value: 3 * 1024 ** 4,
    meaning: 'spill is not flagged in a stage processing 3 TB or more (some spill is then expected)',
    source: `${DR_ELEPHANT_STAGES}: DEFAULT_MAX_DATA_PROCESSED_THRESHOLD`,
  } as Entry<number>,
  taskFailureRate: {
    value: { low: 0.05, moderate: 0.1, severe: 0.15, critical: 0.2 } satisfies SeverityLadder,
    meaning: 'failed tasks ÷ tasks of a stage',
    source: `${DR_ELEPHANT_STAGES}: DEFAULT_TASK_FAILURE_RATE_SEVERITY_THRESHOLDS`,
  } as Entry<SeverityLadder>,
  medianTaskMs: {
    value: { low: 150_000, moderate: 300_000, severe: 600_000, critical: 900_000 } satisfies SeverityLadder,
    meaning: 'median task time of a stage (2.5 / 5 / 10 / 15 min): tasks too long, too few partitions',
    source: `${DR_ELEPHANT_STAGES}: DEFAULT_TASK_DURATION_THRESHOLDS`,
  } as Entry<SeverityLadder>,
  maxRecommendedPartitions: {
    value: 4000,
    meaning: 'the largest shuffle partition count recommended',
    source: `${DR_ELEPHANT_STAGES}: DEFAULT_MAX_RECOMMENDED_PARTITIONS`,
  } as Entry<number>,
  defaultShufflePartitions: {
    value: 200,
    meaning: 'spark.sql.shuffle.partitions when the run does not set it',
    source: 'Apache Spark SQLConf SHUFFLE_PARTITIONS default',
  } as Entry<number>,
  partitionLadder: {
    value: [200, 400, 800, 1600, 3200, 4000] as readonly number[],
    meaning: 'shuffle partitions, one step at a time (doubling, capped at 4000)',
    source: `${DR_ELEPHANT_STAGES} (fix ladder 400 → 4000, REFERENCE.md)`,
  } as Entry<readonly number[]>,
  executorMemoryLadderGb: {
    value: [4, 10] as readonly number[],
    meaning: 'memory per executor, GB; past the top step: the next larger executor (double)',
    source: `${DR_ELEPHANT_STAGES} (fix ladder executor memory 4 → 10 GB, REFERENCE.md)`,
  } as Entry<readonly number[]>,
  executorCoresLadder: {
    value: [4, 2] as readonly number[],
    meaning: 'cores per executor, stepping down so each task gets more memory',
    source: `${DR_ELEPHANT_STAGES} (fix ladder cores 4 → 2, REFERENCE.md)`,
  } as Entry<readonly number[]>,
  aqeSkewFactor: {
    value: 5,
    meaning: 'a partition is skewed past 5× the median partition (and past 256 MB)',
    source: 'Apache Spark SQLConf spark.sql.adaptive.skewJoin.skewedPartitionFactor default',
  } as Entry<number>,
  aqeSkewMinBytes: {
    value: 256 * MB,
    meaning: 'a partition is skewed only past 256 MB',
    source: 'Apache Spark SQLConf spark.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes default',
  } as Entry<number>,
  databricksSkewP75Factor: {
    value: 1.5,
    meaning: 'a stage is skewed when its longest task exceeds 1.5× the 75th percentile',
    source: 'Databricks, as REFERENCE.md quotes it',
  } as Entry<number>,
  pythonUdfShare: {
    value: 0.5,
    meaning: 'share of executor run time spent in stages that evaluate Python UDFs',
    source: 'ours (no published threshold); the Sparklens idea of time share per stage',
  } as Entry<number>,
  wastedCoreShare: {
    value: 0.5,
    meaning: 'share of the executors’ core-time that ran no task (Sparklens "wasted" core-hours)',
    source: 'ours (Sparklens reports wasted core-hours without a threshold)',
  } as Entry<number>,
  wastedCoreMinHours: {
    value: 1,
    meaning: 'idle executors are reported only from 1 wasted core-hour',
    source: 'ours',
  } as Entry<number>,
  diffMinGrowth: {
    value: 1.3,
    meaning: 'a stage figure counts as grown from 1.3× its baseline value',
    source: 'ours (the same 30% as the runbook’s degradation threshold)',
  } as Entry<number>,
});

export type SparkThresholds = typeof SPARK_THRESHOLDS;

export const UNITS = { GB, MB } as const;
