// "Triage now" on a monitor alert (medic.monitor.triage, value = job): enqueues the same triage
// `/triage <job>` would in that channel, with the same deduplication id, so a click and a slash
// command (or two clicks) within 60 s are one triage. The clicker gets an ephemeral answer.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { errorId } from '../../logger.js';
import { QueueUnavailableError } from '../../queue/producers.js';
import { stableId, TriagePayload } from '../../queue/payloads.js';
import { code } from '../mrkdwn.js';
import { MONITOR_TRIAGE_ACTION_ID } from '../blocks/monitor-alert.js';

export type MonitorTriageOutcome = 'queued' | 'duplicate' | 'invalid' | 'unavailable';

export function registerMonitorTriage(app: App, deps: Deps): void {
  app.action<BlockAction>({ action_id: MONITOR_TRIAGE_ACTION_ID }, async ({ ack, body }) => {
    await ack();
    try {
      await handleMonitorTriage(deps, body);
    } catch (err) {
      deps.logger.error({ err, errorId: errorId(), user: body.user.id }, 'monitor triage button failed');
    }
  });
}

export async function handleMonitorTriage(deps: Deps, body: BlockAction): Promise<MonitorTriageOutcome> {
  const job = (body.actions[0] as ButtonAction | undefined)?.value ?? '';
  const channel = body.channel?.id ?? body.container?.channel_id;
  const user = body.user.id;
  const parsed = TriagePayload.safeParse({
    job,
    requester: { userId: user, channelId: channel, ...(body.team?.id ? { teamId: body.team.id } : {}) },
    requestedAt: deps.now(),
  });
  if (!parsed.success || !channel) {
    deps.logger.warn({ user, channel }, 'monitor triage button with an invalid job or channel');
    return 'invalid';
  }
  const tell = (text: string) =>
    deps.slack.chat
      .postEphemeral({ channel, user, text })
      .catch((err: unknown) => deps.logger.warn({ err, channel, user }, 'ephemeral answer failed'));
  try {
    const res = await deps.producers.enqueue('triage', parsed.data, {
      dedupId: stableId('triage', channel, job),
      dedupTtlMs: 60_000,
    });
    await tell(
      res.created
        ? `:mag: Triage of ${code(job)} queued; the report will appear in this channel in a few seconds.`
        : `:hourglass_flowing_sand: A triage of ${code(job)} is already running in this channel; its report will appear here.`,
    );
    return res.created ? 'queued' : 'duplicate';
  } catch (err) {
    if (!(err instanceof QueueUnavailableError)) throw err;
    deps.logger.error({ err, user }, 'could not enqueue triage from the monitor');
    await tell(
      ':warning: The bot cannot reach its queue right now, so nothing was started. Try again in a minute.',
    );
    return 'unavailable';
  }
}
