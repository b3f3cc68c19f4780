// Step 5, approval: the four-eyes request to promote (the id recorded before anything is posted);
// the step parks — no job — until Approve enqueues `promote` or the expiry job fires. A dry run
// ends here.
import { applyStep, type BackfillRecord } from '../../src/domain/backfill-plan.js';
import {
  backfillApprovalParams,
  backfillApprovals,
  backfillTimeline,
  refreshProgress,
} from '../../src/slack/actions/backfill-shared.js';
import { renderBackfillApproval } from '../../src/slack/blocks/backfill-progress.js';
import { slackBlocks } from '../../src/slack/blocks/kit.js';
import { approverPrincipals, expiryFrom, whoMayApprove } from '../../src/domain/approval-policy.js';
import { resolveGroups } from '../../src/slack/actions/mitigation-shared.js';
import { event, progressDeps, type Ctx } from './context.js';

export async function approval(ctx: Ctx, r0: BackfillRecord): Promise<string> {
  const p = r0.plan;
  const now = ctx.deps.now();
  if (p.dryRun) {
    await ctx.store.update(p.id, (cur) => {
      let next = cur;
      for (const s of ['approval', 'promote', 'consumers'] as const)
        next = applyStep(next, s, { type: 'skip', at: now, summary: 'dry run: nothing promoted' });
      return next;
    });
    const cur = (await ctx.store.get(p.id))!;
    await refreshProgress(progressDeps(ctx), cur);
    await backfillTimeline(
      progressDeps(ctx),
      cur,
      'dry-run-done',
      'dry run ended after validation; nothing promoted',
    );
    await ctx.store.release(p.job, p.id);
    return 'dry run';
  }
  const approvals = backfillApprovals(ctx.deps.state, ctx.deps.config.env.MEDIC_PREFIX);
  if (r0.approvalId) {
    const a = await approvals.get(r0.approvalId);
    if (a?.state === 'approved') return 'approved';
    return 'waiting';
  }
  const principals = approverPrincipals(
    ctx.deps.config.medic.slack.approvers,
    ctx.deps.config.medic.jobs[p.job]?.approvers,
  );
  const id = await approvals.newId(now);
  // Record the id first: a retry of this job finds it and posts nothing twice.
  const r = await ctx.store.update(p.id, (cur) => (cur.approvalId ? undefined : { ...cur, approvalId: id }));
  if (!r || r.approvalId !== id) return 'waiting';
  const a = await approvals.create({
    id,
    ...(p.incidentId ? { incidentId: p.incidentId } : {}),
    channel: p.channel,
    job: p.job,
    env: p.env,
    params: backfillApprovalParams(p.id),
    calls: [],
    requester: p.requester,
    reason: `promote backfill ${p.id} (${p.from} → ${p.to})`,
    approvers: principals,
    createdAt: now,
    expiresAt: expiryFrom(now, ctx.deps.config.medic.defaults.approvalExpiryMinutes),
  });
  const groups = await resolveGroups(ctx.deps.slack, principals, ctx.log);
  const msg = renderBackfillApproval(r, {
    approvalId: id,
    state: a.state,
    whoMayApprove: whoMayApprove(principals, groups, p.requester),
    expiresAt: a.expiresAt,
  });
  const posted = await ctx.deps.slack.chat.postMessage({
    channel: p.channel,
    text: msg.text,
    blocks: slackBlocks(msg.blocks),
  });
  if (posted.ts) await approvals.setMessageTs(id, posted.ts);
  const waiting = await event(ctx, p.id, 'approval', {
    type: 'wait',
    at: now,
    summary: `waiting for ${whoMayApprove(principals, groups, p.requester)}`,
  });
  await backfillTimeline(progressDeps(ctx), waiting ?? r, 'approval-requested', `approval ${id} requested`);
  // Marks the request expired when nobody decided in time (the Lua transition refuses it otherwise).
  await ctx.deps.producers.enqueue(
    'backfill',
    { backfillId: p.id, step: 'expire', polls: 0 },
    { jobId: `backfill-${p.id}-expire`, delayMs: Math.max(0, a.expiresAt - now) + 1000 },
  );
  return 'waiting for approval';
}
