// Step 2, staging run: the job run in isolation (its own output, bookmarks untouched) on the
// snapshot; the run id is recorded before it is followed, and a run a killed worker started is adopted.
import { redactSecrets } from '../../src/domain/redact.js';
import { errorSignature } from '../../src/domain/backfill-resume.js';
import { isActive, stateLabel } from '../../src/domain/run-record.js';
import type { BackfillRecord } from '../../src/domain/backfill-plan.js';
import { backfillTimeline } from '../../src/slack/actions/backfill-shared.js';
import { StepFailure, event, finish, platformOf, progressDeps, requeue, start, type Ctx } from './context.js';
import { gatherParity } from '../parity.js';
import { ProviderError } from '../../src/providers/ports.js';
import { parityLines } from '../../src/domain/parity.js';

/**
 * Before the staging run: does the staging job run what production runs? Recorded once; the
 * approval shows it. Reading it may fail (a role without s3:GetObject on the scripts): noted, not fatal.
 */
async function recordParity(ctx: Ctx, r: BackfillRecord): Promise<BackfillRecord> {
  if (r.parity || r.parityProblem) return r;
  const p = r.plan;
  let found: Pick<BackfillRecord, 'parity' | 'parityProblem'>;
  try {
    const o = await gatherParity(ctx.deps, p.job, p.stagingJob);
    found = o.ok ? { parity: o.report } : { parityProblem: o.problem };
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    found = { parityProblem: `staging parity not checked: ${redactSecrets(err.message)}` };
  }
  const next =
    (await ctx.store.update(p.id, (cur) =>
      cur.parity || cur.parityProblem ? undefined : { ...cur, ...found },
    )) ?? r;
  if (found.parity && !found.parity.atParity)
    await backfillTimeline(progressDeps(ctx), next, 'staging-parity', parityLines(found.parity).join(' '));
  return next;
}

export async function stagingRun(ctx: Ctx, r0: BackfillRecord): Promise<string> {
  let r = r0;
  const p = r.plan;
  const platform = platformOf(ctx.deps, r);
  if (!r.stagingRunId) {
    r = await recordParity(ctx, r);
    r = await start(ctx, r, 'staging-run', `starting ${p.stagingJob}`);
    // A worker that died between StartJobRun and recording its id left a run writing to this
    // backfill's own output: adopt it instead of starting a second one.
    const recent = await platform.listRuns(p.stagingJob, {
      maxRuns: 50,
      since: new Date(p.createdAt - 60_000),
    });
    // A staging run that failed before a Resume is never adopted: the resumed step starts a new one.
    const failedBefore = new Set(r.failedStagingRunIds ?? []);
    const adopted = recent.find(
      (x) => x.parameters.output_path === p.stagingParameters.output_path && !failedBefore.has(x.id),
    );
    const runId =
      adopted?.id ??
      (await platform.startRun(p.stagingJob, { parameters: p.stagingParameters, isolated: true }));
    const next = await ctx.store.update(p.id, (cur) =>
      cur.stagingRunId ? undefined : { ...cur, stagingRunId: runId },
    );
    r = next ?? r;
    await event(ctx, p.id, 'staging-run', {
      type: 'wait',
      at: ctx.deps.now(),
      summary: `${p.stagingJob} run started, reading the snapshot`,
      link: r.stagingRunId ?? runId,
    });
    await backfillTimeline(
      progressDeps(ctx),
      r,
      'staging-started',
      `staging run ${r.stagingRunId ?? runId} of ${p.stagingJob} started`,
    );
  }
  const runId = r.stagingRunId!;
  const run = await platform.getRun(p.stagingJob, runId);
  if (isActive(run.state)) return requeue(ctx);
  if (run.state !== 'succeeded') {
    // The isolated run's own triage, for the failed-backfill runbook: its state, error and signature.
    const error = run.errorMessage ? redactSecrets(run.errorMessage) : undefined;
    const signature = errorSignature(error);
    await ctx.store.update(p.id, (cur) => ({
      ...cur,
      stagingTriage: {
        runId,
        state: stateLabel(run),
        durationSec: run.durationSec,
        ...(error ? { error } : {}),
        ...(signature ? { signature } : {}),
        ...(run.links?.consoleUrl ? { link: run.links.consoleUrl } : {}),
      },
    }));
    throw new StepFailure(
      `staging run ${runId} ended ${stateLabel(run)}${run.errorMessage ? `: ${redactSecrets(run.errorMessage)}` : ''}`,
    );
  }
  return finish(ctx, r, 'staging-run', `${p.stagingJob} succeeded in ${run.durationSec} s`, {
    link: runId,
  });
}
