// The runbook's "Causas frecuentes y mitigaciones rápidas" as rules over the evidence triage gathers.
// Every part of the evidence is optional: a rule whose evidence is missing stays silent instead of
// guessing, so a triage with unreachable logs still ranks what it can. Scores are fixed per rule and
// situation (no learning), so the same evidence always gives the same ranking.
import type { DegradationVerdict } from './degradation.js';
import {
  formatBytes,
  formatDuration,
  formatInt,
  formatRatio,
  formatShare,
  formatUtc,
  plural,
} from './format.js';
import type { LogSignature } from './log-signatures.js';
import { REDACTED, redactSecrets } from './redact.js';
import type { RunRecord } from './run-record.js';
import type { SkewResult, StageSkew } from './skew.js';

export type FindingId =
  | 'job-changed'
  | 'small-files'
  | 'volume-growth'
  | 'memory'
  | 'data-skew'
  | 'schema-drift'
  | 'bookmarks'
  | 'udf'
  | 's3-throttling';

export type MitigationKind =
  | 'compaction'
  | 'scale'
  | 'shuffle-tuning'
  | 'bookmark-reset'
  | 'code-fix'
  | 'backfill'
  | 'recovery-rerun'
  | 'none';

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

/** Input volume now against the baseline, e.g. the newest partition against the median of earlier ones. */
export interface VolumeSnapshot {
  files: number;
  bytes: number;
  /** Files under the small-file threshold. */
  smallFiles?: number;
}

export interface VolumeComparison {
  now: VolumeSnapshot;
  baseline?: VolumeSnapshot;
  /** What `now` is, e.g. "newest partition (dt=2026-11-26)"; default "input". */
  scope?: string;
  /** What `baseline` is, e.g. "median of the 7 earlier ones"; default "baseline". */
  baselineLabel?: string;
  /** Default 32 MiB, the runbook's threshold. */
  smallFileBytes?: number;
}

export interface TableVersionEvidence {
  /** database.table */
  table: string;
  versionId: string;
  updateTime?: Date;
  /** Plain description of the change, e.g. "column price: int → double". */
  changes?: string[];
}

export interface BookmarkEvidence {
  /** --job-bookmark-option: job-bookmark-enable | job-bookmark-disable | job-bookmark-pause */
  option?: string;
  /** Run id the bookmark points at (GetJobBookmark). */
  bookmarkRunId?: string;
  /** Newest successful run id; a bookmark on another run is out of sync. */
  latestSuccessfulRunId?: string;
}

export interface DiagnosisEvidence {
  degradation?: Partial<
    Pick<
      DegradationVerdict,
      | 'verdict'
      | 'baselineDurationSec'
      | 'recentMedianDurationSec'
      | 'durationRatio'
      | 'problematicRunIds'
      | 'baselineRunIds'
      | 'recentRunIds'
      | 'windowStartedOn'
      | 'lastBaselineRunStartedOn'
      | 'runs'
    >
  >;
  /** The runs themselves, to compare their configuration (capacity, runtime, parameters) across the window. */
  runs?: readonly RunRecord[];
  /** Parameters the platform sets on every run itself (ignored when comparing runs). */
  perRunParameters?: ReadonlySet<string>;
  /** How the platform writes a parameter name ('--' for Glue), for the evidence. */
  parameterPrefix?: string;
  signatures?: readonly Pick<
    LogSignature,
    'id' | 'category' | 'label' | 'count' | 'countByRun' | 'excerpts'
  >[];
  skew?: Partial<Pick<SkewResult, 'flaggedStages' | 'skewnessMetric' | 'skewed'>>;
  /** GetJob's LastModifiedOn. */
  jobLastModifiedOn?: Date;
  /** Where the degradation began: defaults to the newest baseline run's start, else the window's first run. */
  degradedWindow?: { start: Date; end?: Date };
  volume?: VolumeComparison;
  tableVersions?: readonly TableVersionEvidence[];
  bookmark?: BookmarkEvidence;
  /** S3 503 SlowDown responses counted from metrics (adds to the log signature count). */
  s3SlowDownCount?: number;
}

const SMALL_FILE_BYTES = 32 * 1024 * 1024;

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
        'Reduce the request rate to storage (S3, ADLS / Blob): compact small files (fewer requests), spread keys over more prefixes, keep retry backoff on.',
      kind: 'compaction',
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
  's3-throttling': 'Storage throttling (S3 / ADLS)',
});

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
];

