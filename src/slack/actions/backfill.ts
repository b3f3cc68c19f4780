// The backfill buttons: medic.backfill.abort (until promotion), medic.backfill.approve / reject
// (the four-eyes gate, with the mitigations' policy and approval store), medic.backfill.rollback
// (after promotion; Retry rollback after one that failed), medic.backfill.retry-promotion (after a
// failed promotion was rolled back). Each acks first; the state change is one atomic update of the record (or the
// approval's Lua transition), so double clicks and two processes decide once.
import { code } from '../mrkdwn.js';
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { errorId } from '../../logger.js';
import {
  abortRecord,
  applyStep,
  canAbort,
  canRetryPromotion,
  canRetryRollback,
  canRollback,
  retryPromotionRecord,
  STEP_TITLE,
} from '../../domain/backfill-plan.js';
import { abandonRecord, canAbandon, canResume, resumeRecord } from '../../domain/backfill-resume.js';
import { whoMayApprove } from '../../domain/approval-policy.js';
import { BACKFILL_ACTIONS, renderBackfillApproval } from '../blocks/backfill-progress.js';
import { slackBlocks } from '../blocks/kit.js';
import { backfillApprovals, backfillStore, backfillTimeline, refreshProgress } from './backfill-shared.js';
import { decideClick, ephemeral, fromOtherChannel, otherChannelText } from './mitigation-shared.js';
import { registerBackfillSubmit } from './backfill-submit.js';
import { isRedisUnavailable, REDIS_UNAVAILABLE } from '../../queue/unavailable.js';

const VALID_ID = /^bf-\d{8}-\d{1,9}$/;

export function registerBackfillActions(app: App, deps: Deps): void {
  registerBackfillSubmit(app, deps);
  const handlers: [string, (id: string, user: string, channel: string | undefined) => Promise<unknown>][] = [
    [BACKFILL_ACTIONS.abort, (id, user, ch) => abort(deps, id, user, ch)],
    [BACKFILL_ACTIONS.rollback, (id, user, ch) => rollback(deps, id, user, ch)],
    [BACKFILL_ACTIONS.approve, (id, user, ch) => decide(deps, 'approve', id, user, ch)],
    [BACKFILL_ACTIONS.reject, (id, user, ch) => decide(deps, 'reject', id, user, ch)],
    [BACKFILL_ACTIONS.resume, (id, user, ch) => resume(deps, id, user, ch)],
    [BACKFILL_ACTIONS.abandon, (id, user, ch) => abandon(deps, id, user, ch)],
    [BACKFILL_ACTIONS.retryPromotion, (id, user, ch) => retryPromotion(deps, id, user, ch)],
  ];
  for (const [actionId, fn] of handlers) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action }) => {
      await ack();
      const user = body.user.id;
      const channel = body.channel?.id;
      const id = action.value ?? '';
      if (!VALID_ID.test(id)) return;
      try {
        await fn(id, user, channel);
      } catch (err) {
        const eid = errorId();
        deps.logger.error({ err, errorId: eid, user, backfillId: id, actionId }, 'backfill action failed');
        await ephemeral(
          deps,
          channel,
          user,
          isRedisUnavailable(err)
            ? REDIS_UNAVAILABLE
            : `:warning: That did not work (error id \`${eid}\`). Click again.`,
        );
      }
    });
  }
}

const progress = (deps: Deps) => ({
  slack: deps.slack,
  logger: deps.logger,
  timeline: deps.timeline,
  now: () => deps.now(),
});

export async function abort(deps: Deps, id: string, user: string, channel?: string): Promise<boolean> {
  const store = backfillStore(deps.state, deps.config.env.MEDIC_PREFIX);
  const now = deps.now();
  let refused: string | undefined;
  const r = await store.update(id, (cur) => {
    if (!canAbort(cur)) {
      refused = cur.status;
      return undefined;
    }
    return abortRecord(cur, user, now);
  });
  if (!r) return false;
  if (refused) {
    await ephemeral(
      deps,
      channel,
      user,
      `:information_source: This backfill is ${refused === 'running' ? 'promoting' : refused}; it cannot be aborted now${canRollback(r) ? ' (Rollback is available)' : ''}.`,
    );
    return false;
  }
  await refreshProgress(progress(deps), r);
  await backfillTimeline(progress(deps), r, 'aborted', `aborted by <@${user}>; production untouched`, user);
  if (r.approvalId)
    await backfillApprovals(deps.state, deps.config.env.MEDIC_PREFIX).transition(
      r.approvalId,
      'rejected',
      user,
      now,
    );
  // Wake the flow so a running staging run is stopped and the job is released.
  await deps.producers.enqueue(
    'backfill',
    { backfillId: id, step: 'staging-run', polls: 0 },
    { jobId: `backfill-${id}-abort` },
  );
  return true;
}

