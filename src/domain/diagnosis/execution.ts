// Findings about how the runs executed: memory pressure (GC, OOM, lost executors), skewed stages,
// and costly Python UDFs, from log signatures and per-stage task times.
import { formatDuration, formatInt, formatRatio } from '../format.js';
import type { StageSkew } from '../skew.js';
import { signatureSentence, signaturesOf, touchesProblemRuns, type DiagnosisEvidence } from './evidence.js';
import { finding, type Finding } from './findings.js';

// --- memory ------------------------------------------------------------------------------------

export function memory(e: DiagnosisEvidence): Finding | undefined {
  const sigs = signaturesOf(e, 'memory');
  if (sigs.length === 0) return undefined;
  const hard = sigs.some((s) => s.id !== 'executor-lost');
  let score = hard ? 0.8 : 0.5;
  if (!sigs.some((s) => touchesProblemRuns(e, s.countByRun))) score -= 0.25;
  if (hard && e.degradation?.verdict === 'FAILING') score += 0.1;
  return finding(
    'memory',
    score,
    sigs.slice(0, 3).map(signatureSentence),
    sigs.flatMap((s) => Object.keys(s.countByRun)),
  );
}

// --- skew ----------------------------------------------------------------------------------------

function stageSentence(s: StageSkew): string {
  return (
    `Stage ${s.stageId} of run ${s.runId}: the slowest of ${formatInt(s.tasks)} tasks took ${formatDuration(s.maxMs / 1000)}, ` +
    `${formatRatio(s.ratio)} the median of ${formatDuration(s.medianMs / 1000)} (severity ${s.severity}).`
  );
}

export function dataSkew(e: DiagnosisEvidence): Finding | undefined {
  const stages = e.skew?.flaggedStages ?? [];
  const metric = e.skew?.skewnessMetric;
  if (stages.length === 0 && !metric?.flagged) return undefined;
  const evidence = stages.slice(0, 3).map(stageSentence);
  if (metric?.flagged) {
    const est =
      metric.estimatedRatio !== undefined
        ? ` (max ÷ median task time ≈ ${formatRatio(metric.estimatedRatio, 0)})`
        : '';
    evidence.push(`The platform reports ${metric.name} = ${metric.value}${est}.`);
  }
  const worst = stages[0]?.severity;
  let score = worst === 'critical' || worst === 'severe' ? 0.75 : stages.length > 0 ? 0.6 : 0.55;
  if (stages.length > 0 && metric?.flagged) score += 0.05;
  const runIds = stages.map((s) => s.runId);
  if (runIds.length > 0 && !touchesProblemRuns(e, Object.fromEntries(runIds.map((id) => [id, 1]))))
    score -= 0.2;
  return finding('data-skew', score, evidence, runIds);
}

// --- UDFs ----------------------------------------------------------------------------------------

export function udf(e: DiagnosisEvidence): Finding | undefined {
  const sigs = signaturesOf(e, 'python-udf');
  if (sigs.length === 0) return undefined;
  const score = sigs.some((s) => touchesProblemRuns(e, s.countByRun)) ? 0.65 : 0.4;
  return finding(
    'udf',
    score,
    sigs.slice(0, 3).map(signatureSentence),
    sigs.flatMap((s) => Object.keys(s.countByRun)),
  );
}
