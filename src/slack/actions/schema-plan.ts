// medic.schema.approve / medic.schema.reject: a schema migration plan a CI pipeline asked for
// (POST /api/v1/schema-plans). The same four-eyes policy and Lua transition as mitigations; the
// CI identity and a commit author named as a Slack user may not approve their own change. The
// message is re-rendered in place; the pipeline sees the decision on its next poll.
import type { App } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { whoMayApprove } from '../../domain/approval-policy.js';
import { SchemaPlanStore } from '../../store/schema-plans.js';
import {
  renderSchemaPlan,
  schemaPlanView as view,
  SCHEMA_APPROVE_ACTION,
  SCHEMA_REJECT_ACTION,
} from '../blocks/schema-plan.js';
import { slackBlocks } from '../blocks/kit.js';
import {
  approvalStore,
  decideClick,
  ephemeral,
  fromOtherChannel,
  otherChannelText,
  registerDecisionButtons,
} from './mitigation-shared.js';

export function registerSchemaPlanActions(app: App, deps: Deps): void {
  registerDecisionButtons(app, deps, {
    approve: SCHEMA_APPROVE_ACTION,
    reject: SCHEMA_REJECT_ACTION,
    what: 'schema plan',
    valueField: 'planId',
    decide: (verb, value, user, channel) => decideSchemaPlan(deps, verb, value, user, channel),
    failText: (_verb, id) =>
      `:warning: Your decision could not be recorded (error id \`${id}\`). Click again.`,
  });
}

export async function decideSchemaPlan(
  deps: Deps,
  verb: 'approve' | 'reject',
  planId: string,
  user: string,
  channel: string | undefined,
): Promise<'approved' | 'rejected' | 'refused'> {
  const store = approvalStore(deps);
  const a = await store.get(planId);
  const plan = await new SchemaPlanStore(deps.state, deps.config.env.MEDIC_PREFIX).get(planId);
  const kind = (a?.params as { kind?: string } | undefined)?.kind;
  if (a && plan && kind === 'schema-plan' && fromOtherChannel(a, channel)) {
    await ephemeral(deps, channel, user, otherChannelText(a, 'decided'));
    return 'refused';
  }
  if (!a || !plan || kind !== 'schema-plan') {
    await ephemeral(
      deps,
      channel,
      user,
      ':warning: This schema plan is unknown here or too old; nothing was decided.',
    );
    return 'refused';
  }
  const now = deps.now();
  const { decision, groupMembers } = await decideClick(deps, a, user, verb, now);
  if (!decision.allowed) {
    const why =
      decision.reason === 'four-eyes'
        ? 'You asked for this change, so someone else must decide (four-eyes).'
        : decision.reason === 'expired' || decision.reason === 'not-pending'
          ? `This plan is already ${decision.reason === 'expired' ? 'expired' : a.state}.`
          : `You are not among the approvers. May decide: ${whoMayApprove(a.approvers, groupMembers, a.requester)}.`;
    await ephemeral(deps, channel, user, `:no_entry: ${why}`);
    return 'refused';
  }
  const res = await store.transition(a.id, verb === 'approve' ? 'approved' : 'rejected', user, now);
  const current = res.ok ? res.approval : (res.approval ?? a);
  if (a.messageTs) {
    const msg = renderSchemaPlan({
      ...view(plan),
      state: current.state,
      expiresAt: current.expiresAt,
      ...(current.decidedBy ? { decidedBy: current.decidedBy } : {}),
    });
    await deps.slack.chat
      .update({ channel: a.channel, ts: a.messageTs, text: msg.text, blocks: slackBlocks(msg.blocks) })
      .catch((err: unknown) => deps.logger.warn({ err, planId }, 'could not update the schema plan message'));
  }
  if (!res.ok) {
    await ephemeral(deps, channel, user, `:information_source: This plan is already ${current.state}.`);
    return 'refused';
  }
  deps.logger.info({ planId, user, verb }, 'schema plan decided');
  return verb === 'approve' ? 'approved' : 'rejected';
}
