// The runbook's "Causas frecuentes y mitigaciones rápidas" as rules over the evidence triage gathers.
// Every part of the evidence is optional: a rule whose evidence is missing stays silent instead of
// guessing, so a triage with unreachable logs still ranks what it can. Scores are fixed per rule and
// situation (no learning), so the same evidence always gives the same ranking.
//
// Here: the ranking, in one place (Spark evidence joins it through spark-diagnosis.ts). The rules are in diagnosis/, one file per family of causes —
// changes.ts (job changed, schema drift), execution.ts (memory, data skew, UDFs), input.ts (small
// files, volume growth, bookmarks, S3 throttling) — over the evidence of diagnosis/evidence.ts,
// each returning a finding of diagnosis/findings.ts (cause, evidence, confidence, mitigation).
import { jobChanged, schemaDrift } from './diagnosis/changes.js';
import { dataSkew, memory, udf } from './diagnosis/execution.js';
import { bookmarks, s3Throttling, smallFiles, volumeGrowth } from './diagnosis/input.js';
import type { DiagnosisEvidence } from './diagnosis/evidence.js';
import type { Finding, FindingId } from './diagnosis/findings.js';

export {
  MITIGATIONS,
  confidenceOf,
  finding,
  type Confidence,
  type Finding,
  type FindingId,
  type MitigationKind,
} from './diagnosis/findings.js';
export {
  degradedWindowOf,
  type BookmarkEvidence,
  type DiagnosisEvidence,
  type TableVersionEvidence,
  type VolumeComparison,
  type VolumeSnapshot,
} from './diagnosis/evidence.js';
export { configChanges } from './diagnosis/changes.js';

// Tie-break order: the runbook's "most common cause of a sudden regression" first.
const ORDER: readonly FindingId[] = [
  'job-changed',
  'schema-drift',
  'memory',
  'small-files',
  'volume-growth',
  'data-skew',
  'bookmarks',
  'udf',
  's3-throttling',
  'parallelism',
  'task-failures',
  'idle-capacity',
];

/** Ranked findings: highest score first; ties in the runbook's order of likelihood. */
export function diagnose(evidence: DiagnosisEvidence): Finding[] {
  const findings = [
    jobChanged(evidence),
    schemaDrift(evidence),
    memory(evidence),
    smallFiles(evidence),
    volumeGrowth(evidence),
    dataSkew(evidence),
    bookmarks(evidence),
    udf(evidence),
    s3Throttling(evidence),
  ].filter((f): f is Finding => f !== undefined);
  return rankFindings(findings);
}

/** Highest score first; ties in the runbook's order of likelihood. */
export function rankFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => b.score - a.score || ORDER.indexOf(a.id) - ORDER.indexOf(b.id));
}
