// A degraded run against a baseline run, stage by stage: which stage grew most, and whether by
// input bytes, shuffle, spill, GC, skew, task count — or, in a stage that evaluates Python UDFs,
// by time per byte (the UDF got slower).
//
// Stages are matched by name (Spark's call site, e.g. "save at Job.py:42") and order: the k-th
// stage of a name in the run is matched with the k-th of that name in the baseline. The stage that
// "grew most" is the one whose duration grew by the most milliseconds (what the run waited for);
// a stage with no counterpart counts with the baseline at 0.
//
// The dominant factor is the one that grew most in relative terms among those that moved enough
// to count: input, shuffle and task count from 1.3× (diffMinGrowth); spill when its ratio reaches
// Dr. Elephant's "moderate" (0.1) and at least doubled; GC when its share reaches "low" (0.08) and
// grew 1.5×; skew when max ÷ median reaches "moderate" (4) and grew 1.5×; Python time per byte
// from 1.5× in a Python stage when nothing else explains the growth.
import type { EventLogSummary, StageSummary } from './event-log-reader.js';
import { processedBytes } from './heuristics.js';
import { SPARK_THRESHOLDS, type SparkThresholds } from './thresholds.js';

export type GrowthFactor = 'input' | 'shuffle' | 'spill' | 'gc' | 'skew' | 'tasks' | 'python-udf';

export interface FactorChange {
  factor: GrowthFactor;
  before: number;
  after: number;
  /** after ÷ before with the factor's floor applied to `before` (so 0 → x is finite). */
  growth: number;
  /** The change is large enough to count as an explanation. */
  counts: boolean;
}

export interface StageDiff {
  name: string;
  /** Occurrence of this name (0 = first stage of that name). */
  occurrence: number;
  runStageId: number;
  baselineStageId?: number;
  runDurationMs: number;
  baselineDurationMs: number;
  /** runDurationMs − baselineDurationMs. */
  growthMs: number;
  /** runDurationMs ÷ baselineDurationMs (Infinity for a stage new in the run). */
  durationRatio: number;
  changes: FactorChange[];
  /** The factor that explains the growth best, or undefined when none moved enough. */
  dominant?: GrowthFactor;
}

export interface RunDiff {
  /** Run duration ÷ baseline duration (application time in the logs). */
  durationRatio?: number;
  runDurationMs?: number;
  baselineDurationMs?: number;
  /** Every run stage, the largest growth first. */
  stages: StageDiff[];
  /** The stage that grew most, when any grew. */
  grewMost?: StageDiff;
  /** Baseline stages with no counterpart in the run. */
  missingInRun: { name: string; stageId: number; durationMs: number }[];
  matched: number;
}

const MB = 1024 * 1024;

function stageDuration(s: StageSummary): number {
  if (s.durationMs !== undefined) return s.durationMs;
  // A stage never marked complete (a log cut short): its tasks' span is the best estimate.
  return s.taskMs.max;
}

function skewOf(s: StageSummary): number {
  return s.taskMs.median > 0 ? s.taskMs.max / s.taskMs.median : 1;
}

function spillRatio(s: StageSummary): number {
  const p = processedBytes(s);
  return p > 0 ? s.memorySpilledBytes / p : 0;
}

function gcShare(s: StageSummary): number {
  return s.executorRunMs > 0 ? s.gcMs / s.executorRunMs : 0;
}

function msPerByte(s: StageSummary): number {
  const bytes = Math.max(processedBytes(s), MB);
  return s.executorRunMs / bytes;
}

