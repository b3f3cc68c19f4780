// What a diagnosis rule produces: a finding — the cause in the runbook's words, its evidence, its
// confidence and the runbook's quick mitigation ("Causas frecuentes y mitigaciones rápidas").
import { redactSecrets } from '../redact.js';

export type FindingId =
  | 'job-changed'
  | 'small-files'
  | 'volume-growth'
  | 'memory'
  | 'data-skew'
  | 'schema-drift'
  | 'bookmarks'
  | 'udf'
  | 's3-throttling'
  | 'parallelism'
  | 'idle-capacity'
  | 'task-failures';

export type MitigationKind =
  'compaction' | 'scale' | 'shuffle-tuning' | 'bookmark-reset' | 'code-fix' | 'backfill' | 'none';

export type Confidence = 'high' | 'medium' | 'low';

export interface Finding {
  id: FindingId;
  /** Short title. */
  cause: string;
  confidence: Confidence;
  /** 0–1, what the ranking uses. */
  score: number;
  /** Plain sentences with the numbers; secrets redacted; Slack escaping is the renderer's job. */
  evidence: string[];
  /** The runbook's quick mitigation. */
  mitigation: string;
  mitigationKind: MitigationKind;
  /** Runs the evidence comes from, when it is per run. */
  runIds: string[];
}

export const MITIGATIONS: Readonly<Record<FindingId, { mitigation: string; kind: MitigationKind }>> =
  Object.freeze({
    'job-changed': {
      mitigation:
        'Review the change to the job (script, arguments, worker settings); roll it back or block deploys until it is validated, then run a controlled backfill for the affected runs.',
      kind: 'code-fix',
    },
    'small-files': {
      mitigation:
        'Run the compaction job (merge Parquet) or enable automatic compaction, and apply effective partitioning.',
      kind: 'compaction',
    },
    'volume-growth': {
      mitigation:
        'Scale workers/DPUs with the volume and apply effective partitioning so each run reads only what it needs; confirm the growth with the data owner.',
      kind: 'scale',
    },
    memory: {
      mitigation:
        'Increase workers/DPUs (or a larger worker type) or reduce parallelism by adjusting spark.sql.shuffle.partitions; remove unnecessary persist()/cache().',
      kind: 'scale',
    },
    'data-skew': {
      mitigation:
        'Identify the skewed key and apply salting or repartition by a balanced hash; enable AQE skew join (spark.sql.adaptive.skewJoin.enabled).',
      kind: 'shuffle-tuning',
    },
    'schema-drift': {
      mitigation:
        'Block deploys until the schema change is validated, then run controlled backfills (snapshot, staging run, quality checks, promote).',
      kind: 'backfill',
    },
    bookmarks: {
      mitigation:
        'Review the job bookmark and, if needed, reset it to the last good run and run a controlled backfill.',
      kind: 'bookmark-reset',
    },
    udf: {
      mitigation: 'Profile the job and rewrite the costly Python UDFs as native DataFrame operations.',
      kind: 'code-fix',
    },
    's3-throttling': {
      mitigation:
        'Reduce the S3 request rate: compact small files (fewer requests), spread keys over more prefixes, keep retry backoff on.',
      kind: 'compaction',
    },
    parallelism: {
      mitigation:
        'Split the work into more, smaller tasks: raise spark.sql.shuffle.partitions or lower the input split size.',
      kind: 'shuffle-tuning',
    },
    'idle-capacity': {
      mitigation: 'Fewer workers (or dynamic allocation) for the same time: the executors sat idle.',
      kind: 'scale',
    },
    'task-failures': {
      mitigation: 'Find why tasks fail (the executors’ logs); retried tasks cost time and DPUs.',
      kind: 'code-fix',
    },
  });

const CAUSES: Readonly<Record<FindingId, string>> = Object.freeze({
  'job-changed': 'Job changed inside the degraded window',
  'small-files': 'Small files',
  'volume-growth': 'Input volume growth',
  memory: 'Memory / GC / OOM',
  'data-skew': 'Data skew',
  'schema-drift': 'Schema drift',
  bookmarks: 'Job bookmarks out of sync',
  udf: 'Inefficient Python UDFs',
  's3-throttling': 'S3 throttling',
  parallelism: 'Too few, too long tasks',
  'idle-capacity': 'Idle executors',
  'task-failures': 'Failing tasks',
});

export function confidenceOf(score: number): Confidence {
  return score >= 0.7 ? 'high' : score >= 0.45 ? 'medium' : 'low';
}

export function finding(
  id: FindingId,
  score: number,
  evidence: string[],
  runIds: Iterable<string> = [],
): Finding {
  const s = Math.max(0, Math.min(1, score));
  return {
    id,
    cause: CAUSES[id],
    confidence: confidenceOf(s),
    score: s,
    // Everything that reaches a finding may have come from a log or an argument: redact once more.
    evidence: evidence.map(redactSecrets),
    mitigation: MITIGATIONS[id].mitigation,
    mitigationKind: MITIGATIONS[id].kind,
    runIds: [...new Set(runIds)],
  };
}
