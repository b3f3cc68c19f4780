// Findings from a run's Spark evidence, each with a concrete next value on the field's ladders
// (thresholds.ts): shuffle partitions 200 → 400 → … → 4000, memory per executor 4 → 10 GB and
// then the next larger executor, cores per executor 4 → 2. Neutral words only ("memory per
// executor", "more partitions"): the platform adapter may name a worker type when it renders.
//
// Why ~670 lines: one function per finding (spill, skew, GC, Python UDFs, idle executors, shuffle,
// task failures) with its wording and next value; they share the ladders and the renderers here.
import {
  formatBytes,
  formatDuration,
  formatInt,
  formatNumber,
  formatRatio,
  formatShare,
  plural,
} from '../format.js';
import { redactSecrets } from '../redact.js';
import type { EventLogSummary } from './event-log-reader.js';
import type { RunDiff, StageDiff, GrowthFactor, FactorChange } from './diff.js';
import type { RunEvaluation, StageEvaluation } from './heuristics.js';
import { SPARK_THRESHOLDS, atLeast, worstOf, type Severity, type SparkThresholds } from './thresholds.js';

export type SparkFindingId =
  'spill' | 'gc-pressure' | 'task-skew' | 'python-udf' | 'idle-executors' | 'task-failures' | 'long-tasks';

export type SparkAction =
  | 'more-partitions'
  | 'smaller-input-splits'
  | 'more-memory-per-executor'
  | 'fewer-cores-per-executor'
  | 'skew-join'
  | 'salt-skewed-key'
  | 'vectorize-udf'
  | 'native-functions'
  | 'fewer-executors'
  | 'investigate-failures';

export interface SparkRecommendation {
  action: SparkAction;
  /** The Spark setting it changes, when one does. */
  setting?: string;
  /** Current value (as the run had it, or Spark's default) and the recommended one. */
  from?: string;
  to?: string;
  /** The recommendation as a sentence, values included. */
  text: string;
}

/** The diagnosis finding a Spark finding is evidence for (domain/diagnosis.ts ids where one exists). */
export type SparkFindingRelation =
  'memory' | 'data-skew' | 'udf' | 'capacity' | 'reliability' | 'parallelism';

export interface SparkFinding {
  id: SparkFindingId;
  title: string;
  severity: Severity;
  /** 0–1: severity, plus 0.1 when the run-vs-baseline diff names this factor as the growth. */
  score: number;
  /** Plain sentences with the numbers (redacted; Slack escaping is the renderer's job). */
  evidence: string[];
  recommendation: SparkRecommendation;
  alternatives: SparkRecommendation[];
  stageIds: number[];
  relatesTo: SparkFindingRelation;
  /** The diff names this finding's factor for the stage that grew most. */
  explainsGrowth: boolean;
  /** Where the evidence came from: the Spark event log, or log lines (no event log). */
  source: 'event-log' | 'logs';
}

export const SEVERITY_SCORE: Record<Severity, number> = {
  none: 0,
  low: 0.4,
  moderate: 0.6,
  severe: 0.75,
  critical: 0.85,
};
const MB = 1024 ** 2;
const GB = 1024 ** 3;

// --- Spark settings --------------------------------------------------------------------------

/** Spark's size strings (JavaUtils.byteStringAs): "10g", "4096m", "512k"; bare numbers are `defaultUnit`. */
export function parseSparkSize(
  text: string | undefined,
  defaultUnit: 'b' | 'k' | 'm' | 'g' = 'm',
): number | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(b?)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = ((m[2] as string) || (m[3] ? 'b' : defaultUnit)).toLowerCase();
  const pow = { b: 0, k: 1, m: 2, g: 3, t: 4, p: 5 }[unit as 'b'] ?? 0;
  return Number(m[1]) * 1024 ** pow;
}