export function confidenceOf(score: number): Confidence {
  return score >= 0.7 ? 'high' : score >= 0.45 ? 'medium' : 'low';
}

function finding(id: FindingId, score: number, evidence: string[], runIds: Iterable<string> = []): Finding {
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
  return findings.sort((a, b) => b.score - a.score || ORDER.indexOf(a.id) - ORDER.indexOf(b.id));
}

// ---------------------------------------------------------------------------------------------

function isDegradedOrFailing(e: DiagnosisEvidence): boolean {
  return e.degradation?.verdict === 'DEGRADED' || e.degradation?.verdict === 'FAILING';
}

/** [start, end]: from the last normal run's start to the newest judged run's start. */
export function degradedWindowOf(e: DiagnosisEvidence): { start: Date; end?: Date } | undefined {
  if (e.degradedWindow) return e.degradedWindow;
  const d = e.degradation;
  const start = d?.lastBaselineRunStartedOn ?? d?.windowStartedOn;
  if (!start) return undefined;
  const newestRecent = d?.runs?.find((r) => r.role === 'recent');
  return newestRecent ? { start, end: newestRecent.startedOn } : { start };
}

function insideWindow(t: Date, w: { start: Date; end?: Date }): boolean {
  return t.getTime() > w.start.getTime() && (w.end === undefined || t.getTime() <= w.end.getTime());
}

function signaturesOf(e: DiagnosisEvidence, category: LogSignature['category']) {
  return (e.signatures ?? []).filter((s) => s.category === category && s.count > 0);
}

function runsText(countByRun: Record<string, number>): string {
  const ids = Object.keys(countByRun);
  const shown = ids.slice(0, 3).join(', ');
  return ids.length <= 3
    ? `${plural(ids.length, 'run')} (${shown})`
    : `${plural(ids.length, 'run')} (${shown}, …)`;
}

function signatureSentence(s: Pick<LogSignature, 'label' | 'count' | 'countByRun' | 'excerpts'>): string {
  const example = s.excerpts[0] !== undefined ? `, e.g. "${s.excerpts[0]}"` : '';
  return `"${s.label}" logged ${plural(s.count, 'time')} in ${runsText(s.countByRun)}${example}`;
}

function touchesProblemRuns(e: DiagnosisEvidence, countByRun: Record<string, number>): boolean {
  const problematic = e.degradation?.problematicRunIds;
  if (!problematic || problematic.length === 0) return true; // no run list to compare with: assume they do
  return Object.keys(countByRun).some((id) => problematic.includes(id));
}

// --- job changed -------------------------------------------------------------------------------

/** What a run held: a different shape, runtime or tier across the window is a change to the job. */
const CAPACITY_FIELDS = [
  ['shape', 'capacity'],
  ['runtime', 'runtime'],
  ['tier', 'execution tier'],
] as const;

/** The value every run of a group shares, or undefined when they differ (or the group is empty). */
function shared<T>(values: readonly T[]): { value: T } | undefined {
  if (values.length === 0) return undefined;
  const first = values[0] as T;
  return values.every((v) => v === first) ? { value: first } : undefined;
}

/**
 * Configuration differences between the baseline runs and the recent runs. Only consistent ones count:
 * every baseline run had A and every recent run has B. A date argument that differs on every run is
 * not a change.
 */
