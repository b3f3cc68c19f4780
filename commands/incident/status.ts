// /incident status [investigating|mitigating|monitoring]: without a status, posts the current
// summary in the channel; with one, moves the incident there. Reaching "monitoring" records the
// time to mitigate and cancels the escalation timer; going back restarts it.
import type { Incident, IncidentStatus } from '../../src/store/incidents.js';
import { channelTopic, renderIncidentSummary } from '../../src/slack/blocks/incident.js';
import { refreshIncidentSummary } from '../../src/slack/incident-summary.js';
import { escapeMrkdwn } from '../../src/slack/mrkdwn.js';
import { cancelEscalation, scheduleEscalation } from '../../src/queue/escalation.js';
import { afterAck, ephemeral, recordCommand, type IncidentContext, type IncidentOutcome } from './shared.js';
import { slackBlocks } from '../../src/slack/blocks/kit.js';
import { shown } from '../args.js';

const SETTABLE: readonly IncidentStatus[] = ['investigating', 'mitigating', 'monitoring'];

export async function status(ctx: IncidentContext, incident: Incident): Promise<IncidentOutcome> {
  const { deps, command, ack } = ctx;
  const wanted = ctx.rest.trim().toLowerCase();
  if (!wanted) {
    const checklist = await deps.checklists.get(incident.id);
    const msg = renderIncidentSummary(incident, { checklist });
    await ack({ response_type: 'in_channel', text: msg.text, blocks: slackBlocks(msg.blocks) });
    await afterAck(ctx, 'status', () => recordCommand(ctx, incident));
    return 'done';
  }
  if (wanted === 'resolved') {
    await ack(
      ephemeral(
        ':information_source: Use `/incident resolve [--cause TEXT]` to resolve; it records the cause and the times.',
      ),
    );
    return 'invalid';
  }
  if (!SETTABLE.includes(wanted as IncidentStatus)) {
    await ack(
      ephemeral(
        `:warning: Unknown status "${escapeMrkdwn(shown(wanted))}"; use investigating, mitigating or monitoring. Nothing was changed.`,
      ),
    );
    return 'invalid';
  }
  if (incident.status === 'resolved') {
    await ack(
      ephemeral(`:information_source: *${escapeMrkdwn(incident.id)}* is resolved; nothing was changed.`),
    );
    return 'invalid';
  }
  const next = wanted as IncidentStatus;
  const now = deps.now();
  const before = incident.status;
  const updated =
    (await deps.incidents.update(incident.id, (i) =>
      i.status === next
        ? undefined
        : {
            ...i,
            status: next,
            ...(next === 'monitoring' && i.mitigatedAt === undefined ? { mitigatedAt: now } : {}),
          },
    )) ?? incident;
  await ack(ephemeral(`:white_check_mark: *${escapeMrkdwn(incident.id)}*: ${before} → ${updated.status}.`));
  await afterAck(ctx, 'status', async () => {
    await recordCommand(ctx, updated);
    if (before === next) return;
    await deps.timeline.append(updated.id, {
      at: now,
      kind: 'status',
      actor: command.user_id,
      text: `Status ${before} → ${next}`,
    });
    if (next === 'monitoring') await cancelEscalation(deps, updated.id);
    else await scheduleEscalation(deps, updated);
    await deps.slack.conversations
      .setTopic({ channel: updated.channel, topic: channelTopic(updated) })
      .catch(() => undefined);
    await refreshIncidentSummary(deps, updated.id);
    await deps.slack.chat.postMessage({
      channel: updated.channel,
      text: `:arrows_counterclockwise: <@${command.user_id}> moved *${escapeMrkdwn(updated.id)}* from ${before} to *${next}*.${next === 'monitoring' ? ' The escalation timer is cancelled.' : ''}`,
    });
  });
  return 'done';
}
