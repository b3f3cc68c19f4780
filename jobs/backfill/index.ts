// The backfill processor: one queue job per step of domain/backfill-plan, job id
// `backfill-<id>-<step>`. This file is the dispatch and the failure policy; each step is its own
// file beside it (snapshot, staging-run, quality, validate, approval, promote, consumers), with
// rollback, the approval's expiry and the stop after an Abort, and what they share in context.ts.
//
// Why resumption is obvious: the record in Redis says which steps are done; a step job that finds
// its step done only (re-)enqueues the next step under its deterministic id (a no-op when it
// exists) and returns. Inside a step, every side effect is either idempotent or recorded the
// moment it completes: every copied object (resumable-copy.ts: a hash, checked before each copy),
// the staging run id (stored before polling), the approval id, the promoted partitions and their
// phase, the consumer run ids. So a worker killed anywhere resumes, through BullMQ's stalled-job
// retry, at the first thing not recorded as done, and nothing is copied or started twice.
//
// Waiting on a cloud run never holds a worker: the job re-queues itself delayed (moveToDelayed +
// DelayedError) with its poll count in job data. The approval step parks (no job) until the
// Approve button enqueues `promote`.
import { DelayedError, UnrecoverableError } from 'bullmq';
import type { Deps } from '../../src/deps.js';
import type { Processor } from '../../src/queue/workers.js';
import { ProviderError } from '../../src/providers/ports.js';
import {
  BACKFILL_STEPS,
  STEP_TITLE,
  isBackfillStep,
  isTerminal,
  mayRun,
  type BackfillStep,
} from '../../src/domain/backfill-plan.js';
import { backfillStore, backfillTimeline } from '../../src/slack/actions/backfill-shared.js';
import { StepFailure, enqueueNext, event, platformOf, progressDeps, type Ctx, type Step } from './context.js';
import { snapshot } from './snapshot.js';
import { stagingRun } from './staging-run.js';
import { quality } from './quality.js';
import { validate } from './validate.js';
import { approval } from './approval.js';
import { promote } from './promote.js';
import { consumers } from './consumers.js';
import { rollback } from './rollback.js';
import { expireApproval } from './expiry.js';
import { stopAfterAbort } from './abort.js';
import { attachFailedBackfillRunbook } from './failed-runbook.js';

const STEPS: Record<BackfillStep, Step> = {
  snapshot,
  'staging-run': stagingRun,
  quality,
  validate,
  approval,
  promote,
  consumers,
};

export function createBackfillProcessor(deps: Deps): Processor<'backfill'> {
  const store = backfillStore(deps.state, deps.config.env.MEDIC_PREFIX);
  return async (job, log, token) => {
    const { backfillId, step } = job.data;
    const r = await store.get(backfillId);
    if (!r) throw new UnrecoverableError(`backfill ${backfillId} is unknown`);
    const platform = () => platformOf(deps, r);
    const ctx: Ctx = {
      deps,
      store,
      job,
      token,
      log: log.child({ backfillId, step }),
      catalog: () => {
        const c = platform().catalog;
        if (!c) throw new StepFailure(`${platform().terms.platform} has no table catalog to promote with`);
        return c;
      },
      dataQuality: () => {
        const q = platform().dataQuality;
        if (!q) throw new StepFailure(`${platform().terms.platform} has no data-quality engine`);
        return q;
      },
    };
    if (step === 'rollback')
      return rollback(ctx, r, job.data.actor ?? 'medic', r.failure ? 'retried' : 'requested', {
        final: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
      });
    if (step === 'expire') return expireApproval(ctx, r);
    if (!isBackfillStep(step)) throw new UnrecoverableError(`unknown backfill step ${step}`);
    if (r.status === 'aborted') return stopAfterAbort(ctx, r);
    if (isTerminal(r)) return 'ended';
    const s = r.steps[step];
    if (s.state === 'done' || s.state === 'skipped') {
      await enqueueNext(ctx, r, step);
      return 'already done';
    }
    if (!mayRun(r, step)) return 'not yet';
    try {
      return await STEPS[step](ctx, r);
    } catch (err) {
      if (err instanceof DelayedError) throw err;
      const final =
        err instanceof StepFailure ||
        err instanceof UnrecoverableError ||
        (err instanceof ProviderError && !err.retryable) ||
        job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!final) throw err;
      const message = err instanceof Error ? err.message : String(err);
      const failed = await event(ctx, r.plan.id, step, { type: 'fail', at: ctx.deps.now(), error: message });
      if (failed) {
        await backfillTimeline(
          progressDeps(ctx),
          failed,
          `${step}-failed`,
          `${STEP_TITLE[step]} failed: ${message}`,
        );
        if (step === 'promote') return rollback(ctx, failed, 'medic', `promotion failed: ${message}`);
        await store.release(r.plan.job, r.plan.id);
        await attachFailedBackfillRunbook(ctx, failed, step, message);
      }
      return 'failed';
    }
  };
}

export { BACKFILL_STEPS };