export function configChanges(e: DiagnosisEvidence): string[] {
  const runs = e.runs;
  const d = e.degradation;
  if (!runs || !d?.baselineRunIds?.length || !d.recentRunIds?.length) return [];
  const byId = new Map(runs.map((r) => [r.id, r]));
  const baseline = d.baselineRunIds.map((id) => byId.get(id)).filter((r): r is RunRecord => r !== undefined);
  const recent = d.recentRunIds.map((id) => byId.get(id)).filter((r): r is RunRecord => r !== undefined);
  if (baseline.length === 0 || recent.length === 0) return [];
  const out: string[] = [];
  for (const [field, label] of CAPACITY_FIELDS) {
    const a = shared(baseline.map((r) => r.capacity?.[field]));
    const b = shared(recent.map((r) => r.capacity?.[field]));
    if (a && b && a.value !== b.value) out.push(`${label} ${a.value ?? '(unset)'} → ${b.value ?? '(unset)'}`);
  }
  const keys = new Set<string>();
  for (const r of [...baseline, ...recent]) for (const k of Object.keys(r.parameters ?? {})) keys.add(k);
  for (const key of [...keys].sort()) {
    if (e.perRunParameters?.has(key)) continue;
    const a = shared(baseline.map((r) => r.parameters?.[key]));
    const b = shared(recent.map((r) => r.parameters?.[key]));
    if (a && b && a.value !== b.value) {
      const show = (v: string | undefined): string =>
        v === undefined ? '(unset)' : clip(redactSecrets(`${key}=${v}`).slice(key.length + 1), 80);
      const secretKey = redactSecrets(`${key}=x`) !== `${key}=x`;
      out.push(
        secretKey
          ? `parameter ${e.parameterPrefix ?? ''}${key} changed (${REDACTED})`
          : `parameter ${e.parameterPrefix ?? ''}${key} ${show(a.value)} → ${show(b.value)}`,
      );
    }
  }
  return out;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function jobChanged(e: DiagnosisEvidence): Finding | undefined {
  const window = degradedWindowOf(e);
  const changes = configChanges(e);
  const modifiedInside =
    e.jobLastModifiedOn !== undefined && window !== undefined && insideWindow(e.jobLastModifiedOn, window);
  if (!modifiedInside && changes.length === 0) return undefined;
  const evidence: string[] = [];
  if (modifiedInside && e.jobLastModifiedOn && window) {
    evidence.push(
      `The job definition was last modified ${formatUtc(e.jobLastModifiedOn)}, after the last normal run started (${formatUtc(window.start)})` +
        (window.end ? ` and before the newest judged run (${formatUtc(window.end)}).` : '.'),
    );
  }
  if (changes.length > 0) evidence.push(`Recent runs differ from the baseline runs: ${changes.join('; ')}.`);
  const capacityCut = capacityShrank(e);
  let score = isDegradedOrFailing(e) ? 0.85 : 0.5;
  if (modifiedInside && changes.length > 0) score += 0.05;
  if (capacityCut) score += 0.05;
  return finding('job-changed', score, evidence, e.degradation?.problematicRunIds ?? []);
}

/** Every recent run held fewer capacity units than every baseline run did (a consistent cut). */
function capacityShrank(e: DiagnosisEvidence): boolean {
  const runs = e.runs;
  const d = e.degradation;
  if (!runs || !d?.baselineRunIds?.length || !d.recentRunIds?.length) return false;
  const units = (ids: readonly string[]) =>
    shared(ids.map((id) => runs.find((r) => r.id === id)?.capacity?.units));
  const a = units(d.baselineRunIds);
  const b = units(d.recentRunIds);
  return a?.value !== undefined && b?.value !== undefined && b.value < a.value;
}

// --- schema drift ------------------------------------------------------------------------------

function schemaDrift(e: DiagnosisEvidence): Finding | undefined {
  const sigs = signaturesOf(e, 'schema');
  const window = degradedWindowOf(e);
  const versions = (e.tableVersions ?? []).filter(
    (v) => v.updateTime !== undefined && window !== undefined && insideWindow(v.updateTime, window),
  );
  if (sigs.length === 0 && versions.length === 0) return undefined;
  const evidence = sigs.slice(0, 3).map(signatureSentence);
  for (const v of versions.slice(0, 3)) {
    const what = v.changes && v.changes.length > 0 ? ` (${v.changes.slice(0, 5).join('; ')})` : '';
    evidence.push(
      `Table ${v.table} got version ${v.versionId} at ${formatUtc(v.updateTime as Date)}, inside the degraded window${what}.`,
    );
  }
  let score = 0;
  if (sigs.length > 0) score = sigs.some((s) => touchesProblemRuns(e, s.countByRun)) ? 0.9 : 0.6;
  if (versions.length > 0)
    score = Math.max(score, isDegradedOrFailing(e) ? 0.75 : 0.5) + (sigs.length > 0 ? 0.05 : 0);
  return finding(
    'schema-drift',
    score,
    evidence,
    sigs.flatMap((s) => Object.keys(s.countByRun)),
  );
}

// --- memory ------------------------------------------------------------------------------------

/** Memory signatures that say an executor went away without saying it ran out of memory. */
const SOFT_MEMORY_SIGNATURES: ReadonlySet<string> = new Set(['executor-lost', 'container-exit-143']);

function memory(e: DiagnosisEvidence): Finding | undefined {
  const sigs = signaturesOf(e, 'memory');
  if (sigs.length === 0) return undefined;
  const hard = sigs.some((s) => !SOFT_MEMORY_SIGNATURES.has(s.id));
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

// --- small files and volume --------------------------------------------------------------------

interface VolumeFigures {
  scope: string;
  baselineLabel: string;
  threshold: number;
  files: number;
  bytes: number;
  avg: number;
  smallShare: number | undefined;
  filesRatio: number | undefined;
  bytesRatio: number | undefined;
  baselineBytes: number | undefined;
}

function volumeFigures(v: VolumeComparison): VolumeFigures {
  const { now, baseline } = v;
  return {
    scope: v.scope ?? 'input',
    baselineLabel: v.baselineLabel ?? 'baseline',
    threshold: v.smallFileBytes ?? SMALL_FILE_BYTES,
    files: now.files,
    bytes: now.bytes,
    avg: now.files > 0 ? now.bytes / now.files : 0,
    smallShare: now.smallFiles !== undefined && now.files > 0 ? now.smallFiles / now.files : undefined,
    filesRatio: baseline && baseline.files > 0 ? now.files / baseline.files : undefined,
    bytesRatio: baseline && baseline.bytes > 0 ? now.bytes / baseline.bytes : undefined,
    baselineBytes: baseline?.bytes,
  };
}

function smallFiles(e: DiagnosisEvidence): Finding | undefined {
  if (!e.volume || e.volume.now.files === 0) return undefined;
  const f = volumeFigures(e.volume);
  const filesOutgrewBytes =
    f.filesRatio !== undefined && f.filesRatio >= 2 && f.filesRatio >= 1.5 * Math.max(f.bytesRatio ?? 1, 1);
  const smallAverage = f.avg < f.threshold;
  const mostlySmall = f.smallShare !== undefined && f.smallShare >= 0.5;
  let score: number;
  if (filesOutgrewBytes && smallAverage) score = isDegradedOrFailing(e) ? 0.85 : 0.65;
  else if (mostlySmall) score = 0.5;
  else if (f.smallShare !== undefined && f.smallShare >= 0.2 && smallAverage) score = 0.3;
  else return undefined;
  const evidence: string[] = [];
  if (f.filesRatio !== undefined) {
    const bytes = f.bytesRatio !== undefined ? `, while bytes grew ${formatRatio(f.bytesRatio)}` : '';
    evidence.push(
      `The ${f.scope} holds ${formatInt(f.files)} files (${formatRatio(f.filesRatio)} the ${f.baselineLabel}) averaging ${formatBytes(f.avg)}${bytes}.`,
    );
  } else {
    evidence.push(`The ${f.scope} holds ${formatInt(f.files)} files averaging ${formatBytes(f.avg)}.`);
  }
  if (f.smallShare !== undefined) {
    evidence.push(
      `${formatShare(f.smallShare)} of the files are under ${formatBytes(f.threshold)} (the small-file threshold).`,
    );
  }
  return finding('small-files', score, evidence);
}

function volumeGrowth(e: DiagnosisEvidence): Finding | undefined {
  if (!e.volume) return undefined;
  const f = volumeFigures(e.volume);
  if (f.bytesRatio === undefined || f.bytesRatio < 1.3) return undefined;
  const durationRatio = e.degradation?.durationRatio;
  let score = 0.5;
  let durationText = '';
  if (durationRatio !== undefined) {
    // Spark work scales roughly linearly with bytes: growth that explains most of the slowdown is the cause.
    score = durationRatio > 1 && f.bytesRatio >= 0.6 * durationRatio ? 0.75 : 0.4;
    const d = e.degradation;
    durationText =
      d?.baselineDurationSec !== undefined && d.recentMedianDurationSec !== undefined
        ? ` while the median run duration grew ${formatRatio(durationRatio)} (${formatDuration(d.baselineDurationSec)} → ${formatDuration(d.recentMedianDurationSec)})`
        : ` while the run duration grew ${formatRatio(durationRatio)}`;
  }
  const from =
    f.baselineBytes !== undefined ? ` (${formatBytes(f.baselineBytes)} → ${formatBytes(f.bytes)})` : '';
  return finding('volume-growth', score, [
    `Bytes in the ${f.scope} grew ${formatRatio(f.bytesRatio)} against the ${f.baselineLabel}${from}${durationText}.`,
  ]);
}

// --- skew ----------------------------------------------------------------------------------------

function stageSentence(s: StageSkew): string {
  return (
    `Stage ${s.stageId} of run ${s.runId}: the slowest of ${formatInt(s.tasks)} tasks took ${formatDuration(s.maxMs / 1000)}, ` +
    `${formatRatio(s.ratio)} the median of ${formatDuration(s.medianMs / 1000)} (severity ${s.severity}).`
  );
}

function dataSkew(e: DiagnosisEvidence): Finding | undefined {
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

// --- bookmarks ---------------------------------------------------------------------------------

function bookmarks(e: DiagnosisEvidence): Finding | undefined {
  const errors = signaturesOf(e, 'bookmark').filter((s) => s.id === 'bookmark-error');
  const b = e.bookmark;
  const outOfSync =
    b?.bookmarkRunId !== undefined &&
    b.latestSuccessfulRunId !== undefined &&
    b.bookmarkRunId !== b.latestSuccessfulRunId;
  const disabledWithGrowth =
    b?.option === 'job-bookmark-disable' &&
    e.volume !== undefined &&
    (volumeFigures(e.volume).bytesRatio ?? 0) >= 1.3;
  if (!outOfSync && errors.length === 0 && !disabledWithGrowth) return undefined;
  const evidence: string[] = [];
  if (outOfSync && b) {
    evidence.push(
      `The job bookmark points at run ${b.bookmarkRunId}, not at the newest successful run ${b.latestSuccessfulRunId}.`,
    );
  }
  evidence.push(...errors.slice(0, 2).map(signatureSentence));
  if (disabledWithGrowth) {
    evidence.push(
      'Job bookmarks are disabled (job-bookmark-disable) while the input grew: each run may re-read all of it.',
    );
  }
  const score = outOfSync ? 0.75 : errors.length > 0 ? 0.6 : 0.4;
  return finding(
    'bookmarks',
    score,
    evidence,
    errors.flatMap((s) => Object.keys(s.countByRun)),
  );
}

// --- UDFs ----------------------------------------------------------------------------------------

function udf(e: DiagnosisEvidence): Finding | undefined {
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

// --- storage throttling (S3 SlowDown, ADLS / Blob ServerBusy) -------------------------------------

function s3Throttling(e: DiagnosisEvidence): Finding | undefined {
  const sigs = signaturesOf(e, 's3-throttling');
  const fromLogs = sigs.reduce((n, s) => n + s.count, 0);
  const fromMetrics = e.s3SlowDownCount ?? 0;
  if (fromLogs + fromMetrics === 0) return undefined;
  const evidence = sigs.slice(0, 2).map(signatureSentence);
  if (fromMetrics > 0)
    evidence.push(`S3 answered ${plural(fromMetrics, '503 SlowDown response')} (metrics).`);
  let score = fromLogs + fromMetrics >= 10 ? 0.6 : 0.4;
  // Many small files mean many requests: throttling is then a symptom worth fixing with the same compaction.
  if (e.volume && smallFiles(e)?.confidence === 'high') score += 0.05;
  return finding(
    's3-throttling',
    score,
    evidence,
    sigs.flatMap((s) => Object.keys(s.countByRun)),
  );
}

// ---------------------------------------------------------------------------------------------
// What the verdict itself calls for, whatever the cause

export interface RecoveryTarget {
  /** The failed run to resume. */
  runId: string;
  /** The step it failed at, when the platform named it. */
  step?: string;
}

/**
 * A FAILING job whose newest completed run failed can be rerun from the step it failed at (on the
 * platforms that resume runs: the caller asks the platform to plan it). This follows from the
 * verdict, not from a cause, so it is offered beside the ranked findings rather than as one.
 */
export function recoveryTarget(
  verdict: Pick<DegradationVerdict, 'verdict' | 'runs'> | undefined,
  runs: readonly Pick<RunRecord, 'id' | 'failedStep'>[],
): RecoveryTarget | undefined {
  if (verdict?.verdict !== 'FAILING') return undefined;
  const newest = verdict.runs.find((r) => r.stateClass !== 'in-progress');
  if (!newest || newest.stateClass !== 'failed') return undefined;
  const step = runs.find((r) => r.id === newest.id)?.failedStep;
  return { runId: newest.id, ...(step ? { step } : {}) };
}
