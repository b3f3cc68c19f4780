// /incident escalate: notify the Data Owner and the on-call SRE now (the escalation worker does
// it, the same way the timer does).
import type { Incident } from '../../src/store/incidents.js';
import { QueueUnavailableError } from '../../src/queue/producers.js';
import { escapeMrkdwn } from '../../src/slack/mrkdwn.js';
import { requestEscalation } from '../../src/queue/escalation.js';
import { afterAck, ephemeral, recordCommand, type IncidentContext, type IncidentOutcome } from './shared.js';

export async function escalate(ctx: IncidentContext, incident: Incident): Promise<IncidentOutcome> {
  const { deps, command, ack } = ctx;
  if (incident.status === 'resolved') {
    await ack(
      ephemeral(`:information_source: *${escapeMrkdwn(incident.id)}* is resolved; nothing to escalate.`),
    );
    return 'invalid';
  }
  let created: boolean;
  try {
    ({ created } = await requestEscalation(deps, incident.id, command.user_id));
  } catch (err) {
    if (!(err instanceof QueueUnavailableError)) throw err;
    await ack(
      ephemeral(
        ':x: The queue is unavailable; nobody was notified. Try again in a minute, or page the on-call SRE by hand.',
      ),
    );
    return 'unavailable';
  }
  const who = [
    incident.oncallSre ? `the on-call SRE <!subteam^${incident.oncallSre}>` : undefined,
    incident.dataOwner ? `the Data Owner <@${incident.dataOwner}>` : undefined,
  ]
    .filter(Boolean)
    .join(' and ');
  await ack(
    ephemeral(
      created
        ? `:rotating_light: Escalating *${escapeMrkdwn(incident.id)}* now: notifying ${who || 'the channel'} with the logs, metrics, steps taken and the checklist.`
        : `:hourglass_flowing_sand: An escalation of *${escapeMrkdwn(incident.id)}* was just requested; it is on its way.`,
    ),
  );
  if (created) await afterAck(ctx, 'escalate', () => recordCommand(ctx, incident));
  return created ? 'queued' : 'duplicate';
}
