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

/** One threshold: its value, what it means in the report's words, and where it comes from. */
function entry(value: number, meaning: string, source: string): Entry<number> {
  return { value, meaning, source };
}

/** A severity ladder, its four steps in ascending order: low, moderate, severe, critical. */
function ladder(
  [low, moderate, severe, critical]: [number, number, number, number],
  meaning: string,
  source: string,
): Entry<SeverityLadder> {
  return { value: { low, moderate, severe, critical }, meaning, source };
}

/** A fix ladder: the values to step through, in order. */
function steps(value: readonly number[], meaning: string, source: string): Entry<readonly number[]> {
  return { value, meaning, source };
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
  taskSkew: ladder(
    [2, 4, 8, 16],
    'max ÷ median task time of a stage',
    `${DR_ELEPHANT_STAGES}: DEFAULT_TASK_SKEW_THRESHOLDS`,
  ),
  taskSkewMinMaxTaskMs: entry(
    150_000,
    'skew counts only when the longest task is over 150 s (2.5 min)',
    `${DR_ELEPHANT_STAGES}: DEFAULT_TASK_SKEW_TASK_DURATION_MIN_THRESHOLD`,
  ),
  taskSkewTaskToStageRatio: entry(
    0.75,
    'skew counts only when the longest task is over 0.75 of the stage duration',
    `${DR_ELEPHANT_STAGES}: DEFAULT_LONG_TASK_TO_STAGE_DURATION_RATIO`,
  ),
  gcRatio: ladder(
    [0.08, 0.09, 0.1, 0.15],
    'JVM GC time ÷ executor run time',
    `${DR_ELEPHANT_GC}: DEFAULT_GC_SEVERITY_A_THRESHOLDS`,
  ),
  gcMinExecutorRunMs: entry(
    5 * 60_000,
    'GC is judged only past 5 minutes of executor run time',
    `${DR_ELEPHANT_GC}: EXECUTOR_RUNTIME_THRESHOLD_IN_MINUTES`,
  ),
  spillRatio: ladder(
    [0.01, 0.1, 0.25, 0.5],
    'memory bytes spilled ÷ bytes processed (the largest of input, output, shuffle read, shuffle write)',
    `${DR_ELEPHANT_STAGES}: DEFAULT_EXECUTION_MEMORY_SPILL_THRESHOLDS`,
  ),
  spillMaxProcessedBytes: entry(
    3 * 1024 ** 4,
    'spill is not flagged in a stage processing 3 TB or more (some spill is then expected)',
    `${DR_ELEPHANT_STAGES}: DEFAULT_MAX_DATA_PROCESSED_THRESHOLD`,
  ),
  taskFailureRate: ladder(
    [0.05, 0.1, 0.15, 0.2],
    'failed tasks ÷ tasks of a stage',
    `${DR_ELEPHANT_STAGES}: DEFAULT_TASK_FAILURE_RATE_SEVERITY_THRESHOLDS`,
  ),
  medianTaskMs: ladder(
    [150_000, 300_000, 600_000, 900_000],
    'median task time of a stage (2.5 / 5 / 10 / 15 min): tasks too long, too few partitions',
    `${DR_ELEPHANT_STAGES}: DEFAULT_TASK_DURATION_THRESHOLDS`,
  ),
  maxRecommendedPartitions: entry(
    4000,
    'the largest shuffle partition count recommended',
    `${DR_ELEPHANT_STAGES}: DEFAULT_MAX_RECOMMENDED_PARTITIONS`,
  ),
  defaultShufflePartitions: entry(
    200,
    'spark.sql.shuffle.partitions when the run does not set it',
    'Apache Spark SQLConf SHUFFLE_PARTITIONS default',
  ),
  partitionLadder: steps(
    [200, 400, 800, 1600, 3200, 4000],
    'shuffle partitions, one step at a time (doubling, capped at 4000)',
    `${DR_ELEPHANT_STAGES} (fix ladder 400 → 4000, REFERENCE.md)`,
  ),
  executorMemoryLadderGb: steps(
    [4, 10],
    'memory per executor, GB; past the top step: the next larger executor (double)',
    `${DR_ELEPHANT_STAGES} (fix ladder executor memory 4 → 10 GB, REFERENCE.md)`,
  ),
  executorCoresLadder: steps(
    [4, 2],
    'cores per executor, stepping down so each task gets more memory',
    `${DR_ELEPHANT_STAGES} (fix ladder cores 4 → 2, REFERENCE.md)`,
  ),
  aqeSkewFactor: entry(
    5,
    'a partition is skewed past 5× the median partition (and past 256 MB)',
    'Apache Spark SQLConf spark.sql.adaptive.skewJoin.skewedPartitionFactor default',
  ),
  aqeSkewMinBytes: entry(
    256 * MB,
    'a partition is skewed only past 256 MB',
    'Apache Spark SQLConf spark.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes default',
  ),
  databricksSkewP75Factor: entry(
    1.5,
    'a stage is skewed when its longest task exceeds 1.5× the 75th percentile',
    'Databricks, as REFERENCE.md quotes it',
  ),
  pythonUdfShare: entry(
    0.5,
    'share of executor run time spent in stages that evaluate Python UDFs',
    'ours (no published threshold); the Sparklens idea of time share per stage',
  ),
  wastedCoreShare: entry(
    0.5,
    'share of the executors’ core-time that ran no task (Sparklens "wasted" core-hours)',
    'ours (Sparklens reports wasted core-hours without a threshold)',
  ),
  wastedCoreMinHours: entry(1, 'idle executors are reported only from 1 wasted core-hour', 'ours'),
  diffMinGrowth: entry(
    1.3,
    'a stage figure counts as grown from 1.3× its baseline value',
    'ours (the same 30% as the runbook’s degradation threshold)',
  ),
});

export type SparkThresholds = typeof SPARK_THRESHOLDS;

export const UNITS = { GB, MB } as const;
