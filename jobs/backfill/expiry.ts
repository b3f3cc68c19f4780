// The approval's expiry (job `backfill-<id>-expire`): a request still pending is marked expired and
// the backfill ends unpromoted.
import type { BackfillRecord } from '../../src/domain/backfill-plan.js';
import { backfillApprovals, backfillTimeline } from '../../src/slack/actions/backfill-shared.js';
import { renderBackfillApproval } from '../../src/slack/blocks/backfill-progress.js';
import { slackBlocks } from '../../src/slack/blocks/kit.js';
import { whoMayApprove } from '../../src/domain/approval-policy.js';
import { event, progressDeps, requeue, type Ctx } from './context.js';

/** The approval's expiry: a request still pending is expired, the backfill ends unpromoted. */
export async function expireApproval(ctx: Ctx, r: BackfillRecord): Promise<string> {
  const p = r.plan;
  if (!r.approvalId || r.status !== 'awaiting-approval') return 'nothing to expire';
  const approvals = backfillApprovals(ctx.deps.state, ctx.deps.config.env.MEDIC_PREFIX);
  const now = ctx.deps.now();
  const res = await approvals.transition(r.approvalId, 'expired', 'medic', now);
  if (!res.ok) return res.state === 'not-yet' ? requeue(ctx) : 'already decided';
  const a = res.approval;
  if (a.messageTs) {
    const msg = renderBackfillApproval(r, {
      approvalId: a.id,
      state: 'expired',
      whoMayApprove: whoMayApprove(a.approvers, {}, a.requester),
      expiresAt: a.expiresAt,
    });
    await ctx.deps.slack.chat
      .update({ channel: p.channel, ts: a.messageTs, text: msg.text, blocks: slackBlocks(msg.blocks) })
      .catch((err: unknown) => ctx.log.warn({ err }, 'could not update the expired approval'));
  }
  const failed = await event(ctx, p.id, 'approval', {
    type: 'fail',
    at: now,
    error: 'the approval expired; nothing promoted',
  });
  if (failed)
    await backfillTimeline(
      progressDeps(ctx),
      failed,
      'approval-expired',
      `approval ${a.id} expired; nothing promoted`,
    );
  await ctx.store.release(p.job, p.id);
  return 'expired';
}