/**
 * Resume from the failed step (the failed-backfill runbook): the step runs again under a new job
 * id and re-checks what it recorded; the steps after it run as the first time, so promotion waits
 * for the same four-eyes approval. One atomic update: two clicks resume once.
 */
export async function resume(deps: Deps, id: string, user: string, channel?: string): Promise<boolean> {
  const store = backfillStore(deps.state, deps.config.env.MEDIC_PREFIX);
  const cur = await store.get(id);
  if (!cur) return false;
  if (!canResume(cur)) {
    await ephemeral(
      deps,
      channel,
      user,
      `:information_source: This backfill is ${cur.status}; there is nothing to resume.`,
    );
    return false;
  }
  const claim = await store.reclaim(cur.plan.job, id);
  if (!claim.ok) {
    await ephemeral(
      deps,
      channel,
      user,
      `:warning: ${code(cur.plan.job)} has another backfill in progress (${code(claim.activeId)}); resume this one after it ends.`,
    );
    return false;
  }
  const now = deps.now();
  let resumed = false;
  const r = await store.update(id, (x) => {
    if (!canResume(x)) return undefined;
    resumed = true;
    return resumeRecord(x, user, now);
  });
  if (!r || !resumed) return false;
  const step = r.resumes!.at(-1)!.step;
  const n = r.resumes!.length;
  await refreshProgress(progress(deps), r);
  await backfillTimeline(
    progress(deps),
    r,
    `resumed`,
    `resumed from ${STEP_TITLE[step]} by <@${user}>`,
    user,
  );
  await deps.producers.enqueue(
    'backfill',
    { backfillId: id, step, polls: 0 },
    { jobId: `backfill-${id}-${step}-resume${n}` },
  );
  await ephemeral(
    deps,
    channel,
    user,
    `:arrow_forward: Resuming backfill ${code(id)} from ${STEP_TITLE[step]}…`,
  );
  return true;
}

/** Abort of a failed backfill (the runbook's third button): it ends here, production untouched. */
export async function abandon(deps: Deps, id: string, user: string, channel?: string): Promise<boolean> {
  const store = backfillStore(deps.state, deps.config.env.MEDIC_PREFIX);
  const now = deps.now();
  let done = false;
  const r = await store.update(id, (x) => {
    if (!canAbandon(x)) return undefined;
    done = true;
    return abandonRecord(x, user, now);
  });
  if (!r) return false;
  if (!done) {
    await ephemeral(
      deps,
      channel,
      user,
      `:information_source: This backfill is ${r.status}; it cannot be aborted now.`,
    );
    return false;
  }
  await refreshProgress(progress(deps), r);
  await backfillTimeline(
    progress(deps),
    r,
    'aborted',
    `aborted after its failure by <@${user}>; production untouched`,
    user,
  );
  return true;
}

export async function rollback(deps: Deps, id: string, user: string, channel?: string): Promise<boolean> {
  const store = backfillStore(deps.state, deps.config.env.MEDIC_PREFIX);
  const r = await store.get(id);
  if (!r) return false;
  if (!canRollback(r)) {
    await ephemeral(
      deps,
      channel,
      user,
      `:information_source: Nothing to roll back: this backfill is ${r.status}.`,
    );
    return false;
  }
  // A Retry rollback is a new job (the first one ended); two clicks on one message share its id.
  const retry = canRetryRollback(r);
  await deps.producers.enqueue(
    'backfill',
    { backfillId: id, step: 'rollback', polls: 0, actor: user },
    { jobId: retry ? `backfill-${id}-rollback-retry${r.rollback!.attempt}` : `backfill-${id}-rollback` },
  );
  if (retry)
    await backfillTimeline(
      progress(deps),
      r,
      `rollback-retry-${r.rollback!.attempt}`,
      `Retry rollback by <@${user}> (attempt ${r.rollback!.attempt + 1})`,
      user,
    );
  await ephemeral(
    deps,
    channel,
    user,
    retry
      ? `:rewind: Retrying the rollback of backfill \`${id}\`: what is not restored yet is copied back…`
      : `:rewind: Rolling back backfill \`${id}\`…`,
  );
  return true;
}

