// Spark performance evidence from log lines alone, for runs without event logs: the performance
// signatures of log-signatures.ts (sorters spilling to disk, PythonUDFRunner times, JVM full-GC
// pauses) summed per run, set against the run's capacity (execution time × executors × cores),
// and judged with the same thresholds as the event logs where the logs carry enough to do so:
// - GC: full-GC pause time ÷ executor time on Dr. Elephant's GC ladder, past 5 minutes of
//   executor time. Young-generation pauses are not in the logs: the ratio is a lower bound.
// - Python: PythonUDFRunner "total" time ÷ core time against the Python-UDF share (ours, 0.5).
// - Spill: bytes spilled are in the logs, bytes processed are not, so Dr. Elephant's spill ratio
//   cannot be computed: any spill in the run is reported at 'low' severity with its volume, and
//   'moderate' from 10 % of the run's input when the input size is known.
// Task-time skew from TaskSetManager lines stays in domain/skew.ts.
import { formatBytes, formatDuration, formatShare, plural } from '../format.js';
import { redactSecrets } from '../redact.js';
import type { LogSignature } from '../log-signatures.js';
import {
  SEVERITY_SCORE,
  coresStep,
  memoryStep,
  partitionsStep,
  settingsOf,
  type SparkFinding,
  type SparkRecommendation,
} from './findings.js';
import { SPARK_THRESHOLDS, severityOf, type Severity, type SparkThresholds } from './thresholds.js';

export interface LogPerformanceSignals {
  runId: string;
  spillBytes: number;
  spillLines: number;
  pythonWorkerMs: number;
  pythonLines: number;
  fullGcPauseMs: number;
  fullGcLines: number;
}

/** Per run, the performance signatures' figures (runs in first-seen order of countByRun keys). */
export function logPerformanceSignals(
  signatures: readonly Pick<LogSignature, 'id' | 'countByRun' | 'measured'>[],
): LogPerformanceSignals[] {
  const runs = new Map<string, LogPerformanceSignals>();
  const of = (runId: string) => {
    let r = runs.get(runId);
    if (!r) {
      r = {
        runId,
        spillBytes: 0,
        spillLines: 0,
        pythonWorkerMs: 0,
        pythonLines: 0,
        fullGcPauseMs: 0,
        fullGcLines: 0,
      };
      runs.set(runId, r);
    }
    return r;
  };
  for (const s of signatures) {
    const field =
      s.id === 'spill-to-disk'
        ? (['spillBytes', 'spillLines'] as const)
        : s.id === 'python-udf-times'
          ? (['pythonWorkerMs', 'pythonLines'] as const)
          : s.id === 'full-gc'
            ? (['fullGcPauseMs', 'fullGcLines'] as const)
            : undefined;
    if (!field) continue;
    for (const [runId, n] of Object.entries(s.countByRun)) of(runId)[field[1]] += n;
    for (const [runId, v] of Object.entries(s.measured?.byRun ?? {})) of(runId)[field[0]] += v;
  }
  return [...runs.values()];
}

export interface RunCapacity {
  runId: string;
  /** The run's execution time, ms. */
  executionMs: number;
  /** Executors (Glue: workers − 1, the driver takes one). */
  executors: number;
  coresPerExecutor: number;
  /** Spark settings the run had, when known (e.g. from the job's --conf argument). */
  properties?: Record<string, string>;
  /** Bytes the run read, when known (input listing, metrics). */
  inputBytes?: number;
}

function logFinding(
  id: SparkFinding['id'],
  title: string,
  severity: Severity,
  evidence: string[],
  recommendation: SparkRecommendation,
  alternatives: (SparkRecommendation | undefined)[],
  relatesTo: SparkFinding['relatesTo'],
): SparkFinding {
  return {
    id,
    title,
    severity,
    // Log lines carry less than an event log: one step lower in the ranking.
    score: Math.max(0, SEVERITY_SCORE[severity] - 0.1),
    evidence: evidence.map(redactSecrets),
    recommendation,
    alternatives: alternatives.filter((a): a is SparkRecommendation => a !== undefined),
    stageIds: [],
    relatesTo,
    explainsGrowth: false,
    source: 'logs',
  };
}