function intSetting(props: Record<string, string>, key: string): number | undefined {
  const v = props[key];
  if (v === undefined) return undefined;
  const n = Number(v.trim());
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function boolSetting(props: Record<string, string>, key: string, dflt: boolean): boolean {
  const v = props[key]?.trim().toLowerCase();
  return v === undefined ? dflt : v === 'true';
}

function gbText(bytes: number): string {
  return `${formatNumber(bytes / GB, 1)} GB`;
}

/** Next shuffle-partition count on the ladder, or undefined at the top. */
export function nextPartitions(current: number, t: SparkThresholds = SPARK_THRESHOLDS): number | undefined {
  const max = t.maxRecommendedPartitions.value;
  if (current >= max) return undefined;
  return t.partitionLadder.value.find((p) => p > current) ?? max;
}

/** Next memory per executor (bytes): the ladder's next step, past its top the double. */
export function nextExecutorMemory(currentBytes: number, t: SparkThresholds = SPARK_THRESHOLDS): number {
  const step = t.executorMemoryLadderGb.value.find((g) => g * GB > currentBytes + 1);
  return step !== undefined ? step * GB : currentBytes * 2;
}

/** Next (lower) cores per executor, or undefined when already at the ladder's bottom. */
export function nextExecutorCores(
  current: number,
  t: SparkThresholds = SPARK_THRESHOLDS,
): number | undefined {
  const ladder = t.executorCoresLadder.value;
  const bottom = ladder[ladder.length - 1] as number;
  if (current <= bottom) return undefined;
  const step = ladder.find((c) => c < current);
  return step ?? Math.max(bottom, Math.floor(current / 2));
}

export interface Settings {
  partitions: number;
  partitionsSet: boolean;
  memoryBytes?: number;
  memoryText?: string;
  cores?: number;
  maxPartitionBytes: number;
  aqe: boolean;
  skewJoin: boolean;
  sparkMajorMinor?: [number, number];
}

export function settingsOf(
  props: Record<string, string>,
  sparkVersion?: string,
  t: SparkThresholds = SPARK_THRESHOLDS,
): Settings {
  const partitions = intSetting(props, 'spark.sql.shuffle.partitions');
  const memoryText = props['spark.executor.memory'];
  const memoryBytes = parseSparkSize(memoryText, 'm');
  const v = /^(\d+)\.(\d+)/.exec(sparkVersion ?? '');
  const major = v ? Number(v[1]) : undefined;
  const minor = v ? Number(v[2]) : undefined;
  // AQE is on by default from Spark 3.2 (SPARK-33679).
  const aqeDefault =
    major !== undefined && minor !== undefined ? major > 3 || (major === 3 && minor >= 2) : false;
  const cores = intSetting(props, 'spark.executor.cores');
  return {
    partitions: partitions ?? t.defaultShufflePartitions.value,
    partitionsSet: partitions !== undefined,
    ...(memoryBytes !== undefined ? { memoryBytes, memoryText: memoryText as string } : {}),
    ...(cores !== undefined ? { cores } : {}),
    maxPartitionBytes: parseSparkSize(props['spark.sql.files.maxPartitionBytes'], 'b') ?? 128 * MB,
    aqe: boolSetting(props, 'spark.sql.adaptive.enabled', aqeDefault),
    skewJoin: boolSetting(props, 'spark.sql.adaptive.skewJoin.enabled', true),
    ...(major !== undefined && minor !== undefined
      ? { sparkMajorMinor: [major, minor] as [number, number] }
      : {}),
  };
}

// --- recommendations -------------------------------------------------------------------------

export function partitionsStep(
  s: Settings,
  t: SparkThresholds = SPARK_THRESHOLDS,
): SparkRecommendation | undefined {
  const next = nextPartitions(s.partitions, t);
  if (next === undefined) return undefined;
  const from = `${formatInt(s.partitions)}${s.partitionsSet ? '' : ' (Spark’s default)'}`;
  return {
    action: 'more-partitions',
    setting: 'spark.sql.shuffle.partitions',
    from: String(s.partitions),
    to: String(next),
    text: `More shuffle partitions: spark.sql.shuffle.partitions ${from} → ${formatInt(next)}, so each task holds less data.`,
  };
}

function inputSplitStep(s: Settings): SparkRecommendation {
  const to = Math.max(16 * MB, Math.floor(s.maxPartitionBytes / 2));
  return {
    action: 'smaller-input-splits',
    setting: 'spark.sql.files.maxPartitionBytes',
    from: String(s.maxPartitionBytes),
    to: String(to),
    text: `Smaller input splits: spark.sql.files.maxPartitionBytes ${formatBytes(s.maxPartitionBytes)} → ${formatBytes(to)}, so more tasks read the input.`,
  };
}

export function memoryStep(s: Settings, t: SparkThresholds = SPARK_THRESHOLDS): SparkRecommendation {
  if (s.memoryBytes === undefined) {
    const first = (t.executorMemoryLadderGb.value[0] as number) * GB;
    return {
      action: 'more-memory-per-executor',
      setting: 'spark.executor.memory',
      to: String(first),
      text: `More memory per executor: at least ${gbText(first)} (the run does not say how much it had), or the next larger executor size.`,
    };
  }
  const next = nextExecutorMemory(s.memoryBytes, t);
  const topGb = t.executorMemoryLadderGb.value[t.executorMemoryLadderGb.value.length - 1] as number;
  const larger = s.memoryBytes >= topGb * GB ? ' (the next larger executor size)' : '';
  return {
    action: 'more-memory-per-executor',
    setting: 'spark.executor.memory',
    from: String(s.memoryBytes),
    to: String(next),
    text: `More memory per executor: ${gbText(s.memoryBytes)} → ${gbText(next)}${larger}.`,
  };
}

export function coresStep(
  s: Settings,
  t: SparkThresholds = SPARK_THRESHOLDS,
): SparkRecommendation | undefined {
  if (s.cores === undefined) return undefined;
  const next = nextExecutorCores(s.cores, t);
  if (next === undefined) return undefined;
  return {
    action: 'fewer-cores-per-executor',
    setting: 'spark.executor.cores',
    from: String(s.cores),
    to: String(next),
    text: `Fewer cores per executor: spark.executor.cores ${s.cores} → ${next}, so each running task gets more of the executor's memory.`,
  };
}

// --- evidence sentences ----------------------------------------------------------------------

function stageLabel(s: Pick<StageEvaluation, 'stageId' | 'name'>): string {
  return s.name ? `Stage ${s.stageId} (${redactSecrets(s.name).slice(0, 120)})` : `Stage ${s.stageId}`;
}

function seconds(ms: number): string {
  return formatDuration(ms / 1000);
}

const FACTOR_WORDS: Record<GrowthFactor, string> = {
  input: 'input bytes',
  shuffle: 'shuffle bytes',
  spill: 'spill',
  gc: 'GC',
  skew: 'task skew',
  tasks: 'task count',
  'python-udf': 'time per byte in a Python UDF stage',
};

function changeText(c: FactorChange): string {
  switch (c.factor) {
    case 'input':
    case 'shuffle':
      return `${FACTOR_WORDS[c.factor]} ${formatBytes(c.before)} → ${formatBytes(c.after)}`;
    case 'tasks':
      return `tasks ${formatInt(c.before)} → ${formatInt(c.after)}`;
    case 'spill':
      return `spill ${formatNumber(c.before, 2)} → ${formatNumber(c.after, 2)} of the bytes processed`;
    case 'gc':
      return `GC ${formatShare(c.before)} → ${formatShare(c.after)} of run time`;
    case 'skew':
      return `max ÷ median task time ${formatRatio(c.before)} → ${formatRatio(c.after)}`;
    case 'python-udf':
      return `run time per byte ${formatRatio(c.growth)}`;
  }
}

/** Sentences on the stage that grew most, for the report. */
export function describeDiff(diff: RunDiff): string[] {
  const top = diff.grewMost;
  if (!top) return diff.stages.length ? ['No stage took longer than in the baseline run.'] : [];
  const out: string[] = [];
  const what = `Stage ${top.runStageId} (${redactSecrets(top.name).slice(0, 120)})`;
  if (top.baselineStageId === undefined) {
    out.push(`${what} is new against the baseline run and took ${seconds(top.runDurationMs)}.`);
  } else {
    out.push(
      `${what} grew most against the baseline run: ${seconds(top.baselineDurationMs)} → ${seconds(top.runDurationMs)} (+${seconds(top.growthMs)}, ${formatRatio(top.durationRatio)}).`,
    );
  }
  const moved = top.changes.filter((c) => c.counts);
  if (top.dominant) {
    const dom = top.changes.find((c) => c.factor === top.dominant) as FactorChange;
    const others = moved.filter((c) => c.factor !== top.dominant).map(changeText);
    out.push(
      `It grew by ${FACTOR_WORDS[top.dominant]} (${changeText(dom)})${others.length ? `; also ${others.join(', ')}` : ''}.`,
    );
  } else if (top.baselineStageId !== undefined) {
    out.push(
      'No single figure explains it: input, shuffle, spill, GC, skew and task count stayed within their thresholds.',
    );
  }
  if (
    diff.durationRatio !== undefined &&
    diff.runDurationMs !== undefined &&
    diff.baselineDurationMs !== undefined
  )
    out.push(
      `The application took ${seconds(diff.runDurationMs)} against ${seconds(diff.baselineDurationMs)} in the baseline run (${formatRatio(diff.durationRatio)}).`,
    );
  return out;
}

// --- findings --------------------------------------------------------------------------------

const FACTOR_FINDING: Partial<Record<GrowthFactor, SparkFindingId>> = {
  spill: 'spill',
  gc: 'gc-pressure',
  skew: 'task-skew',
  'python-udf': 'python-udf',
};

function make(
  id: SparkFindingId,
  title: string,
  severity: Severity,
  evidence: string[],
  recommendation: SparkRecommendation,
  alternatives: (SparkRecommendation | undefined)[],
  stageIds: number[],
  relatesTo: SparkFindingRelation,
  diff: RunDiff | undefined,
): SparkFinding {
  const top: StageDiff | undefined = diff?.grewMost;
  const explainsGrowth =
    top?.dominant !== undefined &&
    FACTOR_FINDING[top.dominant] === id &&
    (stageIds.length === 0 ||
      stageIds.includes(top.runStageId) ||
      id === 'gc-pressure' ||
      id === 'python-udf');
  const ev = [...evidence];
  if (explainsGrowth && diff) ev.push(...describeDiff(diff));
  return {
    id,
    title,
    severity,
    score: Math.min(1, SEVERITY_SCORE[severity] + (explainsGrowth ? 0.1 : 0)),
    evidence: ev.map(redactSecrets),
    recommendation,
    alternatives: alternatives.filter((a): a is SparkRecommendation => a !== undefined),
    stageIds,
    relatesTo,
    explainsGrowth,
    source: 'event-log',
  };
}

function bySeverity<T extends StageEvaluation>(
  list: T[],
  pick: (s: T) => Severity,
  tie: (s: T) => number,
): T[] {
  const rank: Record<Severity, number> = { none: 0, low: 1, moderate: 2, severe: 3, critical: 4 };
  return [...list].sort((a, b) => rank[pick(b)] - rank[pick(a)] || tie(b) - tie(a));
}

export interface FindingOptions {
  thresholds?: SparkThresholds;
}

/**
 * Ranked findings of a run: its summary, its evaluation, and (when a baseline run was read) the
 * diff against it. A finding whose factor the diff names for the stage that grew most ranks higher.
 */
export function sparkFindings(
  summary: Pick<EventLogSummary, 'app' | 'stages'>,
  evaluation: RunEvaluation,
  diff?: RunDiff,
  opts: FindingOptions = {},
): SparkFinding[] {
  const t = opts.thresholds ?? SPARK_THRESHOLDS;
  const s = settingsOf(summary.app.properties, summary.app.sparkVersion, t);
  const out: SparkFinding[] = [];
  const stages = evaluation.stages;
  const summaries = new Map(summary.stages.map((x) => [x.stageId, x]));

  // Spill.
  const spilling = bySeverity(
    stages.filter((x) => atLeast(x.spill.severity, 'low')),
    (x) => x.spill.severity,
    (x) => x.spill.memoryBytes,
  );
  if (spilling.length > 0) {
    const worst = spilling[0] as StageEvaluation;
    const evidence = spilling
      .slice(0, 3)
      .map(
        (x) =>
          `${stageLabel(x)} spilled ${formatBytes(x.spill.memoryBytes)} from memory (${formatBytes(x.spill.diskBytes)} on disk): ${formatNumber(x.spill.ratio, 2)} of the ${formatBytes(x.spill.processedBytes)} it processed (${x.spill.severity}).`,
      );
    const shuffleStage = (summaries.get(worst.stageId)?.shuffleReadBytes ?? 0) > 0;
    const first = shuffleStage ? partitionsStep(s, t) : inputSplitStep(s);
    const mem = memoryStep(s, t);
    const cores = coresStep(s, t);
    out.push(
      make(
        'spill',
        'Tasks spill to disk',
        worstOf(spilling.map((x) => x.spill.severity)),
        evidence,
        first ?? mem,
        first ? [mem, cores] : [cores],
        spilling.map((x) => x.stageId),
        'memory',
        diff,
      ),
    );
  }

  // GC pressure (judged over the application, past 5 minutes of executor time).
  const gc = evaluation.app.gc;
  if (atLeast(gc.severity, 'low')) {
    const worstStages = bySeverity(
      stages.filter(
        (x) => (summaries.get(x.stageId)?.executorRunMs ?? 0) >= 60_000 && atLeast(x.gc.severity, 'low'),
      ),
      (x) => x.gc.severity,
      (x) => x.gc.ratio,
    );
    const evidence = [
      `JVM GC took ${formatShare(gc.ratio)} of the executors' ${seconds(gc.executorRunMs)} of task run time (${gc.severity}; Dr. Elephant flags from ${formatShare(t.gcRatio.value.low, 0)}).`,
      ...worstStages
        .slice(0, 2)
        .map((x) => `${stageLabel(x)}: GC ${formatShare(x.gc.ratio)} of its task run time.`),
    ];
    const mem = memoryStep(s, t);
    out.push(
      make(
        'gc-pressure',
        'Executors spend their time in garbage collection',
        gc.severity,
        evidence,
        mem,
        [coresStep(s, t)],
        worstStages.map((x) => x.stageId),
        'memory',
        diff,
      ),
    );
  }

  // Task skew (Dr. Elephant's conditions hold: counted severity).
  const skewed = bySeverity(
    stages.filter((x) => atLeast(x.skew.severity, 'moderate')),
    (x) => x.skew.severity,
    (x) => x.skew.maxTaskMs,
  );
  if (skewed.length > 0) {
    const evidence = skewed.slice(0, 3).map((x) => {
      const share =
        x.skew.maxTaskToStage !== undefined
          ? `, ${formatShare(x.skew.maxTaskToStage, 0)} of the stage's ${seconds(x.durationMs ?? 0)}`
          : '';
      const data = x.skew.aqeDataSkew
        ? ` The largest task read ${formatRatio(x.skew.readRatio)} the median task's bytes (Spark AQE's skew rule: over ${t.aqeSkewFactor.value}× and ${formatBytes(t.aqeSkewMinBytes.value)}).`
        : '';
      return `${stageLabel(x)}: the longest of ${formatInt(x.tasks)} tasks took ${seconds(x.skew.maxTaskMs)}, ${formatRatio(x.skew.ratio)} the median of ${seconds(x.skew.medianTaskMs)}${share} (${x.skew.severity}).${data}`;
    });
    const skewJoin: SparkRecommendation | undefined =
      !s.aqe || !s.skewJoin
        ? {
            action: 'skew-join',
            setting: !s.aqe ? 'spark.sql.adaptive.enabled' : 'spark.sql.adaptive.skewJoin.enabled',
            from: 'false',
            to: 'true',
            text: `Let Spark split skewed partitions: ${!s.aqe ? 'spark.sql.adaptive.enabled' : 'spark.sql.adaptive.skewJoin.enabled'} false → true (AQE splits a partition over ${t.aqeSkewFactor.value}× the median and ${formatBytes(t.aqeSkewMinBytes.value)}).`,
          }
        : undefined;
    const salt: SparkRecommendation = {
      action: 'salt-skewed-key',
      text: 'Salt the hot key (add a random suffix to it, aggregate in two steps) or repartition by a better-balanced column: adaptive execution is already on and the stage is still skewed.',
    };
    out.push(
      make(
        'task-skew',
        'Data skew: a few tasks take most of a stage',
        worstOf(skewed.map((x) => x.skew.severity)),
        evidence,
        skewJoin ?? salt,
        skewJoin ? [salt] : [],
        skewed.map((x) => x.stageId),
        'data-skew',
        diff,
      ),
    );
  }

  // Python UDFs.
  const py = evaluation.app.python;
  if (py.flagged) {
    const share = py.metricShare ?? py.share;
    const pySummary = summary.app.python;
    const example = pySummary.executions[0];
    const evidence = [
      `Stages that evaluate Python UDFs (${py.operators.join(', ')}) took ${formatShare(py.share)} of the executors' task run time (${seconds(pySummary.udfStageRunMs)} of ${seconds(summary.app.totals.executorRunMs)}).`,
    ];
    if (py.metricShare !== undefined && pySummary.metricMs !== undefined)
      evidence.push(
        `Spark's Python metrics count ${seconds(pySummary.metricMs)} in Python workers (${formatShare(py.metricShare)}).`,
      );
    if (example?.description)
      evidence.push(`For example SQL query ${example.executionId}: "${example.description.slice(0, 100)}".`);
    const batch = py.operators.some((o) => o.startsWith('BatchEvalPython'));
    const arrowConf =
      batch &&
      s.sparkMajorMinor !== undefined &&
      (s.sparkMajorMinor[0] > 3 || (s.sparkMajorMinor[0] === 3 && s.sparkMajorMinor[1] >= 5));
    const vectorize: SparkRecommendation = {
      action: 'vectorize-udf',
      ...(arrowConf
        ? { setting: 'spark.sql.execution.pythonUDF.arrow.enabled', from: 'false', to: 'true' }
        : {}),
      text: arrowConf
        ? 'Run the row-at-a-time Python UDFs through Arrow: spark.sql.execution.pythonUDF.arrow.enabled false → true, or rewrite them as pandas UDFs.'
        : 'Rewrite the row-at-a-time Python UDFs (BatchEvalPython) as vectorised pandas UDFs (Arrow), which move data in batches.',
    };
    const native: SparkRecommendation = {
      action: 'native-functions',
      text: 'Replace the Python UDFs with built-in Spark SQL functions where one exists: they run in the JVM without moving rows to Python.',
    };
    out.push(
      make(
        'python-udf',
        'Time goes into Python UDFs',
        share >= 0.8 ? 'severe' : 'moderate',
        evidence,
        batch ? vectorize : native,
        batch ? [native] : [],
        summary.stages.filter((x) => x.pythonUdf).map((x) => x.stageId),
        'udf',
        diff,
      ),
    );
  }

  // Idle executors (Sparklens' wasted core-hours).
  const idle = evaluation.app.idle;
  if (idle.flagged) {
    const ex = summary.app.executors;
    const duration = summary.app.durationMs ?? 0;
    const coresPer =
      ex.maxConcurrent > 0 ? Math.max(1, Math.round(ex.maxConcurrentCores / ex.maxConcurrent)) : 1;
    const avgBusyCores = duration > 0 ? ex.busyCoreMs / duration : 0;
    const neededCores = Math.max(1, Math.ceil(avgBusyCores * 1.25));
    const recommended = Math.max(1, Math.ceil(neededCores / coresPer));
    const hours = (h: number) => formatNumber(h, h < 1 ? 2 : 1);
    const evidence = [
      `Executors offered ${hours(idle.availableCoreHours)} core-hours and tasks used ${hours(ex.busyCoreMs / 3_600_000)}: ${hours(idle.wastedCoreHours)} core-hours (${formatShare(idle.wastedShare, 0)}) ran no task.`,
      `Up to ${plural(ex.maxConcurrent, 'executor')} (${plural(ex.maxConcurrentCores, 'core')}) ran at once; executors sat with no task at all for ${hours(idle.idleExecutorHours)} executor-hours.`,
    ];
    const busy = `the tasks kept ${formatNumber(avgBusyCores, 1)} cores busy on average; with 25 % headroom that is ${plural(neededCores, 'core')}`;
    const rec: SparkRecommendation =
      recommended < ex.maxConcurrent
        ? {
            action: 'fewer-executors',
            from: String(ex.maxConcurrent),
            to: String(recommended),
            text: `Fewer executors: ${formatInt(ex.maxConcurrent)} → ${formatInt(recommended)} (${busy}), or let the platform scale executors with the load.`,
          }
        : {
            action: 'fewer-cores-per-executor',
            setting: 'spark.executor.cores',
            from: String(coresPer),
            to: String(Math.min(coresPer, neededCores)),
            text: `Smaller executors: ${plural(coresPer, 'core')} → ${plural(Math.min(coresPer, neededCores), 'core')} per executor (${busy}).`,
          };
    out.push(
      make(
        'idle-executors',
        'Idle executors: capacity paid for and not used',
        idle.wastedShare >= 0.75 ? 'severe' : 'moderate',
        evidence,
        rec,
        [],
        [],
        'capacity',
        diff,
      ),
    );
  }

  // Failed tasks.
  const failing = bySeverity(
    stages.filter((x) => atLeast(x.failures.severity, 'moderate')),
    (x) => x.failures.severity,
    (x) => x.failures.failed,
  );
  if (failing.length > 0) {
    out.push(
      make(
        'task-failures',
        'Tasks fail and are retried',
        worstOf(failing.map((x) => x.failures.severity)),
        failing
          .slice(0, 3)
          .map(
            (x) =>
              `${stageLabel(x)}: ${plural(x.failures.failed, 'failed task')} of ${formatInt(x.tasks)} (${formatShare(x.failures.rate)}; ${x.failures.severity}).`,
          ),
        {
          action: 'investigate-failures',
          text: 'Read the failed tasks’ errors (lost executors point at memory, fetch failures at shuffle) before changing capacity.',
        },
        [],
        failing.map((x) => x.stageId),
        'reliability',
        diff,
      ),
    );
  }

  // Long tasks (median task time).
  const long = bySeverity(
    stages.filter((x) => atLeast(x.longTasks.severity, 'low')),
    (x) => x.longTasks.severity,
    (x) => x.longTasks.medianMs,
  );
  if (long.length > 0) {
    const worst = long[0] as StageEvaluation;
    const shuffleStage = (summaries.get(worst.stageId)?.shuffleReadBytes ?? 0) > 0;
    const step = shuffleStage ? partitionsStep(s, t) : inputSplitStep(s);
    if (step) {
      out.push(
        make(
          'long-tasks',
          'Tasks run long: too few partitions',
          worstOf(long.map((x) => x.longTasks.severity)),
          long
            .slice(0, 3)
            .map(
              (x) =>
                `${stageLabel(x)}: the median task took ${seconds(x.longTasks.medianMs)} (${x.longTasks.severity}).`,
            ),
          step,
          [],
          long.map((x) => x.stageId),
          'parallelism',
          diff,
        ),
      );
    }
  }

  const order: SparkFindingId[] = [
    'spill',
    'gc-pressure',
    'task-skew',
    'python-udf',
    'long-tasks',
    'task-failures',
    'idle-executors',
  ];
  return out.sort(
    (a, b) =>
      b.score - a.score ||
      Number(b.explainsGrowth) - Number(a.explainsGrowth) ||
      order.indexOf(a.id) - order.indexOf(b.id),
  );
}
