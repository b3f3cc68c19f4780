// /incident resolve [--cause TEXT]: closes the incident, cancels the escalation timer, records the
// time to mitigate and to resolve, and says so in the channel.
import type { Incident } from '../../src/store/incidents.js';
import { channelTopic, renderResolved } from '../../src/slack/blocks/incident.js';
import { refreshIncidentSummary } from '../../src/slack/incident-summary.js';
import { escapeMrkdwn } from '../../src/slack/mrkdwn.js';
import { formatDuration } from '../../src/domain/format.js';
import { cancelEscalation } from '../../src/queue/escalation.js';
import { afterAck, ephemeral, recordCommand, type IncidentContext, type IncidentOutcome } from './shared.js';
import { slackBlocks } from '../../src/slack/blocks/kit.js';

const MAX_CAUSE = 2000;

export async function resolve(ctx: IncidentContext, incident: Incident): Promise<IncidentOutcome> {
  const { deps, command, ack, flags } = ctx;
  const cause = typeof flags.cause === 'string' ? flags.cause.trim() : ctx.rest.trim() || undefined;
  if (incident.status === 'resolved') {
    await ack(ephemeral(`:information_source: *${escapeMrkdwn(incident.id)}* is already resolved.`));
    return 'invalid';
  }
  if (cause && cause.length > MAX_CAUSE) {
    await ack(
      ephemeral(
        `:warning: The cause is ${cause.length} characters long; at most ${MAX_CAUSE}. Nothing was changed.`,
      ),
    );
    return 'invalid';
  }
  const now = deps.now();
  const before = incident.status;
  const resolved =
    (await deps.incidents.update(incident.id, (i) =>
      i.status === 'resolved'
        ? undefined
        : {
            ...i,
            status: 'resolved',
            resolvedAt: now,
            mitigatedAt: i.mitigatedAt ?? now,
            ...(cause ? { cause } : {}),
          },
    )) ?? incident;
  // Cancel before answering: once the user reads "resolved", no escalation may follow.
  await cancelEscalation(deps, incident.id).catch((err: unknown) =>
    deps.logger.warn(
      { err, incidentId: incident.id },
      'could not cancel the escalation timer; it will skip itself',
    ),
  );
  const ttr = formatDuration(((resolved.resolvedAt ?? now) - resolved.openedAt) / 1000);
  await ack(
    ephemeral(
      `:white_check_mark: *${escapeMrkdwn(resolved.id)}* resolved (time to resolve ${ttr}); the escalation timer is cancelled.`,
    ),
  );
  await afterAck(ctx, 'resolve', async () => {
    await recordCommand(ctx, resolved);
    await deps.timeline.append(resolved.id, {
      at: now,
      kind: 'status',
      actor: command.user_id,
      text: `Status ${before} → resolved${cause ? `; cause: ${cause}` : ''} (time to mitigate ${formatDuration(((resolved.mitigatedAt ?? now) - resolved.openedAt) / 1000)}, to resolve ${ttr})`,
    });
    await deps.slack.conversations
      .setTopic({ channel: resolved.channel, topic: channelTopic(resolved) })
      .catch(() => undefined);
    await refreshIncidentSummary(deps, resolved.id);
    const msg = renderResolved(resolved, command.user_id);
    await deps.slack.chat.postMessage({
      channel: resolved.channel,
      text: msg.text,
      blocks: slackBlocks(msg.blocks),
    });
  });
  return 'done';
}
