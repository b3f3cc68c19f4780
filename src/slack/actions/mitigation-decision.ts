// medic.mitigation.approve / medic.mitigation.reject. The policy (domain/approval-policy) says who
// may decide; the store's Lua transition makes the decision once, so two Approve clicks at the same
// moment start one run: the loser is told who won. The winner's approval enqueues the mitigation
// job with the approval id as its job id, so retries and duplicates execute once.
import type { App } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import {
  isMitigationKind,
  mention,
  whoMayApprove,
  type RefusalReason,
} from '../../domain/approval-policy.js';

import type { Approval } from '../../store/approvals.js';
import { APPROVE_ACTION, KIND_TITLE, REJECT_ACTION, slackDate } from '../blocks/approval-request.js';
import {
  approvalStore,
  ephemeral,
  decideClick,
  fromOtherChannel,
  otherChannelText,
  updateApprovalMessage,
  registerDecisionButtons,
  type DecisionVerb,
} from './mitigation-shared.js';
import { tickDecision } from './mitigation-submit.js';
import { code } from '../mrkdwn.js';

type Verb = DecisionVerb;

export function registerMitigationDecision(app: App, deps: Deps): void {
  registerDecisionButtons(app, deps, {
    approve: APPROVE_ACTION,
    reject: REJECT_ACTION,
    what: 'mitigation',
    valueField: 'approvalId',
    logChannel: true,
    decide: (verb, value, user, channel) => decide(deps, verb, value, user, channel),
    failText: (verb, id) =>
      `:warning: Your ${verb === 'approve' ? 'approval' : 'rejection'} could not be recorded (error id \`${id}\`). Click again.`,
  });
}

function title(a: Approval): string {
  return `${KIND_TITLE[a.params.kind]} on ${a.job} (${a.env})`;
}

function alreadyDecided(a: Approval): string {
  const by = a.decidedBy ? ` by ${mention(a.decidedBy)}` : '';
  if (a.state === 'expired') return `This request expired ${slackDate(a.expiresAt)}; nothing was run.`;
  return `This request was already ${a.state}${by}.`;
}

export async function decide(
  deps: Deps,
  verb: Verb,
  approvalId: string,
  user: string,
  channel: string | undefined,
): Promise<'approved' | 'rejected' | 'refused'> {
  const store = approvalStore(deps);
  const a = await store.get(approvalId);
  if (!a) {
    await ephemeral(
      deps,
      channel,
      user,
      ':warning: This approval request is unknown or too old; nothing was run.',
    );
    return 'refused';
  }
  // Approvals of every kind share one id space: a mitigation button decides mitigations only, and
  // only from the channel its request was posted in.
  if (isMitigationKind(a.params.kind) && fromOtherChannel(a, channel)) {
    deps.logger.warn(
      { approvalId, user, channel, owner: a.channel },
      'an approval click from another channel',
    );
    await ephemeral(deps, channel, user, otherChannelText(a, 'run'));
    return 'refused';
  }
  if (!isMitigationKind(a.params.kind)) {
    deps.logger.warn(
      { approvalId, user, channel, kind: a.params.kind },
      'a mitigation click for another request',
    );
    await ephemeral(
      deps,
      channel,
      user,
      ':warning: This button does not belong to that request; nothing was run.',
    );
    return 'refused';
  }
  const where = channel ?? a.channel;
  const now = deps.now();
  const { decision, groupMembers } = await decideClick(deps, a, user, verb, now);
  if (!decision.allowed) {
    await refuse(deps, a, decision.reason, user, where, verb, groupMembers, now);
    return 'refused';
  }
  const res = await store.transition(a.id, verb === 'approve' ? 'approved' : 'rejected', user, now);
  if (!res.ok) {
    // Someone else decided first, or it expired between the check and the click.
    const current = res.approval ?? a;
    if (res.state === 'expired') await expired(deps, current, now);
    await ephemeral(deps, where, user, `:information_source: ${alreadyDecided(current)}`);
    return 'refused';
  }
  const approval = res.approval;
  await updateApprovalMessage(deps.slack, approval);
  if (verb === 'reject') {
    if (a.incidentId)
      await deps.timeline.append(
        a.incidentId,
        {
          at: now,
          kind: 'rejection',
          actor: user,
          job: a.job,
          text: `Approval ${a.id} rejected by <@${user}>: ${title(a)}`,
        },
        `approval-decision-${a.id}`,
      );
    return 'rejected';
  }
  if (a.incidentId) {
    await deps.timeline.append(
      a.incidentId,
      {
        at: now,
        kind: 'approval',
        actor: user,
        job: a.job,
        text: `Approval ${a.id} approved by <@${user}>: ${title(a)}`,
      },
      `approval-decision-${a.id}`,
    );
    await tickDecision(
      deps,
      a.incidentId,
      user,
      now,
      `${KIND_TITLE[a.params.kind].toLowerCase()} of ${a.job} approved`,
      a.job,
    );
    await deps.incidents.update(a.incidentId, (i) =>
      i.status === 'investigating' ? { ...i, status: 'mitigating' } : undefined,
    );
  }
  try {
    // The approval id is the job id: a duplicate enqueue (a retry, a second process) is one job.
    await deps.producers.enqueue(
      'mitigation',
      { approvalId: a.id, step: 'start', polls: 0 },
      { jobId: a.id },
    );
  } catch (err) {
    deps.logger.error({ err, approvalId: a.id }, 'approved mitigation could not be queued');
    await ephemeral(
      deps,
      where,
      user,
      `:x: Approved, but the queue is unavailable: the mitigation has not started. It will not start by itself; ask an admin to check Redis.`,
    );
  }
  return 'approved';
}

async function expired(deps: Deps, a: Approval, now: number): Promise<void> {
  await updateApprovalMessage(deps.slack, a);
  if (a.incidentId)
    await deps.timeline.append(
      a.incidentId,
      {
        at: now,
        kind: 'note',
        actor: 'medic',
        job: a.job,
        text: `Approval ${a.id} expired without a decision: ${title(a)}`,
      },
      `approval-expired-${a.id}`,
    );
}

async function refuse(
  deps: Deps,
  a: Approval,
  reason: RefusalReason,
  user: string,
  channel: string,
  verb: Verb,
  groupMembers: Record<string, string[]>,
  now: number,
): Promise<void> {
  if (reason === 'not-pending') {
    await ephemeral(deps, channel, user, `:information_source: ${alreadyDecided(a)}`);
    return;
  }
  if (reason === 'expired') {
    const res = await approvalStore(deps).transition(a.id, 'expired', 'medic', now);
    const current = res.approval ?? a;
    if (res.ok) await expired(deps, current, now);
    await ephemeral(deps, channel, user, `:alarm_clock: ${alreadyDecided({ ...current, state: 'expired' })}`);
    return;
  }
  const who = whoMayApprove(a.approvers, groupMembers, a.requester);
  const why =
    reason === 'four-eyes'
      ? `You requested this mitigation, so someone else must ${verb} it (four-eyes).`
      : reason === 'no-approvers'
        ? `No approvers are configured for ${code(a.job)}.`
        : `You are not among the approvers of ${code(a.job)}.`;
  await ephemeral(deps, channel, user, `:no_entry: ${why} May ${verb}: ${who}.`);
  if (a.incidentId)
    await deps.timeline.append(a.incidentId, {
      at: now,
      kind: 'note',
      actor: user,
      job: a.job,
      text: `${verb === 'approve' ? 'Approval' : 'Rejection'} of ${a.id} by <@${user}> refused (${reason}): ${title(a)}`,
    });
}
