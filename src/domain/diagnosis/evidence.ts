// What triage hands the diagnosis (every part optional: a rule whose evidence is missing stays
// silent), and the readings of it more than one rule family shares.
import type { DegradationVerdict } from '../degradation.js';
import { plural } from '../format.js';
import type { LogSignature } from '../log-signatures.js';
import type { RunRecord } from '../run-record.js';
import type { SkewResult } from '../skew.js';

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

export function isDegradedOrFailing(e: DiagnosisEvidence): boolean {
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

export function insideWindow(t: Date, w: { start: Date; end?: Date }): boolean {
  return t.getTime() > w.start.getTime() && (w.end === undefined || t.getTime() <= w.end.getTime());
}

export function signaturesOf(e: DiagnosisEvidence, category: LogSignature['category']) {
  return (e.signatures ?? []).filter((s) => s.category === category && s.count > 0);
}

function runsText(countByRun: Record<string, number>): string {
  const ids = Object.keys(countByRun);
  const shown = ids.slice(0, 3).join(', ');
  return ids.length <= 3
    ? `${plural(ids.length, 'run')} (${shown})`
    : `${plural(ids.length, 'run')} (${shown}, …)`;
}

export function signatureSentence(
  s: Pick<LogSignature, 'label' | 'count' | 'countByRun' | 'excerpts'>,
): string {
  const example = s.excerpts[0] !== undefined ? `, e.g. "${s.excerpts[0]}"` : '';
  return `"${s.label}" logged ${plural(s.count, 'time')} in ${runsText(s.countByRun)}${example}`;
}

export function touchesProblemRuns(e: DiagnosisEvidence, countByRun: Record<string, number>): boolean {
  const problematic = e.degradation?.problematicRunIds;
  if (!problematic || problematic.length === 0) return true; // no run list to compare with: assume they do
  return Object.keys(countByRun).some((id) => problematic.includes(id));
}

export interface VolumeFigures {
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

export function volumeFigures(v: VolumeComparison): VolumeFigures {
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