/**
 * Retry promotion, after a promotion that failed and was rolled back completely. It promotes the
 * same validated staging output under the same approval, and asks for no new one: the approval
 * was given for exactly this change (these days, this staging output, the diff shown), the
 * rollback put production back as the approvers saw it, and nothing that was approved changed —
 * as a Mitigation Retry re-executes the approved plan. What would need a new approval (new staging
 * output, another window) is a Resume or a new backfill, which ask for one. The approval must still
 * be `approved`; only from the backfill's own channel; one atomic update, so two clicks retry once.
 */
export async function retryPromotion(
  deps: Deps,
  id: string,
  user: string,
  channel?: string,
): Promise<boolean> {
  const store = backfillStore(deps.state, deps.config.env.MEDIC_PREFIX);
  const r = await store.get(id);
  if (!r) return false;
  if (channel !== r.plan.channel) {
    deps.logger.warn(
      { backfillId: id, user, channel, owner: r.plan.channel },
      'a retry click from another channel',
    );
    await ephemeral(
      deps,
      channel,
      user,
      `:no_entry: Backfill ${code(id)} belongs to another channel (<#${r.plan.channel}>); retry it there. Nothing was promoted.`,
    );
    return false;
  }
  if (!canRetryPromotion(r)) {
    await ephemeral(
      deps,
      channel,
      user,
      `:information_source: This backfill is ${r.status}${r.status === 'running' ? ' (already being retried)' : ''}; there is no rolled-back promotion to retry.`,
    );
    return false;
  }
  const a = await backfillApprovals(deps.state, deps.config.env.MEDIC_PREFIX).get(r.approvalId!);
  if (a?.state !== 'approved') {
    await ephemeral(
      deps,
      channel,
      user,
      `:no_entry: Approval ${code(r.approvalId!)} is ${a?.state ?? 'gone'}; start the backfill again. Nothing was promoted.`,
    );
    return false;
  }
  const claim = await store.reclaim(r.plan.job, id);
  if (!claim.ok) {
    await ephemeral(
      deps,
      channel,
      user,
      `:warning: ${code(r.plan.job)} has another backfill in progress (${code(claim.activeId)}); retry this one after it ends.`,
    );
    return false;
  }
  const now = deps.now();
  let n = 0;
  const next = await store.update(id, (cur) => {
    n = 0;
    if (!canRetryPromotion(cur)) return undefined;
    const x = retryPromotionRecord(cur, user, now);
    n = x.promoteRetries!.length;
    return x;
  });
  if (!next || n === 0) {
    await ephemeral(
      deps,
      channel,
      user,
      `:hourglass_flowing_sand: Backfill ${code(id)} is already being retried.`,
    );
    return false;
  }
  await refreshProgress(progress(deps), next);
  try {
    await deps.producers.enqueue(
      'backfill',
      { backfillId: id, step: 'promote', polls: 0 },
      { jobId: `backfill-${id}-promote-retry${n}` },
    );
  } catch (err) {
    // Put the record back as it was, so the message and its Retry button say the truth.
    const back = await store.update(id, (cur) =>
      cur.promoteRetries?.length === n && cur.steps.promote.state === 'pending' ? r : undefined,
    );
    if (back) await refreshProgress(progress(deps), back);
    await store.release(r.plan.job, id);
    throw err;
  }
  await backfillTimeline(
    progress(deps),
    next,
    `retry-promotion-${n}`,
    `Retry promotion ${n} by <@${user}>: the approved staging output is promoted again (approval ${a.id}) from the restored state`,
    user,
  );
  await ephemeral(deps, channel, user, `:repeat: Retrying the promotion of backfill ${code(id)}…`);
  return true;
}

