// medic.followup.monitoring / medic.followup.resolve: the buttons on a "Recovered" verdict of a
// mitigation's follow-up. They act on the follow-up's own incident, from its own channel only:
// monitoring records the time to mitigate and cancels the escalation timer; resolve closes the
// incident as `/incident resolve` does. The verdict's message then says who did what.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { errorId } from '../../logger.js';
import {
  FOLLOWUP_MONITORING_ACTION,
  FOLLOWUP_RESOLVE_ACTION,
  renderFollowUpReply,
} from '../blocks/follow-up.js';
import { channelTopic, renderResolved } from '../blocks/incident.js';
import { slackBlocks } from '../blocks/kit.js';
import { refreshIncidentSummary } from '../incident-summary.js';
import { cancelEscalation } from '../../queue/escalation.js';
import { formatDuration } from '../../domain/format.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { FollowUpStore } from '../../store/followups.js';
import { ephemeral } from './mitigation-shared.js';

export function registerFollowUpActions(app: App, deps: Deps): void {
  for (const [actionId, to] of [
    [FOLLOWUP_MONITORING_ACTION, 'monitoring'],
    [FOLLOWUP_RESOLVE_ACTION, 'resolved'],
  ] as const) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action }) => {
      await ack();
      const user = body.user.id;
      const channel = body.channel?.id;
      try {
        await closeFromFollowUp(deps, action.value ?? '', to, user, channel);
      } catch (err) {
        const id = errorId();
        deps.logger.error({ err, errorId: id, user, channel }, 'follow-up button failed');
        await ephemeral(
          deps,
          channel,
          user,
          `:warning: That could not be recorded (error id \`${id}\`); the incident was not changed. Click again.`,
        );
      }
    });
  }
}

export async function closeFromFollowUp(
  deps: Deps,
  followId: string,
  to: 'monitoring' | 'resolved',
  user: string,
  channel: string | undefined,
): Promise<'done' | 'refused'> {
  const store = new FollowUpStore(deps.state, deps.config.env.MEDIC_PREFIX);
  const f = await store.get(followId);
  if (!f?.incidentId || (channel !== undefined && channel !== f.channel)) {
    await ephemeral(
      deps,
      channel,
      user,
      ':warning: This button is stale or not for this channel; nothing was changed.',
    );
    return 'refused';
  }
  const incident = await deps.incidents.get(f.incidentId);
  if (!incident || incident.status === 'resolved') {
    await ephemeral(
      deps,
      channel,
      user,
      `:information_source: *${escapeMrkdwn(f.incidentId)}* is ${incident ? 'already resolved' : 'unknown'}; nothing was changed.`,
    );
    return 'refused';
  }
  const now = deps.now();
  const before = incident.status;
  const updated =
    (await deps.incidents.update(incident.id, (i) =>
      i.status === 'resolved' || i.status === to
        ? undefined
        : {
            ...i,
            status: to,
            mitigatedAt: i.mitigatedAt ?? now,
            ...(to === 'resolved' ? { resolvedAt: now } : {}),
          },
    )) ?? incident;
  await cancelEscalation(deps, incident.id).catch((err: unknown) =>
    deps.logger.warn(
      { err, incidentId: incident.id },
      'could not cancel the escalation timer; it will skip itself',
    ),
  );
  const closed = { ...f, closedBy: user, closedAs: to };
  await store.put(closed);
  if (f.replyTs) {
    const msg = renderFollowUpReply(closed, { incidentOpen: false });
    await deps.slack.chat
      .update({ channel: f.channel, ts: f.replyTs, text: msg.text, blocks: slackBlocks(msg.blocks) })
      .catch((err: unknown) => deps.logger.warn({ err, followId }, 'could not update the verdict message'));
  }
  if (before === updated.status) return 'done';
  const ttm = formatDuration(((updated.mitigatedAt ?? now) - updated.openedAt) / 1000);
  await deps.timeline.append(updated.id, {
    at: now,
    kind: 'status',
    actor: user,
    text:
      to === 'resolved'
        ? `Status ${before} → resolved from the recovery verdict of ${f.job} (time to mitigate ${ttm}, to resolve ${formatDuration(((updated.resolvedAt ?? now) - updated.openedAt) / 1000)})`
        : `Status ${before} → monitoring from the recovery verdict of ${f.job} (time to mitigate ${ttm})`,
  });
  await deps.slack.conversations
    .setTopic({ channel: updated.channel, topic: channelTopic(updated) })
    .catch(() => undefined);
  await refreshIncidentSummary(deps, updated.id);
  if (to === 'resolved') {
    const msg = renderResolved(updated, user);
    await deps.slack.chat.postMessage({
      channel: updated.channel,
      text: msg.text,
      blocks: slackBlocks(msg.blocks),
    });
  } else {
    await deps.slack.chat.postMessage({
      channel: updated.channel,
      text: `:arrows_counterclockwise: <@${user}> moved *${escapeMrkdwn(updated.id)}* from ${before} to *monitoring* after ${escapeMrkdwn(f.job)} recovered. The escalation timer is cancelled.`,
    });
  }
  return 'done';
}