/** The changes of one matched pair (baseline undefined: the stage is new). */
export function factorChanges(
  run: StageSummary,
  base: StageSummary | undefined,
  t: SparkThresholds = SPARK_THRESHOLDS,
): FactorChange[] {
  const minGrowth = t.diffMinGrowth.value;
  const b = base;
  const change = (
    factor: GrowthFactor,
    before: number,
    after: number,
    floor: number,
    counts: (growth: number) => boolean,
  ): FactorChange => {
    const growth = after / Math.max(before, floor);
    return { factor, before, after, growth, counts: counts(growth) };
  };
  const out: FactorChange[] = [
    change('input', b?.inputBytes ?? 0, run.inputBytes, MB, (g) => g >= minGrowth),
    change(
      'shuffle',
      (b?.shuffleReadBytes ?? 0) + (b?.shuffleWriteBytes ?? 0),
      run.shuffleReadBytes + run.shuffleWriteBytes,
      MB,
      (g) => g >= minGrowth,
    ),
    change('tasks', b?.tasks.ended ?? 0, run.tasks.ended, 1, (g) => g >= minGrowth),
    change(
      'spill',
      b ? spillRatio(b) : 0,
      spillRatio(run),
      t.spillRatio.value.low,
      (g) => spillRatio(run) >= t.spillRatio.value.moderate && g >= 2,
    ),
    change(
      'gc',
      b ? gcShare(b) : 0,
      gcShare(run),
      t.gcRatio.value.low / 4,
      (g) => gcShare(run) >= t.gcRatio.value.low && g >= 1.5,
    ),
    change(
      'skew',
      b ? skewOf(b) : 1,
      skewOf(run),
      1,
      (g) => skewOf(run) >= t.taskSkew.value.moderate && g >= 1.5,
    ),
  ];
  if (run.pythonUdf && b) {
    out.push(change('python-udf', msPerByte(b), msPerByte(run), 1e-12, (g) => g >= 1.5));
  }
  return out;
}

/** The factor with the largest relative growth among those that count (Python only as a last resort). */
export function dominantFactor(changes: readonly FactorChange[]): GrowthFactor | undefined {
  const counting = changes.filter((c) => c.counts && c.factor !== 'python-udf');
  if (counting.length > 0) {
    // Growths of different factors are compared as they are (each against its own floor): a
    // ratio that jumped from under the field's threshold beats a load that grew 1.5×.
    counting.sort((a, b) => b.growth - a.growth);
    return counting[0]?.factor;
  }
  return changes.find((c) => c.factor === 'python-udf' && c.counts)?.factor;
}

/** Pairs run stages with baseline stages by name and occurrence. */
export function matchStages(
  run: readonly StageSummary[],
  baseline: readonly StageSummary[],
): { run: StageSummary; base?: StageSummary; occurrence: number }[] {
  const byName = new Map<string, StageSummary[]>();
  for (const s of [...baseline].sort((a, b) => a.order - b.order)) {
    const list = byName.get(s.name) ?? [];
    list.push(s);
    byName.set(s.name, list);
  }
  const seen = new Map<string, number>();
  return [...run]
    .sort((a, b) => a.order - b.order)
    .map((s) => {
      const k = seen.get(s.name) ?? 0;
      seen.set(s.name, k + 1);
      const base = byName.get(s.name)?.[k];
      return base ? { run: s, base, occurrence: k } : { run: s, occurrence: k };
    });
}

export function diffRuns(
  run: Pick<EventLogSummary, 'app' | 'stages'>,
  baseline: Pick<EventLogSummary, 'app' | 'stages'>,
  t: SparkThresholds = SPARK_THRESHOLDS,
): RunDiff {
  const pairs = matchStages(run.stages, baseline.stages);
  const used = new Set(pairs.flatMap((p) => (p.base ? [p.base.stageId] : [])));
  const stages: StageDiff[] = pairs.map(({ run: r, base, occurrence }) => {
    const runDurationMs = stageDuration(r);
    const baselineDurationMs = base ? stageDuration(base) : 0;
    const changes = factorChanges(r, base, t);
    const dominant = dominantFactor(changes);
    return {
      name: r.name,
      occurrence,
      runStageId: r.stageId,
      ...(base ? { baselineStageId: base.stageId } : {}),
      runDurationMs,
      baselineDurationMs,
      growthMs: runDurationMs - baselineDurationMs,
      durationRatio: baselineDurationMs > 0 ? runDurationMs / baselineDurationMs : Infinity,
      changes,
      ...(dominant ? { dominant } : {}),
    };
  });
  stages.sort((a, b) => b.growthMs - a.growthMs || a.runStageId - b.runStageId);
  const top = stages[0];
  const runDurationMs = run.app.durationMs;
  const baselineDurationMs = baseline.app.durationMs;
  return {
    ...(runDurationMs !== undefined && baselineDurationMs !== undefined && baselineDurationMs > 0
      ? { durationRatio: runDurationMs / baselineDurationMs }
      : {}),
    ...(runDurationMs !== undefined ? { runDurationMs } : {}),
    ...(baselineDurationMs !== undefined ? { baselineDurationMs } : {}),
    stages,
    ...(top && top.growthMs > 0 ? { grewMost: top } : {}),
    missingInRun: baseline.stages
      .filter((s) => !used.has(s.stageId))
      .map((s) => ({ name: s.name, stageId: s.stageId, durationMs: stageDuration(s) })),
    matched: used.size,
  };
}
