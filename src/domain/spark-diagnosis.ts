// Spark-level evidence (event logs, or performance log lines when there are none) folded into the
// ranked findings: each Spark finding strengthens the diagnosis finding it is evidence for (memory,
// data skew, UDFs …) — its numbers join the evidence, its concrete next value joins the
// mitigation — or becomes that finding when the logs alone did not show it. Pure.
import {
  confidenceOf,
  finding,
  rankFindings,
  type Finding,
  type FindingId,
  type MitigationKind,
} from './diagnosis.js';
import type { SparkAction, SparkFinding, SparkFindingRelation } from './spark/findings.js';

const FINDING_OF: Record<SparkFindingRelation, FindingId> = {
  memory: 'memory',
  'data-skew': 'data-skew',
  udf: 'udf',
  parallelism: 'parallelism',
  capacity: 'idle-capacity',
  reliability: 'task-failures',
};

/** The mitigation button a recommendation needs. */
const KIND_OF: Record<SparkAction, MitigationKind> = {
  'more-partitions': 'shuffle-tuning',
  'smaller-input-splits': 'shuffle-tuning',
  'skew-join': 'shuffle-tuning',
  'more-memory-per-executor': 'scale',
  'fewer-cores-per-executor': 'scale',
  'fewer-executors': 'scale',
  'salt-skewed-key': 'code-fix',
  'vectorize-udf': 'code-fix',
  'native-functions': 'code-fix',
  'investigate-failures': 'code-fix',
};

/** The findings with the Spark evidence in them, ranked again. */
export function withSparkEvidence(findings: readonly Finding[], spark: readonly SparkFinding[]): Finding[] {
  const out = findings.map((f) => ({ ...f, evidence: [...f.evidence], runIds: [...f.runIds] }));
  // Strongest Spark finding first, so it sets the mitigation of the finding it lands in.
  for (const s of [...spark].sort((a, b) => b.score - a.score)) {
    if (s.severity === 'none') continue;
    const id = FINDING_OF[s.relatesTo];
    const from = s.source === 'event-log' ? 'Spark event log' : 'Spark log lines';
    const evidence = [...s.evidence.map((e) => `${from}: ${e}`), `Next step: ${s.recommendation.text}`];
    let f = out.find((x) => x.id === id);
    if (!f) {
      f = { ...finding(id, s.score, [], []), mitigationKind: KIND_OF[s.recommendation.action] };
      f.mitigation = `${s.recommendation.text} ${f.mitigation}`;
      out.push(f);
    } else if (!f.evidence.some((e) => e.startsWith('Next step:'))) {
      // The first concrete value is the one the mitigation leads with.
      f.mitigation = `${s.recommendation.text} ${f.mitigation}`;
      f.mitigationKind = KIND_OF[s.recommendation.action];
    }
    f.evidence.push(...evidence);
    // Two sources agreeing count for more than either alone (the Spark score already carries
    // the run-vs-baseline diff naming its factor).
    const agreed = f.evidence.length > evidence.length;
    f.score = Math.min(1, Math.max(f.score, s.score) + (agreed ? 0.05 : 0));
    f.confidence = confidenceOf(f.score);
  }
  return rankFindings(out);
}
