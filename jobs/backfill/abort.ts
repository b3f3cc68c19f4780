// After an Abort: whatever step runs next stops here.
import { isActive } from '../../src/domain/run-record.js';
import type { BackfillRecord } from '../../src/domain/backfill-plan.js';
import { refreshProgress } from '../../src/slack/actions/backfill-shared.js';
import { platformOf, progressDeps, type Ctx } from './context.js';

/** After an Abort: stop the staging run if one is running, and say so. */
export async function stopAfterAbort(ctx: Ctx, r: BackfillRecord): Promise<string> {
  const p = r.plan;
  if (r.stagingRunId) {
    try {
      const platform = platformOf(ctx.deps, r);
      const run = await platform.getRun(p.stagingJob, r.stagingRunId);
      if (isActive(run.state)) await platform.stopRun(p.stagingJob, r.stagingRunId);
    } catch (err) {
      ctx.log.warn({ err }, 'could not stop the staging run after an abort');
    }
  }
  await refreshProgress(progressDeps(ctx), r);
  await ctx.store.release(p.job, p.id);
  return 'aborted';
}