export async function decide(
  deps: Deps,
  verb: 'approve' | 'reject',
  id: string,
  user: string,
  channel?: string,
): Promise<'approved' | 'rejected' | 'refused'> {
  const store = backfillStore(deps.state, deps.config.env.MEDIC_PREFIX);
  const approvals = backfillApprovals(deps.state, deps.config.env.MEDIC_PREFIX);
  const r = await store.get(id);
  const a = r?.approvalId ? await approvals.get(r.approvalId) : undefined;
  if (!r || !a) {
    await ephemeral(
      deps,
      channel,
      user,
      ':warning: This approval request is unknown or too old; nothing was promoted.',
    );
    return 'refused';
  }
  if (fromOtherChannel(a, channel)) {
    deps.logger.warn(
      { approvalId: a.id, user, channel, owner: a.channel },
      'a backfill approval click from another channel',
    );
    await ephemeral(deps, channel, user, otherChannelText(a, 'promoted'));
    return 'refused';
  }
  const now = deps.now();
  const { decision, groupMembers } = await decideClick(deps, a, user, verb, now);
  if (!decision.allowed) {
    const who = whoMayApprove(a.approvers, groupMembers, a.requester);
    const why =
      decision.reason === 'four-eyes'
        ? `You requested this backfill, so someone else must ${verb} it (four-eyes).`
        : decision.reason === 'not-pending'
          ? `This request was already ${a.state}.`
          : decision.reason === 'expired'
            ? 'This request expired; start the backfill again.'
            : decision.reason === 'no-approvers'
              ? `No approvers are configured for ${code(r.plan.job)}.`
              : `You are not among the approvers of ${code(r.plan.job)}.`;
    await ephemeral(deps, channel ?? r.plan.channel, user, `:no_entry: ${why} May ${verb}: ${who}.`);
    return 'refused';
  }
  const res = await approvals.transition(a.id, verb === 'approve' ? 'approved' : 'rejected', user, now);
  if (!res.ok) {
    await ephemeral(
      deps,
      channel ?? r.plan.channel,
      user,
      `:information_source: This request was already ${res.state}.`,
    );
    return 'refused';
  }
  const decided = res.approval;
  if (decided.messageTs) {
    const msg = renderBackfillApproval(r, {
      approvalId: a.id,
      state: decided.state,
      whoMayApprove: whoMayApprove(a.approvers, groupMembers, a.requester),
      ...(decided.decidedBy ? { decidedBy: decided.decidedBy } : {}),
      expiresAt: a.expiresAt,
    });
    await deps.slack.chat.update({
      channel: r.plan.channel,
      ts: decided.messageTs,
      text: msg.text,
      blocks: slackBlocks(msg.blocks),
    });
  }
  if (verb === 'reject') {
    const failed = await store.update(id, (cur) => ({
      ...cur,
      status: 'failed',
      failure: `rejected by <@${user}>; nothing promoted`,
      steps: {
        ...cur.steps,
        approval: { ...cur.steps.approval, state: 'failed', finishedAt: now, error: 'rejected' },
      },
      updatedAt: now,
    }));
    if (failed) {
      await refreshProgress(progress(deps), failed);
      await backfillTimeline(progress(deps), failed, 'rejected', `promotion rejected by <@${user}>`, user);
      await store.release(failed.plan.job, id);
    }
    return 'rejected';
  }
  const approved = await store.update(id, (cur) =>
    cur.steps.approval.state === 'waiting'
      ? applyStep(cur, 'approval', { type: 'done', at: now, summary: `approved by <@${user}>` })
      : undefined,
  );
  if (approved) await refreshProgress(progress(deps), approved);
  const acknowledged = r.parity?.needsAcknowledgement
    ? `, acknowledging that ${r.parity.stagingJob} differs from ${r.parity.prodJob} in ${r.parity.differences
        .filter((d) => d.acknowledge)
        .map((d) => d.what)
        .join(' and ')}`
    : '';
  await backfillTimeline(
    progress(deps),
    r,
    'approved',
    `promotion approved by <@${user}>${acknowledged}`,
    user,
  );
  await deps.producers.enqueue(
    'backfill',
    { backfillId: id, step: 'promote', polls: 0 },
    { jobId: `backfill-${id}-promote` },
  );
  return 'approved';
}
