// The field's heuristics over a summarised event log (thresholds and their sources:
// thresholds.ts). Pure functions of the summary: the same log always gives the same evaluation.
//
// Per stage (Dr. Elephant's StagesAnalyzer):
// - task skew: max ÷ median task time, counted only when the longest task is over 150 s and over
//   0.75 of the stage's duration; also Spark AQE's data-skew rule on bytes read per task (over 5×
//   the median and over 256 MB) and Databricks' max > 1.5 × p75;
// - spill: memory bytes spilled ÷ the largest of input, output, shuffle read and shuffle write,
//   not flagged past 3 TB processed; disk bytes spilled reported beside it;
// - GC: JVM GC time ÷ executor run time (sums over the stage's tasks);
// - failed tasks ÷ tasks; median task time (long tasks).
// Per application: GC ÷ run time only past 5 min of executor run time (Dr. Elephant's
// ExecutorGcHeuristic), Sparklens' wasted core-time, and the share of executor time in stages that
// evaluate Python UDFs.
import type { EventLogSummary, StageSummary } from './event-log-reader.js';
import { SPARK_THRESHOLDS, severityOf, worstOf, type Severity, type SparkThresholds } from './thresholds.js';

export interface StageSkewEvaluation {
  /** max ÷ median task time (Infinity when the median is 0 and the max is not). */
  ratio: number;
  /** Severity of the ratio alone. */
  rawSeverity: Severity;
  /** Severity once Dr. Elephant's conditions apply: 'none' when they do not hold. */
  severity: Severity;
  maxTaskMs: number;
  medianTaskMs: number;
  /** Longest task ÷ stage duration, when the stage's duration is known. */
  maxTaskToStage?: number;
  /** Longest task over 150 s. */
  longEnough: boolean;
  /** Longest task over 0.75 of the stage (true when the duration is unknown: the condition cannot be checked). */
  dominatesStage: boolean;
  /** Bytes read by the largest task ÷ the median (input + shuffle read). */
  readRatio: number;
  /** Spark AQE would call the largest task's partition skewed (over 5× median and over 256 MB). */
  aqeDataSkew: boolean;
  /** Databricks: max task time over 1.5 × the 75th percentile. */
  overP75: boolean;
}

export interface StageEvaluation {
  stageId: number;
  name: string;
  order: number;
  durationMs?: number;
  tasks: number;
  skew: StageSkewEvaluation;
  spill: {
    /** memory spilled ÷ bytes processed. */
    ratio: number;
    rawSeverity: Severity;
    /** 'none' past 3 TB processed. */
    severity: Severity;
    processedBytes: number;
    memoryBytes: number;
    diskBytes: number;
    largeData: boolean;
  };
  gc: { ratio: number; severity: Severity };
  failures: { rate: number; severity: Severity; failed: number; killed: number };
  longTasks: { medianMs: number; severity: Severity };
  pythonUdf: boolean;
}

export interface AppEvaluation {
  gc: {
    ratio: number;
    severity: Severity;
    /** Past 5 minutes of executor run time: judged. */
    counted: boolean;
    gcMs: number;
    executorRunMs: number;
  };
  idle: {
    wastedCoreHours: number;
    availableCoreHours: number;
    /** wasted ÷ available core-time. */
    wastedShare: number;
    idleExecutorHours: number;
    flagged: boolean;
  };
  python: {
    /** Executor run time in stages evaluating Python UDFs ÷ all executor run time. */
    share: number;
    /** From Python SQL metrics, when the Spark version has them. */
    metricShare?: number;
    operators: string[];
    flagged: boolean;
  };
  failures: { rate: number; severity: Severity };
}

export interface RunEvaluation {
  stages: StageEvaluation[];
  app: AppEvaluation;
}

const HOUR = 3_600_000;

/** Bytes a stage processed, as Dr. Elephant counts them: the largest of its four byte figures. */
export function processedBytes(
  s: Pick<StageSummary, 'inputBytes' | 'outputBytes' | 'shuffleReadBytes' | 'shuffleWriteBytes'>,
): number {
  return Math.max(s.inputBytes, s.outputBytes, s.shuffleReadBytes, s.shuffleWriteBytes);
}

function ratioOf(a: number, b: number): number {
  if (b > 0) return a / b;
  return a > 0 ? Infinity : 0;
}