/** Findings from the problematic runs' log lines; one per kind of signal, the worst run leading. */
export function logSignalFindings(
  signals: readonly LogPerformanceSignals[],
  capacity: readonly RunCapacity[],
  t: SparkThresholds = SPARK_THRESHOLDS,
): SparkFinding[] {
  const cap = new Map(capacity.map((c) => [c.runId, c]));
  const out: SparkFinding[] = [];
  const coreMs = (c: RunCapacity) =>
    c.executionMs * Math.max(1, c.executors) * Math.max(1, c.coresPerExecutor);
  const executorMs = (c: RunCapacity) => c.executionMs * Math.max(1, c.executors);

  // GC: full-GC pauses against executor time.
  const gc = signals
    .map((s) => ({ s, c: cap.get(s.runId) }))
    .filter(
      (x): x is { s: LogPerformanceSignals; c: RunCapacity } => x.c !== undefined && x.s.fullGcPauseMs > 0,
    )
    .map((x) => ({
      ...x,
      ratio: x.s.fullGcPauseMs / executorMs(x.c),
      counted: executorMs(x.c) >= t.gcMinExecutorRunMs.value,
    }))
    .sort((a, b) => b.ratio - a.ratio);
  const worstGc = gc[0];
  if (worstGc) {
    const severity = worstGc.counted ? severityOf(worstGc.ratio, t.gcRatio.value) : 'none';
    if (severity !== 'none') {
      const s = settingsOf(worstGc.c.properties ?? {}, undefined, t);
      out.push(
        logFinding(
          'gc-pressure',
          'Executors spend their time in garbage collection',
          severity,
          [
            `Run ${worstGc.s.runId} logged ${plural(worstGc.s.fullGcLines, 'full-GC pause')} totalling ${formatDuration(worstGc.s.fullGcPauseMs / 1000)}: at least ${formatShare(worstGc.ratio)} of its ${formatDuration(executorMs(worstGc.c) / 1000)} of executor time (${severity}; young-generation pauses are not logged, so the share is a lower bound).`,
          ],
          memoryStep(s, t),
          [coresStep(s, t)],
          'memory',
        ),
      );
    }
  }

  // Python UDF time against core time.
  const py = signals
    .map((s) => ({ s, c: cap.get(s.runId) }))
    .filter(
      (x): x is { s: LogPerformanceSignals; c: RunCapacity } => x.c !== undefined && x.s.pythonWorkerMs > 0,
    )
    .map((x) => ({ ...x, share: x.s.pythonWorkerMs / coreMs(x.c) }))
    .sort((a, b) => b.share - a.share);
  const worstPy = py[0];
  if (worstPy && worstPy.share >= t.pythonUdfShare.value) {
    out.push(
      logFinding(
        'python-udf',
        'Time goes into Python UDFs',
        worstPy.share >= 0.8 ? 'severe' : 'moderate',
        [
          `Run ${worstPy.s.runId}: Python workers ran ${formatDuration(worstPy.s.pythonWorkerMs / 1000)} over ${plural(worstPy.s.pythonLines, 'task')} (PythonUDFRunner), ${formatShare(Math.min(1, worstPy.share))} of the ${formatDuration(coreMs(worstPy.c) / 1000)} of core time the run had.`,
        ],
        {
          action: 'vectorize-udf',
          text: 'Rewrite the row-at-a-time Python UDFs as vectorised pandas UDFs (Arrow), or as built-in Spark SQL functions where one exists.',
        },
        [],
        'udf',
      ),
    );
  }

  // Spill: volume only (bytes processed are not in the logs).
  const spill = signals.filter((s) => s.spillBytes > 0).sort((a, b) => b.spillBytes - a.spillBytes);
  const worstSpill = spill[0];
  if (worstSpill) {
    const c = cap.get(worstSpill.runId);
    const share = c?.inputBytes ? worstSpill.spillBytes / c.inputBytes : undefined;
    const severity: Severity =
      share !== undefined && share >= t.spillRatio.value.moderate ? 'moderate' : 'low';
    const s = settingsOf(c?.properties ?? {}, undefined, t);
    const first = partitionsStep(s, t);
    out.push(
      logFinding(
        'spill',
        'Tasks spill to disk',
        severity,
        [
          `Run ${worstSpill.runId}: sorters and aggregation maps spilled ${formatBytes(worstSpill.spillBytes)} to disk in ${plural(worstSpill.spillLines, 'spill')}${share !== undefined ? ` (${formatShare(share)} of the ${formatBytes(c?.inputBytes ?? 0)} the run read)` : ''}; the event log would give the share of each stage's bytes.`,
        ],
        first ?? memoryStep(s, t),
        first ? [memoryStep(s, t), coresStep(s, t)] : [coresStep(s, t)],
        'memory',
      ),
    );
  }
  return out.sort((a, b) => b.score - a.score);
}
