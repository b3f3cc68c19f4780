// The failed-backfill runbook on the incident: attached when a backfill stops at a failed step
// (with what the record proves ticked: where it failed, whether production was touched), and its
// last item ticked when a resumed backfill goes through. The progress message shows the runbook
// itself (src/slack/blocks/backfill-progress.ts).
import { STEP_TITLE, type BackfillRecord, type BackfillStep } from '../../src/domain/backfill-plan.js';
import { productionState } from '../../src/domain/backfill-resume.js';
import { attachRunbook } from '../../src/slack/runbook-attach.js';
import type { Ctx } from './context.js';

export async function attachFailedBackfillRunbook(
  ctx: Ctx,
  r: BackfillRecord,
  step: BackfillStep,
  error: string,
): Promise<void> {
  const incidentId = r.plan.incidentId;
  if (!incidentId) return;
  const prod = productionState(r);
  try {
    await attachRunbook(ctx.deps, incidentId, 'failed-backfill', {
      reason: `backfill ${r.plan.id} of ${r.plan.job} failed at ${STEP_TITLE[step]}`,
      tick: [
        { item: 'failure-located', note: `${STEP_TITLE[step]}: ${error.slice(0, 120)}` },
        ...(!prod.touched || r.status === 'rolled-back'
          ? [{ item: 'production-checked', note: `production ${prod.text}` }]
          : []),
      ],
    });
  } catch (err) {
    ctx.log.warn({ err, incidentId }, 'could not attach the failed-backfill runbook');
  }
}

/**
 * A backfill that went through verifies the missing-data and schema-drift runbooks' backfill item,
 * when the incident carries them (it never attaches them).
 */
export async function backfillVerified(ctx: Ctx, r: BackfillRecord): Promise<void> {
  const incidentId = r.plan.incidentId;
  if (!incidentId) return;
  try {
    const carried = await ctx.deps.checklists.runbooksOf(incidentId);
    for (const id of ['missing-data', 'schema-drift'].filter((x) => carried.includes(x)))
      await attachRunbook(ctx.deps, incidentId, id, {
        reason: `backfill ${r.plan.id} promoted`,
        tick: [
          {
            item: 'backfill-verified',
            note: `backfill ${r.plan.id} ${r.plan.from} → ${r.plan.to} validated and promoted`,
          },
        ],
      });
  } catch (err) {
    ctx.log.warn({ err, incidentId }, 'could not tick the runbooks of the backfill');
  }
}

export async function resumedThrough(ctx: Ctx, r: BackfillRecord): Promise<void> {
  const incidentId = r.plan.incidentId;
  if (!incidentId) return;
  const last = r.resumes!.at(-1)!;
  try {
    await attachRunbook(ctx.deps, incidentId, 'failed-backfill', {
      reason: `backfill ${r.plan.id} resumed`,
      tick: [
        {
          item: 'resumed',
          note: `resumed from ${STEP_TITLE[last.step]}, promoted ${r.promoted?.length ?? 0} partition(s)`,
        },
      ],
    });
  } catch (err) {
    ctx.log.warn({ err, incidentId }, 'could not tick the failed-backfill runbook');
  }
}
