// What the mitigation listeners share: the approval store, user-group members (usergroups.users.list,
// cached briefly so a burst of clicks makes one call), the message update and ephemeral answers.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Deps } from '../../deps.js';
import { ApprovalStore, type Approval } from '../../store/approvals.js';
import { checkApproval, checkRejection, isUserGroup, type Decision } from '../../domain/approval-policy.js';
import { renderApproval } from '../blocks/approval-request.js';
import { slackBlocks } from '../blocks/kit.js';
import { errorId, type Logger } from '../../logger.js';
import { isRedisUnavailable, REDIS_UNAVAILABLE } from '../../queue/unavailable.js';

export function approvalStore(deps: Pick<Deps, 'state' | 'config'>): ApprovalStore {
  return new ApprovalStore(deps.state, deps.config.env.MEDIC_PREFIX);
}

/** Group members are cached this long: changes in Slack reach approvals within a minute. */
const GROUP_CACHE_MS = 60_000;
const groupCache = new Map<string, { users: string[]; at: number }>();

/** Members of each user group among the principals; a group that cannot be read counts as empty. */
export async function resolveGroups(
  slack: WebClient,
  principals: readonly string[],
  logger: Logger,
): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  const now = Date.now();
  await Promise.all(
    principals.filter(isUserGroup).map(async (group) => {
      const hit = groupCache.get(group);
      if (hit && now - hit.at < GROUP_CACHE_MS) {
        out[group] = hit.users;
        return;
      }
      try {
        const res = await slack.usergroups.users.list({ usergroup: group });
        const users = (res.users ?? []).filter((u): u is string => typeof u === 'string');
        groupCache.set(group, { users, at: now });
        out[group] = users;
      } catch (err) {
        logger.warn({ err, group }, 'could not list the members of an approver user group');
        out[group] = [];
      }
    }),
  );
  return out;
}

/** Re-render the approval message from the stored state. */
export async function updateApprovalMessage(slack: WebClient, a: Approval): Promise<void> {
  if (!a.messageTs) return;
  const msg = renderApproval(a);
  await slack.chat.update({
    channel: a.channel,
    ts: a.messageTs,
    text: msg.text,
    blocks: slackBlocks(msg.blocks),
  });
}

export async function ephemeral(
  deps: Pick<Deps, 'slack' | 'logger'>,
  channel: string | undefined,
  user: string,
  text: string,
): Promise<void> {
  if (!channel) return;
  try {
    await deps.slack.chat.postEphemeral({ channel, user, text });
  } catch (err) {
    deps.logger.warn({ err, channel, user }, 'could not answer with an ephemeral message');
  }
}

/**
 * The policy's answer to an Approve or Reject click on any approval (mitigation or backfill):
 * the approvers' groups resolved, four-eyes, expiry and state checked in one place.
 */
export async function decideClick(
  deps: Deps,
  a: Pick<Approval, 'approvers' | 'requester' | 'state' | 'expiresAt'>,
  actor: string,
  verb: 'approve' | 'reject',
  now: number,
): Promise<{ decision: Decision; groupMembers: Awaited<ReturnType<typeof resolveGroups>> }> {
  const groupMembers = await resolveGroups(deps.slack, a.approvers, deps.logger);
  const ctx = {
    actor,
    requester: a.requester,
    principals: a.approvers,
    groupMembers,
    env: deps.config.env.MEDIC_ENV,
    allowSelfApproval: deps.config.medic.slack.allowSelfApproval,
    state: a.state,
    expiresAt: a.expiresAt,
    now,
  };
  return { decision: verb === 'approve' ? checkApproval(ctx) : checkRejection(ctx), groupMembers };
}

/**
 * A decision click must come from the approval's own channel: a click carrying another channel's
 * approval (a copied button, a forged payload) is refused with this explanation.
 */
export function fromOtherChannel(a: Pick<Approval, 'channel'>, channel: string | undefined): boolean {
  return channel !== undefined && channel !== a.channel;
}

export function otherChannelText(a: Pick<Approval, 'id' | 'channel'>, what: string): string {
  return `:no_entry: Approval \`${a.id}\` belongs to <#${a.channel}>: approve or reject it there. Nothing was ${what}.`;
}

export type DecisionVerb = 'approve' | 'reject';

/**
 * The Approve / Reject buttons of an approval (a mitigation, a schema plan): each acks first, then
 * `decide` runs with the button's value; a decision that throws is logged with an error id and
 * the clicker told (Redis unavailable, or `failText`) — never a silent click.
 */
export function registerDecisionButtons(
  app: App,
  deps: Deps,
  o: {
    approve: string;
    reject: string;
    /** What is decided, for the log ("mitigation", "schema plan"). */
    what: string;
    /** The log field the button's value goes in ("approvalId", "planId"). */
    valueField: string;
    decide(verb: DecisionVerb, value: string, user: string, channel: string | undefined): Promise<unknown>;
    failText(verb: DecisionVerb, errorId: string): string;
    /** Log the click's channel too. */
    logChannel?: boolean;
  },
): void {
  for (const [actionId, verb] of [
    [o.approve, 'approve'],
    [o.reject, 'reject'],
  ] as const) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action }) => {
      await ack();
      const user = body.user.id;
      const channel = body.channel?.id;
      try {
        await o.decide(verb, action.value ?? '', user, channel);
      } catch (err) {
        const id = errorId();
        deps.logger.error(
          { err, errorId: id, user, ...(o.logChannel ? { channel } : {}), [o.valueField]: action.value },
          `${o.what} ${verb} failed`,
        );
        await ephemeral(
          deps,
          channel,
          user,
          isRedisUnavailable(err) ? REDIS_UNAVAILABLE : o.failText(verb, id),
        );
      }
    });
  }
}
