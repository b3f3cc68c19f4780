// Findings about the input: small files, volume growth, job bookmarks that re-read or skip data,
// and S3 throttling (many small files mean many requests).
import { formatBytes, formatDuration, formatInt, formatRatio, formatShare, plural } from '../format.js';
import {
  isDegradedOrFailing,
  signatureSentence,
  signaturesOf,
  volumeFigures,
  type DiagnosisEvidence,
} from './evidence.js';
import { finding, type Finding } from './findings.js';

// --- small files and volume --------------------------------------------------------------------

export function smallFiles(e: DiagnosisEvidence): Finding | undefined {
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

export function volumeGrowth(e: DiagnosisEvidence): Finding | undefined {
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

// --- bookmarks ---------------------------------------------------------------------------------

export function bookmarks(e: DiagnosisEvidence): Finding | undefined {
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

// --- S3 throttling -------------------------------------------------------------------------------

export function s3Throttling(e: DiagnosisEvidence): Finding | undefined {
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