export function evaluateStage(s: StageSummary, t: SparkThresholds = SPARK_THRESHOLDS): StageEvaluation {
  const max = s.taskMs.max;
  const median = s.taskMs.median;
  const ratio = s.taskMs.count === 0 ? 0 : median > 0 ? max / median : max > 0 ? Infinity : 1;
  const rawSkew = s.taskMs.count >= 2 ? severityOf(ratio, t.taskSkew.value) : 'none';
  const maxTaskToStage = s.durationMs !== undefined && s.durationMs > 0 ? max / s.durationMs : undefined;
  const longEnough = max > t.taskSkewMinMaxTaskMs.value;
  const dominatesStage = maxTaskToStage === undefined || maxTaskToStage > t.taskSkewTaskToStageRatio.value;
  const readMedian = s.taskReadBytes.median;
  const readMax = s.taskReadBytes.max;
  const readRatio = readMedian > 0 ? readMax / readMedian : readMax > 0 ? Infinity : 1;

  const processed = processedBytes(s);
  const spillRatio =
    processed > 0 ? s.memorySpilledBytes / processed : s.memorySpilledBytes > 0 ? Infinity : 0;
  const rawSpill = severityOf(spillRatio, t.spillRatio.value);
  const largeData = processed >= t.spillMaxProcessedBytes.value;

  const gcRatio = ratioOf(s.gcMs, s.executorRunMs);
  const failureRate = s.tasks.ended > 0 ? s.tasks.failed / s.tasks.ended : 0;
  return {
    stageId: s.stageId,
    name: s.name,
    order: s.order,
    ...(s.durationMs !== undefined ? { durationMs: s.durationMs } : {}),
    tasks: s.tasks.ended,
    skew: {
      ratio,
      rawSeverity: rawSkew,
      severity: longEnough && dominatesStage ? rawSkew : 'none',
      maxTaskMs: max,
      medianTaskMs: median,
      ...(maxTaskToStage !== undefined ? { maxTaskToStage } : {}),
      longEnough,
      dominatesStage,
      readRatio,
      aqeDataSkew:
        s.taskReadBytes.count >= 2 && readRatio > t.aqeSkewFactor.value && readMax > t.aqeSkewMinBytes.value,
      overP75: s.taskMs.count >= 2 && max > t.databricksSkewP75Factor.value * s.taskMs.p75,
    },
    spill: {
      ratio: spillRatio,
      rawSeverity: rawSpill,
      severity: largeData ? 'none' : rawSpill,
      processedBytes: processed,
      memoryBytes: s.memorySpilledBytes,
      diskBytes: s.diskSpilledBytes,
      largeData,
    },
    gc: { ratio: gcRatio, severity: severityOf(gcRatio, t.gcRatio.value) },
    failures: {
      rate: failureRate,
      severity: severityOf(failureRate, t.taskFailureRate.value),
      failed: s.tasks.failed,
      killed: s.tasks.killed,
    },
    longTasks: {
      medianMs: median,
      severity: s.taskMs.count > 0 ? severityOf(median, t.medianTaskMs.value) : 'none',
    },
    pythonUdf: s.pythonUdf,
  };
}

export function evaluateApp(
  summary: Pick<EventLogSummary, 'app' | 'stages'>,
  t: SparkThresholds = SPARK_THRESHOLDS,
): AppEvaluation {
  const { totals, executors, python } = summary.app;
  const gcRatio = ratioOf(totals.gcMs, totals.executorRunMs);
  const counted = totals.executorRunMs >= t.gcMinExecutorRunMs.value;
  const wastedShare = executors.availableCoreMs > 0 ? executors.wastedCoreMs / executors.availableCoreMs : 0;
  const wastedCoreHours = executors.wastedCoreMs / HOUR;
  const share = totals.executorRunMs > 0 ? python.udfStageRunMs / totals.executorRunMs : 0;
  const metricShare =
    python.metricMs !== undefined && totals.executorRunMs > 0
      ? python.metricMs / totals.executorRunMs
      : undefined;
  const failureRate = totals.tasks > 0 ? totals.failedTasks / totals.tasks : 0;
  return {
    gc: {
      ratio: gcRatio,
      severity: counted ? severityOf(gcRatio, t.gcRatio.value) : 'none',
      counted,
      gcMs: totals.gcMs,
      executorRunMs: totals.executorRunMs,
    },
    idle: {
      wastedCoreHours,
      availableCoreHours: executors.availableCoreMs / HOUR,
      wastedShare,
      idleExecutorHours: executors.idleExecutorMs / HOUR,
      flagged: wastedShare >= t.wastedCoreShare.value && wastedCoreHours >= t.wastedCoreMinHours.value,
    },
    python: {
      share,
      ...(metricShare !== undefined ? { metricShare } : {}),
      operators: python.operators,
      flagged: python.operators.length > 0 && (metricShare ?? share) >= t.pythonUdfShare.value,
    },
    failures: { rate: failureRate, severity: severityOf(failureRate, t.taskFailureRate.value) },
  };
}

export function evaluateRun(
  summary: Pick<EventLogSummary, 'app' | 'stages'>,
  t: SparkThresholds = SPARK_THRESHOLDS,
): RunEvaluation {
  return { stages: summary.stages.map((s) => evaluateStage(s, t)), app: evaluateApp(summary, t) };
}

/** The worst counted severity of each heuristic over the stages (for a one-line summary). */
export function worstStageSeverities(
  e: RunEvaluation,
): Record<'skew' | 'spill' | 'gc' | 'failures' | 'longTasks', Severity> {
  return {
    skew: worstOf(e.stages.map((s) => s.skew.severity)),
    spill: worstOf(e.stages.map((s) => s.spill.severity)),
    gc: worstOf(e.stages.map((s) => s.gc.severity)),
    failures: worstOf(e.stages.map((s) => s.failures.severity)),
    longTasks: worstOf(e.stages.map((s) => s.longTasks.severity)),
  };
}
