// The failed-backfill runbook's moves on a record (pure): which step failed, whether production
// was touched, Resume from the failed step (it runs again, re-checking what it recorded; the steps
// after it, approval included, run as the first time; a failed consumers step re-runs only the
// consumers whose run failed), and Abort of a failed backfill.
import { SIGNATURE_PATTERNS } from './log-signatures.js';
import {
  BACKFILL_STEPS,
  StepTransitionError,
  type BackfillRecord,
  type BackfillStep,
} from './backfill-plan.js';

export function failedStep(r: BackfillRecord): BackfillStep | undefined {
  return BACKFILL_STEPS.find((s) => r.steps[s].state === 'failed');
}

/** A failed backfill resumes from its failed step; a failed promotion was rolled back already. */
export function canResume(r: BackfillRecord): boolean {
  const step = failedStep(r);
  return r.status === 'failed' && step !== undefined && step !== 'promote';
}

/** A failed backfill can be given up (Abort) as long as nothing was promoted. */
export function canAbandon(r: BackfillRecord): boolean {
  return r.status === 'failed' && !(r.promoted?.length ?? 0) && r.steps.promote.state === 'pending';
}

/** Production touched? In words, with the rollback state. */
export function productionState(r: BackfillRecord): { touched: boolean; text: string } {
  const promoted = r.promoted?.length ?? 0;
  if (r.rollback && !r.rollback.ok) {
    const left = r.rollback.partitions.filter((x) => x.state === 'not-restored' || x.state === 'unknown');
    return {
      touched: true,
      text: `the rollback failed: ${left.map((x) => `dt=${x.dt}`).join(', ')} not restored (see the rollback above)`,
    };
  }
  if (r.status === 'rolled-back')
    return { touched: true, text: `touched, then rolled back (${promoted} partition(s) restored)` };
  if (promoted)
    return {
      touched: true,
      text: `${promoted} partition(s) promoted; Rollback restores them from the backup`,
    };
  if (r.steps.promote.state !== 'pending')
    return { touched: true, text: 'promotion started; check the partitions' };
  return { touched: false, text: 'untouched (nothing was promoted)' };
}

/** The runbook's label of an error message's worst matching signature (OOM, missing column…). */
export function errorSignature(message: string | undefined): string | undefined {
  if (!message) return undefined;
  let best: { label: string; severity: number } | undefined;
  for (const p of SIGNATURE_PATTERNS) {
    if ((p.kind ?? 'error') !== 'error' || !p.pattern.test(message)) continue;
    if (!best || p.severity > best.severity) best = { label: p.label, severity: p.severity };
  }
  return best?.label;
}

/**
 * Resume: the failed step back to pending and the backfill running again. What the step recorded
 * that the failure made stale is dropped (the failed staging run is remembered so it is never
 * adopted; the figures and diff are recomputed; a new approval is asked for).
 */
export function resumeRecord(r: BackfillRecord, by: string, at: number): BackfillRecord {
  const step = failedStep(r);
  if (!step || !canResume(r)) throw new StepTransitionError(`cannot resume a backfill that is ${r.status}`);
  const { failure: _failure, stagingTriage: _triage, ...rest } = r;
  const next: BackfillRecord = {
    ...rest,
    status: 'running',
    steps: { ...r.steps, [step]: { state: 'pending' } },
    resumes: [...(r.resumes ?? []), { step, by, at }],
    updatedAt: at,
  };
  const i = BACKFILL_STEPS.indexOf(step);
  const from = (s: BackfillStep) => BACKFILL_STEPS.indexOf(s) >= i;
  if (from('staging-run') && r.stagingRunId) {
    next.failedStagingRunIds = [...(r.failedStagingRunIds ?? []), r.stagingRunId];
    delete next.stagingRunId;
  }
  if (from('quality')) {
    delete next.stats;
    delete next.dqRunId;
    delete next.qualityFindings;
  }
  if (from('validate')) delete next.diff;
  if (from('approval')) delete next.approvalId;
  if (step === 'consumers' && r.consumerRuns) {
    // Only the consumers whose run failed run again; a consumer that succeeded is not re-run.
    const failed = new Set(r.failedConsumerRunIds ?? []);
    next.consumerRuns = Object.fromEntries(
      Object.entries(r.consumerRuns).filter(([, id]) => !failed.has(id)),
    );
  }
  return next;
}

/** Abort of a failed backfill: given up, nothing promoted; the later steps marked skipped. */
export function abandonRecord(r: BackfillRecord, by: string, at: number): BackfillRecord {
  if (!canAbandon(r)) throw new StepTransitionError(`cannot abort a backfill that is ${r.status}`);
  const steps = { ...r.steps };
  for (const s of BACKFILL_STEPS)
    if (steps[s].state === 'pending')
      steps[s] = { ...steps[s], state: 'skipped', finishedAt: at, summary: 'aborted' };
  return { ...r, steps, status: 'aborted', abortedBy: by, updatedAt: at };
}
